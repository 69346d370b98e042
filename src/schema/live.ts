import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import { InvalidInputError } from '../errors.ts';
import { type StreamLimits, streamEvents } from '../events/subscribe.ts';
import type { AgentStateSnapshot, GatewayEvent } from '../events/types.ts';
import type { SubscriptionMetrics } from '../observability/metrics.ts';
import { type QueueMembership, queueMembershipOf, QUEUE_MEMBERSHIP_REFRESH_MS } from '../events/queue-membership.ts';
import { snapshotOf } from '../store/agent-status.ts';
import { none } from '../store/call-records.ts';
import { callRecordInputOf } from '../store/projections.ts';
import { decodeCallDirection } from '../upstream/sip/codes.ts';
import { CallDirectionEnum } from './call-enums.ts';
import {
  AGENTS_FILTER_DEPRECATION,
  BOTH_EXTENSION_FIELDS,
  CallRecordRef,
  type CallRecordView,
  callRecordKeyOr,
  callRecordView,
  extensionsFilterOf,
} from './call-record.ts';
import { AgentRef, agentOf } from './refs.ts';
import { findAiTask, StatusChangeSourceEnum, TaskKindEnum, TaskRef, type TaskShape, TaskStatusEnum, taskIdOf } from './task.ts';
import { cost } from '../limits/cost.ts';
import { AgentPresenceStateEnum, liveStatusLoader, presenceOfCallback } from './presence.ts';
import { subscriberSource } from '../events/subscriber-source.ts';
import { requireSip } from './upstream.ts';

/**
 * Live events from the platforms' callbacks (stored first, then pushed): agent status for wallboards, call records
 * as calls end, task status. Every event has an `eventId`; a subscriber that passes `after: <eventId>` gets the
 * stored events since then first, then live ones, with no gap and no duplicate.
 */

builder.subscriptionType({
  description: 'Live events, over graphql-ws (WebSocket /graphql) or server-sent events. Pass `after` to resume.',
  authScopes: { viewer: true },
});

const AgentCallEventEnum = builder.enumType('AgentCallEvent', {
  description: "What an agent's phone just did (the extension-status callback).",
  values: {
    RING: { value: 'ring', description: 'Ringing.' },
    ANSWER: { value: 'answer', description: 'Answered: in a call.' },
    HANGUP: { value: 'hangup', description: 'Hung up: free again.' },
  } as const,
});

const CallLegEnum = builder.enumType('CallLeg', {
  description: 'Which side of a call an event is about.',
  values: {
    AGENT: { value: 'agent', description: "The agent's extension rang / answered / hung up." },
    CUSTOMER: { value: 'customer', description: "The customer's phone side (the platform's `isbleg` true)." },
  } as const,
});

const AgentLiveStateRef = builder.objectRef<AgentStateSnapshot>('AgentLiveState').implement({
  description: "An agent's call state as the callbacks last told it.",
  fields: (t) => ({
    status: t.field({
      type: AgentCallEventEnum,
      description: 'Ringing, in a call, or free (the callback\'s verb).',
      deprecationReason: 'Use state: the same state in AgentPresenceState, the vocabulary of Agent.presence (RING → RINGING, ANSWER → IN_CALL, HANGUP → AVAILABLE).',
      resolve: (s) => s.status,
    }),
    state: t.field({
      type: AgentPresenceStateEnum,
      description: 'The state in the one agent-state vocabulary (as `Agent.presence.state`): RINGING, IN_CALL or AVAILABLE.',
      resolve: (s) => presenceOfCallback(s.status),
    }),
    leg: t.field({ type: CallLegEnum, description: 'Which side the last event was about.', resolve: (s) => s.leg }),
    callUuid: t.exposeString('callUuid', { description: "The call's uuid." }),
    callStartedAt: t.field({ type: 'DateTime', description: 'When the call started.', resolve: (s) => new Date(s.callStartedAt) }),
    eventId: t.id({ description: 'The event that set this state: subscribe with `after` set to it to get what follows.', resolve: (s) => String(s.eventId) }),
    changedAt: t.field({ type: 'DateTime', description: 'When the gateway took the event in.', resolve: (s) => new Date(s.changedAt) }),
  }),
});

interface LiveCallShape {
  uuid: string;
  direction: string | null;
  caller: string | null;
  callee: string | null;
  displayNumber: string | null;
  customerId: string | null;
}

const LiveCallRef = builder.objectRef<LiveCallShape>('LiveCall').implement({
  description: 'The call an agent event is about.',
  fields: (t) => ({
    uuid: t.exposeString('uuid', { description: "The call's uuid (the same in the call record)." }),
    direction: t.field({
      type: CallDirectionEnum.ref,
      nullable: true,
      description: 'Outbound or inbound.',
      resolve: (c) => (c.direction ? CallDirectionEnum.of(decodeCallDirection(c.direction)) : null),
    }),
    customerNumber: t.string({
      nullable: true,
      description: "The customer's number: the callee of an outbound call, the caller of an inbound one.",
      resolve: (c) => (c.direction === 'callin' ? c.caller : c.callee),
    }),
    caller: t.exposeString('caller', { nullable: true, description: 'Calling number.' }),
    callee: t.exposeString('callee', { nullable: true, description: 'Called number.' }),
    displayNumber: t.exposeString('displayNumber', { nullable: true, description: 'Number shown to the callee.' }),
    customerId: t.exposeString('customerId', { nullable: true, description: 'Your customer id (`customuuid`), when the task carried one.' }),
  }),
});

const EventSourceEnum = builder.enumType('LiveEventSource', {
  description: 'Where a live event came from.',
  values: {
    CALLBACK: { value: 'callback', description: 'The platform pushed it.' },
    RECONCILE: { value: 'reconcile', description: 'The gateway polled the PBX and corrected a state a lost callback left behind.' },
  } as const,
});

const AgentStatusEventRef = builder.objectRef<GatewayEvent<'agent-status'>>('AgentStatusEvent').implement({
  description: "A change of an agent's call state, with the state before and after.",
  fields: (t) => ({
    eventId: t.id({ description: 'Increasing event id: resume with `after`.', resolve: (e) => String(e.id) }),
    occurredAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: "When the call started, not when this event happened (the platform gives no event time).",
      deprecationReason:
        "Use callStartedAt: this was always the call's start, the same for ring, answer and hang-up; receivedAt is when the gateway took the event in.",
      resolve: (e) => (e.occurredAt ? new Date(e.occurredAt) : null),
    }),
    callStartedAt: t.field({
      type: 'DateTime',
      description:
        "When the call this event is about started (the callback's `starttime`): the same for its ring, answer and hang-up. " +
        'The platform sends no time of the event itself; receivedAt is when the gateway took it in.',
      resolve: (e) => new Date(e.payload.callStartedAt),
    }),
    receivedAt: t.field({ type: 'DateTime', description: 'When the gateway took it in.', resolve: (e) => new Date(e.receivedAt) }),
    agent: t.field({ type: AgentRef, description: 'The agent.', resolve: (e) => agentOf(e.payload.extension) }),
    extension: t.string({ description: "The agent's extension.", resolve: (e) => e.payload.extension }),
    status: t.field({
      type: AgentCallEventEnum,
      description: 'Ring, answer or hang-up.',
      deprecationReason: 'Use state: the same change in AgentPresenceState, the vocabulary of Agent.presence (RING → RINGING, ANSWER → IN_CALL, HANGUP → AVAILABLE).',
      resolve: (e) => e.effect?.current?.status ?? 'hangup',
    }),
    state: t.field({
      type: AgentPresenceStateEnum,
      description: "The agent's state after this event, in the vocabulary of `Agent.presence.state` (RINGING, IN_CALL or AVAILABLE).",
      resolve: (e) => presenceOfCallback(e.effect?.current?.status ?? 'hangup'),
    }),
    previousState: t.field({
      type: AgentPresenceStateEnum,
      nullable: true,
      description: 'The state before this event (AgentPresenceState); null when the gateway knew none (the first event about the agent).',
      resolve: (e) => (e.effect?.previous ? presenceOfCallback(e.effect.previous.status) : null),
    }),
    leg: t.field({ type: CallLegEnum, description: 'Which side rang / answered / hung up.', resolve: (e) => e.payload.leg }),
    call: t.field({
      type: LiveCallRef,
      description: 'The call.',
      resolve: (e) => ({
        uuid: e.payload.callUuid,
        direction: e.payload.direction,
        caller: e.payload.caller,
        callee: e.payload.callee,
        displayNumber: e.payload.displayNumber,
        // The platform's "0" means no customer id.
        customerId: none(e.payload.customerId),
      }),
    }),
    previous: t.field({ type: AgentLiveStateRef, nullable: true, description: 'The state before; null when this is the first known.', resolve: (e) => e.effect?.previous ?? null }),
    current: t.field({ type: AgentLiveStateRef, nullable: true, description: 'The state after.', resolve: (e) => e.effect?.current ?? null }),
    source: t.field({ type: EventSourceEnum, description: 'Callback or reconciliation.', resolve: (e) => e.payload.source ?? 'callback' }),
  }),
});

/**
 * A call-record event as a CallRecord: the `call_records` row the callback was merged into (the event's effect names
 * it), read now, so it carries what GetBill added to the same call and has the same id as a GetBill read of it. Only
 * when that row is missing (an event stored before the projection, or a row since removed) is it built from the payload.
 */
export async function callRecordOfEvent(event: GatewayEvent<'call-record'>, ctx: GatewayContext): Promise<CallRecordView> {
  const key = event.effect?.recordKey;
  const row = key ? await ctx.store.callRecords.get(key) : null;
  if (row) return callRecordView(row, row.key);
  const input = callRecordInputOf(event.payload);
  return callRecordView(input, callRecordKeyOr(input, `uuid:event-${event.id}`));
}

const CallRecordCreatedEventRef = builder.objectRef<GatewayEvent<'call-record'>>('CallRecordCreatedEvent').implement({
  description: 'A call record pushed by the platform as a call ended.',
  fields: (t) => ({
    eventId: t.id({ description: 'Increasing event id: resume with `after`.', resolve: (e) => String(e.id) }),
    receivedAt: t.field({ type: 'DateTime', description: 'When the gateway took it in.', resolve: (e) => new Date(e.receivedAt) }),
    record: t.field({
      type: CallRecordRef,
      description: 'The record: the same object (id and fields) as a `callRecords` read of this call, merged from both sources.',
      // Cost: one store read per event, no upstream call.
      complexity: cost.local,
      resolve: (e, _args, ctx) => callRecordOfEvent(e, ctx),
    }),
  }),
});

const kindOfEvent = (e: GatewayEvent<'task-status'>) => e.payload.kind ?? 'PREDICTIVE';

const TaskStatusChangedEventRef = builder.objectRef<GatewayEvent<'task-status'>>('TaskStatusChangedEvent').implement({
  description:
    "A task's status changed: through this gateway (source MUTATION: creation, startTask, pauseTask, endTask, deleteTask; either kind), " +
    'or as the platform reported it (source CALLBACK: the predictive PBX reports only "finished"). Changes made outside the gateway ' +
    "(the AI-call platform's console, the PBX's own screens) are not seen.",
  fields: (t) => ({
    eventId: t.id({ description: 'Increasing event id: resume with `after`.', resolve: (e) => String(e.id) }),
    receivedAt: t.field({ type: 'DateTime', description: 'When the gateway took it in (for a MUTATION: when it made the change).', resolve: (e) => new Date(e.receivedAt) }),
    taskId: t.string({
      description: "The task's platform id.",
      deprecationReason: 'Use platformTaskId (the same value), or taskGlobalId for the global id.',
      resolve: (e) => e.payload.taskId,
    }),
    platformTaskId: t.string({
      description: "The task's own id on its platform (Task.platformId: the PBX's task id, or the AI task's uuid).",
      resolve: (e) => e.payload.taskId,
    }),
    taskGlobalId: t.id({
      description:
        "The task's global id (Task.id: what `taskStatusChanged(taskId:)` and the task mutations take), computed without a read; " +
        '`task` is null when the task is unknown or gone, this never is.',
      resolve: (e) => encodeGlobalID(kindOfEvent(e) === 'AI' ? 'AiTask' : 'PredictiveTask', e.payload.taskId),
    }),
    kind: t.field({ type: TaskKindEnum, description: 'Which platform runs the task.', resolve: kindOfEvent }),
    source: t.field({
      type: StatusChangeSourceEnum,
      description: 'MUTATION: this gateway changed it; CALLBACK: the platform reported it; GUARD: the abandon-rate guard paused it.',
      resolve: (e) => e.payload.source ?? 'callback',
    }),
    previous: t.field({
      type: TaskStatusEnum,
      nullable: true,
      description:
        'The status before the change; null for a creation, a task this gateway did not create, an AI task whose status could not be read ' +
        'before the command, and events stored before this field existed. Equal to `status` when the event changed nothing.',
      resolve: (e) => (e.effect?.previous as never) ?? null,
    }),
    status: t.field({
      type: TaskStatusEnum,
      nullable: true,
      description:
        'The status after the change: what `task { status }` shows once the event is out. Null for a task this gateway did not create, and ' +
        'for a deleted one (`deleted`).',
      resolve: (e) => (e.effect?.status as never) ?? null,
    }),
    deleted: t.boolean({ description: 'True when the change was deleteTask: the task is gone (`status` and `task` are null).', resolve: (e) => e.payload.status === 'DELETED' }),
    task: t.field({
      type: TaskRef,
      nullable: true,
      description: 'The task now, when it exists and this gateway knows it (an AI task reads the platform: one `GET /v1/task`).',
      // Cost: a store read, or (AI) the operation's one `GET /v1/task`.
      complexity: cost.call,
      resolve: async (e, _a, ctx): Promise<TaskShape | null> => {
        if (kindOfEvent(e) === 'PREDICTIVE') return ctx.store.tasks.get(e.payload.taskId);
        return e.payload.status === 'DELETED' || !ctx.aicall ? null : findAiTask(ctx, e.payload.taskId);
      },
    }),
  }),
});

const CallRecordEventFilter = builder.inputType('CallRecordEventFilter', {
  description: 'Which new call records to receive.',
  fields: (t) => ({
    extensions: t.stringList({ description: 'Only records of these extensions (agents). Not together with the deprecated `agents`.' }),
    agents: t.stringList({ description: 'Only records of these extensions.', deprecationReason: AGENTS_FILTER_DEPRECATION }),
    direction: t.field({ type: CallDirectionEnum.inputRef, description: 'Only this direction; both when absent.' }),
  }),
});

/** An `after` argument as an event id (null when absent); INVALID_INPUT on `after` when it is not one. */
export function afterOf(after: string | number | null | undefined): number | null {
  if (after === null || after === undefined) return null;
  const id = Number(after);
  if (!Number.isSafeInteger(id) || id < 0) throw new InvalidInputError('after must be an eventId', 'after');
  return id;
}

/**
 * How old a queue's member list may be before an event of an agent not in it re-reads it: the reconciler's interval,
 * at most QUEUE_MEMBERSHIP_REFRESH_MS (5 s).
 */
export const queueRefreshMs = (ctx: GatewayContext): number => Math.min(ctx.config.reconcileIntervalMs, QUEUE_MEMBERSHIP_REFRESH_MS);

/**
 * The subscriber bounds and the operation's context (the transport registers what a slow subscriber gets): every
 * event subscription spreads this into its streamEvents options.
 */
export const bounded = (ctx: GatewayContext): { limits: StreamLimits; context: object; retentionDays: number; metrics: SubscriptionMetrics | null } => ({
  limits: ctx.config.connectionLimits,
  context: ctx,
  retentionDays: ctx.config.events.retentionDays,
  metrics: ctx.telemetry.metrics?.subscriptions ?? null,
});

// A subscription's conditions are made here, outside the resolvers: a closure made inside one would keep the
// resolver's scope, and with it the operation's whole context, alive for the subscription's life.
const appliedOnly = (event: GatewayEvent<'agent-status'>) => event.applied;
const inQueue = (membership: QueueMembership, queue: string) => (event: GatewayEvent<'agent-status'>) =>
  membership.has(queue, event.payload.extension);
const directionMatch = (direction: string | null | undefined) => (event: GatewayEvent<'call-record'>) =>
  !direction || CallDirectionEnum.of(decodeCallDirection(event.payload.direction)) === direction;
// A PBX task id and an AI uuid never look alike, but the kind makes it exact.
const kindMatch = (kind: string | undefined) => (event: GatewayEvent<'task-status'>) => !kind || (event.payload.kind ?? 'PREDICTIVE') === kind;

builder.subscriptionFields((t) => ({
  agentStatusChanged: t.field({
    type: AgentStatusEventRef,
    description:
      "Agents ringing, answering and hanging up, as the platform reports them. Only changes that moved an agent's state are sent (a late, out-of-order callback is stored but not sent). " +
      'A wallboard loads `agents(first: 2000) { edges { node { presence { state eventId } } } }`, then subscribes with `after` = the largest eventId it saw. ' +
      "`state` and `previousState` speak Agent.presence's vocabulary.",
    // Cost: with `queue`, one GetQueueSipStatus when it starts (shared); then events from the store and the feed, and the queue's
    // members re-read at most once per 5 s per queue per gateway process, shared by all its subscribers (see `queue`).
    complexity: cost.call,
    args: {
      extensions: t.arg.stringList({ description: 'Only these agents.' }),
      queue: t.arg.string({
        description:
          'Only agents checked in to this queue — now, not when the subscription started: an agent checked in later is seen from its ' +
          'first event, one checked out is dropped. Membership is re-read (GetQueueSipStatus) at most once per 5 s per queue per gateway, ' +
          'shared by every subscriber, so a check-in may take that long to show. Replayed events (`after`) are judged by the membership now.',
      }),
      after: t.arg.id({ description: 'Replay the stored events after this eventId first.' }),
    },
    subscribe: (_root, args, ctx) =>
      subscriberSource(ctx, async () => {
        const queue = args.queue ?? null;
        const membership = queue ? queueMembershipOf(requireSip(ctx), queueRefreshMs(ctx)) : null;
        // Read once at the start, so an unknown queue or an unreachable PBX fails the subscription at once.
        if (queue && membership) await membership.members(queue);
        const stream = streamEvents(ctx.store, ctx.feed, 'agent-status', {
          after: afterOf(args.after),
          subjects: args.extensions ?? [],
          match: appliedOnly,
          ...bounded(ctx),
        });
        return { stream, keep: queue && membership ? inQueue(membership, queue) : undefined };
      }),
    resolve: (event) => event,
  }),
  callRecordCreated: t.field({
    type: CallRecordCreatedEventRef,
    description: 'Call records as the platform pushes them, when calls end.',
    args: {
      filter: t.arg({ type: CallRecordEventFilter, description: 'Which records; all when absent.' }),
      after: t.arg.id({ description: 'Replay the stored events after this eventId first.' }),
    },
    subscribe: (_root, args, ctx) =>
      subscriberSource(ctx, () => {
        if (args.filter?.extensions != null && args.filter.agents != null) {
          throw new InvalidInputError(BOTH_EXTENSION_FIELDS, undefined, [{ path: ['filter', 'agents'], message: BOTH_EXTENSION_FIELDS }]);
        }
        const stream = streamEvents(ctx.store, ctx.feed, 'call-record', {
          after: afterOf(args.after),
          subjects: extensionsFilterOf(args.filter) ?? [],
          match: directionMatch(args.filter?.direction),
          ...bounded(ctx),
        });
        return { stream };
      }),
    resolve: (event) => event,
  }),
  taskStatusChanged: t.field({
    type: TaskStatusChangedEventRef,
    description:
      'Task status changes of either kind: those made through this gateway (creation, startTask, pauseTask, endTask, deleteTask) and those ' +
      'the platform reports (a predictive task finishing). Each carries `previous`, `status`, `source` and `kind`. Changes made outside the ' +
      "gateway (the AI-call platform's console) are not seen.",
    args: {
      taskId: t.arg.id({ description: "Only this task (its global id); all when absent." }),
      after: t.arg.id({ description: 'Replay the stored events after this eventId first.' }),
    },
    subscribe: (_root, args, ctx) =>
      subscriberSource(ctx, () => {
        const ref = args.taskId ? taskIdOf(String(args.taskId)) : null;
        if (args.taskId && !ref) throw new InvalidInputError('taskId is not a task id', 'taskId');
        const stream = streamEvents(ctx.store, ctx.feed, 'task-status', {
          after: afterOf(args.after),
          subjects: ref ? [ref.id] : [],
          match: kindMatch(ref?.kind),
          ...bounded(ctx),
        });
        return { stream };
      }),
    resolve: (event) => event,
  }),
}));

// ---- Agent.liveStatus ---------------------------------------------------------------------------------------------
// The loader (presence.ts) reads every agent of the request in one statement: a consistent snapshot, so `after` = the
// largest eventId misses nothing.

builder.objectField(AgentRef, 'liveStatus', (t) =>
  t.field({
    type: AgentLiveStateRef,
    nullable: true,
    description: "The agent's call state from the callbacks (no upstream call); null before the first callback about them.",
    deprecationReason:
      'Use presence: the same stored state (state, since = changedAt, eventId, callUuid) in the one agent-state vocabulary, and never null merely because no callback came (then polled).',
    // Cost: one store statement for every agent of the request (batched), no upstream call.
    complexity: cost.local,
    resolve: async (agent, _args, ctx) => {
      const state = await liveStatusLoader(ctx).load(agent.extension);
      return state ? snapshotOf(state) : null;
    },
  }),
);
