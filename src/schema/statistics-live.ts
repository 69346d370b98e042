import { z } from 'zod';
import { builder } from '../builder.ts';
import { InvalidInputError } from '../errors.ts';
import { subscriberSource } from '../events/subscriber-source.ts';
import { cost } from '../limits/cost.ts';
import { type QueueFigures, type TaskFigures, queueFigures } from '../stats/figures.ts';
import { BACKFILL_MAX_PAGES, type BackfillResult } from '../stats/index.ts';
import { HOUR_MS } from '../stats/window.ts';
import { resultErrors } from './errors.ts';
import { requireSip } from './upstream.ts';
import type { PredictiveTask, Store } from '../store/index.ts';
import type { ZonedTime } from '../upstream/time.ts';
import {
  DEFAULT_LAST_CALLS,
  DEFAULT_SERVICE_LEVEL_SECONDS,
  MAX_STAT_QUEUES,
  QueueStatisticsRef,
  TaskStatisticsRef,
  invalidAt,
  lastCallsArg,
  listOf,
  requireStatistics,
  serviceLevelArg,
  statisticsOfTask,
  windowOf,
} from './statistics.ts';
import { requirePredictiveTask, taskIdOf } from './task.ts';

/**
 * Live statistics (coalesced to about one update a second: src/stats/live.ts) and backfills from GetBill.
 */

interface QueueUpdate {
  at: number;
  queues: QueueFigures[];
}

interface TaskUpdate {
  at: number;
  statistics: TaskFigures;
}

const QueueStatisticsUpdateRef = builder.objectRef<QueueUpdate>('QueueStatisticsUpdate').implement({
  description: "The queues' figures for today, as of `at`.",
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When the figures were read.', resolve: (u) => new Date(u.at) }),
    queues: t.field({ type: [QueueStatisticsRef], description: 'One entry per queue asked for, in that order.', resolve: (u) => u.queues }),
  }),
});

const TaskStatisticsUpdateRef = builder.objectRef<TaskUpdate>('TaskStatisticsUpdate').implement({
  description: "A predictive task's figures for today, as of `at`.",
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When the figures were read.', resolve: (u) => new Date(u.at) }),
    statistics: t.field({ type: TaskStatisticsRef, description: 'The figures.', resolve: (u) => u.statistics }),
  }),
});

// A channel may outlive the subscriber that opened it: its computation is made here, outside the resolvers, so that it
// holds services and arguments, never an operation's context (a closure made in a resolver would keep its scope).
const queueUpdates = (store: Store, time: ZonedTime, queues: string[], seconds: number) => async (): Promise<QueueUpdate> => {
  const at = Date.now();
  return { at, queues: await queueFigures(store, queues, windowOf(time, null, at), seconds) };
};

const taskUpdates = (store: Store, time: ZonedTime, task: PredictiveTask, lastCalls: number) => async (): Promise<TaskUpdate> => {
  const at = Date.now();
  // The uploaded count may grow (addTaskNumbers): read the task again.
  const current = (await store.tasks.get(task.id)) ?? task;
  return { at, statistics: await statisticsOfTask(store, current, windowOf(time, null, at), lastCalls) };
};

const COALESCED =
  'The first message comes at once with the current figures; then at most one about every second, and only after a call record ' +
  'that may have moved them (subscribers asking for the same figures share each update). Figures are state, not events: there is no ' +
  '`after`, and a slow reader gets the newest figures rather than a backlog. The window is today (it rolls over at midnight in UPSTREAM_TIME_ZONE).';

builder.subscriptionFields((t) => ({
  queueStatisticsUpdated: t.field({
    type: QueueStatisticsUpdateRef,
    description: `Queue statistics, live. ${COALESCED}`,
    // Cost: two store statements per update, shared by every subscriber of the same queues; no platform call.
    complexity: cost.storeList(10),
    args: {
      queues: t.arg.stringList({ required: true, description: `The queues, by name (at most ${MAX_STAT_QUEUES}).`, validate: listOf('queues', MAX_STAT_QUEUES) }),
      serviceLevelSeconds: t.arg.int({ defaultValue: DEFAULT_SERVICE_LEVEL_SECONDS, description: "The service level's threshold T.", validate: serviceLevelArg }),
    },
    subscribe: (_root, args, ctx) =>
      subscriberSource(ctx, () => {
        const statistics = requireStatistics(ctx);
        const queues = [...args.queues];
        const seconds = args.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS;
        const key = `queues\u0000${seconds}\u0000${JSON.stringify(queues)}`;
        return { stream: statistics.live.watch(key, ['call-record'], queueUpdates(ctx.store, ctx.time, queues, seconds)) };
      }),
    resolve: (update: QueueUpdate) => update,
  }),
  taskStatisticsUpdated: t.field({
    type: TaskStatisticsUpdateRef,
    description: `A predictive task's progress and abandon rate, live. ${COALESCED}`,
    // Cost: four store reads per update, shared by every subscriber of the same task; no platform call.
    complexity: cost.local,
    args: {
      taskId: t.arg.id({ required: true, description: "The predictive task's global id." }),
      lastCalls: t.arg.int({ defaultValue: DEFAULT_LAST_CALLS, description: 'N of recentAbandonRate.', validate: lastCallsArg }),
    },
    subscribe: (_root, args, ctx) =>
      subscriberSource(ctx, async () => {
        const statistics = requireStatistics(ctx);
        if (taskIdOf(String(args.taskId))?.kind !== 'PREDICTIVE') throw new InvalidInputError('taskId must be a PredictiveTask id', 'taskId');
        const task = await requirePredictiveTask(ctx, String(args.taskId));
        const lastCalls = args.lastCalls ?? DEFAULT_LAST_CALLS;
        const key = `task\u0000${task.id}\u0000${lastCalls}`;
        return { stream: statistics.live.watch(key, ['call-record', 'task-status'], taskUpdates(ctx.store, ctx.time, task, lastCalls)) };
      }),
    resolve: (update: TaskUpdate) => update,
  }),
}));

// ---- backfill --------------------------------------------------------------------------------------------------------

const BackfillStatisticsInput = builder.inputType('BackfillStatisticsInput', {
  description: 'A dial-time window to read from GetBill (at most 24 hours).',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', required: true, description: 'Start of the window (inclusive).' }),
    to: t.field({ type: 'DateTime', required: true, description: 'End of the window (inclusive, as GetBill reads it).' }),
  }),
  validate: z.object({ from: z.date(), to: z.date() }).loose(),
});

const BackfillStatisticsPayload = builder.objectRef<BackfillResult>('BackfillStatisticsPayload').implement({
  description: 'What the backfill read and counted.',
  fields: (t) => ({
    records: t.exposeInt('records', { description: 'Call records GetBill returned.' }),
    changed: t.exposeInt('changed', { description: 'Of those, calls whose figures changed (callbacks that never came, or a record the bill completed).' }),
    pages: t.exposeInt('pages', { description: 'GetBill pages read.' }),
    complete: t.exposeBoolean('complete', {
      description: `False when the window held more than ${BACKFILL_MAX_PAGES} pages of 1,000: what was read is counted; backfill shorter windows for the rest.`,
    }),
  }),
});

builder.mutationField('backfillStatistics', (t) =>
  t.field({
    type: BackfillStatisticsPayload,
    description:
      'Reads the call records of a window from GetBill (pages of 1,000), merges them into the stored records, and counts the calls ' +
      'whose callbacks never arrived. Safe to repeat: a call is counted once however often it is read.',
    // Cost: up to BACKFILL_MAX_PAGES GetBill calls.
    complexity: cost.calls(BACKFILL_MAX_PAGES),
    // A platform failure midway stays a top-level error (what was read before it is counted; repeating is safe).
    errors: resultErrors('BackfillStatisticsResult', [InvalidInputError]),
    args: { input: t.arg({ type: BackfillStatisticsInput, required: true, description: 'The window.' }) },
    resolve: async (_root, { input }, ctx) => {
      const statistics = requireStatistics(ctx);
      requireSip(ctx);
      const from = input.from.getTime();
      const to = input.to.getTime();
      if (from >= to) throw invalidAt(['input', 'from'], '`from` must be before `to`');
      if (to - from > 24 * HOUR_MS) throw invalidAt(['input', 'to'], 'a backfill window is at most 24 hours');
      if (from < Date.now() - statistics.retentionMs) {
        throw invalidAt(['input', 'from'], 'a backfill window must lie within the event retention (EVENT_RETENTION_DAYS)');
      }
      return statistics.backfill(input.from, input.to);
    },
  }),
);
