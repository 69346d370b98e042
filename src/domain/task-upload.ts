import {
  ErrorCode,
  GatewayError,
  InvalidInputError,
  SipRequestError,
  UnavailableReason,
  UpstreamInvalidResponseError,
  UpstreamRejectedError,
  UpstreamUnavailableError,
} from '../errors.ts';
import { MAX_NUMBERS_PER_CALL, SipRet, SipService } from '../upstream/sip/codes.ts';
import type { RefusedNumber, TaskCreated, TaskNumber, TaskNumbersAdded } from '../upstream/sip/types.ts';
import {
  type AcceptedNumber,
  type NumberSendError,
  NumberRejectionReason,
  type PreparedTaskNumbers,
  type RejectedNumber,
} from './phone-numbers.ts';

/**
 * Sends a prepared list of numbers to a predictive task, whatever its size: the platform takes at most
 * MAX_NUMBERS_PER_CALL numbers per TaskCreat or TaskAdd. Calls go one after the other, in the caller's order; the
 * first failure stops the upload. Every input entry is reported exactly once, accepted or rejected with a reason and
 * its index in the caller's list: accepted.length + rejected.length === the length of the list that was prepared.
 */

/** TaskCreat with the task's settings bound: e.g. `(numbers) => sip.createTask({ ...settings, numbers })`. */
export type CreateTaskFunction = (numbers: readonly TaskNumber[]) => Promise<TaskCreated>;
/** A refusal in a platform's answer; `reason` is its own words when it gives them. */
export interface PlatformRefusal extends RefusedNumber {
  reason?: string | null;
}

/** What an add call answers: the accepted count when the platform states it, and its refusals. */
export interface NumbersAdded {
  accepted: TaskNumbersAdded['accepted'] | null;
  refused: readonly PlatformRefusal[];
}

/** TaskAdd: `sip.addTaskNumbers` as it is (or another platform's import, adapted). */
export type AddTaskNumbersFunction = (taskId: string, numbers: readonly TaskNumber[]) => Promise<NumbersAdded>;

/** A new task (TaskCreat carries the first chunk) or a task that exists. */
export type UploadDestination = { create: CreateTaskFunction } | { taskId: string };

export interface UploadOptions {
  destination: UploadDestination;
  add: AddTaskNumbersFunction;
  /** Numbers per call, 1…MAX_NUMBERS_PER_CALL (default MAX_NUMBERS_PER_CALL). */
  chunkSize?: number;
  /** How calls are named in reports and messages (default the SIP services TaskCreat and TaskAdd). */
  operations?: { create: string; add: string };
}

export enum UploadOutcome {
  /** Every chunk was sent (some numbers may still be rejected: invalid, duplicated or refused by the platform). */
  Complete = 'COMPLETE',
  /** The task exists and has the accepted numbers; a call failed and the rest are NOT_SENT. */
  Partial = 'PARTIAL',
  /** Creating: TaskCreat failed (or there was nothing valid to create it with), so no task exists. */
  TaskNotCreated = 'TASK_NOT_CREATED',
}

/** The call that stopped the upload. */
export interface UploadFailure extends NumberSendError {
  /** The SIP service (TaskCreat, TaskAdd) or the name given in `operations`. */
  operation: string;
  /** 0-based chunk number (chunk 0 goes with TaskCreat when creating). */
  chunk: number;
  /**
   * The failure does not prove that the platform ignored the call (timeout, dropped connection, platform error,
   * unreadable answer): that chunk's numbers may be on the task. When creating, a task may even exist without the
   * gateway knowing its id.
   */
  uncertain: boolean;
}

/** One call made to the platform. */
export interface UploadCall {
  operation: string;
  chunk: number;
  sent: number;
  /** Refusals matched to an entry. */
  refused: number;
  /** TaskAdd's `success` count (TaskCreat reports none). */
  platformAccepted: number | null;
}

/** Something in an answer that does not add up; the entries are still all reported, but the counts may be off. */
export type UploadAnomaly =
  /** An `invaliddata` entry that names no number of its chunk: some number reported accepted may not be. */
  | { kind: 'UNMATCHED_REFUSAL'; chunk: number; refused: RefusedNumber }
  /** TaskAdd's `success` differs from the numbers sent minus those refused. */
  | { kind: 'COUNT_MISMATCH'; chunk: number; expected: number; platformAccepted: number };

interface UploadReport {
  /** In the caller's order. */
  accepted: AcceptedNumber[];
  /** In the caller's order. */
  rejected: RejectedNumber[];
  calls: UploadCall[];
  anomalies: UploadAnomaly[];
}

export type TaskUploadResult =
  | (UploadReport & { outcome: UploadOutcome.Complete; taskId: string; failure: null; error: null })
  | (UploadReport & { outcome: UploadOutcome.Partial; taskId: string; failure: UploadFailure; error: unknown })
  | (UploadReport & { outcome: UploadOutcome.TaskNotCreated; taskId: null; failure: UploadFailure; error: unknown });

export async function uploadTaskNumbers(
  prepared: PreparedTaskNumbers,
  options: UploadOptions,
): Promise<TaskUploadResult> {
  const chunkSize = options.chunkSize ?? MAX_NUMBERS_PER_CALL;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_NUMBERS_PER_CALL) {
    throw new RangeError(`chunkSize must be 1…${MAX_NUMBERS_PER_CALL}, got ${chunkSize}`);
  }
  const chunks: AcceptedNumber[][] = [];
  for (let start = 0; start < prepared.accepted.length; start += chunkSize) {
    chunks.push(prepared.accepted.slice(start, start + chunkSize));
  }
  const report: UploadReport = { accepted: [], rejected: [...prepared.rejected], calls: [], anomalies: [] };
  const { destination } = options;
  const names = options.operations ?? { create: SipService.TaskCreate, add: SipService.TaskAdd };

  let taskId: string;
  let next = 0;
  if ('create' in destination) {
    const first = chunks[0];
    if (!first) {
      const error = new InvalidInputError('none of the numbers can be dialled: the task was not created', 'numbers');
      const failure = failureOf(error, names.create, 0);
      return { ...finish(report), outcome: UploadOutcome.TaskNotCreated, taskId: null, error, failure };
    }
    let created: TaskCreated;
    try {
      created = await destination.create(first.map((n) => n.entry));
    } catch (error) {
      const failure = failureOf(error, names.create, 0);
      notSent(report, chunks, 0, failure);
      return { ...finish(report), outcome: UploadOutcome.TaskNotCreated, taskId: null, error, failure };
    }
    taskId = created.taskId;
    settle(report, names.create, 0, first, created.refused, null);
    next = 1;
  } else {
    taskId = destination.taskId;
  }

  for (let index = next; index < chunks.length; index++) {
    const chunk = chunks[index] ?? [];
    let added: NumbersAdded;
    try {
      added = await options.add(taskId, chunk.map((n) => n.entry));
    } catch (error) {
      const failure = failureOf(error, names.add, index);
      notSent(report, chunks, index, failure);
      return { ...finish(report), outcome: UploadOutcome.Partial, taskId, error, failure };
    }
    settle(report, names.add, index, chunk, added.refused, added.accepted);
  }
  return { ...finish(report), outcome: UploadOutcome.Complete, taskId, error: null, failure: null };
}

/** Matches each refusal to an entry of the chunk (adding it to `refused` and to the report), or records an anomaly. */
function matchRefusals(
  report: UploadReport,
  chunkIndex: number,
  chunk: readonly AcceptedNumber[],
  refusals: readonly PlatformRefusal[],
  refused: Set<AcceptedNumber>,
): void {
  const byPhone = new Map<string, AcceptedNumber[]>();
  const remember = (key: string, number: AcceptedNumber) => {
    const list = byPhone.get(key);
    if (list) list.push(number);
    else byPhone.set(key, [number]);
  };
  for (const number of chunk) {
    remember(number.entry.phone, number);
    const unpadded = stripLeadingZeros(number.entry.phone);
    if (unpadded !== number.entry.phone) remember(unpadded, number);
  }

  for (const refusal of refusals) {
    const phone = refusal.phone?.trim() ?? null;
    const candidates =
      phone === null ? [] : [...(byPhone.get(phone) ?? []), ...(byPhone.get(stripLeadingZeros(phone)) ?? [])];
    const match = candidates.find((number) => !refused.has(number));
    if (!match) {
      report.anomalies.push({ kind: 'UNMATCHED_REFUSAL', chunk: chunkIndex, refused: refusal });
      continue;
    }
    refused.add(match);
    report.rejected.push({
      index: match.index,
      input: match.input,
      reason: NumberRejectionReason.RefusedByPlatform,
      message: refusal.reason ? `the platform refused ${match.entry.phone}: ${refusal.reason}` : `the platform refused ${match.entry.phone}`,
      platformDetail: refusal.raw,
    });
  }
}

/** Sorts both lists by index. */
function finish(report: UploadReport): UploadReport {
  report.accepted.sort((a, b) => a.index - b.index);
  report.rejected.sort((a, b) => a.index - b.index);
  return report;
}

/**
 * Splits one answered chunk into accepted and refused. `invaliddata` has no documented shape: the platform echoes the
 * entry or the bare number, so refusals are matched by phone (also with leading zeros dropped, in case a number was
 * read as an integer). A refusal that names no number of the chunk is kept as an anomaly, never dropped.
 */
function settle(
  report: UploadReport,
  operation: UploadCall['operation'],
  chunkIndex: number,
  chunk: readonly AcceptedNumber[],
  refusals: readonly PlatformRefusal[],
  platformAccepted: number | null,
): void {
  const refused = new Set<AcceptedNumber>();
  // The usual answer refuses nothing: then no index of the chunk's phones is built.
  if (refusals.length > 0) matchRefusals(report, chunkIndex, chunk, refusals, refused);
  for (const number of chunk) if (!refused.has(number)) report.accepted.push(number);

  const expected = chunk.length - refused.size;
  if (platformAccepted !== null && platformAccepted !== expected) {
    report.anomalies.push({ kind: 'COUNT_MISMATCH', chunk: chunkIndex, expected, platformAccepted });
  }
  report.calls.push({ operation, chunk: chunkIndex, sent: chunk.length, refused: refused.size, platformAccepted });
}

function stripLeadingZeros(phone: string): string {
  return phone.replace(/^0+(?=\d)/, '');
}

/** Every number of chunk `from` and after: NOT_SENT, with the error; the failed chunk's marked uncertain when so. */
function notSent(
  report: UploadReport,
  chunks: readonly AcceptedNumber[][],
  from: number,
  failure: UploadFailure,
): void {
  const error: NumberSendError = { code: failure.code, message: failure.message };
  if (failure.upstreamCode !== undefined) error.upstreamCode = failure.upstreamCode;
  for (let index = from; index < chunks.length; index++) {
    const uncertain = index === from && failure.uncertain;
    for (const number of chunks[index] ?? []) {
      report.rejected.push({
        index: number.index,
        input: number.input,
        reason: NumberRejectionReason.NotSent,
        message: uncertain
          ? `${failure.operation} failed and may or may not have reached the platform: ${failure.message}`
          : `not sent: ${failure.operation} failed: ${failure.message}`,
        error,
        uncertain,
      });
    }
  }
}

/** The error in client terms. Messages of GatewayErrors are safe to show; anything else is masked. */
function failureOf(error: unknown, operation: UploadFailure['operation'], chunk: number): UploadFailure {
  if (!(error instanceof GatewayError)) {
    return { operation, chunk, code: 'INTERNAL', message: 'unexpected error', uncertain: true };
  }
  const uncertain = mayHaveArrived(error);
  const failure: UploadFailure = { operation, chunk, code: error.code, message: error.message, uncertain };
  if (error instanceof UpstreamRejectedError) failure.upstreamCode = error.upstreamCode;
  return failure;
}

/**
 * Whether the platform may have applied the call despite the error. Only answers that refuse the request (a
 * business failure, ret 400/60x), local validation, and connections that never opened prove it did nothing.
 */
function mayHaveArrived(error: GatewayError): boolean {
  if (error instanceof UpstreamUnavailableError) return error.reason !== UnavailableReason.ConnectFailed;
  if (error instanceof UpstreamInvalidResponseError) return true;
  if (error instanceof SipRequestError) return error.ret.value === SipRet.ServerError || error.ret.value === 'UNKNOWN';
  return error.code === ErrorCode.UpstreamUnavailable;
}
