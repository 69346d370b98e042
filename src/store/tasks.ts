import { type Kysely, type Selectable, type SelectQueryBuilder, sql } from 'kysely';
import { InvalidInputError } from '../errors.ts';
import {
  type NewPredictiveTask,
  type NumberCounts,
  type PredictiveTask,
  PredictiveTaskStatus,
  type StatusChange,
  type StatusChangeSource,
  canChangeStatus,
} from './model.ts';
import type { Database, PredictiveTaskTable } from './schema.ts';
import { ambient } from './transaction-scope.ts';

/** The predictive tasks the gateway created: the SIP API cannot list them, so this is where they are found. */

export interface TaskFilter {
  /** Absent or empty: any status. */
  statuses?: readonly PredictiveTaskStatus[];
  /** Case-insensitive substring of the name. */
  nameContains?: string;
}

export interface PageArgs {
  first: number;
  /** A cursor from `taskCursor()`: rows strictly after that task in newest-first order. */
  after?: string | null;
}

export interface TaskPage {
  rows: PredictiveTask[];
  hasNextPage: boolean;
}

export interface SetStatusResult {
  /** False when the task already had the status or the change is not allowed (a terminal status stays). */
  changed: boolean;
  /** The task after the call; its status is the current one either way. */
  task: PredictiveTask;
}

export interface PredictiveTaskRepository {
  /** The first history row (from null) is written with it. Throws if the id exists. */
  insert(task: NewPredictiveTask): Promise<PredictiveTask>;
  get(id: string): Promise<PredictiveTask | null>;
  /** One entry per id, in the order given; null where a task is unknown. */
  getMany(ids: readonly string[]): Promise<Array<PredictiveTask | null>>;
  /** Newest first (createdAt desc, id desc). */
  list(filter: TaskFilter, page: PageArgs): Promise<TaskPage>;
  /** How many tasks match the filter (one COUNT query): the `totalCount` of `tasks`. */
  count(filter: TaskFilter): Promise<number>;
  /**
   * Moves the task to `status` if canChangeStatus() allows it; null when the task is unknown. `at` (default now)
   * becomes statusChangedAt and the history row's time.
   */
  setStatus(
    id: string,
    status: PredictiveTaskStatus,
    change: { source: StatusChangeSource; at?: Date },
  ): Promise<SetStatusResult | null>;
  /** Adds to the counts in one UPDATE, so concurrent additions never lose one. Null when the task is unknown. */
  addCounts(id: string, delta: Partial<NumberCounts>): Promise<PredictiveTask | null>;
  /** Every status the task has had, oldest first. */
  history(id: string): Promise<StatusChange[]>;
}

const TABLE = 'predictive_tasks';
const HISTORY = 'predictive_task_status_history';
// Ids per IN list: keeps the bound parameters well inside SQLite's and PostgreSQL's limits.
const ID_CHUNK = 500;
const STATUSES = Object.values(PredictiveTaskStatus);

/** Folding applied to names and searches alike; JS does it, because SQLite's lower() only knows ASCII. */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

/** The opaque, stable cursor of a task: its sort key (createdAt, id), base64url-encoded. */
export function taskCursor(task: Pick<PredictiveTask, 'id' | 'createdAt'>): string {
  return Buffer.from(JSON.stringify([task.createdAt.getTime(), task.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { createdAt: value[0] as number, id: value[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw new InvalidInputError('invalid cursor', 'after');
}

/** The filter's conditions on a query of the tasks table (list and count alike). */
function filtered<Q extends SelectQueryBuilder<Database, typeof TABLE, any>>(query: Q, filter: TaskFilter): Q {
  let q = query;
  if (filter.statuses && filter.statuses.length > 0) q = q.where('status', 'in', filter.statuses) as Q;
  if (filter.nameContains) {
    const pattern = likeContains(foldName(filter.nameContains));
    q = q.where(sql<boolean>`${sql.ref('name_folded')} like ${pattern} escape '!'`) as Q;
  }
  return q;
}

/** Escapes LIKE wildcards with `!` (an explicit ESCAPE works the same on both dialects; backslash does not). */
function likeContains(needle: string): string {
  return `%${needle.replace(/[!%_]/g, '!$&')}%`;
}

function toTask(row: Selectable<PredictiveTaskTable>): PredictiveTask {
  return {
    id: row.id,
    name: row.name,
    assignment: { type: row.assignment_type, assignee: row.assignee },
    pacing: { agents: row.pacing_agents, calls: row.pacing_calls },
    callerNumbers: JSON.parse(row.caller_numbers) as string[],
    counts: { submitted: row.submitted_count, accepted: row.accepted_count, refused: row.refused_count },
    status: row.status,
    createdAt: new Date(row.created_at),
    statusChangedAt: new Date(row.status_changed_at),
    updatedAt: new Date(row.updated_at),
  };
}

function checkCount(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}

export function createPredictiveTaskRepository(root: Kysely<Database>, options: { now: () => number }): PredictiveTaskRepository {
  // Inside inTransaction (transaction-scope.ts) every query joins that transaction.
  const db = ambient(root);
  const { now } = options;

  async function get(id: string): Promise<PredictiveTask | null> {
    const row = await db.selectFrom(TABLE).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toTask(row) : null;
  }

  return {
    async insert(task) {
      const createdAt = task.createdAt?.getTime() ?? now();
      const counts = task.counts ?? { submitted: 0, accepted: 0, refused: 0 };
      // One statement: the insert trigger writes the first history row with it.
      const row = await db
        .insertInto(TABLE)
        .values({
          id: task.id,
          name: task.name,
          name_folded: foldName(task.name),
          assignment_type: task.assignment.type,
          assignee: task.assignment.assignee,
          pacing_agents: task.pacing.agents,
          pacing_calls: task.pacing.calls,
          caller_numbers: JSON.stringify(task.callerNumbers),
          submitted_count: checkCount('submitted', counts.submitted),
          accepted_count: checkCount('accepted', counts.accepted),
          refused_count: checkCount('refused', counts.refused),
          status: task.status ?? PredictiveTaskStatus.NotStarted,
          status_source: 'mutation',
          created_at: createdAt,
          status_changed_at: createdAt,
          updated_at: createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toTask(row);
    },

    get,

    async getMany(ids) {
      const found = new Map<string, PredictiveTask>();
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += ID_CHUNK) {
        const rows = await db.selectFrom(TABLE).selectAll().where('id', 'in', unique.slice(i, i + ID_CHUNK)).execute();
        for (const row of rows) found.set(row.id, toTask(row));
      }
      return ids.map((id) => found.get(id) ?? null);
    },

    async list(filter, page) {
      if (!Number.isSafeInteger(page.first) || page.first < 0) throw new InvalidInputError('first must be a non-negative integer', 'first');
      const after = page.after ? decodeCursor(page.after) : null;
      let query = filtered(db.selectFrom(TABLE).selectAll(), filter);
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
          ]),
        );
      }
      // One extra row tells whether another page follows without a count query.
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.first + 1).execute();
      return { rows: rows.slice(0, page.first).map(toTask), hasNextPage: rows.length > page.first };
    },

    async count(filter) {
      const row = await filtered(db.selectFrom(TABLE), filter)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async setStatus(id, status, change) {
      // The transition rule goes into the WHERE clause as the set of statuses it may leave, so the check and the
      // write are one atomic statement: a late RUNNING racing a FINISHED can never overwrite it, on either dialect.
      const from = STATUSES.filter((s) => canChangeStatus(s, status));
      if (from.length > 0) {
        const row = await db
          .updateTable(TABLE)
          .set({ status, status_source: change.source, status_changed_at: change.at?.getTime() ?? now(), updated_at: now() })
          .where('id', '=', id)
          .where('status', 'in', from)
          .returningAll()
          .executeTakeFirst();
        if (row) return { changed: true, task: toTask(row) };
      }
      const task = await get(id);
      return task ? { changed: false, task } : null;
    },

    async addCounts(id, delta) {
      const submitted = checkCount('submitted', delta.submitted ?? 0);
      const accepted = checkCount('accepted', delta.accepted ?? 0);
      const refused = checkCount('refused', delta.refused ?? 0);
      const row = await db
        .updateTable(TABLE)
        .set((eb) => ({
          submitted_count: eb('submitted_count', '+', submitted),
          accepted_count: eb('accepted_count', '+', accepted),
          refused_count: eb('refused_count', '+', refused),
          updated_at: now(),
        }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? toTask(row) : null;
    },

    async history(id) {
      const rows = await db.selectFrom(HISTORY).selectAll().where('task_id', '=', id).orderBy('id', 'asc').execute();
      return rows.map((r) => ({ taskId: r.task_id, from: r.from_status, to: r.to_status, source: r.source, at: new Date(r.at) }));
    },
  };
}
