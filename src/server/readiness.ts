import type { PubSub } from '../events/pubsub.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import type { SipClient } from '../upstream/sip/client.ts';
import type { Drain } from './drain.ts';

/**
 * `GET /readyz`: whether a load balancer should send this replica traffic, and why not (docs/deploy.md, "Probes").
 *
 * - **database** (required): one `select 1`.
 * - **redis** (reported when REDIS_URL is set, not required): both pub/sub connections up and a PING answered.
 *   Every replica shares the one Redis, and without it subscribers still get every event through the feed's 2 s
 *   store poll, so a Redis outage makes the answer `degraded` rather than taking every replica out of the balancer.
 * - **sipLogin** (reported, not required): a token is held or a login succeeds now. When the PBX is down every replica
 *   sees the same, and pulling them all out would also stop the wallboards that run from the store; so it makes the
 *   answer `degraded` (still 200). A failed login is retried at most every LOGIN_RETRY_MS, so probes cannot hammer
 *   the PBX with logins.
 * - **aicall**: the AI-call platform has no login (a fixed token); probing it would cost a list call per probe, so
 *   it is reported as `configured` without a call.
 * - Once SIGTERM came, the answer is 503 `draining` whatever the checks say, at once.
 *
 * Probes are cheap and bounded: checks run single-flight and their answer is reused for CACHE_MS, so any number of
 * probes cost at most one statement and one PING per CACHE_MS. Bodies carry fixed words only; the reason a check
 * failed is logged (redacted), once per change.
 */

export type CheckState = 'ok' | 'failed' | 'timeout' | 'not-configured' | 'configured';

export interface Check {
  state: CheckState;
  /** Milliseconds the check took (absent when nothing was sent). */
  ms?: number;
}

export interface ReadinessReport {
  status: 'ready' | 'degraded' | 'not-ready' | 'draining';
  checks: { database: Check; redis: Check; sipLogin: Check; aicall: Check };
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

export interface ReadinessOptions {
  store: Store;
  pubsub: PubSub;
  sip: SipClient | null;
  aicallConfigured: boolean;
  drain: Drain;
  logger: Logger;
  now?: () => number;
}

const CACHE_MS = 1_000;
const CHECK_TIMEOUT_MS = 2_000;
const LOGIN_RETRY_MS = 15_000;

async function timed(run: () => Promise<unknown>, now: () => number): Promise<Check & { error?: unknown }> {
  const started = now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), CHECK_TIMEOUT_MS);
  });
  try {
    const outcome = await Promise.race([run().then(() => 'ok' as const), timeout]);
    return { state: outcome, ms: now() - started };
  } catch (error) {
    return { state: 'failed', ms: now() - started, error };
  } finally {
    clearTimeout(timer);
  }
}

export function createReadiness(options: ReadinessOptions): Readiness {
  const { store, pubsub, sip, drain, logger } = options;
  const now = options.now ?? Date.now;
  let cached: { at: number; report: ReadinessReport } | null = null;
  let running: Promise<ReadinessReport> | null = null;
  let lastLoginFailure = Number.NEGATIVE_INFINITY;
  const lastStates = new Map<string, CheckState>();

  /** Logs a check's change of state once (with the redacted reason when it failed). */
  function note(name: string, check: Check & { error?: unknown }): Check {
    const previous = lastStates.get(name);
    lastStates.set(name, check.state);
    if (previous !== undefined && previous !== check.state) {
      if (check.state === 'ok') logger.info(`readiness: ${name} is ok again`);
      else logger.warn(`readiness: ${name} ${check.state}`, check.error);
    } else if (previous === undefined && check.state !== 'ok' && check.state !== 'not-configured' && check.state !== 'configured') {
      logger.warn(`readiness: ${name} ${check.state}`, check.error);
    }
    const { error: _error, ...shown } = check;
    return shown;
  }

  async function sipLogin(): Promise<Check> {
    if (!sip) return { state: 'not-configured' };
    if (now() - lastLoginFailure < LOGIN_RETRY_MS) return { state: 'failed' };
    const check = await timed(() => sip.session.token(), now);
    if (check.state !== 'ok') lastLoginFailure = now();
    return note('sipLogin', check);
  }

  async function run(): Promise<ReadinessReport> {
    const [database, redis, login] = await Promise.all([
      timed(() => store.ping(), now).then((check) => note('database', check)),
      pubsub.kind === 'redis' ? timed(() => pubsub.ping(), now).then((check) => note('redis', check)) : Promise.resolve<Check>({ state: 'not-configured' }),
      sipLogin(),
    ]);
    const checks = { database, redis, sipLogin: login, aicall: { state: options.aicallConfigured ? 'configured' : 'not-configured' } as Check };
    const usable = (check: Check) => check.state === 'ok' || check.state === 'not-configured';
    const status = database.state !== 'ok' ? 'not-ready' : usable(redis) && usable(login) ? 'ready' : 'degraded';
    return { status, checks };
  }

  return {
    async check() {
      // A draining replica answers at once (with the last checks it made): the balancer only needs the 503.
      if (drain.draining && cached) return { ...cached.report, status: 'draining' };
      if (!cached || now() - cached.at >= CACHE_MS) {
        running ??= run()
          .then((report) => {
            cached = { at: now(), report };
            return report;
          })
          .finally(() => {
            running = null;
          });
        await running;
      }
      const report = (cached as { report: ReadinessReport }).report;
      return drain.draining ? { ...report, status: 'draining' } : report;
    },
  };
}

/** The HTTP status for a report: only `ready` and `degraded` take traffic. */
export function readinessStatus(report: ReadinessReport): number {
  return report.status === 'ready' || report.status === 'degraded' ? 200 : 503;
}
