import type { GraphQLResolveInfo } from 'graphql';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { type AiCallNotificationExtras, aiCallNotificationExtras } from '../callbacks/schemas.ts';
import type { GatewayContext } from '../context.ts';
import { InvalidInputError } from '../errors.ts';
import { checkResumePoint } from '../events/resume-point.ts';
import { streamEvents } from '../events/subscribe.ts';
import { subscriberSource } from '../events/subscriber-source.ts';
import type { GatewayEvent } from '../events/types.ts';
import { cost } from '../limits/cost.ts';
import type { AiTask } from '../upstream/aicall/types.ts';
import { AiTaskRef } from './ai-task.ts';
import { afterOf, bounded } from './live.ts';
import { findAiTask, taskIdOf } from './task.ts';

/**
 * AI-call outcomes: the platform's hang-up notifications (topic `aicall-notify`, one per AI call), as stored events.
 * `aiCallOutcomes` pages through the stored ones and `aiCallEnded` pushes them live, with the same event ids: a front
 * end loads the history, then subscribes with `after` = the page's `lastEventId` and misses nothing (docs/api.md).
 * The notification's body is undocumented (docs/aicall-assumptions.md): what could be recognised is typed, and the
 * body as received is kept beside it (`rawJson`).
 */

type AiCallEvent = GatewayEvent<'aicall-notify'>;

const TOPIC = 'aicall-notify';
/** Events per page of `aiCallOutcomes`: the default and the most `first` may ask. */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
/** GraphQL's Int is 32-bit: a larger count from the platform is shown as unknown rather than failing the event. */
const MAX_INT = 2_147_483_647;

// ---- Reading a stored notification -----------------------------------------------------------------------------------

const extrasOfEvent = new WeakMap<AiCallEvent, AiCallNotificationExtras>();

/**
 * A field recognised beyond the first ones. Events stored before these fields existed lack them (undefined): they are
 * recognised from the stored body with the same rules, so old and new events read alike.
 */
function extra<K extends keyof AiCallNotificationExtras>(event: AiCallEvent, key: K): AiCallNotificationExtras[K] {
  const own = event.payload[key];
  if (own !== undefined) return own as AiCallNotificationExtras[K];
  let extras = extrasOfEvent.get(event);
  if (!extras) {
    extras = aiCallNotificationExtras(event.payload.raw, { startedAt: event.payload.startedAt, endedAt: event.payload.endedAt });
    extrasOfEvent.set(event, extras);
  }
  return extras[key];
}

const dateOf = (iso: string | null) => (iso === null ? null : new Date(iso));

/** Seconds as a whole number, or null when unknown or beyond GraphQL's Int. */
function wholeSeconds(seconds: number | null | undefined): number | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  const rounded = Math.round(seconds);
  return rounded >= 0 && rounded <= MAX_INT ? rounded : null;
}

/** How long one subscription's copy of the AI task list (`GET /v1/task`) serves its events before it is read again. */
const SUBSCRIPTION_TASK_LIST_TTL_MS = 5_000;
const taskListReadAt = new WeakMap<GatewayContext, number>();

/**
 * The AI task of an event, from the request's one `GET /v1/task` (every event of a page shares it). A subscription
 * keeps one context for its whole life, so its copy of the list is dropped after SUBSCRIPTION_TASK_LIST_TTL_MS: events
 * then show the task as it is now (a task created since, a changed status), at most one list call per 5 s.
 */
async function aiTaskOfEvent(ctx: GatewayContext, uuid: string, info: GraphQLResolveInfo): Promise<AiTask | null> {
  if (info.operation.operation === 'subscription') {
    const now = Date.now();
    const readAt = taskListReadAt.get(ctx);
    if (readAt === undefined || now - readAt >= SUBSCRIPTION_TASK_LIST_TTL_MS) {
      if (readAt !== undefined) ctx.aiLoaders.clearTasks();
      taskListReadAt.set(ctx, now);
    }
  }
  return findAiTask(ctx, uuid);
}

// ---- Types ----------------------------------------------------------------------------------------------------------

const AiCallCustomerFieldRef = builder.objectRef<{ name: string; value: string }>('AiCallCustomerField').implement({
  description: 'One custom field of the dialled entry, as the platform sent it back with the outcome.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The field name (as imported: `fields { name }`, or userId / memberId / maturity / customerId).' }),
    value: t.exposeString('value', { description: 'The value, as text.' }),
  }),
});

export const AiCallEndedEventRef = builder.objectRef<AiCallEvent>('AiCallEndedEvent').implement({
  description:
    "One AI call's outcome: the AI-call platform's hang-up notification (posted to the task's `call_notify_url`), as stored by the gateway. " +
    'The platform does not document this notification: the fields below are what the gateway recognises (null when the notification did not ' +
    'say), and `rawJson` is the body as received.',
  fields: (t) => ({
    eventId: t.id({
      description: 'Increasing event id (the same in `aiCallOutcomes` and `aiCallEnded`): pass it as `after` to get only later outcomes.',
      resolve: (e) => String(e.id),
    }),
    receivedAt: t.field({ type: 'DateTime', description: 'When the gateway took the notification in.', resolve: (e) => new Date(e.receivedAt) }),
    taskId: t.string({
      nullable: true,
      description: "The platform's task id (a uuid, the same as AiTask.platformId); null when the notification named none.",
      deprecationReason: 'Use platformTaskId (the same value), or task { id } for the global id.',
      resolve: (e) => e.payload.taskId,
    }),
    platformTaskId: t.string({
      nullable: true,
      description: "The AI-call platform's own task id (a uuid, the same as AiTask.platformId); null when the notification named none.",
      resolve: (e) => e.payload.taskId,
    }),
    taskGlobalId: t.id({
      nullable: true,
      description:
        "The task's global id (AiTask.id: what `taskId` arguments take), computed without a platform call; null when the notification named none.",
      resolve: (e) => (e.payload.taskId ? encodeGlobalID('AiTask', e.payload.taskId) : null),
    }),
    task: t.field({
      type: AiTaskRef,
      nullable: true,
      description:
        "The AI task, from the platform's task list; null when the notification named no task or the platform no longer lists it. " +
        'Costs one `GET /v1/task` per request (shared by every event of a page); a subscription reads the list at most every 5 seconds.',
      // Cost: the request's one `GET /v1/task`, shared by every event (batched).
      complexity: cost.batched,
      resolve: (e, _args, ctx, info) => (e.payload.taskId ? aiTaskOfEvent(ctx, e.payload.taskId, info) : null),
    }),
    taskName: t.string({
      nullable: true,
      description: "The task's name as the notification gave it (`task_name`); `task.name` is the platform's current one.",
      resolve: (e) => extra(e, 'taskName'),
    }),
    callId: t.string({ nullable: true, description: "The platform's id of the call (`call_uuid`).", resolve: (e) => e.payload.callId }),
    phone: t.string({ nullable: true, description: 'The number that was dialled.', resolve: (e) => e.payload.phone }),
    callerNumber: t.string({
      nullable: true,
      description: 'The number shown to the called party (`caller_number`).',
      resolve: (e) => extra(e, 'callerNumber'),
    }),
    customerId: t.string({
      nullable: true,
      description:
        'Your customer id, as given with the number (`addTaskNumbers` … `customerId`), when the platform sends the entry\'s custom fields back; ' +
        'null otherwise.',
      resolve: (e) => extra(e, 'customerFields')?.customerId ?? null,
    }),
    platformCustomerId: t.string({
      nullable: true,
      description: "The platform's own id of the dialled entry (`customer_id`), as text.",
      resolve: (e) => extra(e, 'platformCustomerId'),
    }),
    customerFields: t.field({
      type: [AiCallCustomerFieldRef],
      description: "The dialled entry's custom fields as the platform sent them back (what was imported with the number); empty when none were sent.",
      resolve: (e) => Object.entries(extra(e, 'customerFields') ?? {}).map(([name, value]) => ({ name, value })),
    }),
    startedAt: t.field({ type: 'DateTime', nullable: true, description: 'When dialling started.', resolve: (e) => dateOf(e.payload.startedAt) }),
    answeredAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the called party answered; null when the call was not answered (or the notification did not say).',
      resolve: (e) => dateOf(e.payload.answeredAt),
    }),
    endedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the call ended.', resolve: (e) => dateOf(e.payload.endedAt) }),
    answered: t.boolean({
      nullable: true,
      description:
        'Whether the called party answered: true with an answer time or talk time, false with no answer time and zero talk time, null when the notification says neither.',
      resolve: (e) => {
        const { answeredAt, talkSeconds } = e.payload;
        if (answeredAt !== null || (talkSeconds ?? 0) > 0) return true;
        return talkSeconds === 0 ? false : null;
      },
    }),
    talkSeconds: t.int({
      nullable: true,
      description: 'Seconds from answer to hang-up (`billsec`); 0 for a call not answered.',
      resolve: (e) => wholeSeconds(e.payload.talkSeconds),
    }),
    durationSeconds: t.int({
      nullable: true,
      description: 'Seconds from dialling to hang-up, ringing included (`duration`, else endedAt − startedAt).',
      resolve: (e) => wholeSeconds(extra(e, 'durationSeconds')),
    }),
    hangupCause: t.string({
      nullable: true,
      description: 'How the call ended, as the platform says it (a FreeSWITCH cause such as NORMAL_CLEARING, NO_ANSWER, USER_BUSY, or its own word or code).',
      resolve: (e) => e.payload.hangupCause,
    }),
    outcome: t.string({
      nullable: true,
      description: "The platform's label for the call's result (an intention or label such as a customer grade), as sent; null when it sent none.",
      resolve: (e) => extra(e, 'outcome'),
    }),
    rawJson: t.string({
      description:
        'The notification exactly as received, unprocessed, as JSON text (a form-encoded notification as one object of its fields). ' +
        'The platform does not document it: read anything the typed fields miss from here.',
      resolve: (e) => JSON.stringify(e.payload.raw) ?? 'null',
    }),
  }),
});

const AiCallOutcomePageRef = builder
  .objectRef<{ events: AiCallEvent[]; lastEventId: number; hasMore: boolean }>('AiCallOutcomePage')
  .implement({
    description: 'A page of stored AI-call outcomes, oldest first. Continue with `after: lastEventId`; subscribe to `aiCallEnded` with the same `after`.',
    fields: (t) => ({
      events: t.field({
        type: [AiCallEndedEventRef],
        description: 'The outcomes after `after`, in eventId order (at most `first`).',
        // Cost: the page's size is already the aiCallOutcomes field's multiplier.
        complexity: cost.edges,
        resolve: (page) => page.events,
      }),
      lastEventId: t.id({
        description:
          'Where to continue: the next page with `aiCallOutcomes(after: lastEventId)`, or live with `aiCallEnded(after: lastEventId)` (no gap, no duplicate). ' +
          'When the page is the last one, this is the newest stored outcome overall, so it is set even when `events` is empty.',
        resolve: (page) => String(page.lastEventId),
      }),
      hasMore: t.boolean({ description: 'Whether more stored outcomes follow this page (ask again with `after: lastEventId`).', resolve: (page) => page.hasMore }),
    }),
  });

// ---- Root fields ------------------------------------------------------------------------------------------------------

/** The platform task ids to filter on: the one inside an AiTask global id, none (all) when absent. */
function subjectsOf(taskId: string | number | null | undefined): string[] {
  if (taskId === null || taskId === undefined) return [];
  const ref = taskIdOf(String(taskId));
  if (ref?.kind !== 'AI') throw new InvalidInputError('taskId is not an AI task id: use AiTask.id', 'taskId');
  return [ref.id];
}

/** The page size the cost is estimated for: a `first` outside 1…500 is refused before anything runs. */
const pageSizeOf = (first: number | null | undefined) => Math.max(1, Math.min(first ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE));

builder.queryFields((t) => ({
  aiCallOutcomes: t.field({
    type: AiCallOutcomePageRef,
    description:
      "AI calls' outcomes (the platform's hang-up notifications) stored by the gateway, oldest first, from its store (no platform call unless " +
      '`task` is selected). Load them page by page with `after: lastEventId` while `hasMore`, then subscribe to `aiCallEnded` with `after` = the ' +
      'last `lastEventId`: every outcome arrives exactly once. An `after` older than the retention answers EVENT_ID_EXPIRED, one from another ' +
      'store EVENT_ID_AHEAD.',
    authScopes: { viewer: true },
    // Cost: one store query per page (no upstream call); `first` (default 50) multiplies each event's selection.
    complexity: (args) => cost.storeList(pageSizeOf(args.first)),
    args: {
      taskId: t.arg.id({ description: 'Only calls of this AI task (its global id, AiTask.id); all tasks when absent.' }),
      after: t.arg.id({ description: 'Only outcomes after this eventId (a `lastEventId` or an `eventId`); from the oldest stored when absent.' }),
      first: t.arg.int({ description: `How many outcomes at most, 1…${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` }),
    },
    resolve: async (_root, args, ctx) => {
      const subjects = subjectsOf(args.taskId);
      const after = afterOf(args.after);
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      if (!Number.isSafeInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
        throw new InvalidInputError(`first must be 1…${MAX_PAGE_SIZE}`, 'first');
      }
      if (after !== null) await checkResumePoint(ctx.store, TOPIC, after, ctx.config.events.retentionDays);
      // Read before the page: every event up to it is settled, and no later one can get an id at or below it. So when
      // the page is the last one, it holds every matching event up to here, and a subscriber may start after it.
      const settledUpTo = await ctx.store.events.latestId(TOPIC);
      const rows = await ctx.store.events.eventsAfter(TOPIC, after ?? 0, { subjects }, first + 1);
      const hasMore = rows.length > first;
      const events = hasMore ? rows.slice(0, first) : rows;
      const lastShown = events.at(-1)?.id ?? 0;
      const lastEventId = hasMore ? lastShown : Math.max(after ?? 0, settledUpTo, lastShown);
      return { events, lastEventId, hasMore };
    },
  }),
}));

builder.subscriptionFields((t) => ({
  aiCallEnded: t.field({
    type: AiCallEndedEventRef,
    description:
      "AI calls' outcomes as the platform reports them (one hang-up notification per call). Load the history with `aiCallOutcomes`, then " +
      'subscribe with `after` = its `lastEventId`: stored outcomes after it come first, then live ones, with no gap and no duplicate.',
    // Cost: events from the store and the feed, no upstream call when it starts.
    complexity: cost.local,
    args: {
      taskId: t.arg.id({ description: 'Only calls of this AI task (its global id, AiTask.id); all tasks when absent.' }),
      after: t.arg.id({ description: 'Replay the stored outcomes after this eventId first (e.g. `aiCallOutcomes.lastEventId`).' }),
    },
    subscribe: (_root, args, ctx) =>
      subscriberSource(ctx, () => ({
        stream: streamEvents(ctx.store, ctx.feed, TOPIC, { after: afterOf(args.after), subjects: subjectsOf(args.taskId), ...bounded(ctx) }),
      })),
    resolve: (event) => event,
  }),
}));
