import type { Kysely } from 'kysely';
import { queryTemplate } from './query-template.ts';
import type { Database } from './schema.ts';
import { ambient } from './transaction-scope.ts';

/**
 * The abandon-rate guards of predictive tasks (migration 0004, table task_guards; src/stats/guard.ts acts on them):
 * settings, whether a guard tripped since it was armed, and who is reporting a trip (claim + lease across replicas).
 */

export interface GuardRow {
  taskId: string;
  targetPercent: number;
  lastCalls: number;
  pauseTask: boolean;
  armedAt: number;
  trippedAt: number | null;
  trippedCalls: number | null;
  trippedAbandoned: number | null;
  reportedAt: number | null;
}

export interface TaskGuardRepository {
  get(taskId: string): Promise<GuardRow | null>;
  getMany(taskIds: readonly string[]): Promise<Map<string, GuardRow>>;
  set(taskId: string, guard: { targetPercent: number; lastCalls: number; pauseTask: boolean } | null, at: number): Promise<GuardRow | null>;
  /** Marks the guard tripped if it is armed and not yet tripped; true for the one caller that did. */
  trip(taskId: string, at: number, calls: number, abandoned: number): Promise<boolean>;
  /** Tripped guards not yet reported whose claim is free or older than `staleBefore`, claimed for `at`. */
  claimUnreported(at: number, staleBefore: number, limit: number): Promise<GuardRow[]>;
  reported(taskId: string, trippedAt: number, at: number): Promise<void>;
}

const CHUNK = 500;

const toGuard = (row: Database['task_guards']): GuardRow => ({
  taskId: row.task_id,
  targetPercent: Number(row.target_percent),
  lastCalls: Number(row.last_calls),
  pauseTask: Boolean(row.pause_task),
  armedAt: Number(row.armed_at),
  trippedAt: row.tripped_at === null ? null : Number(row.tripped_at),
  trippedCalls: row.tripped_calls === null ? null : Number(row.tripped_calls),
  trippedAbandoned: row.tripped_abandoned === null ? null : Number(row.tripped_abandoned),
  reportedAt: row.reported_at === null ? null : Number(row.reported_at),
});

export function createTaskGuardRepository(root: Kysely<Database>): TaskGuardRepository {
  const db = ambient(root);

  // Every call the customer answered of a task asks whether the task has a guard.
  const selectGuard = queryTemplate<[string], Database['task_guards']>(1, (slot) =>
    root.selectFrom('task_guards').selectAll().where('task_id', '=', slot(0)),
  );
  return {
    async get(taskId) {
      const row = (await db.executeQuery(selectGuard(taskId))).rows[0];
      return row ? toGuard(row) : null;
    },

    async getMany(taskIds) {
      const result = new Map<string, GuardRow>();
      for (let i = 0; i < taskIds.length; i += CHUNK) {
        const rows = await db.selectFrom('task_guards').selectAll().where('task_id', 'in', taskIds.slice(i, i + CHUNK)).execute();
        for (const row of rows) result.set(row.task_id, toGuard(row));
      }
      return result;
    },

    async set(taskId, guard, at) {
      if (!guard) {
        await db.deleteFrom('task_guards').where('task_id', '=', taskId).execute();
        return null;
      }
      const values = {
        task_id: taskId,
        target_percent: guard.targetPercent,
        last_calls: guard.lastCalls,
        pause_task: guard.pauseTask ? 1 : 0,
        armed_at: at,
        tripped_at: null,
        tripped_calls: null,
        tripped_abandoned: null,
        claimed_at: null,
        reported_at: null,
      };
      const row = await db
        .insertInto('task_guards')
        .values(values)
        .onConflict((oc) => oc.column('task_id').doUpdateSet(values))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toGuard(row);
    },

    async trip(taskId, at, calls, abandoned) {
      const result = await db
        .updateTable('task_guards')
        .set({ tripped_at: at, tripped_calls: calls, tripped_abandoned: abandoned })
        .where('task_id', '=', taskId)
        .where('tripped_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async claimUnreported(at, staleBefore, limit) {
      const candidates = await db
        .selectFrom('task_guards')
        .select('task_id')
        .where('tripped_at', 'is not', null)
        .where('reported_at', 'is', null)
        .where((eb) => eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', staleBefore)]))
        .limit(limit)
        .execute();
      const claimed: GuardRow[] = [];
      for (const { task_id } of candidates) {
        const row = await db
          .updateTable('task_guards')
          .set({ claimed_at: at })
          .where('task_id', '=', task_id)
          .where('reported_at', 'is', null)
          .where((eb) => eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', staleBefore)]))
          .returningAll()
          .executeTakeFirst();
        if (row) claimed.push(toGuard(row));
      }
      return claimed;
    },

    async reported(taskId, trippedAt, at) {
      await db.updateTable('task_guards').set({ reported_at: at }).where('task_id', '=', taskId).where('tripped_at', '=', trippedAt).execute();
    },
  };
}
