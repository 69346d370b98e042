import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/index.ts';

/**
 * Prunes the event store (docs/events.md, "Retention"): settled events received more than `retentionDays` ago are
 * deleted, a topic's newest never, and each topic's `pruned_through` mark says which resumes lost events.
 *
 * Every replica runs one: the deletes are idempotent, concurrent pruners skip each other's rows (PostgreSQL) or take
 * turns (SQLite), and a mark is only ever raised. A run deletes a bounded window of rows per batch and then rests as
 * long as the batch took, so pruning holds the database (and, on SQLite, whose statements run on the event loop, the
 * process) at most half the time while callbacks and subscriptions go on; bench/prune.ts measures what that costs.
 * A failed run is logged and the next interval tries again; nothing is thrown out of a timer.
 */

export interface EventPrunerOptions {
  store: Store;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Settled events received longer ago than this are deleted (config.events.retentionDays). */
  retentionDays: number;
  /** Time between runs (config.events.pruneIntervalMs); the first run is one interval (at most a minute) after start. */
  intervalMs: number;
  /** Epoch-ms clock; tests pass a fixed one. */
  now?: () => number;
  /** Rows one batch looks at (default DEFAULT_PRUNE_BATCH for the store's dialect). */
  batchSize?: number;
}

export interface EventPruner {
  /** Runs periodically from now on (timers unref'd: they never keep the process alive). */
  start(): void;
  /** No further runs; resolves once a run in progress has finished its current batch. */
  stop(): Promise<void>;
  /** One full run now (joins one in progress): how many events it deleted. Throws what the store threw. */
  runOnce(): Promise<number>;
}

/**
 * Rows per batch. SQLite deletes on the event loop, about 11 ms per 1,000 events here (34 ms per 5,000), and nothing
 * else runs meanwhile; PostgreSQL works on its own, where bigger batches cost fewer round trips (bench/README.md).
 */
export const DEFAULT_PRUNE_BATCH = { sqlite: 1_000, postgres: 5_000 } as const;
/** The longest rest between two batches. */
const MAX_REST_MS = 1_000;
const DAY_MS = 86_400_000;
/** The first run after start waits at most this long: startup (migrations, catch-up) goes first. */
const FIRST_RUN_MAX_DELAY_MS = 60_000;

export function createEventPruner(options: EventPrunerOptions): EventPruner {
  const { store, logger, retentionDays, intervalMs } = options;
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? DEFAULT_PRUNE_BATCH[store.dialect];
  if (!(retentionDays > 0)) throw new RangeError('retentionDays must be positive');
  if (!(intervalMs > 0)) throw new RangeError('intervalMs must be positive');
  let running: Promise<number> | null = null;
  let stopped = false;
  let firstTimer: NodeJS.Timeout | null = null;
  let timer: NodeJS.Timeout | null = null;

  async function run(): Promise<number> {
    const started = performance.now();
    const cutoff = now() - retentionDays * DAY_MS;
    let deleted = 0;
    let batches = 0;
    let slowest = 0;
    try {
      while (!stopped) {
        const batchStarted = performance.now();
        const count = await store.events.prune(cutoff, batchSize);
        const took = performance.now() - batchStarted;
        slowest = Math.max(slowest, took);
        batches += 1;
        deleted += count;
        if (count === 0) break;
        // Everything that queued up meanwhile (callbacks, replays) goes first, with as much time again to itself.
        await sleep(Math.min(MAX_REST_MS, Math.max(1, took)));
      }
      // The statistics' detail rows go with the events they came from (hour counters stay: docs/statistics.md).
      while (!stopped) {
        const batchStarted = performance.now();
        const count = await store.statistics.prune(cutoff, batchSize);
        if (count === 0) break;
        await sleep(Math.min(MAX_REST_MS, Math.max(1, performance.now() - batchStarted)));
      }
    } finally {
      if (deleted > 0) {
        const elapsed = Math.round(performance.now() - started);
        logger.info(
          `events: pruned ${deleted} event(s) received before ${new Date(cutoff).toISOString()} ` +
            `(${retentionDays} days) in ${elapsed} ms, ${batches} batch(es), slowest ${Math.round(slowest)} ms`,
        );
      }
    }
    return deleted;
  }

  const runOnce = (): Promise<number> => {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  };

  const scheduled = () => {
    runOnce().catch((error: unknown) => logger.warn('events: pruning failed; next run in one interval', error));
  };

  return {
    start() {
      if (timer || firstTimer) return;
      stopped = false;
      firstTimer = setTimeout(() => {
        firstTimer = null;
        scheduled();
      }, Math.min(intervalMs, FIRST_RUN_MAX_DELAY_MS));
      firstTimer.unref();
      timer = setInterval(scheduled, intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (firstTimer) clearTimeout(firstTimer);
      if (timer) clearInterval(timer);
      firstTimer = timer = null;
      await running?.catch(() => undefined);
    },
    runOnce() {
      return runOnce();
    },
  };
}
