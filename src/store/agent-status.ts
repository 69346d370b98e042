import { type Expression, type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { AgentCallStatus, AgentStateSnapshot, AgentStatusEffect, CallLeg } from '../events/types.ts';
import type { StoredEvent } from './events.ts';
import type { DialectName } from './migrations.ts';
import type { AgentStatusTable, Database } from './schema.ts';
import { queryTemplate } from './query-template.ts';
import { ambient } from './transaction-scope.ts';

/**
 * The latest known call state of each extension, projected from extension-status events.
 *
 * Ordering. Callbacks arrive late, twice and out of order, so an event moves the state only when it is later than the
 * one that set it:
 * - same call (`uuid`): later means a higher rank, ring 1 < answer 2 < hangup 3. The other leg's event of the same rank
 *   changes nothing (an agent-side answer and a customer-side answer are the same state).
 * - another call: later means a later `starttime`; calls that started in the same second are ordered by uuid, so the
 *   final state is the same whatever order the events came in.
 * The comparison sits in the WHERE of one `INSERT … ON CONFLICT DO UPDATE`, which evaluates it against the row as it is
 * when the statement holds it: two events racing for one extension cannot both win, on either dialect.
 */

const RANK: Record<AgentCallStatus, number> = { ring: 1, answer: 2, hangup: 3 };

export function statusRank(status: string): number | null {
  return Object.hasOwn(RANK, status) ? RANK[status as AgentCallStatus] : null;
}

export interface AgentCall {
  uuid: string;
  bUuid: string | null;
  direction: string | null;
  caller: string | null;
  callee: string | null;
  displayNumber: string | null;
  callMethod: string | null;
  customerId: string | null;
  companyCode: string | null;
  startedAt: Date;
}

export interface AgentCallState {
  extension: string;
  status: AgentCallStatus;
  leg: CallLeg;
  call: AgentCall;
  /** The event that set this state. */
  eventId: number;
  changedAt: Date;
  /** The state before the last change; null when this is the first state known. */
  previous: AgentStateSnapshot | null;
  /**
   * Who reported the event that set this state: the platform's callback, or the reconciler's correction. Read by
   * `get`/`getMany` (from the event); absent from `busySince`.
   */
  source?: 'callback' | 'reconcile';
}

export interface ApplyResult {
  applied: boolean;
  effect: AgentStatusEffect;
}

export interface AgentStatusRepository {
  /**
   * Takes one agent-status event in: moves the extension's state when the event is later than the current one.
   * Idempotent: applying an event again (catch-up after a crash) reports what the first application did, as long as no
   * later event has moved the state since.
   */
  apply(event: StoredEvent<'agent-status'>): Promise<ApplyResult>;
  get(extension: string): Promise<AgentCallState | null>;
  /** One entry per extension, in the order given; null where nothing is known. */
  getMany(extensions: readonly string[]): Promise<Array<AgentCallState | null>>;
  /** Agents ringing or in a call since before `changedBefore` (epoch ms): what reconciliation asks the PBX about. */
  busySince(changedBefore: number): Promise<AgentCallState[]>;
}

const TABLE = 'agent_status';
const CHUNK = 500;

/** The columns an event's effect is made of (the state it set, and the one it replaced). */
const SNAPSHOT_COLUMNS = [
  'status',
  'leg',
  'call_uuid',
  'call_started_at',
  'last_event_id',
  'changed_at',
  'prev_status',
  'prev_leg',
  'prev_call_uuid',
  'prev_call_started_at',
  'prev_event_id',
  'prev_changed_at',
] as const satisfies ReadonlyArray<keyof AgentStatusTable>;
type SnapshotRow = Pick<Selectable<AgentStatusTable>, (typeof SNAPSHOT_COLUMNS)[number]>;

function snapshot(row: SnapshotRow): AgentStateSnapshot {
  return {
    status: row.status as AgentCallStatus,
    leg: row.leg as CallLeg,
    callUuid: row.call_uuid,
    callStartedAt: new Date(row.call_started_at).toISOString(),
    eventId: row.last_event_id,
    changedAt: new Date(row.changed_at).toISOString(),
  };
}

/** The state as events carry it (JSON-safe), e.g. for Agent.liveStatus. */
export function snapshotOf(state: AgentCallState): AgentStateSnapshot {
  return {
    status: state.status,
    leg: state.leg,
    callUuid: state.call.uuid,
    callStartedAt: state.call.startedAt.toISOString(),
    eventId: state.eventId,
    changedAt: state.changedAt.toISOString(),
  };
}

function previousSnapshot(row: SnapshotRow): AgentStateSnapshot | null {
  if (row.prev_status === null || row.prev_call_uuid === null || row.prev_call_started_at === null) return null;
  return {
    status: row.prev_status as AgentCallStatus,
    leg: (row.prev_leg ?? 'agent') as CallLeg,
    callUuid: row.prev_call_uuid,
    callStartedAt: new Date(row.prev_call_started_at).toISOString(),
    eventId: row.prev_event_id ?? 0,
    changedAt: new Date(row.prev_changed_at ?? row.changed_at).toISOString(),
  };
}

/** `source` of a stored agent-status event's payload JSON: 'reconcile' for the reconciler's corrections. */
function sourceOfPayload(payload: string | null | undefined): 'callback' | 'reconcile' {
  if (!payload) return 'callback';
  try {
    return (JSON.parse(payload) as { source?: unknown }).source === 'reconcile' ? 'reconcile' : 'callback';
  } catch {
    return 'callback';
  }
}

function toState(row: Selectable<AgentStatusTable>, payload?: string | null): AgentCallState {
  return {
    extension: row.extension,
    status: row.status as AgentCallStatus,
    leg: row.leg as CallLeg,
    call: {
      uuid: row.call_uuid,
      bUuid: row.b_uuid,
      direction: row.direction,
      caller: row.caller,
      callee: row.callee,
      displayNumber: row.display_number,
      callMethod: row.call_method,
      customerId: row.customer_id,
      companyCode: row.company_code,
      startedAt: new Date(row.call_started_at),
    },
    eventId: row.last_event_id,
    changedAt: new Date(row.changed_at),
    previous: previousSnapshot(row),
    ...(payload === undefined ? {} : { source: sourceOfPayload(payload) }),
  };
}

export function createAgentStatusRepository(root: Kysely<Database>, options: { dialect: DialectName }): AgentStatusRepository {
  // Inside inTransaction (transaction-scope.ts) every query joins that transaction.
  const db = ambient(root);
  // Uuids compare byte-wise on both dialects (PostgreSQL's default collation may not), so the tie-break agrees.
  const bytewise = options.dialect === 'postgres' ? sql` collate "C"` : sql``;
  const later: Expression<SqlBool> = sql<SqlBool>`(
    (excluded.call_uuid = ${sql.ref(`${TABLE}.call_uuid`)} and excluded.status_rank > ${sql.ref(`${TABLE}.status_rank`)})
    or (excluded.call_uuid <> ${sql.ref(`${TABLE}.call_uuid`)} and (
      excluded.call_started_at > ${sql.ref(`${TABLE}.call_started_at`)}
      or (excluded.call_started_at = ${sql.ref(`${TABLE}.call_started_at`)}
          and excluded.call_uuid${bytewise} > ${sql.ref(`${TABLE}.call_uuid`)}${bytewise})
    ))
  )`;

  // The state with the payload of the event that set it (for its source): one statement, so both agree.
  const withEvent = () =>
    db
      .selectFrom(TABLE)
      .leftJoin('events', 'events.id', `${TABLE}.last_event_id`)
      .selectAll(TABLE)
      .select('events.payload as event_payload');

  type Row = Selectable<AgentStatusTable>;
  // Every agent-status callback runs this upsert: built and compiled once (query-template.ts).
  const upsert = queryTemplate<
    [
      Row['extension'],
      Row['status'],
      Row['status_rank'],
      Row['leg'],
      Row['call_uuid'],
      Row['b_uuid'],
      Row['direction'],
      Row['caller'],
      Row['callee'],
      Row['display_number'],
      Row['call_method'],
      Row['customer_id'],
      Row['company_code'],
      Row['call_started_at'],
      Row['last_event_id'],
      Row['changed_at'],
    ],
    SnapshotRow
  >(16, (slot) =>
    root
      .insertInto(TABLE)
      .values({
        extension: slot(0),
        status: slot(1),
        status_rank: slot(2),
        leg: slot(3),
        call_uuid: slot(4),
        b_uuid: slot(5),
        direction: slot(6),
        caller: slot(7),
        callee: slot(8),
        display_number: slot(9),
        call_method: slot(10),
        customer_id: slot(11),
        company_code: slot(12),
        call_started_at: slot(13),
        last_event_id: slot(14),
        changed_at: slot(15),
        prev_status: null,
        prev_leg: null,
        prev_call_uuid: null,
        prev_call_started_at: null,
        prev_event_id: null,
        prev_changed_at: null,
      })
      .onConflict((oc) =>
        oc
          .column('extension')
          .doUpdateSet((eb) => ({
            // Right-hand sides read the row as it was, so prev_* is the state this event replaces.
            prev_status: eb.ref(`${TABLE}.status`),
            prev_leg: eb.ref(`${TABLE}.leg`),
            prev_call_uuid: eb.ref(`${TABLE}.call_uuid`),
            prev_call_started_at: eb.ref(`${TABLE}.call_started_at`),
            prev_event_id: eb.ref(`${TABLE}.last_event_id`),
            prev_changed_at: eb.ref(`${TABLE}.changed_at`),
            status: eb.ref('excluded.status'),
            status_rank: eb.ref('excluded.status_rank'),
            leg: eb.ref('excluded.leg'),
            call_uuid: eb.ref('excluded.call_uuid'),
            b_uuid: eb.ref('excluded.b_uuid'),
            direction: eb.ref('excluded.direction'),
            caller: eb.ref('excluded.caller'),
            callee: eb.ref('excluded.callee'),
            display_number: eb.ref('excluded.display_number'),
            call_method: eb.ref('excluded.call_method'),
            customer_id: eb.ref('excluded.customer_id'),
            company_code: eb.ref('excluded.company_code'),
            call_started_at: eb.ref('excluded.call_started_at'),
            last_event_id: eb.ref('excluded.last_event_id'),
            changed_at: eb.ref('excluded.changed_at'),
          }))
          .where(later),
      )
      // Only what the effect needs: every callback reads this row back, and ten of its columns would go unused.
      .returning(SNAPSHOT_COLUMNS),
  );

  async function get(extension: string): Promise<AgentCallState | null> {
    const row = await withEvent().where(`${TABLE}.extension`, '=', extension).executeTakeFirst();
    return row ? toState(row, row.event_payload ?? null) : null;
  }

  async function unchanged(extension: string): Promise<AgentStateSnapshot | null> {
    const row = await db.selectFrom(TABLE).selectAll().where('extension', '=', extension).executeTakeFirst();
    return row ? snapshot(row) : null;
  }

  return {
    async apply(event) {
      const p = event.payload;
      const rank = p.status === 'UNKNOWN' ? null : statusRank(p.status);
      if (rank === null) {
        const state = await unchanged(p.extension);
        return { applied: false, effect: { previous: state, current: state } };
      }
      const { rows } = await db.executeQuery(
        upsert(
          p.extension,
          p.status,
          rank,
          p.leg,
          p.callUuid,
          p.bUuid,
          p.direction,
          p.caller,
          p.callee,
          p.displayNumber,
          p.callMethod,
          p.customerId,
          p.companyCode,
          Date.parse(p.callStartedAt),
          event.id,
          Date.parse(event.receivedAt),
        ),
      );
      const row = rows[0];
      if (row) return { applied: true, effect: { previous: previousSnapshot(row), current: snapshot(row) } };

      // Not later than the current state. If the current state is this very event's, an earlier application of it
      // (before a crash, or by another delivery) set it: report that change again.
      const current = await db.selectFrom(TABLE).selectAll().where('extension', '=', p.extension).executeTakeFirst();
      if (current && current.last_event_id === event.id) {
        return { applied: true, effect: { previous: previousSnapshot(current), current: snapshot(current) } };
      }
      const state = current ? snapshot(current) : null;
      return { applied: false, effect: { previous: state, current: state } };
    },

    get,

    async busySince(changedBefore) {
      const rows = await db
        .selectFrom(TABLE)
        .selectAll()
        .where('status', 'in', ['ring', 'answer'])
        .where('changed_at', '<', changedBefore)
        .execute();
      return rows.map((row) => toState(row));
    },

    async getMany(extensions) {
      const found = new Map<string, AgentCallState>();
      const unique = [...new Set(extensions)];
      for (let i = 0; i < unique.length; i += CHUNK) {
        const rows = await withEvent().where(`${TABLE}.extension`, 'in', unique.slice(i, i + CHUNK)).execute();
        for (const row of rows) found.set(row.extension, toState(row, row.event_payload ?? null));
      }
      return extensions.map((extension) => found.get(extension) ?? null);
    },
  };
}
