import type { PubSub } from '../events/pubsub.ts';
import type { EventTopic, GatewayEvent } from '../events/types.ts';
import type { Logger } from '../logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { type Projected, type Store, type StoredEvent, projectEvent } from '../store/index.ts';
import { SavepointName, TransactionLostError, inTransaction, withSavepoint } from '../store/transaction-scope.ts';
import type { AnyNormalisedCallback } from './schemas.ts';

/**
 * The durable half of a callback: append the event, apply it to its projection and settle it (record the projection's
 * answer) in one transaction, durable at its commit (SQLite synchronous=FULL, PostgreSQL commit), and hand back what
 * to publish once the 2xx is out. On SQLite, callbacks arriving together share one transaction (group commit): one WAL
 * sync for the group instead of three per callback. See docs/events.md for why each step is safe to repeat and who
 * publishes.
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
  /**
   * `within` (tracing) runs this callback's own statements in its caller's trace context when a group commit runs them
   * from another callback's flush; absent: they run where the flush runs.
   */
  ingest(callback: AnyNormalisedCallback, within?: RunWithin): Promise<IngestResult>;
  /** Publishes without waiting; a failure is logged (the event is stored and can be replayed). */
  publish(event: GatewayEvent): void;
  /**
   * Settles every pending event, oldest first, and publishes each one it settled: the events a crash left between
   * their insert and their settle, or whose projection failed. Returns how many it settled. Single-flight.
   */
  catchUp(): Promise<number>;
  /**
   * From now on, every half lease: settles (and publishes) the pending events stored more than the lease ago, whichever
   * replica stored them: the work a replica that died between insert and settle left behind, which would otherwise
   * hold back every subscriber's replay and live feed (they stop before the first pending event of a topic). Every
   * replica runs it: settling is idempotent and won once. Single-flight with catchUp.
   */
  startSweeping(): void;
  /** Stops retry and sweep timers. */
  close(): void;
}

/** Runs `fn` in a context of the caller's choosing (src/observability/tracing.ts: the callback's span). */
export type RunWithin = <T>(fn: () => T) => T;

export interface IngestorOptions {
  store: Store;
  pubsub: PubSub;
  logger: Logger;
  /** Delay before catch-up retries events whose projection failed (default 5 s). */
  retryDelayMs?: number;
  /** A pending event older than this may be taken over by any replica (config.events.settleLeaseMs; default 2 s). */
  settleLeaseMs?: number;
  /** The clock the lease is measured with (the store's received_at is written with the same kind of clock). */
  now?: () => number;
  /**
   * Runs in the settling transaction, once per event, after it settled (the statistics: src/stats/projection.ts). A
   * failure rolls the settle back, so the event stays pending and catch-up tries again.
   */
  afterSettle?: (event: GatewayEvent, projected: Projected<EventTopic>) => Promise<void>;
  /** Observes each published event's lag from its own time (telemetry.metrics); null or absent: not observed. */
  metrics?: Pick<GatewayMetrics, 'published'> | null;
}

const CATCH_UP_BATCH = 200;
/**
 * An event whose projection keeps failing would hold back its topic's replay horizon for good. Past this age, and
 * after MAX_FAILED_ATTEMPTS failures in this process, it is settled as not applied (with the reason logged) so the
 * others flow again; the stored payload stays for an operator to look at.
 */
const GIVE_UP_AGE_MS = 60_000;
const MAX_FAILED_ATTEMPTS = 3;
const MAX_TRACKED_FAILURES = 10_000;
/** Shortest sweep interval, whatever the lease. */
const MIN_SWEEP_MS = 250;
/** Most callbacks in one group commit: bounds how long one transaction holds the (single) SQLite connection. */
const MAX_GROUP = 64;

export function createCallbackIngestor(options: IngestorOptions): CallbackIngestor {
  const { store, pubsub, logger, afterSettle } = options;
  const retryDelayMs = options.retryDelayMs ?? 5_000;
  const leaseMs = options.settleLeaseMs ?? 2_000;
  const now = options.now ?? Date.now;
  let retryTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let closed = false;
  /** Failed projection attempts per pending event id, in this process. */
  const failures = new Map<number, number>();

  /** Projects and settles; the caller runs it in a transaction (so both land in one commit, or neither). */
  async function settle(event: StoredEvent): Promise<GatewayEvent | null> {
    const projected = await projectEvent(store, event);
    const settled = await store.events.settle(event.id, projected.applied, projected.effect, event);
    // Only the transaction that settled the event goes on: a replica that lost the race to settle it adds nothing.
    if (settled && afterSettle) await afterSettle(settled, projected);
    return settled;
  }

  /** Settles a poison event as not applied, so its topic flows again; null if another replica settled it first. */
  async function giveUp(event: StoredEvent, error: unknown): Promise<GatewayEvent | null> {
    logger.error(
      `event ${event.id} (${event.topic}): projection failed ${MAX_FAILED_ATTEMPTS} times over ${Math.round(GIVE_UP_AGE_MS / 1000)} s; ` +
        'settled as not applied and skipped (the stored payload is kept)',
      error,
    );
    failures.delete(event.id);
    return store.events.settle(event.id, false, null);
  }

  function publish(event: GatewayEvent): void {
    options.metrics?.published(event);
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

  async function settleOrCount(event: StoredEvent): Promise<{ settled: GatewayEvent | null; failed: boolean }> {
    try {
      // The count is forgotten only once the event settles: clearing it before the attempt would keep every count at
      // one, and a poison event would never be given up.
      // Under the topic's lock, as an ingestion settles: the projections (the statistics' included) see one writer.
      const settled = await inTransaction(store.db, store.dialect, async () => {
        await store.events.lockTopic(event.topic);
        return settle(event);
      });
      failures.delete(event.id);
      return { settled, failed: false };
    } catch (error) {
      const attempts = (failures.get(event.id) ?? 0) + 1;
      // Entries go when their event settles here; one settled elsewhere stays, so the map is bounded crudely.
      if (failures.size >= MAX_TRACKED_FAILURES) failures.clear();
      failures.set(event.id, attempts);
      const age = now() - Date.parse(event.receivedAt);
      if (attempts >= MAX_FAILED_ATTEMPTS && age >= GIVE_UP_AGE_MS) return { settled: await giveUp(event, error), failed: false };
      logger.error(`event ${event.id} (${event.topic}): projection failed again; will retry`, error);
      return { settled: null, failed: true };
    }
  }

  /** Settles pending events oldest first (only those stored before `receivedBefore`, when given). */
  async function runCatchUp(receivedBefore?: number): Promise<number> {
    let settledCount = 0;
    let failed = false;
    let afterId = 0;
    for (;;) {
      const batch = await store.events.pending(afterId, CATCH_UP_BATCH, receivedBefore);
      for (const event of batch) {
        afterId = event.id;
        const result = await settleOrCount(event);
        failed ||= result.failed;
        if (result.settled) {
          settledCount++;
          publish(result.settled);
        }
      }
      if (batch.length < CATCH_UP_BATCH) break;
    }
    if (failed) scheduleRetry();
    if (settledCount > 0) {
      logger.info(
        receivedBefore === undefined
          ? `catch-up settled ${settledCount} stored event(s) the projections had not taken in`
          : `took over ${settledCount} pending event(s) older than the ${leaseMs} ms lease (their replica stopped before settling them)`,
      );
    }
    return settledCount;
  }

  function single(receivedBefore?: number): Promise<number> {
    running ??= runCatchUp(receivedBefore).finally(() => {
      running = undefined;
    });
    return running;
  }
  const catchUp = () => single();

  function startSweeping(): void {
    if (closed || sweepTimer) return;
    sweepTimer = setInterval(
      () => {
        // A catch-up already running covers these events too; a failed sweep is retried on the next tick.
        if (running) return;
        single(now() - leaseMs).catch((error: unknown) => logger.warn('taking over pending events failed; will retry', error));
      },
      Math.max(MIN_SWEEP_MS, Math.floor(leaseMs / 2)),
    );
    sweepTimer.unref();
  }

  interface Queued {
    callback: AnyNormalisedCallback;
    within: RunWithin | undefined;
    resolve: (result: IngestResult) => void;
    reject: (error: unknown) => void;
  }
  const queue: Queued[] = [];
  let flushing = false;

  /**
   * One callback inside the open transaction: append, then project and settle under a savepoint. A projection that
   * throws rolls back to the savepoint, so the appended event stays (pending) and commits with the rest; catch-up
   * settles it later. Returns the result and whether the projection failed (logged once the commit is durable).
   */
  async function ingestInTransaction(callback: AnyNormalisedCallback): Promise<{ result: IngestResult; failure?: unknown }> {
    // aicall-notify and abandon-guard feed no projection: stored settled, so they never wait for catch-up.
    const settledAtInsert = callback.topic === 'aicall-notify' || callback.topic === 'abandon-guard' ? { applied: true, effect: null } : undefined;
    const { event, duplicate } = await store.events.append({ ...callback, settled: settledAtInsert });
    // Stored settled by this very insert: counted here, in its transaction, once (a duplicate inserted nothing).
    if (settledAtInsert && !duplicate && afterSettle) await afterSettle({ ...event, applied: true }, settledAtInsert);
    if (event.applied !== null) {
      return { result: { id: event.id, duplicate, event: duplicate ? null : { ...event, applied: event.applied } } };
    }
    // Pending: this delivery's new event, or a duplicate of one whose first delivery has not settled it (interrupted,
    // or in flight on another replica). Either way, settling is safe to repeat and only one caller wins it.
    try {
      const settled = await withSavepoint(store.db, SavepointName.Projection, () => settle(event));
      return { result: { id: event.id, duplicate, event: settled } };
    } catch (error) {
      if (error instanceof TransactionLostError) throw error;
      return { result: { id: event.id, duplicate, event: null }, failure: error };
    }
  }

  function afterCommit(callback: AnyNormalisedCallback, outcome: { result: IngestResult; failure?: unknown }): IngestResult {
    if (outcome.failure !== undefined) {
      logger.error(
        `event ${outcome.result.id} (${callback.topic}) is stored but its projection failed; catch-up will retry`,
        outcome.failure,
      );
      scheduleRetry();
    }
    return outcome.result;
  }

  /**
   * Group commit (SQLite): every callback queued by the time a flush starts shares one transaction, so one WAL sync
   * makes the whole group durable; each is answered only after that commit. Each callback runs under its own
   * savepoint: one that fails (its append threw) is rolled back alone and answered with its error, the others commit.
   * If the transaction itself fails (the commit, or a savepoint that cannot be rolled back to), every callback of the
   * group gets the error: none was acknowledged, so the platform sends them again.
   */
  async function flushGroup(group: Queued[]): Promise<void> {
    const outcomes: Array<{ result: IngestResult; failure?: unknown } | { error: unknown }> = [];
    try {
      await inTransaction(store.db, store.dialect, async () => {
        outcomes.length = 0;
        // A group of one needs no savepoint of its own: its failure fails the transaction, which has nothing else.
        if (group.length === 1 && group[0] !== undefined) {
          const only = group[0];
          outcomes.push(await (only.within ? only.within(() => ingestInTransaction(only.callback)) : ingestInTransaction(only.callback)));
          return;
        }
        for (const item of group) {
          try {
            const own = () => withSavepoint(store.db, SavepointName.Callback, () => ingestInTransaction(item.callback));
            outcomes.push(await (item.within ? item.within(own) : own()));
          } catch (error) {
            if (error instanceof TransactionLostError) throw error;
            outcomes.push({ error });
          }
        }
      });
    } catch (error) {
      for (const item of group) item.reject(error);
      return;
    }
    group.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined) item.reject(new Error('callback was not ingested'));
      else if ('error' in outcome) item.reject(outcome.error);
      else item.resolve(afterCommit(item.callback, outcome));
    });
  }

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) await flushGroup(queue.splice(0, MAX_GROUP));
    } finally {
      flushing = false;
    }
  }

  return {
    ingest(callback, within) {
      if (store.dialect !== 'sqlite') {
        // PostgreSQL: one transaction per callback, concurrently on the pool's connections. Not grouped: a group would
        // hold its topics' advisory locks and projection rows for the whole group, and two replicas' groups taking
        // them in different orders would deadlock.
        return inTransaction(store.db, store.dialect, () => ingestInTransaction(callback)).then((outcome) => afterCommit(callback, outcome));
      }
      const answered = new Promise<IngestResult>((resolve, reject) => queue.push({ callback, within, resolve, reject }));
      if (!flushing) {
        flushing = true;
        // Started on the next check phase, so the callbacks whose requests were read in this poll phase join the
        // group; better-sqlite3 runs the whole transaction synchronously, so nothing else would arrive during it.
        setImmediate(() => void drain());
      }
      return answered;
    },
    publish,
    catchUp,
    startSweeping,
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      retryTimer = sweepTimer = undefined;
    },
  };
}
