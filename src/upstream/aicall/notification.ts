import type { ZonedTime } from '../time.ts';

/**
 * The hang-up notification the platform posts to a task's `call_notify_url` (`call_notify_type` 2 in the seed). The
 * seed shows the URL and nothing of the payload, so this is the one place that guesses at it
 * (docs/aicall-assumptions.md, "Hang-up notification"): any JSON object (or form fields) is accepted, the fields
 * below are recognised under the names such platforms use (the task entity's FreeSWITCH heritage suggests CDR names
 * like `billsec` and `hangup_cause`), and the whole payload is kept raw beside them. Nothing is required: a
 * notification is never refused for its shape, only stored with what could be read.
 */

export interface AiCallNotification {
  taskId: string | null;
  callId: string | null;
  phone: string | null;
  startedAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  /** Seconds from answer to hang-up. */
  talkSeconds: number | null;
  /** Whatever the platform says about how the call ended (a FreeSWITCH cause, a status word or code), as text. */
  hangupCause: string | null;
  /** The payload as received. */
  raw: unknown;
}

const KEYS = {
  taskId: ['task_uuid', 'task_id', 'taskId', 'task'],
  callId: ['call_uuid', 'call_id', 'callid', 'callId', 'uuid', 'id'],
  phone: ['phone', 'callee', 'destination_number', 'number', 'mobile', 'called'],
  startedAt: ['start_stamp', 'start_time', 'start_at', 'call_time', 'created_at'],
  answeredAt: ['answer_stamp', 'answer_time', 'answered_at'],
  endedAt: ['end_stamp', 'end_time', 'hangup_time', 'ended_at'],
  talkSeconds: ['billsec', 'bill_sec', 'talk_time', 'duration'],
  hangupCause: ['hangup_cause', 'status', 'result', 'call_status', 'state'],
} as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function firstValue(scopes: readonly Record<string, unknown>[], keys: readonly string[]): unknown {
  for (const scope of scopes) {
    for (const key of keys) {
      const value = scope[key];
      if (value !== undefined && value !== null && value !== '') return value;
    }
  }
  return undefined;
}

function asText(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

function asSeconds(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
}

/** Local `yyyy-mm-dd hh:mm:ss` in the platform zone, or epoch seconds/milliseconds. */
function asTime(v: unknown, time: ZonedTime): Date | null {
  if (typeof v === 'string') {
    if (/^\d{10,13}$/.test(v.trim())) return asTime(Number(v), time);
    return time.parse(v);
  }
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return new Date(v < 1e12 ? v * 1000 : v);
  return null;
}

/** Reads what it can of a notification payload (a parsed JSON body or form fields); `data` wrappers are looked into. */
export function parseCallNotification(payload: unknown, time: ZonedTime): AiCallNotification {
  const scopes = [payload, isRecord(payload) ? payload.data : undefined].filter(isRecord);
  const get = (field: keyof typeof KEYS) => firstValue(scopes, KEYS[field]);
  return {
    taskId: asText(get('taskId')),
    callId: asText(get('callId')),
    phone: asText(get('phone')),
    startedAt: asTime(get('startedAt'), time),
    answeredAt: asTime(get('answeredAt'), time),
    endedAt: asTime(get('endedAt'), time),
    talkSeconds: asSeconds(get('talkSeconds')),
    hangupCause: asText(get('hangupCause')),
    raw: payload,
  };
}
