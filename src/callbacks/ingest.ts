import type { PubSub } from '../events/pubsub.ts';
import type { GatewayEvent } from '../events/types.ts';
import type { Logger } from '../logger.ts';
import { type Store, type StoredEvent, projectEvent } from '../store/index.ts';
import type { AnyNormalisedCallback } from './schemas.ts';

/**
 * The durable half of a callback: append the event (durable when the statement returns: SQLite synchronous=FULL,
 * PostgreSQL commit), apply it to its projection, settle it (record the projection's answer), and hand back what to
 * publish once the 2xx is out. See docs/events.md for why each step is safe to repeat and who publishes.
 */

export interface IngestResult {
  /** The stored event's id (the first delivery's for a duplicate). */
  id: number;
  duplicate: boolean;
  /**
   * The event to publish after answering: set only for the caller that settled it, so each stored event is published
   * once. Null for a duplicate of a settled event, and when the projection failed (catch-up will settle and publish).
   */
  event: GatewayEvent | null;
}

export interface CallbackIngestor {
  ingest(callback: AnyNormalisedCallback): Promise<IngestResult>;
  /** Publishes without waiting; a failure is logged (the event is stored and can be replayed). */
  publish(event: GatewayEvent): void;
  /**
   * Settles every pending event, oldest first, and publishes each one it settled: the events a crash left between
   * their insert and their settle, or whose projection failed. Returns how many it settled. Single-flight.
   */
  catchUp(): Promise<number>;
  /** Stops retry timers. */
  close(): void;
}

export interface IngestorOptions {
  store: Store;
  pubsub: PubSub;
  logger: Logger;
  /** Delay before catch-up retries events whose projection failed (default 5 s). */
  retryDelayMs?: number;
}

const CATCH_UP_BATCH = 200;

export function createCallbackIngestor(options: IngestorOptions): CallbackIngestor {
  const { store, pubsub, logger } = options;
  const retryDelayMs = options.retryDelayMs ?? 5_000;
  let retryTimer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let closed = false;

  async function settle(event: StoredEvent): Promise<GatewayEvent | null> {
    const { applied, effect } = await projectEvent(store, event);
    return store.events.settle(event.id, applied, effect);
  }

  function publish(event: GatewayEvent): void {
    pubsub.publish(event.topic, event).catch((error: unknown) => {
      logger.warn(`event ${event.id} (${event.topic}) is stored but could not be published`, error);
    });
  }

  function scheduleRetry(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      // A store that is still down must not end the process: log, and try again later.
      catchUp().catch((error: unknown) => {
        logger.error('catch-up of stored events failed; will retry', error);
        scheduleRetry();
      });
    }, retryDelayMs);
    retryTimer.unref();
  }

  async function runCatchUp(): Promise<number> {
    let settledCount = 0;
    let failed = false;
    let afterId = 0;
    for (;;) {
      const batch = await store.events.pending(afterId, CATCH_UP_BATCH);
      for (const event of batch) {
        afterId = event.id;
        try {
          const settled = await settle(event);
          if (settled) {
            settledCount++;
            publish(settled);
          }
        } catch (error) {
          failed = true;
          logger.error(`event ${event.id} (${event.topic}): projection failed again; will retry`, error);
        }
      }
      if (batch.length < CATCH_UP_BATCH) break;
    }
    if (failed) scheduleRetry();
    if (settledCount > 0) logger.info(`catch-up settled ${settledCount} stored event(s) the projections had not taken in`);
    return settledCount;
  }

  function catchUp(): Promise<number> {
    running ??= runCatchUp().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    async ingest(callback) {
      // aicall-notify feeds no projection: stored settled, so it never waits for catch-up.
      const settledAtInsert = callback.topic === 'aicall-notify' ? { applied: true, effect: null } : undefined;
      const { event, duplicate } = await store.events.append({ ...callback, settled: settledAtInsert });
      if (event.applied !== null) {
        return { id: event.id, duplicate, event: duplicate ? null : { ...event, applied: event.applied } };
      }
      // Pending: this delivery's new event, or a duplicate of one whose first delivery has not settled it (still in
      // flight, or interrupted). Either way, settling is safe to repeat and only one caller wins it.
      try {
        return { id: event.id, duplicate, event: await settle(event) };
      } catch (error) {
        logger.error(`event ${event.id} (${event.topic}) is stored but its projection failed; catch-up will retry`, error);
        scheduleRetry();
        return { id: event.id, duplicate, event: null };
      }
    },
    publish,
    catchUp,
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
    },
  };
}
