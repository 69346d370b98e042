import { type Compilable, CompiledQuery, type Kysely, sql } from 'kysely';
import {
  COUNTERS,
  type CallFact,
  type CallLink,
  type Contribution,
  type Counter,
  type Counts,
  StatDim,
  type WaitContribution,
  deltaOf,
  zeroCounts,
} from '../stats/classify.ts';
import { GRAINS, Grain, type StatsWindow, bucketOf, rowsOf } from '../stats/window.ts';
import { type QueryTemplate, queryTemplate } from './query-template.ts';
import type { DialectName } from './migrations.ts';
import type { Database, StatCallTable } from './schema.ts';
import { type WriteBehind, ambient, writeBehindOf } from './transaction-scope.ts';

/**
 * The statistics' tables (migration 0004, docs/statistics.md): written inside the ingest transaction, after the event
 * settled (src/stats/projection.ts), and by GetBill backfills; read by the statistics queries, which add up counter
 * rows and never scan calls.
 */

export type AgentTimeState = 'idle' | 'ringing' | 'talking';

export interface AgentStateTimes {
  idleMs: number;
  ringingMs: number;
  talkingMs: number;
  /** The state at the window's end, and since when; null when no event of the agent came before it. */
  state: AgentTimeState | null;
  since: number | null;
  /** When the first known state of the window began (time before it is unknown, not idle). */
  knownFrom: number | null;
  /** Calls that rang the agent in the window, and of those rings the ones answered and the ones that stopped unanswered. */
  offered: number;
  answered: number;
  missed: number;
}

/** What an agent's transition adds to its offer counts (each 0 or 1). */
export interface OfferCounts {
  rung: number;
  answered: number;
  missed: number;
}


export interface StatisticsRepository {
  /** Records the numbers an upload sent (accepted ones), so later call records can be joined to the task. */
  addTaskNumbers(taskId: string, entries: ReadonlyArray<{ phone: string; customerId: string | null }>, at: number): Promise<void>;
  /**
   * The task of a predictive call record: by the customer id its upload gave, else by the number, the most recent
   * upload at or before the call. Null when no upload through this gateway sent it.
   */
  linkOf(record: { customerId: string | null; destinationNumber: string | null; startedAt: number }): Promise<CallLink | null>;
  /** Moves a call's fact to `fact` and its counters by the difference; returns what was stored before. */
  applyCall(key: string, fact: CallFact | null): Promise<CallFact | null>;
  /**
   * Counts one AI call's outcome label for its task. A task keeps at most MAX_AI_OUTCOMES labels (a sender inventing
   * labels cannot grow the table); later new ones count as OTHER_OUTCOME.
   */
  addAiOutcome(taskId: string, outcome: string): Promise<void>;
  /** Outcome labels and their calls, per AI task, most calls first. */
  aiOutcomes(taskIds: readonly string[]): Promise<Map<string, Array<{ outcome: string; calls: number }>>>;
  /** Adds to one subject's counters at `at` (an AI call). */
  addCounts(dim: StatDim, subject: string, at: number, counts: Partial<Counts>): Promise<void>;
  /**
   * An agent entered `state` at `at` (event `eventId`), with what the event adds to its offers. One statement. A repeat
   * of the last event, or the same state again with no offer to count, changes nothing.
   */
  agentEntered(extension: string, state: AgentTimeState, at: number, eventId: number, offers?: OfferCounts): Promise<void>;

  counts(dim: StatDim, subjects: readonly string[], window: StatsWindow): Promise<Map<string, Counts>>;
  /** Connected calls per queue that waited at most `seconds`. */
  answeredWithin(queues: readonly string[], window: StatsWindow, seconds: number): Promise<Map<string, number>>;
  /** Time per state within the window, up to `now` at most (time to come is not counted). */
  agentStateTimes(extensions: readonly string[], window: StatsWindow, now: number): Promise<Map<string, AgentStateTimes>>;
  /** Of a task's last `n` calls the customer answered (ended at or after `since`): how many, and how many abandoned. */
  recentAnswered(taskId: string, n: number, since: number): Promise<{ calls: number; abandoned: number }>;
  /** Calls placed per task over its whole life (a number dialled twice counts twice). */
  dialledNumbers(taskIds: readonly string[]): Promise<Map<string, number>>;

  /**
   * Deletes up to `limit` rows older than `before` of one kind at a time (minute counters, minute waits, call facts, agent
   * transitions but each agent's newest); hour counters stay. Returns how many it deleted (0: nothing left).
   */
  prune(before: number, limit: number): Promise<number>;
}

const CHUNK = 500;
const NO_OFFERS: OfferCounts = { rung: 0, answered: 0, missed: 0 };
/** Rows per multi-row counter upsert (13 parameters each). */
const MAX_ROWS_PER_UPSERT = 32;
export const MAX_AI_OUTCOMES = 50;
export const OTHER_OUTCOME = '(other)';
const LINK_CLOCK_SKEW_MS = 5 * 60_000;
const INSERT_CHUNK = 400;
/** Agents per UNION ALL statement of the state-time read (two parameters each). */
const STATE_CHUNK = 250;

type FactRow = StatCallTable;

const toFact = (row: FactRow): CallFact => ({
  key: row.key,
  taskId: row.task_id,
  queue: row.queue,
  extension: row.extension,
  startedAt: Number(row.started_at),
  endedAt: row.ended_at === null ? null : Number(row.ended_at),
  dialled: row.dialled ? 1 : 0,
  customerAnswered: row.customer_answered ? 1 : 0,
  connected: row.connected ? 1 : 0,
  abandoned: row.abandoned ? 1 : 0,
  waitSeconds: row.wait_s === null ? null : Number(row.wait_s),
  talkSeconds: Number(row.talk_s),
});


const STATE_COLUMN: Record<AgentTimeState, 'idle_ms' | 'ringing_ms' | 'talking_ms'> = {
  idle: 'idle_ms',
  ringing: 'ringing_ms',
  talking: 'talking_ms',
};

interface CountRow {
  dim: StatDim;
  subject: string;
  grain: Grain;
  bucket: number;
  counts: Partial<Counts>;
}

interface WaitRow {
  queue: string;
  grain: Grain;
  bucket: number;
  waitSeconds: number;
  calls: number;
}

const TASK_GRAINS: readonly Grain[] = [...GRAINS, Grain.AllTime];

const rowKey = (parts: ReadonlyArray<string | number>) => parts.join('\u0000');

/**
 * Contributions as counter rows: each at both grains, rows of one key summed (two contributions may share an hour, and
 * one statement may not touch a row twice), rows that sum to nothing dropped, in one order for every transaction (so
 * two of them never wait on each other's rows in a cycle, on PostgreSQL).
 */
export function countRowsOf(contributions: readonly Contribution[]): CountRow[] {
  const rows = new Map<string, CountRow>();
  for (const c of contributions) {
    for (const grain of c.dim === StatDim.Task ? TASK_GRAINS : GRAINS) {
      const bucket = grain === Grain.AllTime ? 0 : bucketOf(c.at, grain);
      const key = rowKey([c.dim, c.subject, grain, bucket]);
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { dim: c.dim, subject: c.subject, grain, bucket, counts: {} }));
      for (const [name, value] of Object.entries(c.counts) as [Counter, number][]) row.counts[name] = (row.counts[name] ?? 0) + value;
    }
  }
  return [...rows.values()]
    .filter((row) => Object.values(row.counts).some((v) => v !== 0))
    .sort((a, b) => compareKeys([a.grain, a.bucket, a.dim, a.subject], [b.grain, b.bucket, b.dim, b.subject]));
}

export function waitRowsOf(contributions: readonly WaitContribution[]): WaitRow[] {
  const rows = new Map<string, WaitRow>();
  for (const w of contributions) {
    for (const grain of GRAINS) {
      const bucket = bucketOf(w.at, grain);
      const key = rowKey([w.queue, grain, bucket, w.waitSeconds]);
      const row = rows.get(key) ?? { queue: w.queue, grain, bucket, waitSeconds: w.waitSeconds, calls: 0 };
      row.calls += w.calls;
      rows.set(key, row);
    }
  }
  return [...rows.values()]
    .filter((row) => row.calls !== 0)
    .sort((a, b) => compareKeys([a.grain, a.bucket, a.queue, a.waitSeconds], [b.grain, b.bucket, b.queue, b.waitSeconds]));
}

function compareKeys(a: ReadonlyArray<string | number>, b: ReadonlyArray<string | number>): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** A query template per row count, each built and compiled on first use. */
function templatesByRows(arity: number, build: (slot: (index: number) => any, rows: number) => Compilable<unknown>) {
  const byRows = new Map<number, QueryTemplate<unknown[], never>>();
  return (rows: number, values: unknown[]) => {
    let template = byRows.get(rows);
    if (!template) byRows.set(rows, (template = queryTemplate<unknown[], never>(arity * rows, (slot) => build(slot, rows))));
    return template(...values);
  };
}

/**
 * The transition's row, computed from the agent's last one in the same statement (no read before the write): its
 * cumulative times move by the time spent in the last state, its offer counts by the event's. Replicas' clocks and
 * commit order may put an event a little before the last one: time never runs backwards. Arguments, numbered from 1:
 * extension, at, event id, state, rung, answered, missed. better-sqlite3 binds only plain `?` by position, so for
 * SQLite every use of an argument is its own `?` and `order` says which argument goes there.
 */
function agentTransitionSql(dialect: DialectName): { text: string; order: number[] } {
  const later = (a: string, b: string) => (dialect === 'sqlite' ? `max(${a}, ${b})` : `greatest(${a}, ${b})`);
  const order: number[] = [];
  const p =
    dialect === 'sqlite'
      ? (n: number) => {
          order.push(n);
          return '?';
        }
      : (n: number) => `$${n}`;
  const cast = (n: number) => (dialect === 'sqlite' ? p(n) : `${p(n)}::bigint`);
  const text = (n: number) => (dialect === 'sqlite' ? p(n) : `${p(n)}::text`);
  const spent = (state: AgentTimeState) =>
    `coalesce(l.${STATE_COLUMN[state]}, 0) + case when l.state = '${state}' then ${later(cast(2), 'l.at')} - l.at else 0 end`;
  // Written in the order the placeholders appear (SQLite's `order` follows it).
  const head = `insert into stat_agent_states (extension, at, event_id, state, idle_ms, ringing_ms, talking_ms, rung, rung_answered, rung_missed)
    select ${text(1)}, ${later(cast(2), `coalesce(l.at, ${cast(2)})`)}, ${cast(3)}, ${text(4)}, `;
  const times = `${spent('idle')}, ${spent('ringing')}, ${spent('talking')}, `;
  const offers = `coalesce(l.rung, 0) + ${cast(5)}, coalesce(l.rung_answered, 0) + ${cast(6)}, coalesce(l.rung_missed, 0) + ${cast(7)}
    from (select 1 as one) as one
    left join (select * from stat_agent_states where extension = ${text(1)} order by at desc, event_id desc limit 1) as l on 1 = 1
    where (l.event_id is null or l.event_id <> ${cast(3)}) and (l.state is null or l.state <> ${text(4)} or ${cast(5)} + ${cast(6)} + ${cast(7)} > 0)
    on conflict (extension, at, event_id) do nothing`;
  return { text: head + times + offers, order };
}

/** Contributions held back in one transaction (a WriteBehind: see transaction-scope.ts). */
class PendingCounters implements WriteBehind {
  private counts: Contribution[] = [];
  private waits: WaitContribution[] = [];
  constructor(
    private readonly writeCounts: (counts: readonly Contribution[]) => Promise<void>,
    private readonly writeWaits: (waits: readonly WaitContribution[]) => Promise<void>,
  ) {}

  add(counts: readonly Contribution[], waits: readonly WaitContribution[]): void {
    this.counts.push(...counts);
    this.waits.push(...waits);
  }

  mark(): [number, number] {
    return [this.counts.length, this.waits.length];
  }

  rollbackTo(mark: unknown): void {
    const [counts, waits] = (mark as [number, number] | undefined) ?? [0, 0];
    this.counts.length = Math.min(this.counts.length, counts);
    this.waits.length = Math.min(this.waits.length, waits);
  }

  async flush(): Promise<void> {
    const counts = this.counts;
    const waits = this.waits;
    this.counts = [];
    this.waits = [];
    await this.writeCounts(counts);
    await this.writeWaits(waits);
  }
}

export function createStatisticsRepository(root: Kysely<Database>, dialect: DialectName): StatisticsRepository {
  const db = ambient(root);
  /** The key of this repository's write-behind buffer in a transaction. */
  const pendingCounters = {};
  const agentTransition = agentTransitionSql(dialect);

  // A call moves up to twelve counter rows (task, queue, agent × minute, hour, before and after) and four wait rows: one
  // multi-row upsert each, built once per row count (statements, not their size, are what a callback pays for).
  const COUNT_ARITY = 4 + COUNTERS.length;
  const upsertCounts = templatesByRows(COUNT_ARITY, (slot, rows) =>
    root
      .insertInto('stat_counts')
      .values(
        Array.from(
          { length: rows },
          (_, r) =>
            ({
              dim: slot(r * COUNT_ARITY),
              subject: slot(r * COUNT_ARITY + 1),
              grain: slot(r * COUNT_ARITY + 2),
              bucket: slot(r * COUNT_ARITY + 3),
              ...Object.fromEntries(COUNTERS.map((name, i) => [name, slot(r * COUNT_ARITY + 4 + i)])),
            }) as Database['stat_counts'],
        ),
      )
      .onConflict((oc) =>
        oc.columns(['dim', 'subject', 'grain', 'bucket']).doUpdateSet((eb) =>
          Object.fromEntries(COUNTERS.map((name) => [name, eb(eb.ref(`stat_counts.${name}`), '+', eb.ref(`excluded.${name}`))])),
        ),
      ),
  );
  const countValues = (row: CountRow) => [row.dim, row.subject, row.grain, row.bucket, ...COUNTERS.map((name) => row.counts[name] ?? 0)];

  const upsertWaits = templatesByRows(5, (slot, rows) =>
    root
      .insertInto('stat_waits')
      .values(
        Array.from({ length: rows }, (_, r) => ({
          queue: slot(r * 5),
          grain: slot(r * 5 + 1),
          bucket: slot(r * 5 + 2),
          wait_s: slot(r * 5 + 3),
          calls: slot(r * 5 + 4),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['queue', 'grain', 'bucket', 'wait_s']).doUpdateSet((eb) => ({ calls: eb(eb.ref('stat_waits.calls'), '+', eb.ref('excluded.calls')) })),
      ),
  );
  const waitValues = (row: WaitRow) => [row.queue, row.grain, row.bucket, row.waitSeconds, row.calls];

  const selectFact = queryTemplate<[string], FactRow>(1, (slot) => root.selectFrom('stat_calls').selectAll().where('key', '=', slot(0)));
  const deleteFact = queryTemplate<[string], never>(1, (slot) => root.deleteFrom('stat_calls').where('key', '=', slot(0)));
  const upsertFact = queryTemplate<
    [string, string | null, string | null, string | null, number, number | null, number, number, number, number, number | null, number],
    never
  >(12, (slot) =>
    root
      .insertInto('stat_calls')
      .values({
        key: slot(0),
        task_id: slot(1),
        queue: slot(2),
        extension: slot(3),
        started_at: slot(4),
        ended_at: slot(5),
        dialled: slot(6),
        customer_answered: slot(7),
        connected: slot(8),
        abandoned: slot(9),
        wait_s: slot(10),
        talk_s: slot(11),
      })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          task_id: eb.ref('excluded.task_id'),
          queue: eb.ref('excluded.queue'),
          extension: eb.ref('excluded.extension'),
          started_at: eb.ref('excluded.started_at'),
          ended_at: eb.ref('excluded.ended_at'),
          dialled: eb.ref('excluded.dialled'),
          customer_answered: eb.ref('excluded.customer_answered'),
          connected: eb.ref('excluded.connected'),
          abandoned: eb.ref('excluded.abandoned'),
          wait_s: eb.ref('excluded.wait_s'),
          talk_s: eb.ref('excluded.talk_s'),
        })),
      ),
  );

  /** The most recent upload at or before a moment that sent a number (by `column`), with its task's assignment. */
  const linkBy = (column: 'task_numbers.customer_id' | 'task_numbers.phone') =>
    queryTemplate<[string, number], { task_id: string; assignment_type: string | null; assignee: string | null }>(2, (slot) =>
      root
        .selectFrom('task_numbers')
        .leftJoin('predictive_tasks', 'predictive_tasks.id', 'task_numbers.task_id')
        .select(['task_numbers.task_id', 'predictive_tasks.assignment_type', 'predictive_tasks.assignee'])
        .where(column, '=', slot(0))
        .where('task_numbers.added_at', '<=', slot(1))
        .orderBy('task_numbers.added_at', 'desc')
        .limit(1),
    );
  const linkByCustomer = linkBy('task_numbers.customer_id');
  const linkByPhone = linkBy('task_numbers.phone');

  async function writeCounts(contributions: readonly Contribution[]): Promise<void> {
    const rows = countRowsOf(contributions);
    for (let i = 0; i < rows.length; i += MAX_ROWS_PER_UPSERT) {
      const part = rows.slice(i, i + MAX_ROWS_PER_UPSERT);
      await db.executeQuery(upsertCounts(part.length, part.flatMap(countValues)));
    }
  }

  async function writeWaits(contributions: readonly WaitContribution[]): Promise<void> {
    const rows = waitRowsOf(contributions);
    for (let i = 0; i < rows.length; i += MAX_ROWS_PER_UPSERT) {
      const part = rows.slice(i, i + MAX_ROWS_PER_UPSERT);
      await db.executeQuery(upsertWaits(part.length, part.flatMap(waitValues)));
    }
  }

  /**
   * Counter and wait contributions: held back to the end of the running transaction, where those of all its callbacks
   * (a group commit's) are summed per row and written in one upsert per table; outside a transaction, written at once.
   */
  async function addCounters(counts: readonly Contribution[], waits: readonly WaitContribution[]): Promise<void> {
    const buffer = writeBehindOf(root, pendingCounters, () => new PendingCounters(writeCounts, writeWaits));
    if (buffer) return buffer.add(counts, waits);
    await writeCounts(counts);
    await writeWaits(waits);
  }

  /** The window's rows as one key range per part (whole hours, ragged minute ends): nothing outside the window is read. */
  function windowParts(window: StatsWindow) {
    const rows = rowsOf(window);
    return [
      ...(rows.hours ? [{ grain: Grain.Hour, from: rows.hours.from, to: rows.hours.to }] : []),
      ...rows.minutes.map((m) => ({ grain: Grain.Minute, from: m.from, to: m.to })),
    ];
  }

  /** Sums counters over the window's rows, per subject; `bigint` sums are cast back so PostgreSQL returns numbers. */
  async function sumCounts(dim: StatDim, subjects: readonly string[], window: StatsWindow): Promise<Map<string, Counts>> {
    const result = new Map<string, Counts>();
    const parts = windowParts(window);
    const columns = sql.join(COUNTERS.map((name) => sql.ref(name)));
    const sums = sql.join(COUNTERS.map((name) => sql`cast(sum(${sql.ref(name)}) as bigint) as ${sql.ref(name)}`));
    for (let i = 0; i < subjects.length; i += CHUNK) {
      const chunk = sql.join(subjects.slice(i, i + CHUNK));
      const ranges = parts.map(
        (part) =>
          sql`select subject, ${columns} from stat_counts
              where grain = ${part.grain} and bucket >= ${part.from} and bucket < ${part.to} and dim = ${dim} and subject in (${chunk})`,
      );
      const { rows } = await sql<Record<string, unknown> & { subject: string }>`
        select subject, ${sums} from (${sql.join(ranges, sql` union all `)}) as w group by subject`.execute(db);
      for (const row of rows) {
        const counts = zeroCounts();
        for (const name of COUNTERS) counts[name] = Number(row[name] ?? 0);
        result.set(row.subject, counts);
      }
    }
    return result;
  }

  type AgentStateRow = Database['stat_agent_states'];

  /** One statement of `limit 1` seeks, one per agent (a UNION ALL): the latest transition before `t`. */
  async function lastBefore(extensions: readonly string[], t: number): Promise<Map<string, AgentStateRow>> {
    const parts = extensions.map(
      (extension) =>
        sql`select * from (select * from stat_agent_states where extension = ${extension} and at < ${t} order by at desc, event_id desc limit 1) as s`,
    );
    const { rows } = await sql<AgentStateRow>`${sql.join(parts, sql` union all `)}`.execute(db);
    return new Map(rows.map((row) => [row.extension, row]));
  }

  /** The first transition at or after `t`, per agent. */
  async function firstFrom(extensions: readonly string[], t: number): Promise<Map<string, number>> {
    const parts = extensions.map(
      (extension) =>
        sql`select * from (select extension, at from stat_agent_states where extension = ${extension} and at >= ${t} order by at asc limit 1) as s`,
    );
    const { rows } = await sql<{ extension: string; at: number }>`${sql.join(parts, sql` union all `)}`.execute(db);
    return new Map(rows.map((row) => [row.extension, Number(row.at)]));
  }

  return {
    async addTaskNumbers(taskId, entries, at) {
      const seen = new Set<string>();
      const rows = [];
      for (const e of entries) {
        if (seen.has(e.phone)) continue;
        seen.add(e.phone);
        rows.push({ task_id: taskId, phone: e.phone, customer_id: e.customerId || null, added_at: at });
      }
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await db
          .insertInto('task_numbers')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .onConflict((oc) =>
            oc.columns(['task_id', 'phone']).doUpdateSet((eb) => ({ customer_id: eb.ref('excluded.customer_id'), added_at: eb.ref('excluded.added_at') })),
          )
          .execute();
      }
    },

    async linkOf(record) {
      // An upload counts for calls that began after it; the PBX's clock may run a little behind the gateway's.
      const latest = record.startedAt + LINK_CLOCK_SKEW_MS;
      let row = record.customerId ? (await db.executeQuery(linkByCustomer(record.customerId, latest))).rows[0] : undefined;
      if (!row && record.destinationNumber) row = (await db.executeQuery(linkByPhone(record.destinationNumber, latest))).rows[0];
      if (!row) return null;
      return { taskId: row.task_id, queue: row.assignment_type === 'QUEUE' ? row.assignee : null };
    },

    async applyCall(key, fact) {
      const { rows } = await db.executeQuery(selectFact(key));
      const before = rows[0] ? toFact(rows[0]) : null;
      const delta = deltaOf(before, fact);
      await addCounters(delta.counts, delta.waits);
      if (!fact) {
        if (before) await db.executeQuery(deleteFact(key));
      } else if (delta.counts.length > 0 || delta.waits.length > 0 || !before || before.endedAt !== fact.endedAt) {
        await db.executeQuery(
          upsertFact(
            key,
            fact.taskId,
            fact.queue,
            fact.extension,
            fact.startedAt,
            fact.endedAt,
            fact.dialled,
            fact.customerAnswered,
            fact.connected,
            fact.abandoned,
            fact.waitSeconds,
            fact.talkSeconds,
          ),
        );
      }
      return before;
    },

    async addAiOutcome(taskId, outcome) {
      const bump = () => db.updateTable('stat_ai_outcomes').set((eb) => ({ calls: eb('calls', '+', 1) })).where('task_id', '=', taskId);
      if (Number((await bump().where('outcome', '=', outcome).executeTakeFirst()).numUpdatedRows) > 0) return;
      const { labels } = await db
        .selectFrom('stat_ai_outcomes')
        .select(sql<number>`count(*)`.as('labels'))
        .where('task_id', '=', taskId)
        .executeTakeFirstOrThrow();
      // The last place is OTHER_OUTCOME's, so a task never holds more than MAX_AI_OUTCOMES rows.
      const label = Number(labels) >= MAX_AI_OUTCOMES - 1 ? OTHER_OUTCOME : outcome;
      await db
        .insertInto('stat_ai_outcomes')
        .values({ task_id: taskId, outcome: label, calls: 1 })
        .onConflict((oc) => oc.columns(['task_id', 'outcome']).doUpdateSet((eb) => ({ calls: eb(eb.ref('stat_ai_outcomes.calls'), '+', 1) })))
        .execute();
    },

    async aiOutcomes(taskIds) {
      const result = new Map<string, Array<{ outcome: string; calls: number }>>();
      for (let i = 0; i < taskIds.length; i += CHUNK) {
        const rows = await db
          .selectFrom('stat_ai_outcomes')
          .selectAll()
          .where('task_id', 'in', taskIds.slice(i, i + CHUNK))
          .orderBy('calls', 'desc')
          .orderBy('outcome')
          .execute();
        for (const row of rows) {
          const list = result.get(row.task_id) ?? [];
          list.push({ outcome: row.outcome, calls: Number(row.calls) });
          result.set(row.task_id, list);
        }
      }
      return result;
    },

    async addCounts(dim, subject, at, counts) {
      await addCounters([{ dim, subject, at, counts }], []);
    },

    async agentEntered(extension, state, at, eventId, offers = NO_OFFERS) {
      const args = [extension, at, eventId, state, offers.rung, offers.answered, offers.missed];
      const parameters = agentTransition.order.length > 0 ? agentTransition.order.map((n) => args[n - 1]) : args;
      await db.executeQuery(CompiledQuery.raw(agentTransition.text, parameters));
    },

    counts: sumCounts,

    async answeredWithin(queues, window, seconds) {
      const result = new Map<string, number>();
      const parts = windowParts(window);
      for (let i = 0; i < queues.length; i += CHUNK) {
        const chunk = sql.join(queues.slice(i, i + CHUNK));
        const ranges = parts.map(
          (part) =>
            sql`select queue, calls from stat_waits
                where grain = ${part.grain} and bucket >= ${part.from} and bucket < ${part.to} and queue in (${chunk}) and wait_s <= ${seconds}`,
        );
        const { rows } = await sql<{ queue: string; calls: number }>`
          select queue, cast(sum(calls) as bigint) as calls from (${sql.join(ranges, sql` union all `)}) as w group by queue`.execute(db);
        for (const row of rows) result.set(row.queue, Number(row.calls));
      }
      return result;
    },

    async agentStateTimes(extensions, window, now) {
      const result = new Map<string, AgentStateTimes>();
      const unique = [...new Set(extensions)];
      const until = Math.max(window.from, Math.min(window.to, now));
      const totalAt = (row: AgentStateRow | undefined, t: number) => {
        const totals: Record<AgentTimeState, number> = { idle: 0, ringing: 0, talking: 0 };
        if (!row) return totals;
        totals.idle = Number(row.idle_ms);
        totals.ringing = Number(row.ringing_ms);
        totals.talking = Number(row.talking_ms);
        const state = row.state as AgentTimeState;
        if (state in totals) totals[state] += Math.max(0, t - Number(row.at));
        return totals;
      };
      const offersOf = (row: AgentStateRow | undefined) => ({
        rung: Number(row?.rung ?? 0),
        answered: Number(row?.rung_answered ?? 0),
        missed: Number(row?.rung_missed ?? 0),
      });
      for (let i = 0; i < unique.length; i += STATE_CHUNK) {
        const chunk = unique.slice(i, i + STATE_CHUNK);
        // Per agent, the last transition before each end of the window: index seeks, whatever the day held. The
        // window holds the transitions from `from` on, up to `until` (its end, or now: never what is to come).
        const [starts, ends] = await Promise.all([lastBefore(chunk, window.from), lastBefore(chunk, Math.min(window.to, until + 1))]);
        const unknownAtStart = chunk.filter((e) => !starts.has(e) && ends.has(e));
        const firsts = unknownAtStart.length > 0 ? await firstFrom(unknownAtStart, window.from) : new Map<string, number>();
        for (const extension of chunk) {
          const end = ends.get(extension);
          if (!end) {
            result.set(extension, { idleMs: 0, ringingMs: 0, talkingMs: 0, state: null, since: null, knownFrom: null, offered: 0, answered: 0, missed: 0 });
            continue;
          }
          const start = starts.get(extension);
          const a = totalAt(start, window.from);
          const b = totalAt(end, until);
          const before = offersOf(start);
          const after = offersOf(end);
          result.set(extension, {
            idleMs: b.idle - a.idle,
            ringingMs: b.ringing - a.ringing,
            talkingMs: b.talking - a.talking,
            state: end.state as AgentTimeState,
            since: Number(end.at),
            knownFrom: start ? window.from : (firsts.get(extension) ?? Number(end.at)),
            offered: after.rung - before.rung,
            answered: after.answered - before.answered,
            missed: after.missed - before.missed,
          });
        }
      }
      return result;
    },

    async recentAnswered(taskId, n, since) {
      const rows = await db
        .selectFrom('stat_calls')
        .select(['abandoned'])
        .where('task_id', '=', taskId)
        .where('customer_answered', '=', 1)
        .where('ended_at', '>=', since)
        .orderBy('ended_at', 'desc')
        .limit(n)
        .execute();
      return { calls: rows.length, abandoned: rows.reduce((sum, r) => sum + Number(r.abandoned), 0) };
    },

    async dialledNumbers(taskIds) {
      const result = new Map<string, number>();
      for (let i = 0; i < taskIds.length; i += CHUNK) {
        // Each task's all-time row: one key seek each.
        const found = await db
          .selectFrom('stat_counts')
          .select(['subject', 'dialled'])
          .where('grain', '=', Grain.AllTime)
          .where('bucket', '=', 0)
          .where('dim', '=', StatDim.Task)
          .where('subject', 'in', taskIds.slice(i, i + CHUNK))
          .execute();
        for (const row of found) result.set(row.subject, Number(row.dialled));
      }
      return result;
    },

    async prune(before, limit) {
      const minuteCounts = Number(
        (
          await sql`delete from stat_counts where (dim, subject, grain, bucket) in (
            select dim, subject, grain, bucket from stat_counts where grain = 1 and bucket < ${before} limit ${limit})`.execute(db)
        ).numAffectedRows ?? 0n,
      );
      if (minuteCounts > 0) return minuteCounts;
      const minuteWaits = Number(
        (
          await sql`delete from stat_waits where (queue, grain, bucket, wait_s) in (
            select queue, grain, bucket, wait_s from stat_waits where grain = 1 and bucket < ${before} limit ${limit})`.execute(db)
        ).numAffectedRows ?? 0n,
      );
      if (minuteWaits > 0) return minuteWaits;
      const facts = Number(
        (await sql`delete from stat_calls where key in (select key from stat_calls where started_at < ${before} limit ${limit})`.execute(db))
          .numAffectedRows ?? 0n,
      );
      if (facts > 0) return facts;
      // Each agent's newest transition stays: it is the state the agent is in, whenever it began.
      return Number(
        (
          await sql`delete from stat_agent_states where (extension, at, event_id) in (
            select s.extension, s.at, s.event_id from stat_agent_states s
            where s.at < ${before}
              and exists (select 1 from stat_agent_states n where n.extension = s.extension and n.at > s.at)
            limit ${limit})`.execute(db)
        ).numAffectedRows ?? 0n,
      );
    },

  };
}
