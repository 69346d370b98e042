import { type Kysely, type Selectable, sql } from 'kysely';
import {
  EVENT_TOPICS,
  type EventEffects,
  type EventPayloads,
  type EventTopic,
  type GatewayEvent,
} from '../events/types.ts';
import type { DialectName } from './migrations.ts';
import type { Database, EventTable } from './schema.ts';

/**
 * The append-only event log behind callbacks (docs/events.md).
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
  settle<T extends EventTopic>(id: number, applied: boolean, effect: EventEffects[T] | null): Promise<GatewayEvent<T> | null>;
  /** Pending events (any topic) with an id above `afterId`, oldest first: what catch-up works through. */
  pending(afterId: number, limit: number): Promise<StoredEvent[]>;
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
}

const TABLE = 'events';
const MAX_LIMIT = 1000;
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

export function createEventRepository(db: Kysely<Database>, options: { dialect: DialectName; now: () => number }): EventRepository {
  const { dialect, now } = options;

  async function find<T extends EventTopic>(topic: T, dedupeKey: string): Promise<StoredEvent<T> | null> {
    const row = await db.selectFrom(TABLE).selectAll().where('topic', '=', topic).where('dedupe_key', '=', dedupeKey).executeTakeFirst();
    return row ? toStoredEvent<T>(row) : null;
  }

  /** The lowest pending id of a topic, as a subquery: replay stops below it. */
  const horizon = (topic: EventTopic) =>
    sql<number>`coalesce((select min(p.id) from events p where p.topic = ${topic} and p.applied is null), ${Number.MAX_SAFE_INTEGER})`;

  return {
    async append(event) {
      const values = {
        topic: event.topic,
        dedupe_key: event.dedupeKey,
        subject: event.subject,
        payload: JSON.stringify(event.payload),
        occurred_at: event.occurredAt?.getTime() ?? null,
        received_at: event.receivedAt?.getTime() ?? now(),
        applied: event.settled ? (event.settled.applied ? 1 : 0) : null,
        effect: event.settled ? JSON.stringify(event.settled.effect) : null,
      };
      let id: number | undefined;
      if (dialect === 'postgres') {
        // One statement: the advisory lock (held until commit) is taken while producing the row, before the identity
        // default draws the id, so ids of a topic commit in order across every connection and replica.
        const topicIndex = EVENT_TOPICS.indexOf(event.topic);
        const result = await sql<{ id: number }>`
          insert into events (topic, dedupe_key, subject, payload, occurred_at, received_at, applied, effect)
          select ${values.topic}, ${values.dedupe_key}, ${values.subject}::text, ${values.payload},
                 ${values.occurred_at}::bigint, ${values.received_at}::bigint, ${values.applied}::integer, ${values.effect}::text
          from (select pg_advisory_xact_lock(${EVENT_LOCK_CLASS}, ${topicIndex})) as serialised
          on conflict (topic, dedupe_key) do nothing
          returning id`.execute(db);
        id = result.rows[0]?.id;
      } else {
        const row = await db
          .insertInto(TABLE)
          .values(values)
          .onConflict((oc) => oc.columns(['topic', 'dedupe_key']).doNothing())
          .returning('id')
          .executeTakeFirst();
        id = row?.id;
      }
      if (id !== undefined) {
        return {
          duplicate: false,
          event: toStoredEvent({ id, ...values }),
        };
      }
      const existing = await find(event.topic, event.dedupeKey);
      // Events are never deleted, so the row that made the insert a no-op is still there.
      if (!existing) throw new Error(`event ${event.topic}/${event.dedupeKey} conflicted but cannot be found`);
      return { duplicate: true, event: existing };
    },

    async settle(id, applied, effect) {
      const row = await db
        .updateTable(TABLE)
        .set({ applied: applied ? 1 : 0, effect: JSON.stringify(effect) })
        .where('id', '=', id)
        .where('applied', 'is', null)
        .returningAll()
        .executeTakeFirst();
      return row ? settledOrThrow(toStoredEvent(row)) : null;
    },

    async pending(afterId, limit) {
      const rows = await db
        .selectFrom(TABLE)
        .selectAll()
        .where('applied', 'is', null)
        .where('id', '>', afterId)
        .orderBy('id', 'asc')
        .limit(checkLimit(limit))
        .execute();
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
  };
}
