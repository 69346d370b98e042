import { wrapErrorIfMatches } from '@pothos/plugin-errors';
import { builder } from '../builder.ts';
import {
  ErrorCode,
  GatewayError,
  InvalidInputError,
  type InputIssue,
  NotFoundError,
  SipRequestError,
  UnavailableReason,
  UpstreamBudgetError,
  UpstreamError,
  UpstreamInvalidResponseError,
  UpstreamRejectedError,
  UpstreamUnavailableError,
  type UpstreamName,
} from '../errors.ts';
import { cost } from '../limits/cost.ts';
import { currentUpstreamBudget } from '../upstream/budget.ts';
import { SeatSetting, SipRet, SipService } from '../upstream/sip/codes.ts';
import type { QueueSeat } from '../upstream/sip/types.ts';
import type { GatewayContext } from '../context.ts';
import { employeeIdOfSeats } from './agent.ts';
import { ErrorInterface, explainSipError, INTERNAL_SERVER_ERROR } from './errors.ts';
import { UpstreamKind, UpstreamKindRef } from './gateway.ts';
import { AgentRef, agentOf } from './refs.ts';
import { requireSip } from './upstream.ts';
import { AGENT_REF, keyOfGlobalId, QUEUE_REF, referenceOf } from './mutation-input.ts';
import { seatsChanged } from './seat-changes.ts';

/**
 * Batch seat commands (issue 11 item 6): check many agents in or out, or put an agent on a break in every queue it sits
 * in, with one mutation and a result per seat. The PBX takes one seat per SipSignIn / SipSignOut / SetSeatsStatus
 * (docs/upstream.md), so the gateway sends one call per seat, SEAT_COMMAND_CONCURRENCY at a time, and never more than
 * the operation's upstream budget allows: a list that would exceed it is refused before anything is sent. One seat's
 * failure never fails the others, and a seat whose command went through is always reported as done.
 */

/** Most seats one batch mutation takes, whatever the upstream budget. */
export const MAX_SEAT_COMMANDS = 200;
/** Seat commands in flight at once. */
export const SEAT_COMMAND_CONCURRENCY = 8;
/**
 * Platform calls of the operation's budget kept for reads around the commands: the GetQueueSipStatus that finds
 * seats and employee ids before, and the batched read-backs (GetQueueSipStatus, GetQueueList) a payload may select.
 */
const READS_RESERVED = 3;

const EXTENSION = /^\d{2,10}$/;
const MAX_QUEUE_NAME = 64;

// ---- Per-seat errors ----------------------------------------------------------------------------------------------

/**
 * A seat's platform call that ended without the platform's verdict (unreachable, timed out, an answer the gateway
 * could not read), or that was not sent (upstream budget). `uncertain` says whether the command may have been
 * carried out anyway.
 */
export class UpstreamFailure extends GatewayError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly upstream: UpstreamName,
    readonly operation: string,
    readonly uncertain: boolean,
  ) {
    super(message);
    this.name = 'UpstreamFailure';
  }
}

const UPSTREAM_KINDS: Record<UpstreamName, UpstreamKind> = { sip: UpstreamKind.Sip, aicall: UpstreamKind.AiCall };

builder.objectType(UpstreamFailure, {
  name: 'UpstreamFailureError',
  description:
    "One item's platform call failed without the platform's verdict (unreachable, timed out, an unreadable answer: `code` " +
    'UPSTREAM_UNAVAILABLE, UPSTREAM_INVALID_RESPONSE), or was not sent (UPSTREAM_BUDGET_EXCEEDED). Reported per item, so the ' +
    'other items of the batch keep their results.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof UpstreamFailure,
  fields: (t) => ({
    upstream: t.field({ type: UpstreamKindRef, description: 'The platform of the call.', resolve: (error) => UPSTREAM_KINDS[error.upstream] }),
    operation: t.exposeString('operation', { description: 'The platform operation (SIP service).' }),
    uncertain: t.exposeBoolean('uncertain', {
      description: 'True when the call may have reached the platform (a time-out after sending): the command may have been carried out. Read the seat before retrying.',
    }),
  }),
});

// The class is abstract (SIP and AI-call errors extend it); only needed for `instanceof` (as in errors.ts).
const UpstreamRejected = UpstreamRejectedError as unknown as new (...args: any[]) => UpstreamRejectedError;

const SEAT_ERROR_TYPES = [InvalidInputError, NotFoundError, UpstreamRejected, UpstreamFailure];

const SeatCommandErrorRef = builder.unionType('SeatCommandError', {
  description: 'Why one seat of a batch was not done (every member implements Error).',
  types: SEAT_ERROR_TYPES,
});

/** Whether the platform may have applied a failed call (as src/domain/task-upload.ts judges uploads). */
function mayHaveArrived(error: GatewayError): boolean {
  if (error instanceof UpstreamUnavailableError) return error.reason !== UnavailableReason.ConnectFailed;
  if (error instanceof UpstreamInvalidResponseError) return true;
  if (error instanceof SipRequestError) return error.ret.value === SipRet.ServerError || error.ret.value === 'UNKNOWN';
  if (error instanceof UpstreamRejectedError || error instanceof UpstreamBudgetError) return false;
  return error.code === ErrorCode.UpstreamUnavailable;
}

/** A seat's failure as a typed error of SeatCommandError, with whether the command may have gone through anyway. */
function seatFailure(error: unknown, service: SipService, keys: { queue: string; extension: string }): { error: SeatError; uncertain: boolean } {
  let explained: unknown = error;
  try {
    explainSipError(error, keys);
  } catch (thrown) {
    explained = thrown;
  }
  if (explained instanceof InvalidInputError || explained instanceof NotFoundError) return { error: explained, uncertain: false };
  if (explained instanceof UpstreamRejectedError) return { error: explained, uncertain: mayHaveArrived(explained) };
  if (explained instanceof UpstreamError) {
    const uncertain = mayHaveArrived(explained);
    return { error: new UpstreamFailure(explained.code, explained.message, explained.upstream, explained.operation, uncertain), uncertain };
  }
  if (explained instanceof UpstreamBudgetError) {
    return { error: new UpstreamFailure(explained.code, explained.message, explained.upstream, explained.operation, false), uncertain: false };
  }
  // Anything else is a gateway bug: the seat's fate is unknown, and the other seats' results must still be reported.
  const message = explained instanceof GatewayError ? explained.message : 'Unexpected error.';
  const code = explained instanceof GatewayError ? explained.code : (INTERNAL_SERVER_ERROR as ErrorCode);
  return { error: new UpstreamFailure(code, message, 'sip', service, true), uncertain: true };
}

// ---- Results ------------------------------------------------------------------------------------------------------

type SeatError = InvalidInputError | NotFoundError | UpstreamRejectedError | UpstreamFailure;

interface SeatOutcome {
  index: number;
  extension: string;
  queue: string;
  employeeId: number | null;
  ok: boolean;
  uncertain: boolean;
  error: SeatError | null;
}

const SeatCommandResultRef = builder.objectRef<SeatOutcome>('SeatCommandResult').implement({
  description:
    'What happened to one seat (an agent in a queue) of a batch command. `ok: true` means the platform carried the command out; ' +
    'otherwise `error` says why not, and `uncertain` whether it may have been carried out anyway.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position of the entry in the input list (`seats`, or `agents` for setAgentsAvailability), from 0.' }),
    extension: t.exposeString('extension', { description: 'The extension, as given (the key of `agentId` when the agent was given by id).' }),
    queue: t.exposeString('queue', {
      description: 'The queue, as given (its name when given by `queueId`; for setAgentsAvailability, a queue the agent sits in).',
    }),
    employeeId: t.exposeInt('employeeId', {
      nullable: true,
      description: "The employee id (the platform's `crmid`) sent with the command: as given, else read from the agent's seats; null when nothing was sent for want of one.",
    }),
    ok: t.exposeBoolean('ok', { description: 'True when the platform carried the command out for this seat.' }),
    uncertain: t.exposeBoolean('uncertain', {
      description: 'Only with `ok: false`: true when the call may have reached the platform (e.g. a time-out), so the command may have been carried out. Read the seat before retrying.',
    }),
    error: t.field({
      type: SeatCommandErrorRef,
      nullable: true,
      description: 'Why the seat was not done (null when `ok`): InvalidInputError (nothing sent), NotFoundError, UpstreamRejectedError, UpstreamFailureError.',
      // A returned Error would be taken for a failure of this field: wrapped as the errors plugin wraps a result's errors.
      resolve: (r) => (r.error ? (wrapErrorIfMatches(r.error, SEAT_ERROR_TYPES) as SeatError) : null),
    }),
    agent: t.field({ type: AgentRef, description: 'The agent.', resolve: (r) => agentOf(r.extension) }),
  }),
});

interface BatchShape {
  results: SeatOutcome[];
  agentsWithoutSeats?: string[];
}

const SeatCommandsPayload = builder.objectRef<BatchShape>('SeatCommandsPayload');
const SetAgentsAvailabilityPayload = builder.objectRef<BatchShape>('SetAgentsAvailabilityPayload');

for (const ref of [SeatCommandsPayload, SetAgentsAvailabilityPayload]) {
  builder.objectFields(ref, (t) => ({
    results: t.field({ type: [SeatCommandResultRef], description: 'One result per seat, in input order.', resolve: (p) => p.results }),
    succeededCount: t.int({ description: 'Seats the platform carried the command out for (`ok: true`).', resolve: (p) => p.results.filter((r) => r.ok).length }),
    failedCount: t.int({ description: 'Seats not done (`ok: false`), including the uncertain ones.', resolve: (p) => p.results.filter((r) => !r.ok).length }),
    uncertainCount: t.int({
      description: 'Failed seats whose command may have been carried out anyway (`uncertain: true`).',
      resolve: (p) => p.results.filter((r) => r.uncertain).length,
    }),
  }));
}

SeatCommandsPayload.implement({
  description:
    'The batch ran: every entry has its result (a failed seat never fails the others). Nothing was sent for entries refused as input.',
  fields: () => ({}),
});

SetAgentsAvailabilityPayload.implement({
  description: 'The batch ran: one result per seat of the agents (each of their queues, or the ones asked); a failed seat never fails the others.',
  fields: (t) => ({
    agentsWithoutSeats: t.stringList({
      description: 'Extensions that sit in none of the queues asked (in no queue at all when `queues` was left out): nothing was sent for them.',
      resolve: (p) => p.agentsWithoutSeats ?? [],
    }),
  }),
});

// ---- Inputs -------------------------------------------------------------------------------------------------------

const SeatCommandInput = builder.inputType('SeatCommandInput', {
  description:
    'One agent in one queue, for a batch command. The agent as `agentId` (Agent.id) or `extension`, and the queue as `queueId` ' +
    '(Queue.id) or `queue`: exactly one of each (else an InvalidInputError for this entry).',
  fields: (t) => ({
    agentId: t.id({ description: "The agent's global id (Agent.id); or give `extension`." }),
    extension: t.string({ description: "The agent's extension (2–10 digits); or give `agentId`." }),
    queueId: t.id({ description: "The queue's global id (Queue.id); or give `queue`." }),
    queue: t.string({ description: 'Queue name; or give `queueId`.' }),
    employeeId: t.int({
      description:
        "The agent's employee id in your CRM (the platform's `crmid`). Optional: when left out, it is read from the agent's seats in other queues " +
        '(check-in) or from the seat itself (check-out); an agent whose id cannot be read gets an InvalidInputError for this entry.',
    }),
  }),
});

const SeatCommandsInput = (name: string, what: string) =>
  builder.inputType(name, {
    description: `Seats to ${what}: at most ${MAX_SEAT_COMMANDS}, and no more than one operation's platform-call budget allows (one call per seat).`,
    fields: (t) => ({
      seats: t.field({
        type: [SeatCommandInput],
        required: true,
        description: `The seats (1–${MAX_SEAT_COMMANDS}). An entry that is not valid gets an InvalidInputError result of its own; the others still run.`,
      }),
    }),
  });

const CheckInAgentsInput = SeatCommandsInput('CheckInAgentsInput', 'check in');
const CheckOutAgentsInput = SeatCommandsInput('CheckOutAgentsInput', 'check out');

const AgentEmployeeInput = builder.inputType('AgentEmployeeInput', {
  description: 'An agent, with its employee id when you know it. The agent as `agentId` (Agent.id) or `extension`: exactly one of the two.',
  fields: (t) => ({
    agentId: t.id({ description: "The agent's global id (Agent.id); or give `extension`." }),
    extension: t.string({ description: "The agent's extension (2–10 digits); or give `agentId`." }),
    employeeId: t.int({ description: "The agent's employee id (`crmid`); read from its seats when left out." }),
  }),
});

const SetAgentsAvailabilityInput = builder.inputType('SetAgentsAvailabilityInput', {
  description: 'Show agents as available or busy (a break) in every queue they sit in, or in the queues named.',
  fields: (t) => ({
    agents: t.field({ type: [AgentEmployeeInput], required: true, description: `The agents (1–${MAX_SEAT_COMMANDS}).` }),
    available: t.boolean({ required: true, description: 'True: offer calls again; false: show busy (pause), e.g. for a break.' }),
    queues: t.stringList({ description: 'Only these queues (names); every queue each agent sits in when neither this nor `queueIds` is given.' }),
    queueIds: t.idList({ description: 'Only these queues, as global ids (Queue.id); or give `queues`, not both.' }),
  }),
});

// ---- Running ------------------------------------------------------------------------------------------------------

/** Runs `fn` over `items`, at most `limit` at a time; `fn` must not throw. */
async function runBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** How many seat commands this operation may still send (its upstream budget, minus the reads kept). */
function commandsAllowed(): { allowed: number; why: string } {
  const budget = currentUpstreamBudget();
  if (!budget) return { allowed: MAX_SEAT_COMMANDS, why: `at most ${MAX_SEAT_COMMANDS} seats per mutation` };
  const left = Math.max(0, budget.max - budget.used - READS_RESERVED);
  if (left >= MAX_SEAT_COMMANDS) return { allowed: MAX_SEAT_COMMANDS, why: `at most ${MAX_SEAT_COMMANDS} seats per mutation` };
  return {
    allowed: left,
    why:
      `at most ${left} seats in this operation: each seat is one platform call, one operation may make ${budget.max} ` +
      `(MAX_UPSTREAM_CALLS_PER_OPERATION)${budget.used > 0 ? `, ${budget.used} already made` : ''} and ${READS_RESERVED} are kept for reads; split the list`,
  };
}

function refuseSize(count: number, path: string[]): void {
  if (count === 0) throw new InvalidInputError(`${path.at(-1)}: at least one entry is needed`, undefined, [{ path, message: 'at least one entry is needed' }]);
  if (count > MAX_SEAT_COMMANDS) {
    const message = `${count} entries: at most ${MAX_SEAT_COMMANDS} per mutation; split the list`;
    throw new InvalidInputError(message, undefined, [{ path, message }]);
  }
}

function refuseOverBudget(seats: number, path: string[]): void {
  const { allowed, why } = commandsAllowed();
  if (seats > allowed) {
    const message = `${seats} seats: ${why}. Nothing was sent.`;
    throw new InvalidInputError(message, undefined, [{ path, message }]);
  }
}

/** Every seat of these extensions, in one GetQueueSipStatus (batched); a failed read fails the mutation: nothing was sent. */
async function seatsOf(ctx: GatewayContext, extensions: readonly string[]): Promise<Map<string, QueueSeat[]>> {
  const unique = [...new Set(extensions)];
  const loaded = await ctx.loaders.seatsByExtension.loadMany(unique);
  const seats = new Map<string, QueueSeat[]>();
  unique.forEach((extension, i) => {
    const value = loaded[i];
    if (value instanceof Error) throw value;
    seats.set(extension, value ?? []);
  });
  return seats;
}

/** Reads after the commands must see their effect. */
interface Planned {
  index: number;
  extension: string;
  queue: string;
  employeeId: number;
}

async function sendAll(plan: readonly Planned[], service: SipService, send: (seat: Planned) => Promise<void>): Promise<SeatOutcome[]> {
  return runBounded(plan, SEAT_COMMAND_CONCURRENCY, async (seat) => {
    try {
      await send(seat);
      return { ...seat, ok: true, uncertain: false, error: null };
    } catch (error) {
      return { ...seat, ok: false, ...seatFailure(error, service, seat) };
    }
  });
}

const refused = (index: number, extension: string, queue: string, employeeId: number | null, issues: InputIssue[]): SeatOutcome => ({
  index,
  extension,
  queue,
  employeeId,
  ok: false,
  uncertain: false,
  error: new InvalidInputError(issues.map((issue) => issue.message).join('; '), undefined, issues),
});

type SeatEntry = { agentId?: string | number | null; extension?: string | null; queueId?: string | number | null; queue?: string | null; employeeId?: number | null };

/** checkInAgents / checkOutAgents: validate each entry, find missing employee ids, send, report per seat. */
async function runSeatBatch(ctx: GatewayContext, entries: readonly SeatEntry[], kind: 'in' | 'out'): Promise<BatchShape> {
  const sip = requireSip(ctx);
  refuseSize(entries.length, ['input', 'seats']);
  refuseOverBudget(entries.length, ['input', 'seats']);

  const outcomes = new Array<SeatOutcome | undefined>(entries.length);
  const valid: Array<{ index: number; extension: string; queue: string; employeeId: number | null }> = [];
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const at = (field: string) => ['input', 'seats', String(index), field];
    const issues: InputIssue[] = [];
    const entryPath = ['input', 'seats', String(index)];
    const extension = referenceOf(entry, AGENT_REF, issues, entryPath);
    const agentRefOk = issues.length === 0;
    const queue = referenceOf(entry, QUEUE_REF, issues, entryPath);
    const queueRefOk = issues.length === (agentRefOk ? 0 : 1);
    if (agentRefOk && !EXTENSION.test(extension)) issues.push({ path: at('extension'), message: 'extension must be 2–10 digits' });
    if (!queueRefOk) {
      // already reported: both or neither of queueId / queue, or not a Queue id
    } else if (queue === '') issues.push({ path: at('queue'), message: 'queue is required' });
    else if (queue.length > MAX_QUEUE_NAME) issues.push({ path: at('queue'), message: `queue names are at most ${MAX_QUEUE_NAME} characters` });
    if (entry.employeeId != null && entry.employeeId < 0) issues.push({ path: at('employeeId'), message: 'employeeId must be 0 or more' });
    const key = `${extension}\u0000${queue}`;
    const first = seen.get(key);
    if (issues.length === 0 && first !== undefined) issues.push({ path: ['input', 'seats', String(index)], message: `the same seat as entry ${first}` });
    if (issues.length > 0) {
      outcomes[index] = refused(index, extension || (entry.extension ?? ''), queue || (entry.queue ?? ''), entry.employeeId ?? null, issues);
      return;
    }
    seen.set(key, index);
    valid.push({ index, extension, queue, employeeId: entry.employeeId ?? null });
  });

  // One GetQueueSipStatus for every agent whose employee id was left out.
  const lookUp = valid.filter((seat) => seat.employeeId === null).map((seat) => seat.extension);
  const seats = lookUp.length > 0 ? await seatsOf(ctx, lookUp) : new Map<string, QueueSeat[]>();
  const plan: Planned[] = [];
  for (const seat of valid) {
    let employeeId = seat.employeeId;
    if (employeeId === null) {
      const agentSeats = seats.get(seat.extension) ?? [];
      employeeId = (kind === 'out' ? agentSeats.find((s) => s.queue === seat.queue)?.employeeId : null) ?? employeeIdOfSeats(agentSeats);
    }
    if (employeeId === null) {
      const message =
        kind === 'in'
          ? 'employeeId is required: the agent sits in no queue whose seat says it'
          : 'employeeId is required: the seat does not say it (or the agent is not checked in to this queue)';
      outcomes[seat.index] = refused(seat.index, seat.extension, seat.queue, null, [{ path: ['input', 'seats', String(seat.index), 'employeeId'], message }]);
      continue;
    }
    plan.push({ index: seat.index, extension: seat.extension, queue: seat.queue, employeeId });
  }

  const service = kind === 'in' ? SipService.SipSignIn : SipService.SipSignOut;
  const sent = await sendAll(plan, service, (seat) => (kind === 'in' ? sip.checkIn(seat) : sip.checkOut(seat)));
  seatsChanged(ctx, plan.map((seat) => seat.queue));
  for (const outcome of sent) outcomes[outcome.index] = outcome;
  return { results: outcomes.filter((o): o is SeatOutcome => o !== undefined) };
}

const batchErrors = (union: string) => ({
  types: [InvalidInputError],
  directResult: true,
  union: {
    name: union,
    description: 'The payload (one result per seat), or InvalidInputError when the list as a whole was refused (empty, too long): nothing was sent.',
  },
});

const SEAT_BATCHES = {
  in: { name: 'checkInAgents', service: 'SipSignIn', verb: 'in to', input: CheckInAgentsInput, ids: "the agents' other seats" },
  out: { name: 'checkOutAgents', service: 'SipSignOut', verb: 'out of', input: CheckOutAgentsInput, ids: 'the seats' },
} as const;

for (const kind of ['in', 'out'] as const) {
  const batch = SEAT_BATCHES[kind];
  builder.mutationField(batch.name, (t) =>
    t.field({
      type: SeatCommandsPayload,
      description:
        `Checks many agents ${batch.verb} queues (one ${batch.service} per seat, ${SEAT_COMMAND_CONCURRENCY} at a time), with a result per seat: ` +
        `a seat that fails never fails the others. Employee ids left out are read from ${batch.ids} (one GetQueueSipStatus).`,
      // Cost: one SipSignIn / SipSignOut per seat (the list is refused beyond MAX_SEAT_COMMANDS), and one GetQueueSipStatus.
      complexity: (args) => cost.calls(Math.min(args.input?.seats?.length ?? 0, MAX_SEAT_COMMANDS) + 1),
      errors: batchErrors(`${batch.name[0]?.toUpperCase()}${batch.name.slice(1)}Result`),
      args: { input: t.arg({ type: batch.input, required: true, description: 'The command, described by its input type.' }) },
      resolve: (_root, { input }, ctx) => runSeatBatch(ctx, input.seats, kind),
    }),
  );
}

builder.mutationFields((t) => ({
  setAgentsAvailability: t.field({
    type: SetAgentsAvailabilityPayload,
    description:
      'Shows agents as available or busy (a break) in every queue they sit in, or in the queues named: one GetQueueSipStatus finds their seats, ' +
      `then one SetSeatsStatus per seat (${SEAT_COMMAND_CONCURRENCY} at a time), with a result per seat. A failed seat never fails the others.`,
    // Cost: one GetQueueSipStatus, and one SetSeatsStatus per seat (an agent counted as 3 seats, or the queues named).
    complexity: (args) =>
      cost.calls(Math.min((args.input?.agents?.length ?? 0) * (args.input?.queues?.length ?? args.input?.queueIds?.length ?? 3), MAX_SEAT_COMMANDS) + 1),
    errors: batchErrors('SetAgentsAvailabilityResult'),
    args: { input: t.arg({ type: SetAgentsAvailabilityInput, required: true, description: 'The command, described by its input type.' }) },
    resolve: async (_root, { input }, ctx) => {
      const sip = requireSip(ctx);
      refuseSize(input.agents.length, ['input', 'agents']);
      const issues: InputIssue[] = [];
      const agents = input.agents.map((agent, index) => {
        const before = issues.length;
        const extension = referenceOf(agent, AGENT_REF, issues, ['input', 'agents', String(index)]);
        if (issues.length === before && !EXTENSION.test(extension)) issues.push({ path: ['input', 'agents', String(index), 'extension'], message: 'extension must be 2–10 digits' });
        if (agent.employeeId != null && agent.employeeId < 0) issues.push({ path: ['input', 'agents', String(index), 'employeeId'], message: 'employeeId must be 0 or more' });
        return { index, extension, employeeId: agent.employeeId ?? null };
      });
      if (input.queues != null && input.queueIds != null) {
        issues.push({ path: ['input', 'queueIds'], message: 'give the queues either as `queueIds` (their global ids) or as `queues`, not both' });
      }
      const queues =
        input.queueIds != null
          ? input.queueIds.map((id, index) => {
              const key = keyOfGlobalId(String(id), 'Queue');
              if (key === null) issues.push({ path: ['input', 'queueIds', String(index)], message: 'not a Queue id: use Queue.id' });
              return key ?? '';
            })
          : (input.queues?.map((queue) => queue.trim()) ?? null);
      if (input.queueIds == null) {
        queues?.forEach((queue, index) => {
          if (queue === '' || queue.length > MAX_QUEUE_NAME) issues.push({ path: ['input', 'queues', String(index)], message: `queue names are 1–${MAX_QUEUE_NAME} characters` });
        });
      }
      if (issues.length > 0) throw new InvalidInputError(issues.map((issue) => issue.message).join('; '), undefined, issues);

      const seats = await seatsOf(ctx, agents.map((agent) => agent.extension));
      const wanted = queues ? new Set(queues) : null;
      const outcomes: SeatOutcome[] = [];
      const plan: Planned[] = [];
      const agentsWithoutSeats: string[] = [];
      const done = new Set<string>();
      for (const agent of agents) {
        if (done.has(agent.extension)) continue; // the same agent twice: its seats once
        done.add(agent.extension);
        const all = seats.get(agent.extension) ?? [];
        const mine = wanted ? all.filter((seat) => wanted.has(seat.queue)) : all;
        if (mine.length === 0) agentsWithoutSeats.push(agent.extension);
        for (const seat of mine) {
          const employeeId = agent.employeeId ?? seat.employeeId ?? employeeIdOfSeats(all);
          if (employeeId === null) {
            const message = "employeeId is required: the agent's seats do not say it";
            outcomes.push(refused(agent.index, agent.extension, seat.queue, null, [{ path: ['input', 'agents', String(agent.index), 'employeeId'], message }]));
          } else plan.push({ index: agent.index, extension: agent.extension, queue: seat.queue, employeeId });
        }
      }
      refuseOverBudget(plan.length, ['input', 'agents']);
      const setting = input.available ? SeatSetting.ShowIdle : SeatSetting.ShowBusy;
      const sent = await sendAll(plan, SipService.SetSeatsStatus, (seat) => sip.setSeatAvailability({ ...seat, setting }));
      seatsChanged(ctx, []);
      const results = [...outcomes, ...sent].sort((a, b) => a.index - b.index || a.queue.localeCompare(b.queue));
      return { results, agentsWithoutSeats };
    },
  }),
}));
