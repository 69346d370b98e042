import type { CallbackIngestor } from '../callbacks/ingest.ts';
import { GatewayError } from '../errors.ts';
import type { TaskChange } from '../events/task-changes.ts';
import type { AbandonGuardAction, AbandonGuardPayload } from '../events/types.ts';
import type { Logger } from '../logger.ts';
import { type GuardRow, PredictiveTaskStatus, type Store } from '../store/index.ts';
import { TaskCommand } from '../upstream/sip/codes.ts';
import type { SipClient } from '../upstream/sip/client.ts';

/**
 * The abandon-rate guard (docs/statistics.md, "The guard"). A predictive task may carry a target (say 3 %) over its
 * last N calls the customer answered. The check runs in the transaction that counted such a call (`check`): when the
 * rate passes the target, the guard row is marked tripped, once, by whichever replica's transaction gets there
 * first. Acting on it happens after the commit, by a worker every replica runs: it claims tripped guards nobody
 * reported (a claim older than the lease can be retaken, so a replica dying mid-way loses nothing), pauses the task
 * on the PBX if asked, and stores and publishes an `abandon-guard` event saying what it did.
 */

export interface AbandonGuard {
  /** Inside the counting transaction: trips the task's guard if its rate passed the target. */
  check(taskId: string): Promise<void>;
  /** Acts on tripped guards now (also runs every `sweepMs`). Resolves with how many it reported. */
  run(): Promise<number>;
  start(): void;
  close(): void;
  /** Trips this replica reported, per action (metrics). */
  readonly trips: Readonly<Record<AbandonGuardAction, number>>;
}

export interface AbandonGuardOptions {
  store: Store;
  sip: SipClient | null;
  /** Given lazily: the ingestor is built after the statistics (the projection is its `afterSettle`). */
  ingestor: () => Pick<CallbackIngestor, 'ingest' | 'publish'>;
  recordTaskChange: (change: TaskChange) => Promise<unknown>;
  logger: Logger;
  now?: () => number;
  /** How often every replica looks for tripped guards nobody reported (default 2 s). */
  sweepMs?: number;
  /** A claim older than this may be retaken (default 30 s). */
  claimLeaseMs?: number;
}

const CLAIM_BATCH = 20;

export function ratePercent(abandoned: number, calls: number): number {
  return calls === 0 ? 0 : Math.round((abandoned / calls) * 10_000) / 100;
}

export function createAbandonGuard(options: AbandonGuardOptions): AbandonGuard {
  const { store, logger } = options;
  const now = options.now ?? Date.now;
  const sweepMs = options.sweepMs ?? 2_000;
  const leaseMs = options.claimLeaseMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let closed = false;
  const trips: Record<AbandonGuardAction, number> = { PAUSED: 0, ALERT_ONLY: 0, NOT_RUNNING: 0, PAUSE_FAILED: 0 };

  async function pause(guard: GuardRow): Promise<{ action: AbandonGuardAction; errorCode: string | null }> {
    if (!guard.pauseTask) return { action: 'ALERT_ONLY', errorCode: null };
    const task = await store.tasks.get(guard.taskId);
    if (!task || task.status !== PredictiveTaskStatus.Running || !options.sip) return { action: 'NOT_RUNNING', errorCode: null };
    try {
      await options.sip.setTaskStatus(task.id, TaskCommand.Pause);
    } catch (error) {
      const errorCode = error instanceof GatewayError ? error.code : 'INTERNAL';
      logger.warn(`abandon-rate guard: pausing task ${task.id} failed (${errorCode})`, error);
      return { action: 'PAUSE_FAILED', errorCode };
    }
    await options.recordTaskChange({
      kind: 'PREDICTIVE',
      taskId: task.id,
      status: PredictiveTaskStatus.Paused,
      source: 'guard',
      key: [task.status, task.statusChangedAt.getTime(), PredictiveTaskStatus.Paused],
    });
    return { action: 'PAUSED', errorCode: null };
  }

  async function report(guard: GuardRow): Promise<void> {
    const trippedAt = guard.trippedAt as number;
    const { action, errorCode } = await pause(guard);
    const calls = guard.trippedCalls ?? 0;
    const abandoned = guard.trippedAbandoned ?? 0;
    const payload: AbandonGuardPayload = {
      taskId: guard.taskId,
      targetPercent: guard.targetPercent,
      lastCalls: guard.lastCalls,
      calls,
      abandoned,
      ratePercent: ratePercent(abandoned, calls),
      trippedAt: new Date(trippedAt).toISOString(),
      action,
      errorCode,
    };
    const ingestor = options.ingestor();
    const result = await ingestor.ingest({
      topic: 'abandon-guard',
      dedupeKey: `${encodeURIComponent(guard.taskId)}|${trippedAt}`,
      subject: guard.taskId,
      occurredAt: new Date(trippedAt),
      payload,
    });
    if (result.event) ingestor.publish(result.event);
    await store.guards.reported(guard.taskId, trippedAt, now());
    trips[action] += 1;
    logger.warn(
      `abandon-rate guard: task ${guard.taskId} at ${payload.ratePercent} % over its last ${calls} answered calls (target ${guard.targetPercent} %): ${action}`,
    );
  }

  async function sweep(): Promise<number> {
    let reported = 0;
    for (;;) {
      const at = now();
      const claimed = await store.guards.claimUnreported(at, at - leaseMs, CLAIM_BATCH);
      for (const guard of claimed) {
        try {
          await report(guard);
          reported++;
        } catch (error) {
          // The claim lapses after the lease and the next sweep tries again.
          logger.error(`abandon-rate guard: reporting task ${guard.taskId} failed; will retry`, error);
        }
      }
      if (claimed.length < CLAIM_BATCH) return reported;
    }
  }

  function run(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = sweep().finally(() => {
      running = undefined;
      if (again && !closed) {
        again = false;
        void run().catch((error: unknown) => logger.warn('abandon-rate guard sweep failed; will retry', error));
      }
    });
    return running;
  }

  return {
    async check(taskId) {
      const guard = await store.guards.get(taskId);
      if (!guard || guard.trippedAt !== null) return;
      const recent = await store.statistics.recentAnswered(taskId, guard.lastCalls, guard.armedAt);
      if (recent.calls < guard.lastCalls) return;
      if ((recent.abandoned / recent.calls) * 100 <= guard.targetPercent) return;
      if (await store.guards.trip(taskId, now(), recent.calls, recent.abandoned)) {
        // After this transaction commits: the sweep's claim runs behind it (one SQLite connection) or finds it next time.
        setImmediate(() => {
          if (!closed) void run().catch((error: unknown) => logger.warn('abandon-rate guard sweep failed; will retry', error));
        });
      }
    },
    run,
    trips,
    start() {
      if (closed || timer) return;
      timer = setInterval(() => {
        if (!running) void run().catch((error: unknown) => logger.warn('abandon-rate guard sweep failed; will retry', error));
      }, sweepMs);
      timer.unref();
    },
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
