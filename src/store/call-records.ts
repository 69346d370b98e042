import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Bill } from '../upstream/sip/types.ts';
import type { Database, CallRecordTable } from './schema.ts';
import { ambient } from './transaction-scope.ts';

/**
 * Call records the gateway has seen: pushed by the call-record callback and pulled with GetBill, merged so that one
 * call is one row.
 *
 * The merge key. GetBill rows always carry the platform's record `id` but no `uuid`; callbacks carry the `uuid` and
 * only sometimes the `id` (the predictive manual's example has none). What both always have is the dial time, the
 * extension and the called number, so a row's key is `call:<startedAt ms>|<extension>|<destination>` when the dial
 * time is known (else `id:<record id>`, else `uuid:<uuid>`). Two further rules keep distinct calls apart and the same
 * call together when the sources disagree on those fields:
 * - an incoming row whose record id is already stored merges into that row, whatever its key;
 * - two rows with the same key but different record ids are different calls: the newcomer is keyed `id:<record id>`.
 * Field by field, a known value replaces an unknown one and a newer known value replaces an older one.
 */

export type CallRecordSource = 'callback' | 'bill';

/** One call as a source reports it; codes stay as the platform's raw text. */
export interface CallRecordInput {
  recordId: number | null;
  uuid: string | null;
  extension: string | null;
  destinationNumber: string | null;
  displayNumber: string | null;
  direction: string | null;
  callMethod: string | null;
  startedAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
  /** GetBill `userid`. */
  userId: string | null;
  /** Callback `crmid`. */
  employeeId: string | null;
  memberId: string | null;
  maturity: string | null;
  customerId: string | null;
  recordFileName: string | null;
  downloadIp: string | null;
  hangupDirection: string | null;
  hangupCause: string | null;
  keysPressed: string | null;
  companyCode: string | null;
}

export interface StoredCallRecord extends CallRecordInput {
  key: string;
  sources: { callback: boolean; bill: boolean };
  /** The last call-record callback event merged in. */
  callbackEventId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CallRecordRepository {
  /** Merges one callback's record; returns the stored row. */
  upsertFromCallback(record: CallRecordInput, eventId: number): Promise<StoredCallRecord>;
  /** Merges GetBill rows (a page at a time is fine); returns the stored rows in the order given. */
  upsertFromBills(bills: readonly Bill[]): Promise<StoredCallRecord[]>;
  /**
   * What the store knows of each GetBill row (by record id, else by the natural key), in the order given; null where
   * nothing is stored. Read-only: a GetBill read joins callback data without writing the page back.
   */
  findForBills(bills: readonly Bill[]): Promise<Array<StoredCallRecord | null>>;
  /**
   * `findForBills` with the key each bill has in the store, or would get if it were stored now (the natural key, or
   * `id:<record id>` when another call holds it, stored or earlier in `bills`). Read-only. A pushed record of the
   * same call (stored under that key) therefore gets the same key: the CallRecord id is derived from it.
   */
  matchBills(bills: readonly Bill[]): Promise<Array<{ key: string; stored: StoredCallRecord | null }>>;
  /** One entry per record id, in the order given; null where none is stored. */
  findByRecordIds(recordIds: readonly number[]): Promise<Array<StoredCallRecord | null>>;
  /** One entry per uuid, in the order given; null where none is stored. */
  findByUuids(uuids: readonly string[]): Promise<Array<StoredCallRecord | null>>;
  get(key: string): Promise<StoredCallRecord | null>;
}

const TABLE = 'call_records';
// Rows per multi-row upsert (~30 parameters each): inside SQLite's 32 766-parameter limit with room to spare.
const UPSERT_CHUNK = 200;
const LOOKUP_CHUNK = 500;

/** Columns merged "known value wins, newest first". */
const MERGED = [
  'record_id',
  'uuid',
  'extension',
  'destination_number',
  'display_number',
  'direction',
  'call_method',
  'started_at',
  'answered_at',
  'ended_at',
  'wait_seconds',
  'talk_seconds',
  'user_id',
  'employee_id',
  'member_id',
  'maturity',
  'customer_id',
  'record_file_name',
  'download_ip',
  'hangup_direction',
  'hangup_cause',
  'keys_pressed',
  'company_code',
  'callback_event_id',
] as const;

/** The natural key of a call (see the module comment). */
export function callRecordKey(record: Pick<CallRecordInput, 'recordId' | 'uuid' | 'startedAt' | 'extension' | 'destinationNumber'>): string {
  if (record.startedAt) return `call:${record.startedAt.getTime()}|${record.extension ?? ''}|${record.destinationNumber ?? ''}`;
  if (record.recordId !== null) return `id:${record.recordId}`;
  if (record.uuid !== null) return `uuid:${record.uuid}`;
  throw new Error('a call record needs a dial time, a record id or a uuid');
}

const blank = (value: string | null) => (value === null || value === '' ? null : value);

/**
 * The platform writes "0" for "none" in the custom tags (`userid`, `memberid`, `chengshudu`, `customuuid`), in `crmid`
 * (docs/upstream.md) and in an absent `downloadip`; empty text means the same. Both become null.
 */
export const none = (value: string | null | undefined): string | null => {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  return text === '' || text === '0' ? null : value;
};

/** The fields where "0" means none. */
const ZERO_IS_NONE = ['userId', 'employeeId', 'memberId', 'maturity', 'customerId', 'downloadIp'] as const;

/**
 * A record with the platform's "none" spellings as null: "0"/"" in the fields above, record id 0 (a callback
 * without an id), empty text elsewhere. Rows stored before this rule still hold "0"; reading them through this fixes that.
 */
export function withoutNone<T extends CallRecordInput>(record: T): T {
  const out: CallRecordInput = { ...record, recordId: record.recordId === 0 ? null : record.recordId };
  for (const field of ZERO_IS_NONE) out[field] = none(record[field]);
  for (const field of TEXT_FIELDS) out[field] = blank(record[field]);
  return out as T;
}

const TEXT_FIELDS = [
  'uuid',
  'extension',
  'destinationNumber',
  'displayNumber',
  'direction',
  'callMethod',
  'recordFileName',
  'hangupDirection',
  'hangupCause',
  'keysPressed',
  'companyCode',
] as const;

/**
 * One call as GetBill read it, completed by what the store holds for it (the callback's uuid and `crmid`, and any
 * field the bill leaves empty). The bill's own values win: it is the newer read.
 */
export function mergeBillWithStored(bill: Bill, stored: StoredCallRecord | null): CallRecordInput {
  const read = withoutNone(billToCallRecordInput(bill));
  if (!stored) return read;
  const known = withoutNone(stored);
  const merged = { ...read };
  for (const field of Object.keys(read) as Array<keyof CallRecordInput>) {
    if (merged[field] === null) (merged as Record<string, unknown>)[field] = known[field];
  }
  return merged;
}

/** A GetBill row in the store's terms. */
export function billToCallRecordInput(bill: Bill): CallRecordInput {
  return {
    recordId: bill.id,
    uuid: null,
    extension: blank(bill.extension),
    destinationNumber: blank(bill.destinationNumber),
    displayNumber: blank(bill.displayNumber),
    direction: blank(bill.direction.raw),
    callMethod: blank(bill.callMethod.raw),
    startedAt: bill.startedAt,
    answeredAt: bill.answeredAt,
    endedAt: bill.endedAt,
    waitSeconds: bill.waitSeconds,
    talkSeconds: bill.talkSeconds,
    userId: none(bill.userId),
    employeeId: null,
    memberId: none(bill.memberId),
    maturity: none(bill.maturity),
    customerId: none(bill.customerId),
    recordFileName: blank(bill.recordFileName),
    downloadIp: none(bill.downloadIp),
    hangupDirection: blank(bill.hangupDirection?.raw ?? null),
    hangupCause: blank(bill.hangupCause?.raw ?? null),
    keysPressed: blank(bill.keysPressed),
    companyCode: null,
  };
}

function toRecord(row: Selectable<CallRecordTable>): StoredCallRecord {
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  return {
    key: row.key,
    recordId: row.record_id,
    uuid: row.uuid,
    extension: row.extension,
    destinationNumber: row.destination_number,
    displayNumber: row.display_number,
    direction: row.direction,
    callMethod: row.call_method,
    startedAt: date(row.started_at),
    answeredAt: date(row.answered_at),
    endedAt: date(row.ended_at),
    waitSeconds: row.wait_seconds,
    talkSeconds: row.talk_seconds,
    userId: row.user_id,
    employeeId: row.employee_id,
    memberId: row.member_id,
    maturity: row.maturity,
    customerId: row.customer_id,
    recordFileName: row.record_file_name,
    downloadIp: row.download_ip,
    hangupDirection: row.hangup_direction,
    hangupCause: row.hangup_cause,
    keysPressed: row.keys_pressed,
    companyCode: row.company_code,
    sources: { callback: row.from_callback === 1, bill: row.from_bill === 1 },
    callbackEventId: row.callback_event_id,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

type Row = Insertable<CallRecordTable> & { key: string };

function toRow(record: CallRecordInput, source: CallRecordSource, eventId: number | null, at: number): Row {
  return {
    key: callRecordKey(record),
    record_id: record.recordId,
    uuid: record.uuid,
    extension: record.extension,
    destination_number: record.destinationNumber,
    display_number: record.displayNumber,
    direction: record.direction,
    call_method: record.callMethod,
    started_at: record.startedAt?.getTime() ?? null,
    answered_at: record.answeredAt?.getTime() ?? null,
    ended_at: record.endedAt?.getTime() ?? null,
    wait_seconds: record.waitSeconds,
    talk_seconds: record.talkSeconds,
    user_id: record.userId,
    employee_id: record.employeeId,
    member_id: record.memberId,
    maturity: record.maturity,
    customer_id: record.customerId,
    record_file_name: record.recordFileName,
    download_ip: record.downloadIp,
    hangup_direction: record.hangupDirection,
    hangup_cause: record.hangupCause,
    keys_pressed: record.keysPressed,
    company_code: record.companyCode,
    from_callback: source === 'callback' ? 1 : 0,
    from_bill: source === 'bill' ? 1 : 0,
    callback_event_id: eventId,
    created_at: at,
    updated_at: at,
  };
}

export function createCallRecordRepository(root: Kysely<Database>, options: { now: () => number }): CallRecordRepository {
  // Inside inTransaction (transaction-scope.ts) every query joins that transaction.
  const db = ambient(root);
  const { now } = options;
  const mergeSet = {
    ...Object.fromEntries(MERGED.map((c) => [c, sql<any>`coalesce(${sql.ref(`excluded.${c}`)}, ${sql.ref(`${TABLE}.${c}`)})`])),
    from_callback: sql<number>`case when excluded.from_callback = 1 then 1 else ${sql.ref(`${TABLE}.from_callback`)} end`,
    from_bill: sql<number>`case when excluded.from_bill = 1 then 1 else ${sql.ref(`${TABLE}.from_bill`)} end`,
    updated_at: sql<number>`excluded.updated_at`,
  };
  // Same key, different record ids: two calls that share a dial second, extension and number. Not merged.
  const sameCall = sql<boolean>`(${sql.ref(`${TABLE}.record_id`)} is null or excluded.record_id is null or ${sql.ref(`${TABLE}.record_id`)} = excluded.record_id)`;

  /** Rows by record id or uuid; where several rows share a uuid (a platform that reused one), the newest wins. */
  async function byColumn<V extends number | string>(column: 'record_id' | 'uuid', values: readonly V[]): Promise<Map<V, StoredCallRecord>> {
    const found = new Map<V, StoredCallRecord>();
    const unique = [...new Set(values)];
    for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
      const chunk = unique.slice(i, i + LOOKUP_CHUNK);
      let query = db.selectFrom(TABLE).selectAll();
      query =
        column === 'record_id'
          ? query.where('record_id', 'in', chunk.filter((v): v is V & number => typeof v === 'number'))
          : query.where('uuid', 'in', chunk.filter((v): v is V & string => typeof v === 'string'));
      const rows = await query.orderBy('updated_at', 'asc').execute();
      for (const row of rows) {
        const value = (column === 'record_id' ? row.record_id : row.uuid) as V | null;
        if (value !== null) found.set(value, toRecord(row));
      }
    }
    return found;
  }

  /** Merges rows of one source; returns the stored key of each row, in order. */
  async function upsert(rows: Row[]): Promise<string[]> {
    // An already stored record id pins the row it was stored under.
    const ids = rows.map((r) => r.record_id).filter((id): id is number => id !== null && id !== undefined);
    const stored = await byColumn('record_id', ids);
    for (const row of rows) {
      const existing = row.record_id !== null && row.record_id !== undefined ? stored.get(row.record_id) : undefined;
      if (existing) row.key = existing.key;
    }
    // One statement cannot touch a row twice: within the batch, the same call collapses (last wins) and a different
    // call under a taken key moves to its id key.
    const byKey = new Map<string, Row>();
    for (const row of rows) {
      const other = byKey.get(row.key);
      if (other && other.record_id !== null && row.record_id !== null && other.record_id !== row.record_id) row.key = `id:${row.record_id}`;
      byKey.set(row.key, row);
    }
    const unique = [...byKey.values()];
    const merged = new Set<string>();
    for (let i = 0; i < unique.length; i += UPSERT_CHUNK) {
      const chunk = unique.slice(i, i + UPSERT_CHUNK);
      const result = await db
        .insertInto(TABLE)
        .values(chunk)
        .onConflict((oc) => oc.column('key').doUpdateSet(mergeSet).where(sameCall))
        .returning('key')
        .execute();
      for (const r of result) merged.add(r.key);
      // The rest collided with a different call: store them under their record id instead.
      const moved = chunk.filter((row) => !merged.has(row.key) && row.record_id !== null && row.record_id !== undefined);
      for (const row of moved) {
        const from = row.key;
        row.key = `id:${row.record_id}`;
        for (const r of rows) if (r.key === from && r.record_id === row.record_id) r.key = row.key;
      }
      if (moved.length > 0) {
        await db
          .insertInto(TABLE)
          .values(moved)
          .onConflict((oc) => oc.column('key').doUpdateSet(mergeSet))
          .execute();
      }
    }
    return rows.map((r) => r.key);
  }

  async function getMany(keys: readonly string[]): Promise<Map<string, StoredCallRecord>> {
    const found = new Map<string, StoredCallRecord>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
      const rows = await db.selectFrom(TABLE).selectAll().where('key', 'in', unique.slice(i, i + LOOKUP_CHUNK)).execute();
      for (const row of rows) found.set(row.key, toRecord(row));
    }
    return found;
  }

  async function matchBills(bills: readonly Bill[]): Promise<Array<{ key: string; stored: StoredCallRecord | null }>> {
    if (bills.length === 0) return [];
    const keys = bills.map((bill) => callRecordKey(billToCallRecordInput(bill)));
    const [byId, byKey] = await Promise.all([byColumn('record_id', bills.map((bill) => bill.id)), getMany(keys)]);
    const stored = bills.map((bill, i) => {
      const pinned = byId.get(bill.id);
      if (pinned) return pinned;
      // The same key under another record id is another call (see the module comment).
      const keyed = byKey.get(keys[i] ?? '');
      return keyed && (keyed.recordId === null || keyed.recordId === bill.id) ? keyed : null;
    });
    // Natural keys held in this list: by a stored row, else by the first bill (lowest id first, as GetBill orders).
    const owner = new Map<string, number>();
    stored.forEach((row, i) => {
      if (row) owner.set(row.key, bills[i]?.id ?? -1);
    });
    return bills.map((bill, i) => {
      const row = stored[i] ?? null;
      if (row) return { key: row.key, stored: row };
      let key = keys[i] ?? `id:${bill.id}`;
      const holder = owner.get(key);
      if (key.startsWith('call:') && ((holder !== undefined && holder !== bill.id) || byKey.has(key))) key = `id:${bill.id}`;
      else owner.set(key, bill.id);
      return { key, stored: null };
    });
  }

  return {
    async upsertFromCallback(record, eventId) {
      const [key] = await upsert([toRow(record, 'callback', eventId, now())]);
      const stored = key === undefined ? undefined : (await getMany([key])).get(key);
      if (!stored) throw new Error('call record vanished after its upsert');
      return stored;
    },

    async upsertFromBills(bills) {
      if (bills.length === 0) return [];
      const at = now();
      const keys = await upsert(bills.map((bill) => toRow(billToCallRecordInput(bill), 'bill', null, at)));
      const stored = await getMany(keys);
      return keys.map((key) => {
        const record = stored.get(key);
        if (!record) throw new Error(`call record ${key} vanished after its upsert`);
        return record;
      });
    },

    async findForBills(bills) {
      return (await matchBills(bills)).map((match) => match.stored);
    },

    matchBills,

    async findByRecordIds(recordIds) {
      const found = await byColumn('record_id', recordIds);
      return recordIds.map((id) => found.get(id) ?? null);
    },

    async findByUuids(uuids) {
      const found = await byColumn('uuid', uuids);
      return uuids.map((uuid) => found.get(uuid) ?? null);
    },

    async get(key) {
      return (await getMany([key])).get(key) ?? null;
    },
  };
}
