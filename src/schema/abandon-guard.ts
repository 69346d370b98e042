import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import { InvalidInputError, NotFoundError, StatisticsDisabledError, UnsupportedForTaskKindError } from '../errors.ts';
import { streamEvents } from '../events/subscribe.ts';
import { subscriberSource } from '../events/subscriber-source.ts';
import type { GatewayEvent } from '../events/types.ts';
import { cost } from '../limits/cost.ts';
import { ratePercent } from '../stats/guard.ts';
import type { GuardRow, PredictiveTask } from '../store/index.ts';
import { resultErrors } from './errors.ts';
import { afterOf, bounded } from './live.ts';
import { PredictiveTaskRef, requirePredictiveTask, taskIdOf } from './task.ts';

/**
 * The abandon-rate guard (src/stats/guard.ts, docs/statistics.md): set on a predictive task, it watches the rate over
 * the task's last N calls the customer answered; past the target it raises `abandonRateExceeded` and, when asked,
 * pauses the task on the PBX.
 */

const TOPIC = 'abandon-guard';
const MIN_GUARD_CALLS = 10;
const MAX_GUARD_CALLS = 1_000;

export const AbandonGuardRef = builder.objectRef<GuardRow>('AbandonGuard').implement({
  description: "A predictive task's abandon-rate guard: its settings and whether it tripped since it was (re)armed.",
  fields: (t) => ({
    targetPercent: t.exposeFloat('targetPercent', { description: 'The highest abandon rate allowed, in percent (e.g. 3).' }),
    lastCalls: t.exposeInt('lastCalls', { description: 'N: the rate is taken over the last N calls the customer answered.' }),
    pauseTask: t.exposeBoolean('pauseTask', { description: 'Whether tripping pauses the task on the PBX (else it only raises the event).' }),
    armedAt: t.field({
      type: 'DateTime',
      description: 'When it was set: only calls that ended after it count, so re-arming (setAbandonGuard again) starts afresh.',
      resolve: (g) => new Date(g.armedAt),
    }),
    tripped: t.boolean({ description: 'Whether the rate passed the target since armedAt (it trips once per arming).', resolve: (g) => g.trippedAt !== null }),
    trippedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it tripped.', resolve: (g) => (g.trippedAt === null ? null : new Date(g.trippedAt)) }),
    trippedRatePercent: t.float({
      nullable: true,
      description: 'The rate it tripped at.',
      resolve: (g) => (g.trippedAt === null ? null : ratePercent(g.trippedAbandoned ?? 0, g.trippedCalls ?? 0)),
    }),
  }),
});

const SetAbandonGuardInput = builder.inputType('SetAbandonGuardInput', {
  description: 'Sets (or re-arms) the abandon-rate guard of a predictive task.',
  fields: (t) => ({
    taskId: t.id({ required: true, description: "The predictive task's global id (PredictiveTask.id)." }),
    targetPercent: t.float({ required: true, description: 'The highest abandon rate allowed, in percent: more than 0, at most 100 (3 is a common ceiling).' }),
    lastCalls: t.int({ defaultValue: 100, description: `N (${MIN_GUARD_CALLS}…${MAX_GUARD_CALLS}): the rate is taken over the last N calls the customer answered.` }),
    pauseTask: t.boolean({ defaultValue: false, description: 'Pause the task on the PBX when the guard trips (else only raise abandonRateExceeded).' }),
  }),
  validate: z
    .object({
      targetPercent: z.number().gt(0, 'targetPercent must be above 0').max(100, 'targetPercent is at most 100'),
      lastCalls: z.number().int().min(MIN_GUARD_CALLS, `lastCalls is at least ${MIN_GUARD_CALLS}`).max(MAX_GUARD_CALLS, `lastCalls is at most ${MAX_GUARD_CALLS}`).nullish(),
    })
    .loose(),
});

const TaskRefInput = builder.inputType('RemoveAbandonGuardInput', {
  description: "Removes a predictive task's abandon-rate guard.",
  fields: (t) => ({ taskId: t.id({ required: true, description: "The predictive task's global id (PredictiveTask.id)." }) }),
});

interface GuardPayloadShape {
  task: PredictiveTask;
  guard: GuardRow | null;
}

const AbandonGuardPayload = builder.objectRef<GuardPayloadShape>('AbandonGuardPayload').implement({
  description: 'The guard as it now is.',
  fields: (t) => ({
    task: t.field({ type: PredictiveTaskRef, description: 'The task.', resolve: (p) => p.task }),
    guard: t.field({ type: AbandonGuardRef, nullable: true, description: 'The guard; null once removed.', resolve: (p) => p.guard }),
  }),
});

async function guardedTask(ctx: GatewayContext, globalId: string, name: string): Promise<PredictiveTask> {
  if (!ctx.statistics) throw new StatisticsDisabledError();
  const ref = taskIdOf(globalId);
  if (ref?.kind === 'AI') throw new UnsupportedForTaskKindError(name, 'AI', 'the abandon rate is a predictive dialling measure; AI calls have no agent to wait for');
  return requirePredictiveTask(ctx, globalId);
}

builder.mutationFields((t) => ({
  setAbandonGuard: t.field({
    type: AbandonGuardPayload,
    description:
      "Sets or re-arms a predictive task's abandon-rate guard (docs/statistics.md). Setting it again re-arms it: only calls ending afterwards count. " +
      'When the rate over the last N calls the customer answered passes the target, the gateway raises abandonRateExceeded and, with pauseTask, pauses the task (TaskSet 2).',
    // Cost: store writes only (the pause, when the guard trips, is the guard's own call, not this request's).
    complexity: cost.local,
    errors: resultErrors('SetAbandonGuardResult', [InvalidInputError, NotFoundError, UnsupportedForTaskKindError]),
    args: { input: t.arg({ type: SetAbandonGuardInput, required: true, description: 'The guard.' }) },
    resolve: async (_root, { input }, ctx) => {
      const task = await guardedTask(ctx, String(input.taskId), 'setAbandonGuard');
      const guard = await ctx.store.guards.set(
        task.id,
        { targetPercent: input.targetPercent, lastCalls: input.lastCalls ?? 100, pauseTask: input.pauseTask ?? false },
        Date.now(),
      );
      return { task, guard };
    },
  }),
  removeAbandonGuard: t.field({
    type: AbandonGuardPayload,
    description: "Removes a predictive task's abandon-rate guard (nothing watches its rate any more).",
    // Cost: one store write.
    complexity: cost.local,
    errors: resultErrors('RemoveAbandonGuardResult', [NotFoundError, UnsupportedForTaskKindError]),
    args: { input: t.arg({ type: TaskRefInput, required: true, description: 'The task.' }) },
    resolve: async (_root, { input }, ctx) => {
      const task = await guardedTask(ctx, String(input.taskId), 'removeAbandonGuard');
      await ctx.store.guards.set(task.id, null, Date.now());
      return { task, guard: null };
    },
  }),
}));

// ---- the event ------------------------------------------------------------------------------------------------------

type GuardEvent = GatewayEvent<'abandon-guard'>;

const GuardActionEnum = builder.enumType('AbandonGuardAction', {
  description: 'What the guard did when it tripped.',
  values: {
    PAUSED: { value: 'PAUSED', description: 'It paused the task on the PBX (its taskStatusChanged, source GUARD, is stored just before this event).' },
    ALERT_ONLY: { value: 'ALERT_ONLY', description: 'The guard was set without pauseTask: only this event.' },
    NOT_RUNNING: { value: 'NOT_RUNNING', description: 'pauseTask was set, but the task was no longer running (or the PBX is not configured): nothing to pause.' },
    PAUSE_FAILED: { value: 'PAUSE_FAILED', description: 'The PBX refused or failed the pause: see errorCode, and pause it yourself.' },
  } as const,
});

const AbandonRateExceededEventRef = builder.objectRef<GuardEvent>('AbandonRateExceededEvent').implement({
  description: "A predictive task's abandon rate passed its guard's target.",
  fields: (t) => ({
    eventId: t.id({ description: 'Increasing event id: resume with `after`.', resolve: (e) => String(e.id) }),
    receivedAt: t.field({ type: 'DateTime', description: 'When the gateway raised it.', resolve: (e) => new Date(e.receivedAt) }),
    taskGlobalId: t.id({ description: "The task's global id.", resolve: (e) => encodeGlobalID('PredictiveTask', e.payload.taskId) }),
    platformTaskId: t.string({ description: "The PBX's task id.", resolve: (e) => e.payload.taskId }),
    task: t.field({
      type: PredictiveTaskRef,
      nullable: true,
      description: 'The task as the gateway now knows it; null when it is gone.',
      // Cost: one store read.
      complexity: cost.local,
      resolve: (e, _a, ctx) => ctx.store.tasks.get(e.payload.taskId),
    }),
    targetPercent: t.float({ description: "The guard's target.", resolve: (e) => e.payload.targetPercent }),
    lastCalls: t.int({ description: "The guard's N.", resolve: (e) => e.payload.lastCalls }),
    calls: t.int({ description: 'Calls the rate was taken over.', resolve: (e) => e.payload.calls }),
    abandoned: t.int({ description: 'Of those, abandoned.', resolve: (e) => e.payload.abandoned }),
    ratePercent: t.float({ description: 'abandoned / calls × 100.', resolve: (e) => e.payload.ratePercent }),
    trippedAt: t.field({ type: 'DateTime', description: 'When the rate passed the target.', resolve: (e) => new Date(e.payload.trippedAt) }),
    action: t.field({ type: GuardActionEnum, description: 'What the guard did.', resolve: (e) => e.payload.action }),
    errorCode: t.string({ nullable: true, description: "PAUSE_FAILED: the gateway's error code for the failed pause.", resolve: (e) => e.payload.errorCode }),
  }),
});

builder.subscriptionFields((t) => ({
  abandonRateExceeded: t.field({
    type: AbandonRateExceededEventRef,
    description:
      "A predictive task's abandon rate passed its guard's target (setAbandonGuard). Stored events: `after` replays those after an eventId first, as on the other topics.",
    // Cost: events from the store and the feed, no upstream call.
    complexity: cost.local,
    args: {
      taskId: t.arg.id({ description: 'Only this predictive task (its global id); every task when absent.' }),
      after: t.arg.id({ description: 'Replay the stored events after this eventId first.' }),
    },
    subscribe: (_root, args, ctx) =>
      subscriberSource(ctx, () => {
        if (!ctx.statistics) throw new StatisticsDisabledError();
        let subjects: string[] | undefined;
        if (args.taskId != null) {
          const ref = taskIdOf(String(args.taskId));
          if (ref?.kind !== 'PREDICTIVE') throw new InvalidInputError('taskId must be a PredictiveTask id', 'taskId');
          subjects = [ref.id];
        }
        return { stream: streamEvents(ctx.store, ctx.feed, TOPIC, { after: afterOf(args.after), subjects, ...bounded(ctx) }) };
      }),
    resolve: (event) => event,
  }),
}));
