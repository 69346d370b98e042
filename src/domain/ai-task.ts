import type { InputIssue } from '../errors.ts';
import { PredictiveTaskStatus } from '../store/model.ts';
import { taskInputFieldOf } from '../upstream/aicall/mapping.ts';
import {
  type AiCallerLine,
  type AiTask,
  type AiTaskCallerLine,
  type AiTaskInput,
  type AiTaskOptions,
  isUsableHandoverGroup,
} from '../upstream/aicall/types.ts';

/**
 * AI tasks in the gateway's terms, and the checks a task input gets against the platform's live options before it is
 * sent. Pure: no I/O.
 */

/**
 * The shared TaskStatus of an AI task (the store's status enum is the GraphQL TaskStatus of both kinds). The platform knows two states (`start` 1 running, 0 paused) and nothing else:
 * a task never started and one whose numbers are all dialled are both "paused" there, so they are PAUSED here too.
 */
export function aiTaskStatus(task: Pick<AiTask, 'running'>): PredictiveTaskStatus.Running | PredictiveTaskStatus.Paused {
  return task.running ? PredictiveTaskStatus.Running : PredictiveTaskStatus.Paused;
}

/** The creation time used for ordering and cursors; the epoch when the platform did not say (such tasks sort last). `Task.createdAt` shows null then. */
export function aiTaskCreatedAt(task: Pick<AiTask, 'createdAt'>): Date {
  return task.createdAt ?? new Date(0);
}

/**
 * A caller line as the options list shows it, rebuilt from the richer line nested in a task when the options no longer
 * list it (a line whose rental ended, say). Free concurrency is total minus used, as the platform computes residue.
 */
export function callerLineFromTask(line: AiTaskCallerLine): AiCallerLine {
  const total = line.totalConcurrency ?? 0;
  return {
    id: line.id,
    name: line.name ?? line.id,
    callerNumber: line.callerNumber,
    totalConcurrency: total,
    freeConcurrency: line.usedConcurrency === null ? 0 : Math.max(0, total - line.usedConcurrency),
    availableFrom: line.availableFrom,
  };
}

/** One refusal of an input field, by the domain field name (AiTaskInput's keys, which the GraphQL inputs share). */
export interface AiTaskFieldIssue {
  /** Null: not one of the caller's fields (e.g. a deprecated one the gateway fills). */
  field: keyof AiTaskInput | null;
  message: string;
}

/**
 * The free concurrency a task may take on a line: the line's residue, plus the task's own concurrency when it is the
 * task being changed, is running, and stays on that line (the platform counts a running task against its line).
 */
export function freeConcurrencyFor(line: AiCallerLine, current: Pick<AiTask, 'running' | 'callerLineId' | 'concurrency'> | null): number {
  const own = current && current.running && current.callerLineId === line.id ? current.concurrency : 0;
  return line.freeConcurrency + own;
}

/**
 * Checks a whole task input against what the platform offers now, as the platform documents its rules: the caller
 * line exists and has free concurrency (≥ 1), the concurrency is at most that, the script group, do-not-call window
 * and redial rule exist (the rule enabled), and a hand-over group, if any, is usable (enabled, with a caller line).
 * `current` is the task being replaced, if any. Every problem is reported, each on its field.
 */
export function checkAiTaskInput(input: AiTaskInput, options: AiTaskOptions, current: AiTask | null = null): AiTaskFieldIssue[] {
  const issues: AiTaskFieldIssue[] = [];
  const fail = (field: keyof AiTaskInput, message: string) => issues.push({ field, message });

  const line = options.callerLines.find((l) => l.id === input.callerLineId);
  if (!line) {
    fail('callerLineId', 'the platform offers no such caller line');
  } else {
    const free = freeConcurrencyFor(line, current);
    if (free < 1) {
      fail('callerLineId', `caller line "${line.name}" has no free concurrency (all ${line.totalConcurrency} in use)`);
    } else if (input.concurrency > free) {
      fail('concurrency', `at most ${free}: the free concurrency of caller line "${line.name}"`);
    }
  }

  if (!options.scriptGroups.some((g) => g.id === input.scriptGroupId)) fail('scriptGroupId', 'the platform has no such script group');
  if (!options.doNotCallWindows.some((w) => w.id === input.doNotCallWindowId)) {
    fail('doNotCallWindowId', 'the platform has no such do-not-call window');
  }
  const rule = options.redialRules.find((r) => r.id === input.redialRuleId);
  if (!rule) fail('redialRuleId', 'the platform has no such redial rule');
  else if (!rule.enabled) fail('redialRuleId', `redial rule "${rule.name}" is disabled`);

  if (input.handoverGroupId !== undefined && input.handoverGroupId !== null) {
    const group = options.handoverGroups.find((g) => g.id === input.handoverGroupId);
    if (!group) fail('handoverGroupId', 'the platform has no such hand-over group');
    else if (!isUsableHandoverGroup(group)) {
      fail(
        'handoverGroupId',
        !group.enabled
          ? `hand-over group "${group.name}" is disabled`
          : `hand-over group "${group.name}" has no caller line to hand calls over on`,
      );
    }
  }
  return issues;
}

/** A 422's per-field messages (the platform's field names) as issues on the domain's fields. */
export function issuesFromFieldErrors(fieldErrors: Readonly<Record<string, readonly string[]>>): AiTaskFieldIssue[] {
  return Object.entries(fieldErrors).flatMap(([bodyField, messages]) => {
    const field = taskInputFieldOf(bodyField);
    return messages.map((message) => ({ field, message: field === null ? `${bodyField}: ${message}` : message }));
  });
}

/** Issues as InvalidInputError paths under the mutation's `input` argument. */
export function toInputIssues(issues: readonly AiTaskFieldIssue[]): InputIssue[] {
  return issues.map((issue) => ({ path: issue.field === null ? ['input'] : ['input', issue.field], message: issue.message }));
}
