import { createHash } from 'node:crypto';
import { z } from 'zod';
import { roleAtLeast } from '../auth.ts';
import { builder } from '../builder.ts';
import { Role } from '../config.ts';
import { ForbiddenError, InvalidInputError, SipBusinessError } from '../errors.ts';
import { type CallRecordInput, type StoredCallRecord, callRecordKey, mergeBillWithStored, withoutNone } from '../store/call-records.ts';
import {
  BillDirectionFilter,
  BillSyncFlag,
  CallDirection,
  CallMethod,
  decodeCallDirection,
  decodeCallMethod,
  decodeHangupCause,
  decodeHangupSide,
} from '../upstream/sip/codes.ts';
import type { SipClient } from '../upstream/sip/client.ts';
import type { GatewayContext } from '../context.ts';
import type { Bill, BillQuery, RecordingLink } from '../upstream/sip/types.ts';
import { CallDirectionEnum, CallMethodEnum, HangupCauseEnum, HangupSideEnum } from './call-enums.ts';
import { AgentRef, agentOf } from './refs.ts';
import { requireSip } from './upstream.ts';
import { cost } from '../limits/cost.ts';
import { AFTER_ARG_DESCRIPTION, firstArgDescription, pageSize } from './paging.ts';

/**
 * Call records (the SIP API's "bills"), pulled with GetBill; recordings through GetRecodeFile.
 *
 * Paging. GetBill only pages by number (`currentpage` × `itemsperpage`, at most 1 000 a page) and returns records in
 * ascending id order, which is also the order the platform wrote them in. A cursor therefore carries the upstream
 * offset just after its record, that record's id, the total the platform reported, a fingerprint of the filter and
 * the sync mode. With a constant `first`, every offset is a multiple of `first`, so a page is exactly one GetBill call
 * (`currentpage = offset / first + 1`); a changed `first` is served by one larger page that covers the range (or two).
 * - New records land at the end (higher ids): nothing already paged moves, they show up on the later pages.
 * - A record that joins the set before the cursor (ALREADY_FETCHED: someone else fetched it meanwhile) shifts the
 *   rest right; records with an id at or below the cursor's are dropped, so nothing is returned twice.
 * - A set that shrank (the platform reports a smaller total than the cursor saw) may have shifted left; the page is
 *   then re-read from further back and starts at the first id after the cursor's, so nothing is skipped.
 * - NOT_YET_FETCHED consumes what it returns: the records read disappear from the set, so the next page is always
 *   upstream page 1 again, read with exactly `first` records (never more: an over-read would mark records that were
 *   never shown). Its cursors carry offset 0.
 */

const MAX_PAGE_SIZE = 1000;
const DEFAULT_FIRST = 50;
const MAX_WINDOW_DAYS = 31;
const DAY_MS = 86_400_000;
/** node(id): the record is looked up in GetBill's window of its dial time ± this. */
const NODE_WINDOW_MS = 2_000;
/** How far back a page may re-read after the set shrank before the cursor is declared stale. */
const MAX_RESYNC_RECORDS = 5_000;
/** Upstream reads one page may cost when records must be dropped or re-read (normally 1). */
const MAX_READS_PER_PAGE = 4;

type SyncMode = 'ALL' | 'NOT_YET_FETCHED' | 'ALREADY_FETCHED';

const SYNC_FLAGS: Record<SyncMode, BillSyncFlag> = {
  ALL: BillSyncFlag.All,
  NOT_YET_FETCHED: BillSyncFlag.NotYetFetched,
  ALREADY_FETCHED: BillSyncFlag.AlreadyFetched,
};

// ---- Types --------------------------------------------------------------------------------------------------------

/**
 * What a CallRecord resolves from, however the call arrived: one call in the store's terms (`CallRecordInput`, codes
 * as raw text, the platform's "0" for none already null) and `key`, the `call_records` key it is stored under or would
 * get. A GetBill row is merged with the store's row of the same call; a pushed record is the store's row the callback
 * was merged into. So the two carry the same fields and, through `key`, the same global id.
 */
export interface CallRecordView extends CallRecordInput {
  key: string;
}

export const CallRecordRef = builder.objectRef<CallRecordView>('CallRecord');

/** A record as a CallRecord, with the platform's "none" spellings as null. */
export function callRecordView(record: CallRecordInput, key: string): CallRecordView {
  return { ...withoutNone(record), key };
}

/** A GetBill row with what the store knows of the same call (`matchBills`). */
export function callRecordOfBill(bill: Bill, match: { key: string; stored: StoredCallRecord | null }): CallRecordView {
  return callRecordView(mergeBillWithStored(bill, match.stored), match.key);
}

/** A record the store has no key for (its key cannot be derived either): keyed by the event that brought it. */
export function callRecordKeyOr(record: CallRecordInput, fallback: string): string {
  try {
    return callRecordKey(record);
  } catch {
    return fallback;
  }
}

const CallRecordingRef = builder.objectRef<RecordingLink>('CallRecording').implement({
  description: 'A time-limited download link for the recording of a call (GetRecodeFile). The platform keeps recordings 3 months.',
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Download link of the audio file; it stops working at `expiresAt`.' }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the link expires; null when the platform did not say.',
    }),
  }),
});

const CallRecordSyncModeRef = builder.enumType('CallRecordSyncMode', {
  description:
    "Which records to read by the platform's own \"already fetched\" flag (GetBill's syncflag). Only NOT_YET_FETCHED changes anything on the platform.",
  values: {
    ALL: { description: 'Every record, fetched or not. Reading does not change the flag. The default.' },
    NOT_YET_FETCHED: {
      description:
        'WARNING: CONSUMING READ. Only records nobody has fetched yet, and the platform MARKS EVERY RECORD RETURNED AS FETCHED, ' +
        'for every client of the account, even if this response never reaches you. Use it only for one sync job that owns the flag. ' +
        'Each page continues with what is still unfetched (use pageInfo.endCursor; records after a cursor in the middle of a page ' +
        'are already marked and will not come back in this mode). totalCount is what was still unfetched before the page was read.',
    },
    ALREADY_FETCHED: { description: 'Only records already fetched by someone. Reading does not change the flag.' },
  } as const,
});

/**
 * The node id's local part. GetBill cannot read one record by id, so it carries the dial time to look it up in a narrow
 * window. It is the store's key of the call (`call:<dial time ms>|<extension>|<called number>`), which a pushed record
 * and a GetBill row of the same call share even when the callback had no record id; `<record id>@<dial time ms>` when
 * another call of the same second, extension and number holds that key (and the format of ids issued before: they
 * still resolve); `uuid:<uuid>` for a callback with neither a dial time nor a record id.
 */
type CallRecordKey =
  | { kind: 'call'; key: string; startedAtMs: number; extension: string; destination: string }
  | { kind: 'id'; recordId: number; startedAtMs: number | null }
  | { kind: 'uuid'; key: string; uuid: string };

export function localIdOf(record: Pick<CallRecordView, 'key' | 'recordId' | 'startedAt'>): string {
  if (record.key.startsWith('call:') || record.recordId === null) return record.key;
  return `${record.recordId}@${record.startedAt ? record.startedAt.getTime() : ''}`;
}

export function parseLocalId(id: string): CallRecordKey {
  const call = /^call:(-?\d{1,15})\|([^|]*)\|([^]*)$/.exec(id);
  if (call) return { kind: 'call', key: id, startedAtMs: Number(call[1]), extension: call[2] ?? '', destination: call[3] ?? '' };
  const uuid = /^uuid:([^]+)$/.exec(id);
  if (uuid) return { kind: 'uuid', key: id, uuid: uuid[1] ?? '' };
  const match = /^(\d{1,15})@(-?\d{1,15})?$/.exec(id);
  if (!match) throw new InvalidInputError(`not a CallRecord id: ${JSON.stringify(id)}`, 'id');
  return { kind: 'id', recordId: Number(match[1]), startedAtMs: match[2] === undefined ? null : Number(match[2]) };
}

/** Reads GetBill's records dialled within ±2 s of `startedAtMs` (all sync states), page by page, until `pick` finds. */
async function searchWindow<T>(sip: SipClient, startedAtMs: number, pick: (bills: Bill[]) => Promise<T | null>): Promise<T | null> {
  const query: BillQuery = {
    from: new Date(startedAtMs - NODE_WINDOW_MS),
    to: new Date(startedAtMs + NODE_WINDOW_MS),
    sync: BillSyncFlag.All,
    direction: BillDirectionFilter.All,
    callMethod: CallMethod.Any,
    pageSize: MAX_PAGE_SIZE,
  };
  for (let page = 1; ; page++) {
    const result = await sip.getBills({ ...query, page });
    const found = await pick(result.bills);
    if (found) return found;
    if (result.bills.length < MAX_PAGE_SIZE || page * MAX_PAGE_SIZE >= result.total) return null;
  }
}

/** Finds one record by its node id: in GetBill's window around its dial time, completed from the store. */
async function findRecord(ctx: GatewayContext, key: CallRecordKey): Promise<CallRecordView | null> {
  const store = ctx.store.callRecords;
  if (key.kind === 'uuid') {
    // No dial time and no record id: only the store has it.
    const [row] = await store.findByUuids([key.uuid]);
    return row && row.key === key.key ? callRecordView(row, row.key) : null;
  }
  // A record without a dial time cannot be found again: GetBill only filters by dial time.
  if (key.startedAtMs === null) return null;
  const sip = requireSip(ctx);
  return searchWindow(sip, key.startedAtMs, async (bills) => {
    const candidates =
      key.kind === 'id'
        ? bills.filter((bill) => bill.id === key.recordId)
        : bills.filter(
            (bill) =>
              bill.startedAt?.getTime() === key.startedAtMs &&
              (text(bill.extension) ?? '') === key.extension &&
              (text(bill.destinationNumber) ?? '') === key.destination,
          );
    if (candidates.length === 0) return null;
    const matches = await store.matchBills(candidates);
    const index = key.kind === 'id' ? 0 : matches.findIndex((match) => match.key === key.key);
    const bill = candidates[index];
    const match = matches[index];
    return bill && match ? callRecordOfBill(bill, match) : null;
  });
}

/** Empty text from the platform means "not set". */
const text = (value: string | null) => (value === null || value === '' ? null : value);

builder.node(CallRecordRef, {
  description:
    'One call as the platform recorded it: read with GetBill (`callRecords`) or pushed when it ended (`callRecordCreated`), ' +
    'one object either way (the same id and fields, merged from both sources). Its id embeds the dial time, because the ' +
    'platform can only look records up by time window: node(id) reads the ±2 s around it.',
  id: {
    resolve: localIdOf,
    parse: parseLocalId,
    description:
      'Global id (dial time, extension and called number inside): the same for a call pushed by callback and read through ' +
      'GetBill, so a normalised client cache keeps one object. Use it with node(id).',
  },
  loadOne: (key, ctx) => findRecord(ctx, key),
  fields: (t) => ({
    recordId: t.int({
      nullable: true,
      description:
        "The platform's record id (GetBill `id`); ascending in the order records were written. Null for a pushed record " +
        'whose callback carried none (the predictive manual\'s example has none) until the gateway has the record from GetBill.',
      resolve: (record) => record.recordId,
    }),
    uuid: t.string({
      nullable: true,
      description:
        "The call's uuid, from the call-record callback (GetBill does not return it); null for a call the gateway has only read through GetBill.",
      resolve: (record) => record.uuid,
    }),
    employeeId: t.int({
      nullable: true,
      description:
        "The agent's employee id in your CRM (`crmid`, as Agent.employeeId), from the call-record callback (GetBill does not return " +
        'it: a GetBill read shows it when the callback of the same call was received). Null when none was given (the platform ' +
        'writes "0") or when the platform sent something other than a whole number.',
      resolve: (record) => employeeIdOf(record.employeeId),
    }),
    direction: t.field({
      type: CallDirectionEnum.ref,
      description: 'Outbound (to a customer) or inbound (from a customer).',
      resolve: (record) => CallDirectionEnum.of(decodeCallDirection(record.direction)),
    }),
    directionCode: t.string({ description: 'The platform\'s raw direction ("callout" / "callin").', resolve: (record) => record.direction ?? '' }),
    callMethod: t.field({
      type: CallMethodEnum.ref,
      description: 'How the call was made: manual dial, API, predictive task, IVR/group call, …',
      resolve: (record) => CallMethodEnum.of(decodeCallMethod(record.callMethod)),
    }),
    callMethodCode: t.string({ description: "The platform's raw call-method code.", resolve: (record) => record.callMethod ?? '' }),
    extension: t.string({
      nullable: true,
      description: 'The agent\'s extension on the call; null when no agent took part (e.g. an unanswered predictive or IVR call).',
      resolve: (record) => record.extension,
    }),
    agent: t.field({
      type: AgentRef,
      nullable: true,
      description: 'The agent (extension) on the call; null when no agent took part.',
      resolve: (record) => (record.extension ? agentOf(record.extension) : null),
    }),
    callerNumber: t.string({
      nullable: true,
      description:
        'Who called. OUTBOUND: the agent\'s extension, or the display number when no agent was on the call (the platform dialled ' +
        'the customer first). INBOUND: the customer\'s number (the platform\'s displaynumber, "calling number" in its manual).',
      resolve: (record) => callerOf(record),
    }),
    calleeNumber: t.string({
      nullable: true,
      description:
        'Who was called: always the platform\'s destnumber ("called number" in its manual). OUTBOUND: the customer\'s number ' +
        '(or another extension for an extension-to-extension call). INBOUND: the company number the customer dialled.',
      resolve: (record) => record.destinationNumber,
    }),
    displayNumber: t.string({
      nullable: true,
      description:
        'The platform\'s displaynumber. OUTBOUND: the company number shown to the customer. INBOUND: the customer\'s number.',
      resolve: (record) => record.displayNumber,
    }),
    startedAt: t.expose('startedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Dial time (converted from the platform\'s wall clock; whole seconds). The time filters apply to this.',
    }),
    answeredAt: t.expose('answeredAt', { type: 'DateTime', nullable: true, description: 'When the call was answered; null when it was not.' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true, description: 'When the call ended.' }),
    waitSeconds: t.int({
      description: "Seconds from dialling to answer (or to the end when unanswered): the platform's `duration`.",
      resolve: (record) => record.waitSeconds ?? 0,
    }),
    talkSeconds: t.int({ description: "Seconds of conversation: the platform's `billsec`.", resolve: (record) => record.talkSeconds ?? 0 }),
    answered: t.boolean({
      description: 'True when the call was answered (it has an answer time or talk seconds).',
      resolve: (record) => record.answeredAt !== null || (record.talkSeconds ?? 0) > 0,
    }),
    hangupSide: t.field({
      type: HangupSideEnum.ref,
      nullable: true,
      description:
        'Which side hung up (CALLER_HUNG_UP / CALLEE_HUNG_UP). UNKNOWN for any other code, e.g. 10015, which the manual does not list; ' +
        'the raw code is in hangupSideCode. Null when the platform sent none.',
      resolve: (record) => (record.hangupDirection ? HangupSideEnum.of(decodeHangupSide(record.hangupDirection)) : null),
    }),
    hangupSideCode: t.string({
      nullable: true,
      description: "The platform's raw hang-up direction code.",
      resolve: (record) => record.hangupDirection,
    }),
    hangupCause: t.field({
      type: HangupCauseEnum.ref,
      nullable: true,
      description:
        'Why the call ended. UNKNOWN for any other code, e.g. 10020, which the manual does not list; the raw code is in ' +
        'hangupCauseCode. Null when the platform sent none.',
      resolve: (record) => (record.hangupCause ? HangupCauseEnum.of(decodeHangupCause(record.hangupCause)) : null),
    }),
    hangupCauseCode: t.string({
      nullable: true,
      description: "The platform's raw hang-up cause code.",
      resolve: (record) => record.hangupCause,
    }),
    keysPressed: t.string({
      nullable: true,
      description: 'Keys the callee pressed (e.g. in an IVR call); null when none.',
      resolve: (record) => record.keysPressed,
    }),
    userId: t.string({
      nullable: true,
      description:
        'Custom field `userid` given with the number (e.g. in a predictive task); null when none was given (the platform writes "0"). ' +
        'GetBill only: the call-record callback does not carry it, so a pushed record shows it once the gateway has read the call through GetBill.',
      resolve: (record) => record.userId,
    }),
    memberId: t.string({
      nullable: true,
      description: 'Custom field `memberid`; null when none was given (the platform writes "0").',
      resolve: (record) => record.memberId,
    }),
    maturity: t.string({
      nullable: true,
      description: 'Custom field `chengshudu` (lead maturity); null when none was given (the platform writes "0").',
      resolve: (record) => record.maturity,
    }),
    customerId: t.string({
      nullable: true,
      description: 'Custom field `customuuid` (your customer id); null when none was given (the platform writes "0").',
      resolve: (record) => record.customerId,
    }),
    recording: t.field({
      type: CallRecordingRef,
      nullable: true,
      // Cost: one GetRecodeFile per recording (per distinct file, not batched).
      complexity: cost.perKey,
      description:
        'Download link of the recording, fetched only when asked (GetRecodeFile, once per distinct file per request). ' +
        'Null when the call has no recording, or when the platform no longer has it (kept 3 months).',
      resolve: async (record, _args, ctx) => {
        const file = record.recordFileName;
        if (!file) return null;
        try {
          return await ctx.loaders.recording.load(file);
        } catch (error) {
          // The platform's "operation failed" for a missing or expired file: no recording, not an outage.
          if (error instanceof SipBusinessError) return null;
          throw error;
        }
      },
    }),
  }),
});

/** `crmid` as a number: an integer by the manual; anything else is not an employee id. */
export function employeeIdOf(crmid: string | null): number | null {
  if (crmid === null || !/^\d{1,15}$/.test(crmid.trim())) return null;
  const id = Number(crmid.trim());
  return id > 0 && Number.isSafeInteger(id) ? id : null;
}

function callerOf(record: CallRecordView): string | null {
  if (decodeCallDirection(record.direction).value === CallDirection.In) return record.displayNumber;
  return record.extension ?? record.displayNumber;
}

// ---- Filter -------------------------------------------------------------------------------------------------------

const optionalValue = (name: string) => z.string().trim().min(1, `${name} must not be empty`).max(128).nullish();

/** Why the `agents` filter fields are deprecated (issue 11 item 10): the filters name agents by `extensions` everywhere. */
export const AGENTS_FILTER_DEPRECATION = 'Use `extensions` (the same list; every filter names agents by `extensions`). Not together with it.';
/** The issue when a filter has both `extensions` and the deprecated `agents`. */
export const BOTH_EXTENSION_FIELDS = 'give `extensions` or the deprecated `agents`, not both';

/** A filter's `extensions` (or the deprecated `agents`, its old name); null when neither is given. Both is refused by the caller. */
export function extensionsFilterOf(filter: { extensions?: readonly string[] | null; agents?: readonly string[] | null } | null | undefined): readonly string[] | null {
  return filter?.extensions ?? filter?.agents ?? null;
}

const extensionList = z
  .array(
    z
      .string()
      .trim()
      .min(1, 'an agent extension must not be empty')
      .max(32, 'an agent extension is at most 32 characters')
      .refine((value) => !value.includes(','), 'an agent extension must not contain a comma'),
  )
  .max(500, 'at most 500 agents')
  .nullish();

const CallRecordFilter = builder.inputType('CallRecordFilter', {
  description: `Which call records to read. \`from\` and \`to\` bound the dial time (both included, whole seconds; at most ${MAX_WINDOW_DAYS} days); every other condition must hold too.`,
  fields: (t) => ({
    from: t.field({ type: 'DateTime', required: true, description: 'Dialled at or after this instant.' }),
    to: t.field({ type: 'DateTime', required: true, description: `Dialled at or before this instant; after \`from\`, at most ${MAX_WINDOW_DAYS} days later.` }),
    direction: t.field({ type: CallDirectionEnum.inputRef, description: 'Only INBOUND or only OUTBOUND calls; both when absent.' }),
    callMethod: t.field({ type: CallMethodEnum.inputRef, description: 'Only calls made this way; any way when absent.' }),
    extensions: t.stringList({ description: 'Only calls of these extensions (agents), at most 500. Not together with the deprecated `agents`.' }),
    agents: t.stringList({ description: 'Only calls of these extensions.', deprecationReason: AGENTS_FILTER_DEPRECATION }),
    calleeNumber: t.string({
      description: "Only calls whose called number (GetBill's destnumber) is exactly this: the customer on outbound calls, the company number on inbound ones.",
    }),
    userId: t.string({ description: 'Only records whose custom field `userid` is exactly this.' }),
    memberId: t.string({ description: 'Only records whose custom field `memberid` is exactly this.' }),
    maturity: t.string({ description: 'Only records whose custom field `chengshudu` (maturity) is exactly this.' }),
    customerId: t.string({ description: 'Only records whose custom field `customuuid` (customer id) is exactly this.' }),
    syncMode: t.field({
      type: CallRecordSyncModeRef,
      defaultValue: 'ALL',
      description:
        'Which records by the platform\'s "already fetched" flag. Default ALL, which never changes the flag. ' +
        'NOT_YET_FETCHED MARKS EVERY RECORD IT RETURNS AS FETCHED ON THE PLATFORM (see CallRecordSyncMode).',
    }),
  }),
  validate: z
    .object({
      from: z.date(),
      to: z.date(),
      direction: z.string().nullish(),
      callMethod: z.string().nullish(),
      extensions: extensionList,
      agents: extensionList,
      calleeNumber: optionalValue('calleeNumber'),
      userId: optionalValue('userId'),
      memberId: optionalValue('memberId'),
      maturity: optionalValue('maturity'),
      customerId: optionalValue('customerId'),
    })
    .loose()
    .superRefine((filter, ctx) => {
      if (filter.extensions != null && filter.agents != null) {
        ctx.addIssue({ code: 'custom', path: ['agents'], message: BOTH_EXTENSION_FIELDS });
      }
      if (filter.to.getTime() <= filter.from.getTime()) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: '`to` must be after `from`' });
      } else if (filter.to.getTime() - filter.from.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: `the window from \`from\` to \`to\` is at most ${MAX_WINDOW_DAYS} days` });
      }
    }),
});

type FilterInput = typeof CallRecordFilter.$inferInput;

interface RecordSet {
  /** The GetBill query without page and size. */
  query: BillQuery;
  mode: SyncMode;
  /** Binds cursors to this exact filter and mode. */
  fingerprint: string;
}

function recordSetOf(filter: FilterInput): RecordSet {
  const mode: SyncMode = filter.syncMode ?? 'ALL';
  // The platform compares whole seconds, both ends included: round `from` up and `to` down to stay inside the window.
  const from = new Date(Math.ceil(filter.from.getTime() / 1000) * 1000);
  const to = new Date(Math.floor(filter.to.getTime() / 1000) * 1000);
  const direction =
    filter.direction === 'INBOUND' ? BillDirectionFilter.In : filter.direction === 'OUTBOUND' ? BillDirectionFilter.Out : BillDirectionFilter.All;
  const callMethod = filter.callMethod ? CallMethodEnum.toUpstream(filter.callMethod, ['filter', 'callMethod']) : CallMethod.Any;
  const extensions = [...new Set((extensionsFilterOf(filter) ?? []).map((agent) => agent.trim()))].sort();
  const optional = (value: string | null | undefined) => (value ? value.trim() : undefined);
  const query: BillQuery = {
    from,
    to,
    sync: SYNC_FLAGS[mode],
    direction,
    callMethod,
    extensions,
    ...(optional(filter.calleeNumber) ? { destinationNumber: optional(filter.calleeNumber) } : {}),
    ...(optional(filter.userId) ? { userId: optional(filter.userId) } : {}),
    ...(optional(filter.memberId) ? { memberId: optional(filter.memberId) } : {}),
    ...(optional(filter.maturity) ? { maturity: optional(filter.maturity) } : {}),
    ...(optional(filter.customerId) ? { customerId: optional(filter.customerId) } : {}),
  };
  const canonical = JSON.stringify([
    mode,
    from.getTime(),
    to.getTime(),
    direction,
    callMethod,
    extensions,
    query.destinationNumber ?? null,
    query.userId ?? null,
    query.memberId ?? null,
    query.maturity ?? null,
    query.customerId ?? null,
  ]);
  const fingerprint = createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
  return { query, mode, fingerprint };
}

// ---- Cursors ------------------------------------------------------------------------------------------------------

const CURSOR_PREFIX = 'cr1';

interface Cursor {
  fingerprint: string;
  /** Upstream offset just after the record (0 in NOT_YET_FETCHED mode: what was read is gone from the set). */
  offset: number;
  /** The record's id. */
  id: number;
  /** The set's size as the platform reported it when the cursor was made. */
  total: number;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from([CURSOR_PREFIX, cursor.fingerprint, cursor.offset, cursor.id, cursor.total].join('|')).toString('base64url');
}

function decodeCursor(value: string, set: RecordSet): Cursor {
  const parts = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const [prefix, fingerprint, offset, id, total] = parts;
  const numbers = [offset, id, total].map((part) => (part !== undefined && /^\d{1,15}$/.test(part) ? Number(part) : NaN));
  if (parts.length !== 5 || prefix !== CURSOR_PREFIX || fingerprint === undefined || numbers.some(Number.isNaN)) {
    throw new InvalidInputError('`after` is not a cursor of callRecords', 'after');
  }
  if (fingerprint !== set.fingerprint) {
    throw new InvalidInputError('`after` belongs to a different filter: page with the same filter and sync mode the cursor came from', 'after');
  }
  const [offsetNumber = 0, idNumber = 0, totalNumber = 0] = numbers;
  return { fingerprint, offset: offsetNumber, id: idNumber, total: totalNumber };
}

// ---- Reading ------------------------------------------------------------------------------------------------------

interface Slice {
  bills: Bill[];
  total: number;
}

/**
 * Records [offset, offset + count) of the set (fewer at its end), in as few GetBill calls as possible: one when
 * `offset` is a multiple of `count` (a client keeping `first` constant) or when some page size up to 1 000 holds the
 * whole range; two otherwise; more only for ranges over 1 000.
 */
async function readRange(sip: SipClient, query: BillQuery, offset: number, count: number): Promise<Slice> {
  const bills: Bill[] = [];
  let total = 0;
  let position = offset;
  let remaining = count;
  while (remaining > 0) {
    const want = Math.min(remaining, MAX_PAGE_SIZE);
    const got = await readChunk(sip, query, position, want);
    bills.push(...got.bills);
    total = got.total;
    position += got.bills.length;
    remaining -= got.bills.length;
    if (got.bills.length < want) break;
  }
  return { bills, total };
}

async function readChunk(sip: SipClient, query: BillQuery, offset: number, count: number): Promise<Slice> {
  const read = async (pageSize: number, page: number) => sip.getBills({ ...query, pageSize, page });
  if (offset % count === 0) {
    const page = await read(count, offset / count + 1);
    return { bills: page.bills.slice(0, count), total: page.total };
  }
  for (let size = count + 1; size <= MAX_PAGE_SIZE; size++) {
    const index = Math.floor(offset / size);
    if (index === Math.floor((offset + count - 1) / size)) {
      const page = await read(size, index + 1);
      const start = offset - index * size;
      return { bills: page.bills.slice(start, start + count), total: page.total };
    }
  }
  const index = Math.floor(offset / count);
  const [first, second] = await Promise.all([read(count, index + 1), read(count, index + 2)]);
  const start = offset - index * count;
  return { bills: [...first.bills, ...second.bills].slice(start, start + count), total: second.total };
}

const ascending = (bills: readonly Bill[]) => bills.every((bill, i) => i === 0 || (bills[i - 1]?.id ?? -Infinity) < bill.id);

interface Page {
  bills: Bill[];
  /** Upstream offset of each record plus one (0 for NOT_YET_FETCHED). */
  offsets: number[];
  total: number;
  hasNextPage: boolean;
}

async function readPage(sip: SipClient, set: RecordSet, first: number, after: Cursor | null): Promise<Page> {
  if (set.mode === 'NOT_YET_FETCHED') {
    // Exactly `first` from the start of what is still unfetched: the platform marks everything it returns.
    const page = await sip.getBills({ ...set.query, page: 1, pageSize: first });
    const bills = page.bills.slice(0, first);
    return { bills, offsets: bills.map(() => 0), total: page.total, hasNextPage: page.total > bills.length };
  }

  if (!after) {
    const slice = await readRange(sip, set.query, 0, first);
    return { bills: slice.bills, offsets: slice.bills.map((_, i) => i + 1), total: slice.total, hasNextPage: slice.bills.length < slice.total };
  }

  const bills: Bill[] = [];
  const offsets: number[] = [];
  let position = after.offset;
  let total = after.total;
  let lastId = after.id;
  for (let reads = 0; bills.length < first && reads < MAX_READS_PER_PAGE; reads++) {
    const want = first - bills.length;
    let start = position;
    let slice = await readRange(sip, set.query, start, want);
    if (reads === 0 && slice.total < after.total && start > 0 && ascending(slice.bills)) {
      // The set shrank: records before the cursor may have left and shifted ours left. Re-read from further back.
      const back = Math.min(start, after.total - slice.total);
      if (back > MAX_RESYNC_RECORDS) {
        throw new InvalidInputError('the call records changed too much since this cursor was made: start again without `after`', 'after');
      }
      start -= back;
      slice = await readRange(sip, set.query, start, want + back);
    }
    total = slice.total;
    // Ids ascend through the set, so anything at or below the last id returned is a record already paged.
    const skip = ascending(slice.bills) ? slice.bills.findIndex((bill) => bill.id > lastId) : 0;
    const fresh = skip === -1 ? [] : slice.bills.slice(skip, skip + want);
    fresh.forEach((bill, i) => {
      bills.push(bill);
      offsets.push(start + (skip === -1 ? 0 : skip) + i + 1);
    });
    position = start + (skip === -1 ? slice.bills.length : skip + fresh.length);
    lastId = bills.at(-1)?.id ?? lastId;
    if (position >= total || slice.bills.length === 0) break;
  }
  return { bills, offsets, total, hasNextPage: position < total };
}

// ---- Root field ---------------------------------------------------------------------------------------------------

/** `callRecords` pages: 50 by default, up to 1,000. */
const CALL_RECORD_PAGE = { defaultFirst: DEFAULT_FIRST, maxFirst: MAX_PAGE_SIZE } as const;

const CallRecordConnectionRef = builder.connectionObject(
  {
    type: CallRecordRef,
    name: 'CallRecordConnection',
    description: 'A page of call records.',
    edgesField: { description: 'The records of this page, each with its cursor.' },
    fields: (tc) => ({
      totalCount: tc.int({
        nullable: true,
        description:
          'Records matching the filter, as the platform counted them for this page (it grows while calls are recorded; ' +
          'in NOT_YET_FETCHED mode: what was still unfetched before this page was read).',
        resolve: (connection) => connection.totalCount ?? null,
      }),
      pageInfo: tc.field({
        type: builder.pageInfoRef(),
        description: 'Cursors of this page and whether more records follow.',
        resolve: (connection) => connection.pageInfo,
      }),
    }),
  },
  {
    name: 'CallRecordEdge',
    description: 'A call record and its cursor.',
    nodeField: { description: 'The call record.' },
    fields: (te) => ({
      cursor: te.exposeString('cursor', { description: 'Opaque position after this record; pass it as `after` with the same filter.' }),
    }),
  },
);

builder.queryFields((t) => ({
  callRecords: t.field({
    type: CallRecordConnectionRef,
    // Nullable: the page is one GetBill read; its failure nulls this field, not the whole response.
    nullable: true,
    description:
      'Call records in a dial-time window, oldest record first (the platform\'s id order), forwards only (`first` 1…1000, ' +
      `default ${DEFAULT_FIRST}, and \`after\`). One GetBill call per page while \`first\` stays the same. ` +
      'Cursors are opaque, bound to the filter, and survive records arriving while you page. ' +
      'Reading never changes the platform\'s "fetched" flag unless filter.syncMode is NOT_YET_FETCHED, which MARKS WHAT IT RETURNS. ' +
      'Null with an error on this path when the switch could not be read or the arguments are refused; the rest of the document still resolves.',
    authScopes: { viewer: true },
    // Cost: one GetBill per page (a store lookup beside it); `first` (default 50) multiplies what each record selects.
    complexity: cost.page(DEFAULT_FIRST),
    args: {
      filter: t.arg({ type: CallRecordFilter, required: true, description: 'Time window (required) and conditions.' }),
      first: t.arg.int({ description: firstArgDescription(CALL_RECORD_PAGE) }),
      after: t.arg.string({ description: AFTER_ARG_DESCRIPTION }),
    },
    resolve: async (_root, args, ctx) => {
      const first = pageSize(args.first, CALL_RECORD_PAGE);
      const set = recordSetOf(args.filter);
      // Consuming the platform's account-wide "not yet fetched" flag changes state for every client: operators only.
      if (set.mode === 'NOT_YET_FETCHED' && !roleAtLeast(ctx.principal?.role, Role.Operator)) {
        throw new ForbiddenError('syncMode NOT_YET_FETCHED marks records as fetched on the platform: it needs the operator role');
      }
      const after = args.after != null ? decodeCursor(args.after, set) : null;
      const sip = requireSip(ctx);
      const page = await readPage(sip, set, first, after);
      // The same call pushed by callback and pulled here is one record: the store hands back what the callback added
      // (uuid, employeeId) and the key its id derives from. A read only reads: the page is not written back.
      const matches = await ctx.store.callRecords.matchBills(page.bills);
      const edges = page.bills.map((bill, i) => ({
        node: callRecordOfBill(bill, matches[i] ?? { key: `id:${bill.id}`, stored: null }),
        cursor: encodeCursor({ fingerprint: set.fingerprint, offset: page.offsets[i] ?? 0, id: bill.id, total: page.total }),
      }));
      return {
        edges,
        totalCount: page.total,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: after !== null && (set.mode === 'NOT_YET_FETCHED' || after.offset > 0),
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
}));
