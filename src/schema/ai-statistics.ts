import { builder } from '../builder.ts';
import { type AiTaskFigures, aiTaskFigures } from '../stats/figures.ts';
import { cost } from '../limits/cost.ts';
import { AiTaskRef } from './ai-task.ts';
import { StatisticsWindowInput, StatisticsWindowRef, requireStatistics, windowOf } from './statistics.ts';

/**
 * An AI task's figures (docs/statistics.md): its progress is the platform's own (`AiTask.progress`); what the gateway
 * adds is counted from the platform's hang-up notifications as they arrive (topic aicall-notify).
 */

const AiCallOutcomeCountRef = builder.objectRef<AiTaskFigures['outcomes'][number]>('AiCallOutcomeCount').implement({
  description: "Calls the platform labelled with one outcome (its intention / result word, as sent; at most 50 labels per task, later new ones as '(other)').",
  fields: (t) => ({
    outcome: t.exposeString('outcome', { description: 'The label as the platform sent it (cut at 64 characters).' }),
    calls: t.exposeInt('calls', { description: 'Calls with it, since the task began.' }),
  }),
});

const AiTaskStatisticsRef = builder.objectRef<AiTaskFigures>('AiTaskStatistics').implement({
  description:
    "An AI task's calls as its platform's hang-up notifications reported them. How far the task is through its numbers is the platform's own `AiTask.progress`.",
  fields: (t) => ({
    window: t.field({ type: StatisticsWindowRef, description: 'The window of the counted figures.', resolve: (f) => f.window }),
    calls: t.exposeInt('calls', { description: 'Calls that ended (one notification each) and began in the window.' }),
    answered: t.exposeInt('answered', { description: 'Of those, calls the called party answered (an answer time or talk time was reported).' }),
    answerRatePercent: t.exposeFloat('answerRatePercent', { nullable: true, description: 'answered / calls × 100; null without calls.' }),
    talkSeconds: t.exposeInt('talkSeconds', { description: 'Talk time of answered calls.' }),
    averageTalkSeconds: t.exposeFloat('averageTalkSeconds', { nullable: true, description: 'talkSeconds / answered, to 0.1 s; null without answered calls.' }),
    outcomes: t.field({ type: [AiCallOutcomeCountRef], description: 'Outcome labels since the task began, most calls first.', resolve: (f) => f.outcomes }),
  }),
});

builder.objectField(AiTaskRef, 'statistics', (t) =>
  t.field({
    type: AiTaskStatisticsRef,
    // Nullable: with STATISTICS=off its error must not null the task.
    nullable: true,
    description:
      "Calls, answers, talk time (default window: today) and outcome labels, counted from the platform's hang-up notifications. " +
      "Read from the gateway's counters: no platform call. Null with STATISTICS_DISABLED when the gateway counts none.",
    // Cost: two store reads.
    complexity: cost.local,
    args: { window: t.arg({ type: StatisticsWindowInput, description: 'The window of the counted figures (default: today).' }) },
    resolve: (task, args, ctx) => {
      requireStatistics(ctx);
      return aiTaskFigures(ctx.store, task.id, windowOf(ctx.time, args.window));
    },
  }),
);
