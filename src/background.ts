import type { CallbackHandler } from './callbacks/route.ts';
import type { GatewayConfig } from './config.ts';
import type { Logger } from './logger.ts';
import type { GatewayMetrics } from './observability/metrics.ts';
import type { Store } from './store/index.ts';
import type { SipClient } from './upstream/sip/client.ts';
import type { EventFeed } from './events/feed.ts';
import { createReconciler } from './events/reconcile.ts';
import { createEventPruner } from './events/retention.ts';

/**
 * The work every replica does besides answering requests (docs/deploy.md, "What runs where"). All of it is safe to
 * run on every replica at once: settling is won once, the reconciler's corrections are idempotent events, and
 * pruning deletes idempotently.
 */
export interface BackgroundWork {
  /** One reconciliation pass now (0 without a SIP API). */
  reconcile(): Promise<number>;
  stop(): Promise<void>;
}

export interface BackgroundWorkOptions {
  config: GatewayConfig;
  store: Store;
  sip: SipClient | null;
  feed: EventFeed;
  callbacks: CallbackHandler;
  logger: Logger;
  /** Counts the reconciler's corrections (telemetry.metrics); null or absent: not counted. */
  metrics?: Pick<GatewayMetrics, 'reconciled'> | null;
}

export async function startBackgroundWork({ config, store, sip, feed, callbacks, logger, metrics }: BackgroundWorkOptions): Promise<BackgroundWork> {
  // Events a crash left between their insert and their projection are settled (and published) before serving; from
  // then on, any replica takes over what another replica stored but did not settle within the lease.
  await callbacks.catchUp();
  callbacks.ingestor.startSweeping();

  // Lost hang-up callbacks leave agents looking busy: check with the PBX at start, then periodically while anyone
  // watches agent status.
  const reconciler = sip
    ? createReconciler({
        store,
        sip,
        ingestor: callbacks.ingestor,
        logger,
        intervalMs: config.reconcileIntervalMs,
        graceMs: config.reconcileGraceMs,
        chunkSize: config.sipListChunkSize,
        metrics,
      })
    : null;
  reconciler?.run().catch((error: unknown) => logger.warn('reconcile at start failed', error));
  // The feed holds its own pub/sub subscription for good, so only its listeners say whether anyone watches.
  reconciler?.start(() => feed.listening('agent-status'));

  // Events past EVENT_RETENTION_DAYS go; an `after` from before them gets EVENT_ID_EXPIRED.
  const pruner = createEventPruner({ store, logger, retentionDays: config.events.retentionDays, intervalMs: config.events.pruneIntervalMs });
  pruner.start();

  return {
    reconcile: () => reconciler?.run() ?? Promise.resolve(0),
    async stop() {
      reconciler?.stop();
      await pruner.stop();
      callbacks.close();
    },
  };
}
