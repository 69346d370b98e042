import type { CallbackIngestor } from '../callbacks/ingest.ts';
import { normaliseExtensionStatus } from '../callbacks/schemas.ts';
import { chunk } from '../loaders/batch.ts';
import type { Logger } from '../logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { Store } from '../store/index.ts';
import { SipCode } from '../upstream/sip/codes.ts';
import type { SipClient } from '../upstream/sip/client.ts';

/**
 * Callbacks carry no sequence and may be lost. The usual loss that matters is a hang-up: the agent then looks busy
 * forever. The reconciler asks the PBX (GetSipCallStatus, batched) about every agent the gateway believes is ringing
 * or talking and, for one the PBX reports free, records the missing hang-up as an event of its own (source
 * `reconcile`). It has the same dedupe key as the platform's hang-up, so a late real one is absorbed, and it goes
 * through the same ingestion as callbacks: stored, projected, published.
 *
 * It does not invent calls: an agent the PBX reports busy while the gateway thinks it free gets the call's events
 * with the next callbacks (a fabricated call uuid would make the real events look stale).
 */
export interface Reconciler {
  /** One pass; returns how many corrections it made. */
  run(): Promise<number>;
  /** Runs every `intervalMs` while `active()` says someone listens. */
  start(active: () => boolean): void;
  stop(): void;
}

const FREE = new Set<unknown>([SipCode.ExtensionIdle, SipCode.ExtensionNotInCall, SipCode.ExtensionNotRegistered, SipCode.ExtensionDisabled]);

export function createReconciler(options: {
  store: Store;
  sip: SipClient;
  ingestor: CallbackIngestor;
  logger: Logger;
  intervalMs?: number;
  /** A state younger than this is left alone: its hang-up callback may be on its way (default 15 s). */
  graceMs?: number;
  now?: () => number;
  chunkSize?: number;
  /** Counts corrections (telemetry.metrics); null or absent: not counted. */
  metrics?: Pick<GatewayMetrics, 'reconciled'> | null;
}): Reconciler {
  const { store, sip, ingestor, logger } = options;
  const now = options.now ?? Date.now;
  const graceMs = options.graceMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function pass(): Promise<number> {
    const busy = await store.agentStatus.busySince(now() - graceMs);
    let corrections = 0;
    for (const states of chunk(busy, options.chunkSize ?? 500)) {
      const statuses = await sip.getCallStatuses(states.map((state) => state.extension));
      const free = new Set(statuses.filter((s) => FREE.has(s.status.value)).map((s) => s.extension));
      for (const state of states) {
        if (!free.has(state.extension)) continue;
        const callback = normaliseExtensionStatus({
          uuid: state.call.uuid,
          buuid: state.call.bUuid ?? '',
          extnumber: state.extension,
          status: 'hangup',
          isbleg: state.leg === 'customer' ? 'true' : 'false',
          starttime: String(Math.floor(state.call.startedAt.getTime() / 1000)),
          direction: state.call.direction ?? '',
          caller: state.call.caller ?? '',
          callee: state.call.callee ?? '',
          disnumber: state.call.displayNumber ?? '',
          method: state.call.callMethod ?? '',
          customuuid: state.call.customerId ?? '',
          companycode: state.call.companyCode ?? '',
          type: 'call',
        });
        callback.payload.source = 'reconcile';
        const result = await ingestor.ingest(callback);
        if (result.event) ingestor.publish(result.event);
        if (!result.duplicate) {
          corrections += 1;
          // Counted as made: a pass that fails later has still made this one.
          options.metrics?.reconciled(1);
        }
      }
    }
    if (corrections > 0) logger.info(`reconcile: ${corrections} agent(s) the PBX reports free were marked hung up`);
    return corrections;
  }

  const run = () => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    run,
    start(active) {
      if (timer) return;
      timer = setInterval(() => {
        if (!active()) return;
        run().catch((error: unknown) => logger.warn('reconcile failed; next pass later', error));
      }, options.intervalMs ?? 30_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
