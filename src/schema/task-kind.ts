import { builder } from '../builder.ts';

/** The kinds of task, in a file of their own: task.ts and errors.ts both need the enum and import neither each other. */
export const TaskKindEnum = builder.enumType('TaskKind', {
  description: 'Which platform runs a task.',
  values: {
    PREDICTIVE: { description: 'A predictive-dial campaign on the SIP PBX: answered calls go to human agents.' },
    AI: { description: 'A voice-bot campaign on the AI-call platform.' },
  } as const,
});
