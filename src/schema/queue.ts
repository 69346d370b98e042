import { z } from 'zod';
import { builder } from '../builder.ts';
import { loadNodes, loadOrNull } from '../loaders/batch.ts';
import { valueOrLoad } from '../loaders/prefetch.ts';
import { AutoCallState, SipCode } from '../upstream/sip/codes.ts';
import type { Queue } from '../upstream/sip/types.ts';
import { QueueStrategyEnum, SeatStateEnum } from './call-enums.ts';
import { defineCodeEnum } from './codes.ts';
import { ErrorInterface, mutationErrors, resultErrors, sipCommand, UpstreamRejected } from './errors.ts';
import { ConflictError, type InputIssue, InvalidInputError, QueueAlreadyExistsError, SipBusinessError } from '../errors.ts';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { IDEMPOTENCY_KEY_DESCRIPTION, idempotencyKeySchema, idempotent, referenceOf, throwIssues } from './mutation-input.ts';
import { AgentRef, agentOf, QueueRef, QueueSeatRef } from './refs.ts';
import { requireSip } from './upstream.ts';
import { cost } from '../limits/cost.ts';

const PredictiveDialStateEnum = defineCodeEnum('PredictiveDialState', "A queue's predictive dialling right now.", [
  ['BUSY', AutoCallState.Busy, 'Dialling: agents are being kept busy.'],
  ['IDLE', AutoCallState.Idle, 'Takes predictive calls, none running now.'],
  ['UNAVAILABLE', AutoCallState.Unavailable, 'Does not take predictive calls.'],
] as const);

builder.node(QueueRef, {
  description: 'A call queue ("task group" in the manual): agents check in to it and it rings them by its strategy.',
  id: { resolve: (queue) => queue.name },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.queue, ids),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Queue name (its key on the platform).' }),
    remark: t.exposeString('remark', { nullable: true, description: 'Free text.' }),
    strategy: t.field({ type: QueueStrategyEnum.ref, description: 'Ring strategy.', resolve: (q) => QueueStrategyEnum.of(q.strategy) }),
    strategyCode: t.string({ description: "The platform's raw strategy code.", resolve: (q) => q.strategy.raw }),
    announcement: t.exposeString('announcement', { nullable: true, description: 'Announcement played to waiting callers.' }),
    announceFrequencySeconds: t.exposeInt('announceFrequencySeconds', { nullable: true, description: 'Seconds between announcements.' }),
    ringDelaySeconds: t.exposeInt('ringDelaySeconds', { nullable: true, description: 'Seconds an agent rings before the next is tried.' }),
    maxWaitSeconds: t.exposeInt('maxWaitSeconds', { nullable: true, description: 'Longest wait in the queue; 0 means no limit.' }),
    noAgentTimeoutSeconds: t.exposeInt('noAgentTimeoutSeconds', { nullable: true, description: 'How long a caller may wait with no agent checked in.' }),
    noAgentRejoinSeconds: t.exposeInt('noAgentRejoinSeconds', { nullable: true, description: 'Delay before re-queuing when no agent is free.' }),
    discardSeconds: t.exposeInt('discardSeconds', { nullable: true, description: 'Seconds after which a waiting call is dropped.' }),
    predictiveDialState: t.field({
      type: PredictiveDialStateEnum.ref,
      description: 'Predictive dialling state.',
      resolve: (q) => PredictiveDialStateEnum.of(q.autoCall),
    }),
    seats: t.field({
      type: [QueueSeatRef],
      // Nullable list of non-null seats: a failed GetQueueSipStatus nulls this field only, never the queue.
      nullable: { list: true, items: false },
      description:
        'Agents checked in to the queue, with their state (GetQueueSipStatus; one call for all queues asked); null with an error on this ' +
        'path when the switch could not be read (an empty list means: nobody checked in).',
      // Cost: one GetQueueSipStatus for every queue of the request (batched); a queue is counted as 20 seats.
      complexity: cost.batchedList(20),
      resolve: (q, _args, ctx) => ctx.loaders.seatsByQueue.load(q.name),
    }),
  }),
});

QueueSeatRef.implement({
  description: "One agent's membership of one queue, with its counters.",
  fields: (t) => ({
    // Cost: one GetQueueList for the request (batched).
    // Synchronous when the queue list was read ahead (`agents` prefetches it for `seats { queue }`, `queues` primes it).
    queue: t.field({ type: QueueRef, nullable: true, description: 'The queue; null if it was deleted meanwhile.', complexity: cost.batched, resolve: (s, _a, ctx) => valueOrLoad(ctx.loaders.queue, s.queue) }),
    agent: t.field({ type: AgentRef, description: 'The agent.', resolve: (s) => agentOf(s.extension) }),
    seatName: t.exposeString('seatName', { nullable: true, description: 'Seat name on the platform.' }),
    employeeId: t.exposeInt('employeeId', {
      nullable: true,
      description:
        "The agent's employee id in your CRM (the platform's `crmid`) given when the agent checked in to this queue, as the platform " +
        "names the seat (`<crmid>_<extension>_<queue>`); null when the seat's name does not say it.",
    }),
    paused: t.boolean({ description: 'True when the agent shows busy in this queue (no calls offered).', resolve: (s) => s.state.value === SipCode.SeatPaused || s.status.value === SipCode.SeatPaused }),
    state: t.field({ type: SeatStateEnum.ref, description: 'Waiting, ringing, talking, …', resolve: (s) => SeatStateEnum.of(s.state) }),
    stateCode: t.string({ description: "The platform's raw state code.", resolve: (s) => s.state.raw }),
    answeredCount: t.exposeInt('answeredCount', { description: 'Queue calls answered.' }),
    missedCount: t.exposeInt('missedCount', { description: 'Queue calls offered and not answered.' }),
    externalCallCount: t.exposeInt('externalCallCount', { description: 'Calls outside the queue.' }),
    wrapUpSeconds: t.exposeInt('wrapUpSeconds', { description: 'After-call work time.' }),
    maxNoAnswer: t.exposeInt('maxNoAnswer', { description: 'Missed calls allowed before the agent is paused.' }),
    lastAnsweredAt: t.expose('lastAnsweredAt', { type: 'DateTime', nullable: true, description: 'Last answered queue call.' }),
    lastAssignedAt: t.expose('lastAssignedAt', { type: 'DateTime', nullable: true, description: 'Last call offered.' }),
    changedAt: t.expose('changedAt', { type: 'DateTime', nullable: true, description: 'Last change of the seat.' }),
  }),
});

builder.queryFields((t) => ({
  queues: t.field({
    type: [QueueRef],
    // Nullable list of non-null queues: a failed GetQueueList nulls this field, not the whole response.
    nullable: { list: true, items: false },
    description: 'Every queue (one GetQueueList call); null with an error on this path when the switch could not be read.',
    // Cost: one GetQueueList list call; counted as 20 queues for what is selected below it.
    complexity: cost.listCall(20),
    authScopes: { viewer: true },
    resolve: async (_root, _args, ctx) => {
      const queues = await requireSip(ctx).getQueues();
      // The whole list: later queue reads in this request (QueueSeat.queue, queue(name)) need no call.
      ctx.loaders.queue.primeAll(new Map(queues.map((queue) => [queue.name, queue])));
      return queues;
    },
  }),
  queue: t.field({
    type: QueueRef,
    nullable: true,
    description: 'One queue by name; null when there is none.',
    // Cost: one GetQueueList for the request (batched).
    complexity: cost.batched,
    authScopes: { viewer: true },
    args: { name: t.arg.string({ required: true, description: 'Queue name.', validate: z.string().min(1).max(64, 'queue names are at most 64 characters') }) },
    resolve: async (_root, { name }, ctx) => {
      requireSip(ctx);
      return loadOrNull(ctx.loaders.queue, name);
    },
  }),
}));

// ---- Mutations ----------------------------------------------------------------------------------------------------

const queueName = z.string().trim().min(1, 'name is required').max(64, 'name is at most 64 characters');
const seconds = z.number().int().min(0).max(86_400);

const CreateQueueInput = builder.inputType('CreateQueueInput', {
  description: 'A new queue.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Queue name (unique).' }),
    remark: t.string({
      description:
        'Free text, 1–255 characters. The PBX requires one: left out (or null), the queue name is sent; an empty or blank text is refused.',
    }),
    strategy: t.field({ type: QueueStrategyEnum.inputRef, description: 'Ring strategy (default LONGEST_IDLE).' }),
    predictiveDial: t.boolean({ description: 'Whether predictive tasks may use the queue (default true).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
  validate: z
    .object({
      name: queueName,
      remark: z.string().trim().min(1, 'remark must not be empty: leave it out to send the queue name').max(255, 'remark is at most 255 characters').nullish(),
      idempotencyKey: idempotencyKeySchema,
    })
    .loose(),
});

const UpdateQueueInput = builder.inputType('UpdateQueueInput', {
  description: 'Changes to a queue. Fields left out keep their current value (the gateway sends them all: the platform would reset them).',
  fields: (t) => ({
    queueId: t.id({ description: 'The queue to change, by its global id (Queue.id); or give `name`, not both.' }),
    name: t.string({ description: 'The queue to change, by name; or give `queueId`, not both.' }),
    remark: t.string({ description: 'Free text (1–255 characters).' }),
    strategy: t.field({ type: QueueStrategyEnum.inputRef, description: 'Ring strategy.' }),
    announceFrequencySeconds: t.int({ description: 'Seconds between announcements.' }),
    ringDelaySeconds: t.int({ description: 'Seconds an agent rings before the next is tried.' }),
    maxWaitSeconds: t.int({ description: 'Longest wait; 0 means no limit.' }),
    noAgentTimeoutSeconds: t.int({ description: 'How long a caller may wait with no agent checked in.' }),
    noAgentRejoinSeconds: t.int({ description: 'Delay before re-queuing when no agent is free.' }),
    discardSeconds: t.int({ description: 'Seconds after which a waiting call is dropped.' }),
  }),
  validate: z
    .object({
      name: queueName.nullish(),
      remark: z.string().trim().min(1, 'remark must not be empty').max(255, 'remark is at most 255 characters').nullish(),
      announceFrequencySeconds: seconds.nullish(),
      ringDelaySeconds: seconds.nullish(),
      maxWaitSeconds: seconds.nullish(),
      noAgentTimeoutSeconds: seconds.nullish(),
      noAgentRejoinSeconds: seconds.nullish(),
      discardSeconds: seconds.nullish(),
    })
    .loose(),
});

const QueuePayload = builder.objectRef<{ name: string }>('QueuePayload').implement({
  description:
    'The command was carried out. `name` is the queue it acted on (no platform read); `queue` reads the platform again afterwards and is ' +
    'null with an error on its path when that read fails — the command still succeeded.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name of the queue the command created or changed.' }),
    queue: t.field({
      type: QueueRef,
      // Nullable: a read-back after the command; its failure must not report the command as failed.
      nullable: true,
      description:
        'The queue as the platform now has it (GetQueueList): null when it no longer exists, and null with an error on this path when that read fails.',
      // Cost: one GetQueueList for the request (batched).
      complexity: cost.batched,
      resolve: (p, _a, ctx) => loadOrNull(ctx.loaders.queue, p.name),
    }),
  }),
});

const DeleteQueueInput = builder.inputType('DeleteQueueInput', {
  description: 'The queue to delete: its global id or its name, exactly one.',
  fields: (t) => ({
    queueId: t.id({ description: "The queue's global id (Queue.id)." }),
    name: t.string({ description: 'The queue name.' }),
  }),
  validate: z.object({ name: queueName.nullish() }).loose(),
});

const DeleteQueuePayload = builder.objectRef<{ name: string }>('DeleteQueuePayload').implement({
  description: 'A deleted queue: every delete payload has `deletedId` (the global id it had) and the platform key it had.',
  fields: (t) => ({
    deletedId: t.id({ description: 'The global id the queue had (Queue.id): drop it from caches.', resolve: (p) => encodeGlobalID('Queue', p.name) }),
    name: t.exposeString('name', { description: 'Name of the queue that was deleted (its key on the platform).' }),
  }),
});

/** The queue an update or delete names: `queueId` or `name`, exactly one (INVALID_INPUT otherwise). */
function queueNameOf(input: { queueId?: string | number | null; name?: string | null }): string {
  const issues: InputIssue[] = [];
  const name = referenceOf(input, { type: 'Queue', idField: 'queueId', nameField: 'name' }, issues);
  throwIssues(issues);
  return name;
}

builder.objectType(QueueAlreadyExistsError, {
  name: 'QueueAlreadyExistsError',
  description: 'createQueue with the name of a queue that exists; nothing was changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof QueueAlreadyExistsError,
  fields: (t) => ({
    name: t.exposeString('queueName', { description: 'The name already in use (Queue.name).' }),
  }),
});

/**
 * After a refused AddQueue: whether a queue of that name exists (a fresh GetQueueList). A failed read says "not known
 * to exist", so the PBX's own refusal is reported instead.
 */
async function queueExists(ctx: Parameters<typeof requireSip>[0], name: string): Promise<boolean> {
  ctx.loaders.queue.clear(name);
  try {
    return (await loadOrNull(ctx.loaders.queue, name)) !== null;
  } catch {
    return false;
  }
}

builder.mutationFields((t) => ({
  createQueue: t.field({
    type: QueuePayload,
    description:
      'Creates a queue (AddQueue). A name already in use gets QueueAlreadyExistsError (the PBX refuses with its generic 1002; the gateway ' +
      'then reads the queue list once to tell a duplicate from another refusal).',
    // Cost: one AddQueue (and one GetQueueList when the PBX refuses it).
    complexity: cost.calls(2),
    // Exactly what it can return: no NotFoundError (it names nothing that must exist); ConflictError: idempotencyKey.
    errors: resultErrors('CreateQueueResult', [InvalidInputError, UpstreamRejected, QueueAlreadyExistsError, ConflictError]),
    args: { input: t.arg({ type: CreateQueueInput, required: true, description: 'The command, described by its input type.' }) },
    resolve: async (_root, { input }, ctx) => {
      const name = input.name.trim();
      const strategy = input.strategy ? QueueStrategyEnum.toUpstream(input.strategy, ['input', 'strategy']) : undefined;
      const sip = requireSip(ctx);
      const { idempotencyKey: key, ...request } = input;
      return idempotent(ctx, 'createQueue', key, request, async () => {
        try {
          await sip.createQueue({
            name,
            // The PBX requires a remark (manual: AddQueue, `remark` required): the name stands in for a missing one.
            remark: input.remark?.trim() || name,
            autoCall: input.predictiveDial ?? true,
            ...(strategy !== undefined ? { strategy } : {}),
          });
        } catch (error) {
          if (error instanceof SipBusinessError && error.sipCode.value === SipCode.AbnormalOperation && (await queueExists(ctx, name))) {
            throw new QueueAlreadyExistsError(name);
          }
          throw error;
        }
        return { name };
      });
    },
  }),
  updateQueue: t.field({
    type: QueuePayload,
    description: 'Changes a queue (EditQueue). Unspecified fields keep their current values.',
    // Cost: GetQueueList (the current values) and EditQueue.
    complexity: cost.calls(2),
    errors: mutationErrors('UpdateQueueResult'),
    args: { input: t.arg({ type: UpdateQueueInput, required: true, description: 'The command, described by its input type.' }) },
    resolve: async (_root, { input }, ctx) => {
      const name = queueNameOf(input);
      // Checked before the look-up: an input error costs the PBX nothing.
      const wanted = input.strategy ? QueueStrategyEnum.toUpstream(input.strategy, ['input', 'strategy']) : undefined;
      const current: Queue = await ctx.loaders.queue.load(name);
      const keep = (value: number | null | undefined, now: number | null) => value ?? now ?? undefined;
      const strategy = wanted
        ? wanted
        : current.strategy.value === 'UNKNOWN'
          ? undefined
          : current.strategy.value;
      await sipCommand({ queue: name }, () =>
        requireSip(ctx).updateQueue({
          name,
          remark: input.remark ?? current.remark ?? '',
          ...(strategy !== undefined ? { strategy } : {}),
          announceFrequencySeconds: keep(input.announceFrequencySeconds, current.announceFrequencySeconds),
          ringDelaySeconds: keep(input.ringDelaySeconds, current.ringDelaySeconds),
          maxWaitSeconds: keep(input.maxWaitSeconds, current.maxWaitSeconds),
          noAgentTimeoutSeconds: keep(input.noAgentTimeoutSeconds, current.noAgentTimeoutSeconds),
          noAgentRejoinSeconds: keep(input.noAgentRejoinSeconds, current.noAgentRejoinSeconds),
          discardSeconds: keep(input.discardSeconds, current.discardSeconds),
        }),
      );
      ctx.loaders.queue.clear(name);
      return { name };
    },
  }),
  deleteQueue: t.field({
    type: DeleteQueuePayload,
    description: 'Deletes a queue (DelQueue).',
    // Cost: one DelQueue.
    complexity: cost.call,
    errors: mutationErrors('DeleteQueueResult'),
    args: {
      input: t.arg({ type: DeleteQueueInput, description: 'The command, described by its input type (required once `name` is gone).' }),
      name: t.arg.string({ description: 'The queue to delete.', deprecationReason: 'Use input: { name } (or input: { queueId }).' }),
    },
    resolve: async (_root, args, ctx) => {
      if ((args.input == null) === (args.name == null)) {
        throw new InvalidInputError('give `input` (or the deprecated `name`), not both', undefined, [{ path: ['input'], message: 'give `input` (or the deprecated `name`), not both' }]);
      }
      const name = args.input ? queueNameOf(args.input) : String(args.name).trim();
      await sipCommand({ queue: name }, () => requireSip(ctx).deleteQueue(name));
      ctx.loaders.queue.clear(name);
      return { name };
    },
  }),
}));
