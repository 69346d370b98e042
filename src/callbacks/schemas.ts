import { createHash } from 'node:crypto';
import { z } from 'zod';
import type {
  AgentCallStatus,
  AiCallNotifyPayload,
  CallRecordPayload,
  EventPayloads,
  EventTopic,
  TaskStatusPayload,
  AgentStatusPayload,
} from '../events/types.ts';
import { parseCallNotification } from '../upstream/aicall/notification.ts';
import { flag, localTime, optionalCode, optionalInteger, optionalText } from '../upstream/coerce.ts';
import { TaskCallbackStatus } from '../upstream/sip/codes.ts';
import type { ZonedTime } from '../upstream/time.ts';
import { CallbackRequestError } from './parse.ts';

/**
 * Validation and normalisation of the four callbacks (docs/upstream.md, "B. The PBX's callbacks" and "The hang-up
 * notification"; the SIP manual's examples are in test/utils/callback-seeds.ts).
 * Loose types are coerced, not rejected: every value may come as a string, numbers as either, `""` for absent,
 * `userkey` as 1 or "#", `companycode` as an int or a string. Only what an event cannot mean anything without is
 * required (an extension event's extension, call uuid, status and start time; a record's id or uuid; a task id).
 */

export const CALLBACK_KINDS = ['extension-status', 'call-record', 'task-status', 'aicall-notify'] as const;
export type CallbackKind = (typeof CALLBACK_KINDS)[number];

export function isCallbackKind(value: string): value is CallbackKind {
  return (CALLBACK_KINDS as readonly string[]).includes(value);
}

/** The topic each callback kind is stored and published under. */
export const TOPIC_OF_KIND = {
  'extension-status': 'agent-status',
  'call-record': 'call-record',
  'task-status': 'task-status',
  'aicall-notify': 'aicall-notify',
} as const satisfies Record<CallbackKind, EventTopic>;

/** A validated callback, ready to append to the event log. */
export interface NormalisedCallback<T extends EventTopic> {
  topic: T;
  /** Unique per topic: a second delivery of the same callback has the same key (docs/events.md, "Dedupe keys"). */
  dedupeKey: string;
  subject: string | null;
  occurredAt: Date | null;
  payload: EventPayloads[T];
}

export type AnyNormalisedCallback = { [T in EventTopic]: NormalisedCallback<T> }[EventTopic];

/** Dedupe key parts joined unambiguously ("|" inside a part is escaped). */
function keyOf(...parts: Array<string | number | boolean>): string {
  return parts.map((p) => encodeURIComponent(String(p))).join('|');
}

const requiredText = z.preprocess(
  (value) => (typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : value),
  z
    .string({ error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : 'must be text') })
    .min(1, 'is required'),
);

// 2000-01-01 … 2100-01-01: anything outside is a broken clock or a wrong unit, not a call.
const MIN_TIME_MS = Date.UTC(2000, 0, 1);
const MAX_TIME_MS = Date.UTC(2100, 0, 1);

/** Unix seconds, as a number or a numeric string (milliseconds are recognised by their size). */
const unixTime = z.preprocess(
  (value) => (typeof value === 'string' ? (value.trim() === '' ? undefined : Number(value.trim())) : value),
  z
    .number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a unix time in seconds') })
    .int('must be a whole number of seconds')
    .transform((value, ctx) => {
      const ms = value < 1e12 ? value * 1000 : value;
      if (ms < MIN_TIME_MS || ms > MAX_TIME_MS) {
        ctx.addIssue({ code: 'custom', message: `${value} is not a plausible unix time` });
        return z.NEVER;
      }
      return new Date(ms);
    }),
);

const extensionStatusSchema = z.object({
  extnumber: requiredText,
  uuid: requiredText,
  status: requiredText,
  starttime: unixTime,
  isbleg: flag,
  buuid: optionalText,
  callee: optionalText,
  caller: optionalText,
  companycode: optionalText,
  customuuid: optionalText,
  direction: optionalText,
  disnumber: optionalText,
  method: optionalCode,
  type: optionalText,
});

const KNOWN_STATUSES: ReadonlySet<string> = new Set<AgentCallStatus>(['ring', 'answer', 'hangup']);

function callRecordSchema(time: ZonedTime) {
  const at = localTime(time);
  return z
    .object({
      id: optionalInteger,
      uuid: optionalText,
      type: optionalText,
      callmethod: optionalCode,
      starttime: at,
      answertime: at,
      endtime: at,
      duration: optionalInteger,
      billsec: optionalInteger,
      crmid: optionalText,
      memberid: optionalText,
      chengshudu: optionalText,
      customuuid: optionalText,
      disnumber: optionalText,
      destnumber: optionalText,
      extnumber: optionalText,
      recordfilename: optionalText,
      downloadip: optionalText,
      hangupdirection: optionalCode,
      hangupcause: optionalCode,
      companycode: optionalText,
      userkey: optionalText,
    })
    .refine((r) => r.id !== null || r.uuid !== null, { message: 'needs an id or a uuid to identify the call', path: ['id'] });
}

const taskStatusSchema = z.object({
  taskid: requiredText,
  companycode: optionalText,
  status: requiredText,
});

/** "starttime: is required; id: …" — the first few problems, each with the field it is about. */
export function describeIssues(error: z.ZodError, limit = 5): string {
  const parts = error.issues.slice(0, limit).map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  const more = error.issues.length > limit ? `; and ${error.issues.length - limit} more` : '';
  return parts.join('; ') + more;
}

function check<T>(schema: z.ZodType<T>, value: unknown, kind: CallbackKind): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new CallbackRequestError(400, `invalid ${kind} callback: ${describeIssues(result.error)}`);
  return result.data;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** JSON with object keys sorted at every level: the same content gives the same text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function normaliseExtensionStatus(value: unknown): NormalisedCallback<'agent-status'> {
  const r = check(extensionStatusSchema, value, 'extension-status');
  const statusCode = r.status.toLowerCase();
  const payload: AgentStatusPayload = {
    extension: r.extnumber,
    status: KNOWN_STATUSES.has(statusCode) ? (statusCode as AgentCallStatus) : 'UNKNOWN',
    statusCode: r.status,
    leg: r.isbleg ? 'customer' : 'agent',
    callUuid: r.uuid,
    bUuid: r.buuid,
    direction: r.direction,
    caller: r.caller,
    callee: r.callee,
    displayNumber: r.disnumber,
    callMethod: r.method,
    customerId: r.customuuid,
    companyCode: r.companycode,
    callStartedAt: r.starttime.toISOString(),
  };
  return {
    topic: 'agent-status',
    dedupeKey: keyOf(r.uuid, r.extnumber, statusCode, r.isbleg),
    subject: r.extnumber,
    occurredAt: r.starttime,
    payload,
  };
}

export function normaliseCallRecord(value: unknown, time: ZonedTime): NormalisedCallback<'call-record'> {
  const r = check(callRecordSchema(time), value, 'call-record');
  const payload: CallRecordPayload = {
    recordId: r.id,
    uuid: r.uuid,
    extension: r.extnumber,
    destinationNumber: r.destnumber,
    displayNumber: r.disnumber,
    direction: r.type,
    callMethod: r.callmethod,
    startedAt: iso(r.starttime),
    answeredAt: iso(r.answertime),
    endedAt: iso(r.endtime),
    waitSeconds: r.duration,
    talkSeconds: r.billsec,
    employeeId: r.crmid,
    memberId: r.memberid,
    maturity: r.chengshudu,
    customerId: r.customuuid,
    recordFileName: r.recordfilename,
    downloadIp: r.downloadip,
    hangupDirection: r.hangupdirection,
    hangupCause: r.hangupcause,
    keysPressed: r.userkey,
    companyCode: r.companycode,
  };
  return {
    topic: 'call-record',
    dedupeKey: r.id !== null ? keyOf('id', r.id) : keyOf('uuid', r.uuid ?? ''),
    subject: r.extnumber,
    occurredAt: r.endtime ?? r.starttime,
    payload,
  };
}

export function normaliseTaskStatus(value: unknown): NormalisedCallback<'task-status'> {
  const r = check(taskStatusSchema, value, 'task-status');
  const payload: TaskStatusPayload = {
    taskId: r.taskid,
    companyCode: r.companycode,
    status: r.status === String(TaskCallbackStatus.Finished) ? 'FINISHED' : 'UNKNOWN',
    statusCode: r.status,
  };
  return { topic: 'task-status', dedupeKey: keyOf(r.taskid, r.status), subject: r.taskid, occurredAt: null, payload };
}

/** What an AI-call notification may carry beyond `parseCallNotification`'s fields: the payload's optional fields. */
export type AiCallNotificationExtras = Required<
  Pick<AiCallNotifyPayload, 'taskName' | 'callerNumber' | 'durationSeconds' | 'platformCustomerId' | 'customerFields' | 'outcome'>
>;

/**
 * Further names tried in a notification (and in its `data` wrapper), first match wins: the simulator's body
 * (`task_name`, `caller_number`, `customer_id`, `duration`, `fields`), FreeSWITCH CDR names, and the intention label
 * voice-bot platforms commonly report. Guesses like `parseCallNotification`'s (docs/aicall-assumptions.md).
 */
const EXTRA_NOTIFICATION_KEYS = {
  taskName: ['task_name', 'taskName'],
  callerNumber: ['caller_number', 'caller_id_number', 'callerNumber', 'display_number', 'caller'],
  durationSeconds: ['duration', 'call_duration', 'total_seconds'],
  platformCustomerId: ['customer_id', 'task_customer_id'],
  customerFields: ['fields', 'custom_fields', 'customer_fields', 'params'],
  outcome: ['intention', 'intent', 'intention_label', 'intent_label', 'label', 'outcome', 'customer_level'],
} as const;

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The first value under one of `keys` that `read` accepts, in the body, then in its `data` wrapper. */
function firstRecognised<T>(body: unknown, keys: readonly string[], read: (v: unknown) => T | null): T | null {
  const scopes = [body, isPlainObject(body) ? body.data : undefined].filter(isPlainObject);
  for (const scope of scopes) {
    for (const key of keys) {
      const value = read(scope[key]);
      if (value !== null) return value;
    }
  }
  return null;
}

const readText = (v: unknown): string | null =>
  typeof v === 'string' ? (v.trim() === '' ? null : v.trim()) : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;

const readSeconds = (v: unknown): number | null => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
};

/** An object of custom fields: text, number and boolean values as text; nested values are left to `raw`. */
const readFields = (v: unknown): Record<string, string> | null => {
  if (!isPlainObject(v)) return null;
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(v)) {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) fields[name] = String(value);
  }
  return fields;
};

/**
 * The notification fields recognised beyond `parseCallNotification`'s. Also what readers use for events stored before
 * these fields existed (from the stored `raw`), so old and new events read the same. `times` are the recognised
 * start and end (ISO-8601): without a duration field, the duration is end − start.
 */
export function aiCallNotificationExtras(body: unknown, times: { startedAt: string | null; endedAt: string | null }): AiCallNotificationExtras {
  const sent = firstRecognised(body, EXTRA_NOTIFICATION_KEYS.durationSeconds, readSeconds);
  const started = times.startedAt === null ? Number.NaN : Date.parse(times.startedAt);
  const ended = times.endedAt === null ? Number.NaN : Date.parse(times.endedAt);
  const measured = Number.isFinite(started) && Number.isFinite(ended) && ended >= started ? Math.round((ended - started) / 1000) : null;
  return {
    taskName: firstRecognised(body, EXTRA_NOTIFICATION_KEYS.taskName, readText),
    callerNumber: firstRecognised(body, EXTRA_NOTIFICATION_KEYS.callerNumber, readText),
    durationSeconds: sent ?? measured,
    platformCustomerId: firstRecognised(body, EXTRA_NOTIFICATION_KEYS.platformCustomerId, readText),
    customerFields: firstRecognised(body, EXTRA_NOTIFICATION_KEYS.customerFields, readFields),
    outcome: firstRecognised(body, EXTRA_NOTIFICATION_KEYS.outcome, readText),
  };
}

export function normaliseAiCallNotification(value: unknown, time: ZonedTime): NormalisedCallback<'aicall-notify'> {
  if (value === null || typeof value !== 'object') {
    throw new CallbackRequestError(400, 'invalid aicall-notify callback: expected a JSON object or array');
  }
  const n = parseCallNotification(value, time);
  const startedAt = iso(n.startedAt);
  const endedAt = iso(n.endedAt);
  const payload: AiCallNotifyPayload = {
    taskId: n.taskId,
    callId: n.callId,
    phone: n.phone,
    startedAt,
    answeredAt: iso(n.answeredAt),
    endedAt,
    talkSeconds: n.talkSeconds,
    hangupCause: n.hangupCause,
    // Only what was recognised: an absent field reads as null, the same as in events stored before these fields.
    ...Object.fromEntries(Object.entries(aiCallNotificationExtras(value, { startedAt, endedAt })).filter(([, v]) => v !== null)),
    raw: value,
  };
  return {
    topic: 'aicall-notify',
    // Nothing in the payload is known to identify a notification, so its content does: a resend is the same text.
    dedupeKey: createHash('sha256').update(canonicalJson(value)).digest('hex'),
    subject: n.taskId,
    occurredAt: n.endedAt ?? n.startedAt,
    payload,
  };
}

/** Validates and normalises a decoded callback body; throws CallbackRequestError(400) with the reason. */
export function normaliseCallback(kind: CallbackKind, value: unknown, time: ZonedTime): AnyNormalisedCallback {
  switch (kind) {
    case 'extension-status':
      return normaliseExtensionStatus(value);
    case 'call-record':
      return normaliseCallRecord(value, time);
    case 'task-status':
      return normaliseTaskStatus(value);
    case 'aicall-notify':
      return normaliseAiCallNotification(value, time);
  }
}
