import { type Kysely, type Selectable, sql } from 'kysely';
import {
  EVENT_TOPICS,
  type EventEffects,
  type EventPayloads,
  type EventTopic,
  type GatewayEvent,
  isEventTopic,
} from '../events/types.ts';
import type { DialectName } from './migrations.ts';
import type { Database, EventTable } from './schema.ts';
import { queryTemplate } from './query-template.ts';
import { ambient } from './transaction-scope.ts';

/**
 * The event log behind callbacks (docs/events.md): appended to, settled once, and pruned after the retention.
 *
 * - **Dedupe.** (topic, dedupe_key) is unique and the insert is `ON CONFLICT DO NOTHING … RETURNING id`: a callback
 *   delivered twice is one row, and the second delivery learns it is a duplicate from the same statement.
 * - **Ids in commit order per topic.** SQLite has one writer, so ids are handed out and committed in order. On
 *   PostgreSQL a sequence value is taken before commit, so two concurrent inserts can commit out of id order; every
 *   insert therefore takes a transaction-scoped advisory lock for its topic in the same statement (before the id is
 *   drawn, and released only after commit). A reader that saw id N never later sees a new id below N in that topic.
 * - **Settling.** An event is inserted pending (`applied` null) and settled once the projections took it in
 *   (`settle`: applied 0/1 and the projection's effect). Whoever settles an event publishes it, so each stored event is
 *   published once. Replay (`eventsAfter`) stops before the first pending event of the topic, so it never returns an
 *   id past one that is still to come.
 * - **Retention.** `prune` deletes settled events received before a cutoff, a bounded window of ids per batch,
 *   never the newest event of a topic (so every topic's horizon stays known), and records per topic the highest id it
 *   deleted (`event_prune_marks.pruned_through`, only ever raised) *before* deleting: a crash in between leaves the
 *   mark ahead of the deletions, which refuses a few resumes too many, never one too few. An `after` below its topic's
 *   mark lost events right after it (EVENT_ID_EXPIRED); one above the newest id of the table came from another store
 *   (EVENT_ID_AHEAD): `bounds` answers both in one read. Dedupe holds within the retention: a callback redelivered
 *   after its first delivery was pruned is stored again as new.
 */

/** An event as stored: `applied` is null while the projections have not taken it in yet. */
export type StoredEvent<T extends EventTopic = EventTopic> = Omit<GatewayEvent<T>, 'applied'> & { applied: boolean | null };

export interface NewEvent<T extends EventTopic> {
  topic: T;
  dedupeKey: string;
  subject: string | null;
  occurredAt: Date | null;
  payload: EventPayloads[T];
  /** For events no projection reads: stored settled, so they never wait for catch-up. */
  settled?: { applied: boolean; effect: EventEffects[T] | null };
  /** Defaults to the store's clock. */
  receivedAt?: Date;
}

export interface AppendResult<T extends EventTopic> {
  /** The stored row: this delivery's, or the first delivery's when `duplicate`. */
  event: StoredEvent<T>;
  duplicate: boolean;
}

/** What a resume point is checked against (events/resume-point.ts). */
export interface EventBounds {
  /** The newest id of the whole table (every topic, pending included; ids are one sequence): 0 when it is empty. */
  newestId: number;
  /** The highest id pruning deleted from this topic: 0 when none was. An `after` below it has lost events. */
  prunedThrough: number;
  /** The oldest event of the topic stored above `prunedThrough` (the first one a resume from there gets); null when none. */
  oldestId: number | null;
}

export interface EventFilter {
  /** Only these subjects (extensions, task ids); absent or empty: every subject. */
  subjects?: readonly string[];
}

export interface EventRepository {
  append<T extends EventTopic>(event: NewEvent<T>): Promise<AppendResult<T>>;
  /**
   * Records the projections' answer for a pending event. Returns the settled event to this caller only: null when the
   * event is unknown or someone else settled it first (another delivery of it, or catch-up), so exactly one caller
   * publishes it.
   */
  settle<T extends EventTopic>(
    id: number,
    applied: boolean,
    effect: EventEffects[T] | null,
    /**
     * The pending event as the caller read or appended it, when it has it: the settled event is then made from it, and
     * the stored row (whose other columns never change) is not read back and parsed again.
     */
    pending?: StoredEvent<T>,
  ): Promise<GatewayEvent<T> | null>;
  /**
   * Pending events (any topic) with an id above `afterId`, oldest first: what catch-up works through. With
   * `receivedBefore` (ms), only those stored before then: the ones whose own replica had time to settle them.
   */
  pending(afterId: number, limit: number, receivedBefore?: number): Promise<StoredEvent[]>;
  /**
   * Settled events of a topic with an id above `afterId`, oldest first, for replay. Stops before the topic's first
   * pending event: every event not returned now will have an id above every id returned.
   */
  eventsAfter<T extends EventTopic>(topic: T, afterId: number, filter?: EventFilter, limit?: number): Promise<Array<GatewayEvent<T>>>;
  /** The id a new subscriber starts after: the newest settled event below the replay horizon (0 when none). */
  latestId(topic: EventTopic): Promise<number>;
  /** Whether more than `max` events of the topic lie in (afterId, upToId]: one index range scan of at most max + 1 rows. */
  moreThan(topic: EventTopic, afterId: number, upToId: number, max: number): Promise<boolean>;
  get(id: number): Promise<StoredEvent | null>;
  /** The stored event for a dedupe key, if any. */
  find<T extends EventTopic>(topic: T, dedupeKey: string): Promise<StoredEvent<T> | null>;
  /**
   * One batch of pruning: among the `batchSize` lowest ids stored, deletes the settled events received before
   * `receivedBefore` (ms) that are not their topic's newest, raising each topic's `pruned_through` to the highest id
   * deleted first. Returns how many were deleted: call again (yielding in between) until it returns 0. The window
   * keeps every statement's work bounded (no scan of the retained events); events kept in it (pending ones, a quiet
   * topic's newest) are few, and a window holding only events received after the cutoff ends the run. Safe to run
   * from several processes at once.
   */
  prune(receivedBefore: number, batchSize: number): Promise<number>;
  /** The newest id of the table and the topic's pruning mark and oldest retained id, in one statement. */
  bounds(topic: EventTopic): Promise<EventBounds>;
  /**
   * Pending (stored, not yet settled and published) events per topic, with the oldest one's arrival: the operator's
   * view. Reads the partial pending index only (events wait there for milliseconds), so it stays cheap unless events
   * are stuck, which is what it is there to show. Topics with none are absent.
   */
  pendingByTopic(): Promise<PendingEvents[]>;
  /** Events stored per topic and pending (unsettled) ones, in one statement: for the metrics (read at most every few s). */
  counts(): Promise<EventCounts>;
  /**
   * Takes the topic's lock for the rest of the running transaction (PostgreSQL; SQLite has one writer), as an insert
   * of the topic does: for work that settles or projects without inserting (catch-up, takeovers, backfills), so it
   * never runs beside an ingestion of the same topic.
   */
  lockTopic(topic: EventTopic): Promise<void>;
}

export interface EventCounts {
  stored: Record<EventTopic, number>;
  pending: number;
}

export interface PendingEvents {
  topic: EventTopic;
  count: number;
  /** received_at of the oldest pending event (epoch ms). */
  oldestReceivedAt: number;
}

const TABLE = 'events';
const MAX_LIMIT = 1000;
/** Rows a prune statement may look at; both dialects handle far more, this keeps one statement short. */
const MAX_PRUNE_BATCH = 50_000;
const DEFAULT_LIMIT = 100;
// Subjects per IN list, well inside both dialects' parameter limits.
const MAX_SUBJECTS = 500;
/** The first key of the PostgreSQL advisory locks that order event inserts ('GWEV'); the second is the topic. */
const EVENT_LOCK_CLASS = 0x47574556;

function toIso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function toStoredEvent<T extends EventTopic = EventTopic>(row: Selectable<EventTable>): StoredEvent<T> {
  return {
    id: row.id,
    topic: row.topic as T,
    subject: row.subject,
    occurredAt: toIso(row.occurred_at),
    receivedAt: new Date(row.received_at).toISOString(),
    applied: row.applied === null ? null : row.applied === 1,
    payload: JSON.parse(row.payload) as EventPayloads[T],
    effect: row.effect === null ? null : (JSON.parse(row.effect) as EventEffects[T]),
  };
}

function settledOrThrow<T extends EventTopic>(event: StoredEvent<T>): GatewayEvent<T> {
  if (event.applied === null) throw new Error(`event ${event.id} is still pending`);
  return { ...event, applied: event.applied };
}

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  return Math.min(limit, MAX_LIMIT);
}

export function createEventRepository(root: Kysely<Database>, options: { dialect: DialectName; now: () => number }): EventRepository {
  // Inside inTransaction (transaction-scope.ts) every query joins that transaction.
  const db = ambient(root);
  const { dialect, now } = options;

  async function find<T extends EventTopic>(topic: T, dedupeKey: string): Promise<StoredEvent<T> | null> {
    const row = await db.selectFrom(TABLE).selectAll().where('topic', '=', topic).where('dedupe_key', '=', dedupeKey).executeTakeFirst();
    return row ? toStoredEvent<T>(row) : null;
  }

  /** The lowest pending id of a topic, as a subquery: replay stops below it. */
  const horizon = (topic: EventTopic) =>
    sql<number>`coalesce((select min(p.id) from events p where p.topic = ${topic} and p.applied is null), ${Number.MAX_SAFE_INTEGER})`;

  type EventValues = Omit<Selectable<EventTable>, 'id'>;

  // Every callback runs these two: built and compiled once (query-template.ts).
  const insertRow = queryTemplate<
    [string, string, string | null, string, number | null, number, number | null, string | null],
    { id: number }
  >(8, (slot) =>
    root
      .insertInto(TABLE)
      .values({
        topic: slot(0),
        dedupe_key: slot(1),
        subject: slot(2),
        payload: slot(3),
        occurred_at: slot(4),
        received_at: slot(5),
        applied: slot(6),
        effect: slot(7),
      })
      .onConflict((oc) => oc.columns(['topic', 'dedupe_key']).doNothing())
      .returning('id'),
  );
  const settleRow = queryTemplate<[number, string, number], Selectable<EventTable>>(3, (slot) =>
    root.updateTable(TABLE).set({ applied: slot(0), effect: slot(1) }).where('id', '=', slot(2)).where('applied', 'is', null).returningAll(),
  );

  const settleId = queryTemplate<[number, string, number], { id: number }>(3, (slot) =>
    root.updateTable(TABLE).set({ applied: slot(0), effect: slot(1) }).where('id', '=', slot(2)).where('applied', 'is', null).returning('id'),
  );

  /** Inserts the row unless its (topic, dedupe key) is stored: the new id, or undefined for a duplicate. */
  async function insert(values: EventValues): Promise<number | undefined> {
    if (dialect === 'postgres') {
      // One statement: the advisory lock (held until commit) is taken while producing the row, before the identity
      // default draws the id, so ids of a topic commit in order across every connection and replica.
      const topicIndex = EVENT_TOPICS.indexOf(values.topic as EventTopic);
      const result = await sql<{ id: number }>`
        insert into events (topic, dedupe_key, subject, payload, occurred_at, received_at, applied, effect)
        select ${values.topic}, ${values.dedupe_key}, ${values.subject}::text, ${values.payload},
               ${values.occurred_at}::bigint, ${values.received_at}::bigint, ${values.applied}::integer, ${values.effect}::text
        from (select pg_advisory_xact_lock(${EVENT_LOCK_CLASS}, ${topicIndex})) as serialised
        on conflict (topic, dedupe_key) do nothing
        returning id`.execute(db);
      return result.rows[0]?.id;
    }
    const { rows } = await db.executeQuery(
      insertRow(values.topic, values.dedupe_key, values.subject, values.payload, values.occurred_at, values.received_at, values.applied, values.effect),
    );
    return rows[0]?.id;
  }

  /** `max(a, b)` of two numbers: `greatest` on PostgreSQL; SQLite's two-argument max is the same scalar function. */
  const greatest = dialect === 'postgres' ? sql.raw('greatest') : sql.raw('max');

  return {
    async append(event) {
      const values: EventValues = {
        topic: event.topic,
        dedupe_key: event.dedupeKey,
        subject: event.subject,
        payload: JSON.stringify(event.payload),
        occurred_at: event.occurredAt?.getTime() ?? null,
        received_at: event.receivedAt?.getTime() ?? now(),
        applied: event.settled ? (event.settled.applied ? 1 : 0) : null,
        effect: event.settled ? JSON.stringify(event.settled.effect) : null,
      };
      // The row that made an insert a no-op is normally still there. It may have been pruned in between (its first
      // delivery is older than the retention): then nothing conflicts any more and the retry stores this delivery.
      // Losing that race twice in a row would take a second delivery of the same key pruned meanwhile.
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const id = await insert(values);
        if (id !== undefined) return { duplicate: false, event: toStoredEvent({ id, ...values }) };
        const existing = await find(event.topic, event.dedupeKey);
        if (existing) return { duplicate: true, event: existing };
      }
      throw new Error(`event ${event.topic}/${event.dedupeKey} conflicted but cannot be found`);
    },

    async lockTopic(topic) {
      if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${EVENT_LOCK_CLASS}, ${EVENT_TOPICS.indexOf(topic)})`.execute(db);
    },

    async settle(id, applied, effect, pending) {
      const effectJson = JSON.stringify(effect);
      if (pending !== undefined && pending.id === id) {
        const { rows } = await db.executeQuery(settleId(applied ? 1 : 0, effectJson, id));
        // The effect as a replay would read it back (a JSON copy), like every other field of the event.
        return rows.length > 0 ? { ...pending, applied, effect: JSON.parse(effectJson) as typeof effect } : null;
      }
      const { rows } = await db.executeQuery(settleRow(applied ? 1 : 0, effectJson, id));
      const row = rows[0];
      return row ? settledOrThrow(toStoredEvent(row)) : null;
    },

    async pending(afterId, limit, receivedBefore) {
      let query = db.selectFrom(TABLE).selectAll().where('applied', 'is', null).where('id', '>', afterId);
      if (receivedBefore !== undefined) query = query.where('received_at', '<', receivedBefore);
      const rows = await query.orderBy('id', 'asc').limit(checkLimit(limit)).execute();
      return rows.map((row) => toStoredEvent(row));
    },

    async moreThan(topic, afterId, upToId, max) {
      const row = await db
        .selectFrom(TABLE)
        .select('id')
        .where('topic', '=', topic)
        .where('id', '>', afterId)
        .where('id', '<=', upToId)
        .orderBy('id', 'asc')
        .limit(1)
        .offset(max)
        .executeTakeFirst();
      return row !== undefined;
    },

    async eventsAfter(topic, afterId, filter = {}, limit = DEFAULT_LIMIT) {
      const subjects = filter.subjects ?? [];
      if (subjects.length > MAX_SUBJECTS) throw new RangeError(`at most ${MAX_SUBJECTS} subjects per replay`);
      let query = db
        .selectFrom(TABLE)
        .selectAll()
        .where('topic', '=', topic)
        .where('id', '>', afterId)
        .where('id', '<', horizon(topic));
      if (subjects.length > 0) query = query.where('subject', 'in', subjects);
      const rows = await query.orderBy('id', 'asc').limit(checkLimit(limit)).execute();
      return rows.map((row) => settledOrThrow(toStoredEvent<typeof topic>(row)));
    },

    async latestId(topic) {
      const row = await db
        .selectFrom(TABLE)
        .select((eb) => eb.fn.max('id').as('id'))
        .where('topic', '=', topic)
        .where('id', '<', horizon(topic))
        .executeTakeFirst();
      return row?.id ?? 0;
    },

    async get(id) {
      const row = await db.selectFrom(TABLE).selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toStoredEvent(row) : null;
    },

    find,

    async prune(receivedBefore, batchSize) {
      if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
      const window = Math.min(batchSize, MAX_PRUNE_BATCH);
      // The window: ids up to the batchSize-th lowest stored (all of them when fewer are stored). Both statements
      // below range over it by primary key, so neither ever reads past it.
      const edge = await db.selectFrom(TABLE).select('id').orderBy('id', 'asc').limit(1).offset(window - 1).executeTakeFirst();
      const top = edge?.id ?? Number.MAX_SAFE_INTEGER;
      // SQLite: read the window by rowid range; left to itself the planner may walk the whole (topic, id) index to
      // save the group-by sort.
      const byRowid = dialect === 'sqlite' ? sql`not indexed` : sql``;
      // 1. Raise the marks to the highest id about to go, per topic. Never a topic's newest event: its id stays
      // stored, so a mark is always below a stored id of its topic. (`where true`: SQLite needs it to parse an
      // upsert fed by a select.) Topics in order, so concurrent pruners lock mark rows in one order.
      await sql`
        insert into event_prune_marks (topic, pruned_through)
        select batch.topic, max(batch.id) from (
          select e.id, e.topic from events e ${byRowid}
          where e.id <= ${top} and e.applied is not null and e.received_at < ${receivedBefore}
            and exists (select 1 from events n where n.topic = e.topic and n.id > e.id)
        ) as batch
        where true
        group by batch.topic
        order by batch.topic
        on conflict (topic) do update set pruned_through = ${greatest}(event_prune_marks.pruned_through, excluded.pruned_through)`.execute(db);
      // 2. Delete what the marks cover: every deleted id is at or below its topic's mark, whatever ran in between
      // (another replica pruning, events settling).
      const doomed = sql`
        select e.id from events e ${byRowid} join event_prune_marks m on m.topic = e.topic
        where e.id <= ${top} and e.applied is not null and e.received_at < ${receivedBefore} and e.id <= m.pruned_through`;
      // PostgreSQL: rows another pruner holds are skipped, not waited for; `= any(array(…))` makes the delete look the
      // ids up by primary key (an `in (…)` may be planned as a hash join over a scan of the whole table).
      const result =
        dialect === 'postgres'
          ? await sql`delete from events where id = any(array(${doomed} for update of e skip locked))`.execute(db)
          : await sql`delete from events where id in (${doomed})`.execute(db);
      return Number(result.numAffectedRows ?? 0);
    },

    async pendingByTopic() {
      const rows = await db
        .selectFrom(TABLE)
        .select((eb) => ['topic', eb.fn.countAll<number | string>().as('n'), eb.fn.min('received_at').as('oldest')])
        .where('applied', 'is', null)
        .groupBy('topic')
        .execute();
      // PostgreSQL's count and bigint come back as strings.
      return rows.map((row) => ({ topic: row.topic as EventTopic, count: Number(row.n), oldestReceivedAt: Number(row.oldest) }));
    },

    async bounds(topic) {
      const mark = sql`(select m.pruned_through from event_prune_marks m where m.topic = ${topic})`;
      const result = await sql<{ newest_id: number | null; pruned_through: number | null; oldest_id: number | null }>`
        select (select max(id) from events) as newest_id,
               ${mark} as pruned_through,
               (select min(o.id) from events o where o.topic = ${topic} and o.id > coalesce(${mark}, 0)) as oldest_id`.execute(db);
      const row = result.rows[0];
      return { newestId: Number(row?.newest_id ?? 0), prunedThrough: Number(row?.pruned_through ?? 0), oldestId: row?.oldest_id ?? null };
    },

    async counts() {
      // One pass over the table (count per topic and unsettled ones together): the metrics cache it for seconds.
      const rows = await db
        .selectFrom(TABLE)
        .select((eb) => ['topic', eb.fn.countAll<number | string>().as('n'), eb.fn.countAll<number | string>().filterWhere('applied', 'is', null).as('pending')])
        .groupBy('topic')
        .execute();
      const stored = Object.fromEntries(EVENT_TOPICS.map((topic) => [topic, 0])) as Record<EventTopic, number>;
      let pending = 0;
      for (const row of rows) {
        if (isEventTopic(row.topic)) stored[row.topic] = Number(row.n);
        pending += Number(row.pending ?? 0);
      }
      return { stored, pending };
    },
  };
}
