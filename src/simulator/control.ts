import { z } from 'zod';
import type { SipCode, SipRet } from '../upstream/sip/codes.ts';
import type { CallStats } from './stats.ts';
import type { SimRequest, SimResponse } from './types.ts';

/**
 * The test switches. They apply to both platforms alike: the server counts every call, then holds it while
 * hanging, waits the latency, and answers an injected failure instead of handling it when one is due.
 */

/** What an injected failure answers: a SIP envelope failure, a SIP business failure, or a bare HTTP status. */
export type InjectedFailure =
  | { ret: SipRet | number; msg?: string }
  | { code: SipCode | number; msg?: string }
  | { httpStatus: number; body?: unknown };

/** Who a request is for; `ret`/`code` failures only make sense to the SIP API and wait for a SIP call. */
export type Platform = 'sip' | 'aicall' | 'recordings';

export interface SimulatorControl {
  /** Delay before answering: every operation, or just `operation` (which then overrides the general one). */
  setLatency(ms: number, operation?: string): void;
  /** The next `count` calls (of `operation`, or of any operation the failure fits) answer `failure`. */
  failNext(count: number, failure: InjectedFailure, operation?: string): void;
  /** Every SIP token issued so far stops working: the next call answers ret 600. */
  expireAllTokens(): void;
  /** While on, requests are held and never answered; turning it off (or stopping) drops the held connections. */
  hang(on: boolean): void;
  readonly hanging: boolean;
  /** Clears latency, pending failures and hang (not the counts). */
  reset(): void;
}

interface FailureRule {
  remaining: number;
  failure: InjectedFailure;
  operation: string | null;
}

export function fitsPlatform(failure: InjectedFailure, platform: Platform): boolean {
  return 'httpStatus' in failure || platform === 'sip';
}

export class Switches implements SimulatorControl {
  #latency = 0;
  readonly #latencyByOperation = new Map<string, number>();
  #failures: FailureRule[] = [];
  #hanging = false;
  readonly #held = new Set<() => void>();
  readonly #sleeping = new Map<NodeJS.Timeout, () => void>();

  constructor(private readonly onExpireTokens: () => void) {}

  get hanging(): boolean {
    return this.#hanging;
  }

  setLatency(ms: number, operation?: string): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be ≥ 0 ms, got ${ms}`);
    if (operation) this.#latencyByOperation.set(operation.trim().toLowerCase(), ms);
    else this.#latency = ms;
  }

  failNext(count: number, failure: InjectedFailure, operation?: string): void {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
    this.#failures.push({ remaining: count, failure, operation: operation ? operation.trim().toLowerCase() : null });
  }

  expireAllTokens(): void {
    this.onExpireTokens();
  }

  hang(on: boolean): void {
    this.#hanging = on;
    if (!on) this.#releaseHeld();
  }

  reset(): void {
    this.#latency = 0;
    this.#latencyByOperation.clear();
    this.#failures = [];
    this.hang(false);
  }

  // ---- used by the server -----------------------------------------------------------------------------------

  latencyFor(operation: string): number {
    return this.#latencyByOperation.get(operation.toLowerCase()) ?? this.#latency;
  }

  /** The failure due for this call, if any (consumed). */
  takeFailure(operation: string, platform: Platform): InjectedFailure | null {
    const key = operation.toLowerCase();
    const index = this.#failures.findIndex(
      (rule) => (rule.operation === null || rule.operation === key) && fitsPlatform(rule.failure, platform),
    );
    const rule = this.#failures[index];
    if (!rule) return null;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.#failures.splice(index, 1);
    return rule.failure;
  }

  /** Holds a request: `drop` runs when hanging ends or the simulator stops. Returns an un-register function. */
  hold(drop: () => void): () => void {
    this.#held.add(drop);
    return () => this.#held.delete(drop);
  }

  /** Waits on the real clock; stop() cuts every wait short. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#sleeping.delete(timer);
        resolve();
      }, ms);
      this.#sleeping.set(timer, resolve);
    });
  }

  close(): void {
    for (const [timer, resolve] of this.#sleeping) {
      clearTimeout(timer);
      resolve();
    }
    this.#sleeping.clear();
    this.reset();
  }

  #releaseHeld(): void {
    const held = [...this.#held];
    this.#held.clear();
    for (const drop of held) drop();
  }
}

// ---- the JSON endpoints under /__sim/ -------------------------------------------------------------------------

const failureSchema = z.union([
  z.strictObject({ ret: z.number().int(), msg: z.string().optional() }),
  z.strictObject({ code: z.number().int(), msg: z.string().optional() }),
  z.strictObject({ httpStatus: z.number().int().min(100).max(599), body: z.unknown().optional() }),
]);
const operation = z.string().trim().min(1).optional();
const latencySchema = z.strictObject({ ms: z.number().min(0), operation });
const failNextSchema = z.strictObject({ count: z.number().int().min(1).default(1), failure: failureSchema, operation });
const hangSchema = z.strictObject({ on: z.boolean() });

export const CONTROL_PREFIX = '/__sim/';

function reply(status: number, body: unknown): SimResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

function parseJson<T>(schema: z.ZodType<T>, body: Buffer): T | SimResponse {
  let json: unknown;
  try {
    json = body.length ? JSON.parse(body.toString('utf8')) : {};
  } catch {
    return reply(400, { error: 'the body must be JSON' });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return reply(400, { error: z.prettifyError(parsed.error) });
  return parsed.data;
}

const isResponse = (value: unknown): value is SimResponse =>
  typeof value === 'object' && value !== null && 'status' in value && 'body' in value;

/** GET stats · POST stats/reset, latency, fail-next, expire-tokens, hang, reset. */
export function handleControlRequest(request: SimRequest, switches: Switches, stats: CallStats): SimResponse {
  const route = `${request.method} ${request.path.slice(CONTROL_PREFIX.length - 1)}`;
  switch (route) {
    case 'GET /stats':
      return reply(200, { counts: stats.snapshot(), total: stats.total() });
    case 'POST /stats/reset':
      stats.reset();
      return reply(200, { ok: true });
    case 'POST /latency': {
      const body = parseJson(latencySchema, request.body);
      if (isResponse(body)) return body;
      switches.setLatency(body.ms, body.operation);
      return reply(200, { ok: true });
    }
    case 'POST /fail-next': {
      const body = parseJson(failNextSchema, request.body);
      if (isResponse(body)) return body;
      switches.failNext(body.count, body.failure, body.operation);
      return reply(200, { ok: true });
    }
    case 'POST /expire-tokens':
      switches.expireAllTokens();
      return reply(200, { ok: true });
    case 'POST /hang': {
      const body = parseJson(hangSchema, request.body);
      if (isResponse(body)) return body;
      switches.hang(body.on);
      return reply(200, { ok: true, hanging: switches.hanging });
    }
    case 'POST /reset':
      switches.reset();
      stats.reset();
      return reply(200, { ok: true });
    default:
      return reply(404, { error: `no control endpoint ${request.method} ${request.path}` });
  }
}
