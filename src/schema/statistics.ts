import { z } from 'zod';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import { InvalidInputError, StatisticsDisabledError } from '../errors.ts';
import type { Statistics } from '../stats/index.ts';
import { type AgentFigures, type QueueFigures, type TaskFigures, agentFigures, queueFigures, taskFigures } from '../stats/figures.ts';
import { MAX_WAIT_SECONDS } from '../stats/classify.ts';
import { MAX_WINDOW_MS, type StatsWindow, endOfDay, resolveWindow, startOfDay } from '../stats/window.ts';
import { cost } from '../limits/cost.ts';
import type { PredictiveTask, Store } from '../store/index.ts';
import type { ZonedTime } from '../upstream/time.ts';
import { AgentPresenceStateEnum, type PresenceState, presenceOfSeat } from './presence.ts';
import { AbandonGuardRef } from './abandon-guard.ts';
import { AgentRef, agentOf } from './refs.ts';
import { PredictiveTaskRef } from './task.ts';

/**
 * Call-centre statistics (docs/statistics.md): agents, queues and predictive campaigns over a window, read from the
 * counters the gateway keeps as events arrive (src/stats/); no platform call, a few store statements per request.
 */

export const MAX_STAT_EXTENSIONS = 2_000;
export const MAX_STAT_QUEUES = 200;
const DEFAULT_SERVICE_LEVEL_SECONDS = 20;
const DEFAULT_LAST_CALLS = 100;
export const MAX_LAST_CALLS = 1_000;

/** INVALID_INPUT naming the argument's path one segment per name, as every other issue does. */
export const invalidAt = (path: string[], message: string) => new InvalidInputError(message, path.at(-1), [{ path, message }]);

export function requireStatistics(ctx: GatewayContext): Statistics {
  if (!ctx.statistics) throw new StatisticsDisabledError();
  return ctx.statistics;
}

// ---- windows -------------------------------------------------------------------------------------------------------

interface WindowArg {
  from?: Date | null;
  to?: Date | null;
}

const StatisticsWindowInput = builder.inputType('StatisticsWindowInput', {
  description:
    'A time window. Both ends are optional: `to` defaults to the end of today, `from` to the midnight that starts `to`\'s day, in the ' +
    "call centre's time zone (UPSTREAM_TIME_ZONE): no window is today. Resolved to whole minutes (`from` down, `to` up); at most 31 days. " +
    'State times never run past now.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Start (inclusive).' }),
    to: t.field({ type: 'DateTime', description: 'End (exclusive).' }),
  }),
});

/**
 * The window asked for, or today (midnight to midnight: a PBX has no calls after now, and the demo's simulator, whose
 * clock runs fast, has some that a window ending now would hide); INVALID_INPUT when it is backwards or over 31 days.
 */
export function windowOf(time: ZonedTime, arg: WindowArg | null | undefined, now = Date.now()): StatsWindow {
  const to = arg?.to ? arg.to.getTime() : endOfDay(now, time);
  const from = arg?.from ? arg.from.getTime() : startOfDay(to - 1, time);
  if (from >= to) throw invalidAt(['window', 'from'], 'window: `from` must be before `to`');
  if (to - from > MAX_WINDOW_MS) throw invalidAt(['window', 'to'], 'window: at most 31 days');
  return resolveWindow(from, to);
}

const StatisticsWindowRef = builder.objectRef<StatsWindow>('StatisticsWindow').implement({
  description: 'The window the figures cover, as resolved (whole minutes).',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Start (inclusive).', resolve: (w) => new Date(w.from) }),
    to: t.field({ type: 'DateTime', description: 'End (exclusive).', resolve: (w) => new Date(w.to) }),
  }),
});

const listOf = (name: string, max: number) =>
  z
    .array(z.string().min(1, `${name} must not be empty`).max(64, `${name} are at most 64 characters`).regex(/^[^\u0000-\u001f]+$/, `${name} must not hold control characters`))
    .min(1, `give at least one of ${name}`)
    .max(max, `at most ${max} ${name}`);

// ---- agents --------------------------------------------------------------------------------------------------------

const PRESENCE_OF: Record<NonNullable<AgentFigures['state']>, PresenceState> = { idle: 'AVAILABLE', ringing: 'RINGING', talking: 'IN_CALL' };

const AgentStateSecondsRef = builder.objectRef<AgentFigures>('AgentStateSeconds').implement({
  description:
    'Seconds spent in each state within the window, from the extension-status callbacks (ring → RINGING, answer → IN_CALL, hang-up → AVAILABLE). ' +
    'The PBX sends no event when an agent pauses in a queue or unregisters, so time PAUSED or OFFLINE is not told apart: it counts as available.',
  fields: (t) => ({
    available: t.exposeInt('idleSeconds', { description: 'Free: between a hang-up and the next ring.' }),
    ringing: t.exposeInt('ringingSeconds', { description: 'A call was ringing the agent.' }),
    inCall: t.exposeInt('talkingSeconds', { description: 'In a call (from answer to hang-up).' }),
  }),
});

const AgentStatisticsRef = builder.objectRef<AgentFigures>('AgentStatistics').implement({
  description: "One agent's figures over a window (docs/statistics.md). Read from the gateway's counters: no platform call.",
  fields: (t) => ({
    extension: t.exposeString('extension', { description: "The agent's extension." }),
    agent: t.field({ type: AgentRef, description: 'The agent (its platform fields cost what they cost on Agent).', resolve: (f) => agentOf(f.extension) }),
    window: t.field({ type: StatisticsWindowRef, description: 'The window the figures cover.', resolve: (f) => f.window }),
    offered: t.exposeInt('offered', { description: 'Calls that rang the agent (ring events), counted when the gateway took the ring in.' }),
    answered: t.exposeInt('answered', { description: 'Of those, calls the agent answered.' }),
    missed: t.exposeInt('missed', { description: 'Of those, calls that stopped ringing unanswered (rang out, refused, or taken by another agent).' }),
    connectedCalls: t.exposeInt('connectedCalls', { description: 'Call records with this agent that an agent answered (started in the window).' }),
    talkSeconds: t.exposeInt('talkSeconds', { description: 'Talk time of those calls (the records\' `billsec`).' }),
    averageHandleSeconds: t.exposeFloat('averageHandleSeconds', {
      nullable: true,
      description: 'talkSeconds / connectedCalls, to 0.1 s; null without calls. The PBX reports no after-call work, so handle time is talk time.',
    }),
    stateSeconds: t.field({ type: AgentStateSecondsRef, description: 'Time in each state within the window.', resolve: (f) => f }),
    occupancy: t.exposeFloat('occupancy', {
      nullable: true,
      description: '(ringing + in call) / (available + ringing + in call), 0…1; null when nothing of the window is known.',
    }),
    knownSince: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'State times start here: the window\'s start, or the agent\'s first event in it when nothing was known before. Null: no event at all.',
      resolve: (f) => (f.knownFrom === null ? null : new Date(f.knownFrom)),
    }),
    state: t.field({
      type: AgentPresenceStateEnum,
      nullable: true,
      description: "The agent's state at the window's end (now, for a window ending now); null when no event of the agent came before it.",
      resolve: (f) => (f.state === null ? null : PRESENCE_OF[f.state]),
    }),
    stateSince: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the agent entered `state` (when the gateway took the event in).',
      resolve: (f) => (f.stateSince === null ? null : new Date(f.stateSince)),
    }),
  }),
});

// ---- queues --------------------------------------------------------------------------------------------------------

const ServiceLevelRef = builder.objectRef<QueueFigures>('ServiceLevel').implement({
  description: 'Share of the calls offered to the queue that an agent answered within the threshold.',
  fields: (t) => ({
    thresholdSeconds: t.exposeInt('serviceLevelSeconds', { description: 'The threshold asked for (seconds from the dial to the agent\'s answer).' }),
    answeredWithin: t.exposeInt('answeredWithin', { description: 'Calls answered within it.' }),
    percent: t.exposeFloat('serviceLevelPercent', { nullable: true, description: 'answeredWithin / offered × 100, to 0.01; null when nothing was offered.' }),
  }),
});

interface StateCount {
  state: PresenceState;
  agents: number;
}

const AgentStateCountRef = builder.objectRef<StateCount>('AgentStateCount').implement({
  description: 'How many of a queue\'s seats are in one state now.',
  fields: (t) => ({
    state: t.field({ type: AgentPresenceStateEnum, description: 'The state.', resolve: (c) => c.state }),
    agents: t.exposeInt('agents', { description: 'Seats in it.' }),
  }),
});

const PRESENCE_ORDER: readonly PresenceState[] = ['AVAILABLE', 'RINGING', 'IN_CALL', 'PAUSED', 'OFFLINE', 'DISABLED', 'NOT_FOUND', 'UNKNOWN'];

/** A queue's seats now, counted per state in one fixed order; states no seat is in are left out. */
async function agentsNow(ctx: GatewayContext, queue: string): Promise<StateCount[]> {
  // Read afresh: a live subscription resolves update after update with one operation's loaders.
  const seats = await ctx.loaders.seatsByQueue.clear(queue).load(queue);
  const counts = new Map<PresenceState, number>();
  for (const seat of seats) counts.set(presenceOfSeat(seat), (counts.get(presenceOfSeat(seat)) ?? 0) + 1);
  return PRESENCE_ORDER.filter((state) => counts.has(state)).map((state) => ({ state, agents: counts.get(state) ?? 0 }));
}

const QueueStatisticsRef = builder.objectRef<QueueFigures>('QueueStatistics').implement({
  description:
    "One queue's figures over a window, for the predictive calls of tasks assigned to the queue (docs/statistics.md). Read from the gateway's counters: no platform call.",
  fields: (t) => ({
    queue: t.exposeString('queue', { description: 'The queue name.' }),
    window: t.field({ type: StatisticsWindowRef, description: 'The window the figures cover.', resolve: (f) => f.window }),
    offered: t.exposeInt('offered', { description: 'Calls the customer answered, so offered to the queue (started in the window).' }),
    answered: t.exposeInt('answered', { description: 'Of those, calls an agent answered.' }),
    abandoned: t.exposeInt('abandoned', { description: 'Of those, calls no agent took (the customer hung up waiting).' }),
    abandonRatePercent: t.exposeFloat('abandonRatePercent', { nullable: true, description: 'abandoned / offered × 100; null when nothing was offered.' }),
    serviceLevel: t.field({ type: ServiceLevelRef, description: 'Answered within the threshold asked for.', resolve: (f) => f }),
    averageSpeedOfAnswerSeconds: t.exposeFloat('averageSpeedOfAnswerSeconds', {
      nullable: true,
      description: "Mean wait of answered calls: from the dial to the agent's answer (the PBX does not report when the customer picked up). Null without answered calls.",
    }),
    averageTalkSeconds: t.exposeFloat('averageTalkSeconds', { nullable: true, description: 'Mean talk time of answered calls; null without any.' }),
    talkSeconds: t.exposeInt('talkSeconds', { description: 'Talk time of answered calls in all.' }),
    agentsNow: t.field({
      type: [AgentStateCountRef],
      nullable: true,
      description:
        "The queue's seats now (not over the window), counted by state (PAUSED: showing busy in the queue): the one field here that reads the PBX. " +
        'Null with an error on this path when the PBX cannot be read; the counted figures still resolve.',
      // Cost: one GetQueueSipStatus for every queue of the request (batched); in queueStatisticsUpdated, one per update.
      complexity: cost.batched,
      resolve: (f, _args, ctx) => agentsNow(ctx, f.queue),
    }),
  }),
});

// ---- campaigns -----------------------------------------------------------------------------------------------------

const RecentAbandonRateRef = builder.objectRef<TaskFigures['recent']>('RecentAbandonRate').implement({
  description: "The abandon rate over the task's last N calls the customer answered (what the guard watches).",
  fields: (t) => ({
    lastCalls: t.exposeInt('lastCalls', { description: 'N, as asked for.' }),
    calls: t.exposeInt('calls', { description: 'Calls it was taken over (fewer than N early in a campaign).' }),
    abandoned: t.exposeInt('abandoned', { description: 'Of those, abandoned.' }),
    percent: t.exposeFloat('percent', { nullable: true, description: 'abandoned / calls × 100; null without calls.' }),
  }),
});

export const TaskStatisticsRef = builder.objectRef<TaskFigures>('TaskStatistics').implement({
  description:
    "A predictive campaign's progress and quality, from the call records joined to the task through the numbers its uploads sent (docs/statistics.md).",
  fields: (t) => ({
    window: t.field({ type: StatisticsWindowRef, description: 'The window of the windowed figures (dialled … abandonRatePercent).', resolve: (f) => f.window }),
    numbersUploaded: t.exposeInt('numbersUploaded', { description: 'Numbers the platform accepted for the task, all uploads together.' }),
    dialledAllTime: t.exposeInt('dialledEver', { description: 'Calls placed for the task since it was created.' }),
    remaining: t.exposeInt('remaining', { description: 'numbersUploaded − dialledAllTime (never below 0).' }),
    dialled: t.exposeInt('dialled', { description: 'Calls placed for the task that started in the window.' }),
    customerAnswered: t.exposeInt('customerAnswered', { description: 'Of those, calls the customer answered.' }),
    connected: t.exposeInt('connected', { description: 'Of those, calls an agent took.' }),
    abandoned: t.exposeInt('abandoned', { description: 'Of those, calls the customer answered and no agent took.' }),
    abandonRatePercent: t.exposeFloat('abandonRatePercent', { nullable: true, description: 'abandoned / customerAnswered × 100; null when none was answered.' }),
    recentAbandonRate: t.field({ type: RecentAbandonRateRef, description: 'Over the last N calls the customer answered, whatever the window.', resolve: (f) => f.recent }),
    abandonGuard: t.field({ type: AbandonGuardRef, nullable: true, description: "The task's abandon-rate guard; null when it has none.", resolve: (f) => f.guard }),
  }),
});

export async function statisticsOfTask(store: Store, task: PredictiveTask, window: StatsWindow, lastCalls: number): Promise<TaskFigures> {
  return taskFigures(store, { id: task.id, accepted: task.counts.accepted }, window, lastCalls);
}

const lastCallsArg = z.number().int().min(1).max(MAX_LAST_CALLS, `lastCalls is at most ${MAX_LAST_CALLS}`);

builder.objectField(PredictiveTaskRef, 'statistics', (t) =>
  t.field({
    type: TaskStatisticsRef,
    // Nullable: with STATISTICS=off its error must not null the task.
    nullable: true,
    description:
      "Progress and abandon rate (default window: today). Read from the gateway's counters: no platform call. Null with STATISTICS_DISABLED when the gateway counts none.",
    // Cost: four store reads.
    complexity: cost.local,
    args: {
      window: t.arg({ type: StatisticsWindowInput, description: 'The window of the windowed figures (default: today).' }),
      lastCalls: t.arg.int({ defaultValue: DEFAULT_LAST_CALLS, description: `N of recentAbandonRate (1…${MAX_LAST_CALLS}).`, validate: lastCallsArg }),
    },
    resolve: (task, args, ctx) => {
      requireStatistics(ctx);
      return statisticsOfTask(ctx.store, task, windowOf(ctx.time, args.window), args.lastCalls ?? DEFAULT_LAST_CALLS);
    },
  }),
);

const serviceLevelArg = z.number().int().min(1).max(MAX_WAIT_SECONDS, `serviceLevelSeconds is at most ${MAX_WAIT_SECONDS}`);

builder.queryFields((t) => ({
  agentStatistics: t.field({
    type: [AgentStatisticsRef],
    description: `Figures per agent over a window (default: today), in the order asked; at most ${MAX_STAT_EXTENSIONS} extensions. No platform call.`,
    authScopes: { viewer: true },
    // Cost: three store statements per 250 agents; each entry is one object.
    complexity: cost.storeList(200),
    args: {
      extensions: t.arg.stringList({ required: true, description: 'The agents, by extension.', validate: listOf('extensions', MAX_STAT_EXTENSIONS) }),
      window: t.arg({ type: StatisticsWindowInput, description: 'The window (default: today).' }),
    },
    resolve: (_root, args, ctx) => {
      requireStatistics(ctx);
      return agentFigures(ctx.store, args.extensions, windowOf(ctx.time, args.window));
    },
  }),
  queueStatistics: t.field({
    type: [QueueStatisticsRef],
    description:
      `Figures per queue over a window (default: today), in the order asked; at most ${MAX_STAT_QUEUES} queues. ` +
      'No platform call, except one GetQueueSipStatus for all of them when `agentsNow` is selected.',
    authScopes: { viewer: true },
    // Cost: two store statements; each entry is one object.
    complexity: cost.storeList(50),
    args: {
      queues: t.arg.stringList({ required: true, description: 'The queues, by name.', validate: listOf('queues', MAX_STAT_QUEUES) }),
      window: t.arg({ type: StatisticsWindowInput, description: 'The window (default: today).' }),
      serviceLevelSeconds: t.arg.int({
        defaultValue: DEFAULT_SERVICE_LEVEL_SECONDS,
        description: `The service level's threshold T (1…${MAX_WAIT_SECONDS} s): the share answered within T seconds.`,
        validate: serviceLevelArg,
      }),
    },
    resolve: (_root, args, ctx) => {
      requireStatistics(ctx);
      return queueFigures(ctx.store, args.queues, windowOf(ctx.time, args.window), args.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS);
    },
  }),
}));

export { StatisticsWindowInput, StatisticsWindowRef, QueueStatisticsRef, lastCallsArg, serviceLevelArg, listOf, DEFAULT_LAST_CALLS, DEFAULT_SERVICE_LEVEL_SECONDS };
