import type { StoredCallRecord } from '../store/call-records.ts';
import { CallMethod, SipCode } from '../upstream/sip/codes.ts';

/**
 * How a call record counts in the statistics. Pure; docs/statistics.md says why each rule is what it is.
 *
 * The PBX never reports when a predictive customer picked up, only the agent's answer (`answertime`) and the
 * call's end. So:
 * - **connected**: an agent answered (`answeredAt` set);
 * - **abandoned**: a predictive call the customer answered but no agent took: no `answeredAt`, ended by a normal
 *   clearing (10001) — the line connected and then the customer hung up. Every other unanswered end has its own
 *   cause (no answer 10005, busy 10006, refused 10003, line failure 10004). With `abandonAfterSeconds`, a connected
 *   call whose wait (`duration`: dial to agent answer) was longer also counts as abandoned (and stays connected);
 * - **customer answered**: connected or abandoned (the calls a regulator's abandon rate is taken over).
 */

/** What of a stored call record the classification reads. */
export type CallRecordFacts = Pick<
  StoredCallRecord,
  'key' | 'extension' | 'direction' | 'callMethod' | 'startedAt' | 'answeredAt' | 'endedAt' | 'waitSeconds' | 'talkSeconds' | 'hangupCause'
>;

/** The task a call record belongs to (found through the numbers its upload sent) and the queue the task rings. */
export interface CallLink {
  taskId: string;
  queue: string | null;
}

export interface CallFact {
  key: string;
  taskId: string | null;
  queue: string | null;
  extension: string | null;
  startedAt: number;
  endedAt: number | null;
  dialled: 0 | 1;
  customerAnswered: 0 | 1;
  connected: 0 | 1;
  abandoned: 0 | 1;
  /** Seconds from the dial to the agent's answer; null unless connected. */
  waitSeconds: number | null;
  talkSeconds: number;
}

export interface ClassifyOptions {
  /** A connected call that waited longer than this also counts as abandoned; null: only calls no agent took. */
  abandonAfterSeconds: number | null;
}

const PREDICTIVE = String(CallMethod.Predictive);
const NORMAL_CLEARING = String(SipCode.CallNormalHangup);

export function isPredictive(record: Pick<CallRecordFacts, 'callMethod'>): boolean {
  return record.callMethod === PREDICTIVE;
}

const whole = (n: number | null): number | null => (n === null || !Number.isFinite(n) || n < 0 ? null : Math.round(n));

/** The record's fact; null when it has no start time (nothing to put it in a window by). */
export function classifyCall(record: CallRecordFacts, link: CallLink | null, options: ClassifyOptions): CallFact | null {
  if (!record.startedAt) return null;
  const connected = record.answeredAt !== null;
  const predictive = isPredictive(record) || link !== null;
  const leftWaiting = !connected && predictive && record.hangupCause === NORMAL_CLEARING;
  const waitSeconds = connected ? whole(record.waitSeconds) : null;
  const waitedTooLong =
    connected && predictive && options.abandonAfterSeconds !== null && waitSeconds !== null && waitSeconds > options.abandonAfterSeconds;
  const abandoned = leftWaiting || waitedTooLong;
  return {
    key: record.key,
    taskId: link?.taskId ?? null,
    queue: link?.queue ?? null,
    extension: record.extension,
    startedAt: record.startedAt.getTime(),
    endedAt: record.endedAt?.getTime() ?? null,
    dialled: link ? 1 : 0,
    customerAnswered: connected || abandoned ? 1 : 0,
    connected: connected ? 1 : 0,
    abandoned: abandoned ? 1 : 0,
    waitSeconds,
    talkSeconds: connected ? (whole(record.talkSeconds) ?? 0) : 0,
  };
}

const FACT_FIELDS: ReadonlyArray<keyof CallFact> = [
  'key',
  'taskId',
  'queue',
  'extension',
  'startedAt',
  'endedAt',
  'dialled',
  'customerAnswered',
  'connected',
  'abandoned',
  'waitSeconds',
  'talkSeconds',
];

export function sameFact(a: CallFact | null, b: CallFact | null): boolean {
  if (a === null || b === null) return a === b;
  return FACT_FIELDS.every((field) => a[field] === b[field]);
}

// ---- what a fact adds to the counters ---------------------------------------------------------------------------

export enum StatDim {
  Agent = 'agent',
  Queue = 'queue',
  Task = 'task',
  /** AI calls of an AI task (from the platform's hang-up notifications): dialled, connected, talk_s. */
  AiTask = 'ai-task',
}

export const COUNTERS = [
  'dialled',
  'customer_answered',
  'connected',
  'abandoned',
  'talk_s',
  'wait_s',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counts = Record<Counter, number>;

export const zeroCounts = (): Counts => ({
  dialled: 0,
  customer_answered: 0,
  connected: 0,
  abandoned: 0,
  talk_s: 0,
  wait_s: 0,
});

/** One subject's counters moved by a fact, at the fact's start time. */
export interface Contribution {
  dim: StatDim;
  subject: string;
  at: number;
  counts: Partial<Counts>;
}

/** A queue's histogram of connected calls' waits. */
export interface WaitContribution {
  queue: string;
  at: number;
  waitSeconds: number;
  calls: number;
}

/** The longest service-level threshold; longer waits are counted together one second above it, so never within it. */
export const MAX_WAIT_SECONDS = 600;
const OVER_MAX_WAIT = MAX_WAIT_SECONDS + 1;

export function contributionsOf(fact: CallFact | null): { counts: Contribution[]; waits: WaitContribution[] } {
  if (!fact) return { counts: [], waits: [] };
  const at = fact.startedAt;
  const callCounts: Partial<Counts> = {
    dialled: fact.dialled,
    customer_answered: fact.customerAnswered,
    connected: fact.connected,
    abandoned: fact.abandoned,
    talk_s: fact.talkSeconds,
    wait_s: fact.connected ? (fact.waitSeconds ?? 0) : 0,
  };
  const counts: Contribution[] = [];
  if (fact.taskId) counts.push({ dim: StatDim.Task, subject: fact.taskId, at, counts: callCounts });
  if (fact.queue) counts.push({ dim: StatDim.Queue, subject: fact.queue, at, counts: callCounts });
  if (fact.extension && fact.connected) {
    counts.push({ dim: StatDim.Agent, subject: fact.extension, at, counts: { connected: 1, talk_s: fact.talkSeconds } });
  }
  const waits: WaitContribution[] =
    fact.queue && fact.connected && fact.waitSeconds !== null
      ? [{ queue: fact.queue, at, waitSeconds: Math.min(fact.waitSeconds, OVER_MAX_WAIT), calls: 1 }]
      : [];
  return { counts, waits };
}

const contributionKey = (c: Contribution) => `${c.dim}\u0000${c.subject}\u0000${c.at}`;
const waitKey = (w: WaitContribution) => `${w.queue}\u0000${w.at}\u0000${w.waitSeconds}`;

/**
 * What moving a call from `before` to `after` adds to the counters: the new contributions minus the old, with rows
 * that cancel out dropped. Applying the same fact again gives nothing, which is what makes the projection idempotent.
 */
export function deltaOf(before: CallFact | null, after: CallFact | null): { counts: Contribution[]; waits: WaitContribution[] } {
  const old = contributionsOf(before);
  const now = contributionsOf(after);
  const counts = new Map<string, Contribution>();
  const add = (c: Contribution, sign: 1 | -1) => {
    const key = contributionKey(c);
    let entry = counts.get(key);
    if (!entry) counts.set(key, (entry = { dim: c.dim, subject: c.subject, at: c.at, counts: {} }));
    for (const [name, value] of Object.entries(c.counts) as [Counter, number][]) {
      entry.counts[name] = (entry.counts[name] ?? 0) + sign * value;
    }
  };
  for (const c of old.counts) add(c, -1);
  for (const c of now.counts) add(c, 1);
  const waits = new Map<string, WaitContribution>();
  const addWait = (w: WaitContribution, sign: 1 | -1) => {
    const key = waitKey(w);
    const entry = waits.get(key) ?? { ...w, calls: 0 };
    entry.calls += sign * w.calls;
    waits.set(key, entry);
  };
  for (const w of old.waits) addWait(w, -1);
  for (const w of now.waits) addWait(w, 1);
  const nonZero = (c: Contribution) => Object.values(c.counts).some((v) => v !== 0);
  return {
    counts: [...counts.values()].filter(nonZero).sort(orderOf),
    waits: [...waits.values()].filter((w) => w.calls !== 0),
  };
}

/** One order for every transaction's counter writes, so two of them never wait on each other's rows (PostgreSQL). */
function orderOf(a: Contribution, b: Contribution): number {
  return a.dim < b.dim ? -1 : a.dim > b.dim ? 1 : a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.at - b.at;
}
