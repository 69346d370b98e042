import { z } from 'zod';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import {
  type AiTaskFieldIssue,
  aiTaskStatus,
  callerLineFromTask,
  checkAiTaskInput,
  issuesFromFieldErrors,
  toInputIssues,
} from '../domain/ai-task.ts';
import { AiCallHttpError, InvalidInputError, NotFoundError, UnsupportedForTaskKindError } from '../errors.ts';
import { loadNodes, loadOrNull } from '../loaders/batch.ts';
import type { AiTask, AiTaskInput } from '../upstream/aicall/types.ts';
import {
  CallerLineRef,
  DoNotCallWindowRef,
  HandoverGroupRef,
  RedialRuleRef,
  resourceIdOf,
  ScriptGroupRef,
} from './ai-resources.ts';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { ConflictError } from '../errors.ts';
import { aiCallCommand, explainAiCallError, mutationErrors, resultErrors, UpstreamRejected } from './errors.ts';
import { IDEMPOTENCY_KEY_DESCRIPTION, idempotencyKeySchema, idempotent } from './mutation-input.ts';
import { afterAiWrite, commandTaskId, findAiTask, requireAiTask, TaskRef, taskIdOf } from './task.ts';
import { requireAiCall } from './upstream.ts';
import { cost } from '../limits/cost.ts';

/**
 * AI tasks (the AI-call platform's `/v1/task`): the AiTask type, and the mutations only they have — createAiTask,
 * updateAiTask, deleteTask. The shared task API (tasks, task, startTask, pauseTask, addTaskNumbers) lives in task.ts
 * and task-numbers.ts. Inputs are checked against the platform's live options before anything is written.
 */

export const AiTaskRef = builder.objectRef<AiTask>('AiTask');

builder.node(AiTaskRef, {
  description:
    'A voice-bot campaign on the AI-call platform. Its resources (line, script group, rules, hand-over group) resolve from one cached options list, ' +
    'and every AI task of a request from one `GET /v1/task`: a page of any size costs at most two platform calls.',
  interfaces: [TaskRef],
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'scriptGroupId' in value,
  id: { resolve: (task) => task.id },
  loadMany: (ids, ctx) => loadNodes(ctx.aiLoaders.task, ids),
  fields: (t) => ({
    platformId: t.exposeString('id', { description: "The AI-call platform's own task id (a uuid). Task.id is the global id." }),
    taskId: t.exposeString('id', { description: "The platform's task id (a uuid).", deprecationReason: 'Use platformId (the same value).' }),
    remark: t.exposeString('remark', { nullable: true, description: 'Free text about the task.' }),
    concurrency: t.exposeInt('concurrency', { description: 'Calls the task may have up at once (taken from its caller line while it runs).' }),
    callsPerSecond: t.exposeFloat('callsPerSecond', { nullable: true, description: 'Dialling rate the platform allows; null when not reported.' }),
    callerNumber: t.exposeString('callerNumber', { nullable: true, description: 'The number shown to the called party.' }),
    callerLine: t.field({
      type: CallerLineRef,
      nullable: true,
      // Cost: from the request's one read of the options (`GET /v1/task/create`, cached 5 s and shared).
      complexity: cost.batched,
      description: 'The line it dials out on; null when the platform no longer knows it.',
      resolve: async (task, _args, ctx) => {
        const line = await loadOrNull(ctx.aiLoaders.callerLine, task.callerLineId);
        return line ?? (task.callerLine ? callerLineFromTask(task.callerLine) : null);
      },
    }),
    scriptGroup: t.field({
      type: ScriptGroupRef,
      nullable: true,
      // Cost: from the request's one read of the options (`GET /v1/task/create`, cached 5 s and shared).
      complexity: cost.batched,
      description: 'The scripts the bot follows; null when the platform no longer lists the group.',
      resolve: async (task, _args, ctx) => (await loadOrNull(ctx.aiLoaders.scriptGroup, task.scriptGroupId)) ?? task.scriptGroup,
    }),
    redialRule: t.field({
      type: RedialRuleRef,
      nullable: true,
      // Cost: from the request's one read of the options (`GET /v1/task/create`, cached 5 s and shared).
      complexity: cost.batched,
      description: 'How failed calls are dialled again; null when none is set or the platform no longer lists it.',
      resolve: async (task, _args, ctx) => {
        if (task.redialRuleId === null) return null;
        const rule = await loadOrNull(ctx.aiLoaders.redialRule, task.redialRuleId);
        if (rule) return rule;
        const nested = task.redialRule;
        return nested ? { id: nested.id, name: nested.name ?? '', remark: nested.remark, enabled: nested.enabled ?? false } : null;
      },
    }),
    doNotCallWindow: t.field({
      type: DoNotCallWindowRef,
      nullable: true,
      // Cost: from the request's one read of the options (`GET /v1/task/create`, cached 5 s and shared).
      complexity: cost.batched,
      description: 'When it does not dial; null when none is set or the platform no longer lists it.',
      resolve: async (task, _args, ctx) =>
        task.doNotCallWindowId === null ? null : ((await loadOrNull(ctx.aiLoaders.doNotCallWindow, task.doNotCallWindowId)) ?? task.doNotCallWindow),
    }),
    handoverGroup: t.field({
      type: HandoverGroupRef,
      nullable: true,
      // Cost: from the request's one read of the options (`GET /v1/task/create`, cached 5 s and shared).
      complexity: cost.batched,
      description: 'The human customer-service group calls are handed over to; null when none.',
      resolve: (task, _args, ctx) => (task.handoverGroupId === null ? null : loadOrNull(ctx.aiLoaders.handoverGroup, task.handoverGroupId)),
    }),
    pauseSeconds: t.exposeInt('pauseSeconds', { description: 'Pause between two calls on one channel, in seconds.' }),
    dialTimeoutSeconds: t.exposeInt('dialTimeoutSeconds', { description: 'How long a number may ring before the attempt is given up, in seconds.' }),
    changedAt: t.expose('changedAt', { type: 'DateTime', nullable: true, description: 'When the task last changed on the platform.' }),
  }),
});

// ---- Inputs ---------------------------------------------------------------------------------------------------------

const name = z.string().trim().min(1, 'name is required').max(255, 'name is at most 255 characters');
const remark = z.string().max(255, 'remark is at most 255 characters').nullish();
const concurrency = z.number().int().min(1, 'concurrency must be at least 1').max(10_000);
const pauseSeconds = z.number().int().min(0, 'pauseSeconds must not be negative').max(86_400).nullish();
const dialTimeoutSeconds = z.number().int().min(1, 'dialTimeoutSeconds must be at least 1').max(3_600).nullish();

const CreateAiTaskInput = builder.inputType('CreateAiTaskInput', {
  description: 'A new AI task. Ids are the global ids read from aiTaskOptions. The task starts paused: startTask starts it.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Task name.' }),
    remark: t.string({ description: 'Free text about the task.' }),
    callerLineId: t.id({ required: true, description: 'The caller line (CallerLine.id); it must have free concurrency.' }),
    concurrency: t.int({ required: true, description: "Calls at once; at most the line's free concurrency." }),
    scriptGroupId: t.id({ required: true, description: 'The scripts the bot follows (ScriptGroup.id).' }),
    doNotCallWindowId: t.id({ required: true, description: 'When not to dial (DoNotCallWindow.id).' }),
    redialRuleId: t.id({ required: true, description: 'How failed calls are dialled again (RedialRule.id); it must be enabled.' }),
    handoverGroupId: t.id({ description: 'Human group to hand calls over to (HandoverGroup.id); it must be usable. None when absent.' }),
    pauseSeconds: t.int({ description: 'Pause between calls on one channel (default: 10 for concurrency 1, as the platform advises, else 0).' }),
    dialTimeoutSeconds: t.int({ description: 'How long a number may ring (default 60).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
  validate: z.object({ name, remark, concurrency, pauseSeconds, dialTimeoutSeconds, idempotencyKey: idempotencyKeySchema }).loose(),
});

const UpdateAiTaskInput = builder.inputType('UpdateAiTaskInput', {
  description:
    'Changes to an AI task: fields left out keep their value. `remark: null` and `handoverGroupId: null` clear them; null on any other field keeps its value.',
  fields: (t) => ({
    id: t.id({ required: true, description: "The task's global id (AiTask.id)." }),
    name: t.string({ description: 'Task name.' }),
    remark: t.string({ description: 'Free text about the task; null clears it.' }),
    callerLineId: t.id({ description: 'The caller line (CallerLine.id).' }),
    concurrency: t.int({ description: "Calls at once; at most the line's free concurrency (a running task's own concurrency counts as free)." }),
    scriptGroupId: t.id({ description: 'The scripts the bot follows (ScriptGroup.id).' }),
    doNotCallWindowId: t.id({ description: 'When not to dial (DoNotCallWindow.id).' }),
    redialRuleId: t.id({ description: 'How failed calls are dialled again (RedialRule.id).' }),
    handoverGroupId: t.id({ description: 'Human group to hand calls over to (HandoverGroup.id); null removes the hand-over.' }),
    pauseSeconds: t.int({ description: 'Pause between calls on one channel, in seconds.' }),
    dialTimeoutSeconds: t.int({ description: 'How long a number may ring, in seconds.' }),
  }),
  validate: z
    .object({ name: name.nullish(), remark, concurrency: concurrency.nullish(), pauseSeconds, dialTimeoutSeconds })
    .loose(),
});

type IdField = 'callerLineId' | 'scriptGroupId' | 'doNotCallWindowId' | 'redialRuleId' | 'handoverGroupId';

const ID_TYPES = {
  callerLineId: 'CallerLine',
  scriptGroupId: 'ScriptGroup',
  doNotCallWindowId: 'DoNotCallWindow',
  redialRuleId: 'RedialRule',
  handoverGroupId: 'HandoverGroup',
} as const;

/**
 * The platform id inside the global id given for `field`, or null with an issue on that field when the id is not of
 * the field's type. (A null id is a placeholder: the field's issue stops it from being checked any further.)
 */
function decodeId<F extends IdField>(field: F, globalId: string | number, issues: AiTaskFieldIssue[]): AiTaskInput[F] {
  const type = ID_TYPES[field];
  const id = resourceIdOf(String(globalId), type);
  if (id === null) issues.push({ field, message: `not a ${type} id: use ${type}.id from aiTaskOptions` });
  return id as AiTaskInput[F];
}

/**
 * Checks a task input against a fresh copy of the platform's options (free concurrency moves) and throws an
 * InvalidInputError with one issue per problem, on its input field; a field whose id did not decode is not checked again.
 */
async function checkAgainstOptions(ctx: GatewayContext, input: AiTaskInput, presetIssues: AiTaskFieldIssue[], current: AiTask | null) {
  const cache = ctx.aiTaskOptions;
  if (!cache) throw new Error('AI-call options cache missing');
  const { options } = await cache.fresh();
  const refused = new Set(presetIssues.map((issue) => issue.field));
  const issues = [...presetIssues, ...checkAiTaskInput(input, options, current).filter((issue) => !refused.has(issue.field))];
  if (issues.length > 0) throw invalidTask(issues);
}

function invalidTask(issues: readonly AiTaskFieldIssue[]): InvalidInputError {
  const summary = issues.map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message)).join('; ');
  return new InvalidInputError(summary, undefined, toInputIssues(issues));
}

/** A refused write: a 422's per-field errors become issues on the input's fields; other refusals stay as they are. */
function explainTaskWrite(error: unknown, keys: { task?: string }): never {
  if (error instanceof AiCallHttpError && error.status === 422 && Object.keys(error.fieldErrors).length > 0) {
    throw invalidTask(issuesFromFieldErrors(error.fieldErrors));
  }
  explainAiCallError(error, keys);
}

// ---- Mutations ------------------------------------------------------------------------------------------------------

/** `task` is the platform's answer; a replayed createAiTask (idempotencyKey) has only `uuid` and reads the task again. */
const AiTaskPayload = builder.objectRef<{ task?: AiTask; uuid: string }>('AiTaskPayload').implement({
  description: 'The AI task after the change.',
  fields: (t) => ({
    task: t.field({
      type: AiTaskRef,
      description: 'The task (a replayed createAiTask reads it again: one `GET /v1/task`).',
      resolve: async (p, _a, ctx) => p.task ?? requireAiTask(ctx, encodeGlobalID('AiTask', p.uuid), p.uuid),
    }),
  }),
});

const DeleteTaskInput = builder.inputType('DeleteTaskInput', {
  description: 'The task to delete.',
  fields: (t) => ({ taskId: t.id({ required: true, description: "The task's global id (AiTask.id)." }) }),
});

const DeleteTaskPayload = builder.objectRef<{ id: string; uuid: string }>('DeleteTaskPayload').implement({
  description: 'A deleted task: every delete payload has `deletedId` (the global id it had) and the platform key it had.',
  fields: (t) => ({
    deletedId: t.id({ description: 'The global id the task had (Task.id): drop it from caches.', resolve: (p) => p.id }),
    platformId: t.exposeString('uuid', { description: "The id the task had on its platform (AiTask.platformId)." }),
    deletedTaskId: t.id({ description: 'The global id of the deleted task.', deprecationReason: 'Use deletedId: the same value.', resolve: (p) => p.id }),
  }),
});


type CreateAiTaskArgs = typeof CreateAiTaskInput.$inferInput;

/** createAiTask's work (once per idempotency key). The stored result keeps only the task's id: a replay reads it again. */
async function createAiTask(ctx: GatewayContext, input: CreateAiTaskArgs): Promise<{ task?: AiTask; uuid: string }> {
  const aicall = requireAiCall(ctx);
  const issues: AiTaskFieldIssue[] = [];
  const draft: AiTaskInput = {
    name: input.name.trim(),
    remark: input.remark ?? null,
    callerLineId: decodeId('callerLineId', input.callerLineId, issues),
    scriptGroupId: decodeId('scriptGroupId', input.scriptGroupId, issues),
    doNotCallWindowId: decodeId('doNotCallWindowId', input.doNotCallWindowId, issues),
    redialRuleId: decodeId('redialRuleId', input.redialRuleId, issues),
    handoverGroupId: input.handoverGroupId == null ? null : decodeId('handoverGroupId', input.handoverGroupId, issues),
    concurrency: input.concurrency,
    pauseSeconds: input.pauseSeconds ?? (input.concurrency === 1 ? 10 : 0),
    dialTimeoutSeconds: input.dialTimeoutSeconds ?? 60,
  };
  await checkAgainstOptions(ctx, draft, issues, null);
  let task: AiTask;
  try {
    task = await aicall.createTask(draft);
  } catch (error) {
    explainTaskWrite(error, {});
  }
  // A new task is paused: no line's free concurrency moved, and the options just fetched still hold.
  afterAiWrite(ctx, { concurrencyChanged: false });
  await ctx.recordTaskChange({ kind: 'AI', taskId: task.id, status: 'PAUSED', previous: null, key: ['created'] });
  return { task, uuid: task.id };
}

builder.mutationFields((t) => ({
  createAiTask: t.field({
    type: AiTaskPayload,
    description:
      'Creates an AI task (`POST /v1/task`), paused. The input is first checked against the live options — the line exists and has free concurrency, ' +
      "concurrency ≤ the line's free concurrency, the script group, window and rule exist (the rule enabled), the hand-over group is usable — and every " +
      'problem comes back as an InvalidInputError issue on its field, with nothing sent. A refusal by the platform (422) is mapped the same way.',
    // Cost: a fresh `GET /v1/task/create` (the input is checked against it) and `POST /v1/task`.
    complexity: cost.calls(2),
    // No NotFoundError: a resource id that names nothing is an InvalidInputError issue on its field (checkAgainstOptions).
    errors: resultErrors('CreateAiTaskResult', [InvalidInputError, UpstreamRejected, ConflictError]),
    args: { input: t.arg({ type: CreateAiTaskInput, required: true, description: 'The command, described by its input type.' }) },
    resolve: async (_root, { input }, ctx) => {
      const { idempotencyKey: key, ...request } = input;
      return idempotent(ctx, 'createAiTask', key, request, () => createAiTask(ctx, input), (stored) => ({ uuid: stored.uuid }));
    },
  }),
  updateAiTask: t.field({
    type: AiTaskPayload,
    description:
      'Changes an AI task (`PUT /v1/task/{id}`, which replaces the whole task: the gateway fills the fields left out from the current task). ' +
      'Checked against the live options like createAiTask. A predictive task gets UnsupportedForTaskKindError.',
    // Cost: `GET /v1/task` (the current task), a fresh `GET /v1/task/create` and `PUT /v1/task/{id}`.
    complexity: cost.calls(3),
    errors: mutationErrors('UpdateAiTaskResult', [UnsupportedForTaskKindError]),
    args: { input: t.arg({ type: UpdateAiTaskInput, required: true, description: 'The command, described by its input type.' }) },
    resolve: async (_root, { input }, ctx) => {
      const globalId = String(input.id);
      const ref = taskIdOf(globalId);
      if (ref?.kind === 'PREDICTIVE') {
        throw new UnsupportedForTaskKindError('updateAiTask', 'PREDICTIVE', 'the PBX cannot change a predictive task after it is created');
      }
      if (!ref) throw new NotFoundError('Task', globalId);
      const aicall = requireAiCall(ctx);
      const current = await requireAiTask(ctx, globalId, ref.id);
      const issues: AiTaskFieldIssue[] = [];
      /** A resource field: an id given is decoded; left out (or null) keeps the current value, which the platform must have. */
      const resource = <F extends IdField>(field: F, currentValue: AiTaskInput[F] | null): AiTaskInput[F] => {
        const given = input[field];
        if (given !== undefined && given !== null) return decodeId(field, given, issues);
        if (currentValue === null && field !== 'handoverGroupId') issues.push({ field, message: `the task has none on the platform: give one` });
        return currentValue as AiTaskInput[F];
      };
      const draft: AiTaskInput = {
        name: input.name?.trim() ?? current.name,
        remark: input.remark === undefined ? current.remark : input.remark,
        callerLineId: resource('callerLineId', current.callerLineId),
        scriptGroupId: resource('scriptGroupId', current.scriptGroupId),
        doNotCallWindowId: resource('doNotCallWindowId', current.doNotCallWindowId),
        redialRuleId: resource('redialRuleId', current.redialRuleId),
        handoverGroupId: input.handoverGroupId === null ? null : resource('handoverGroupId', current.handoverGroupId),
        concurrency: input.concurrency ?? current.concurrency,
        pauseSeconds: input.pauseSeconds ?? current.pauseSeconds,
        dialTimeoutSeconds: input.dialTimeoutSeconds ?? current.dialTimeoutSeconds,
      };
      await checkAgainstOptions(ctx, draft, issues, current);
      let task: AiTask;
      try {
        task = await aicall.updateTask(current.id, draft);
      } catch (error) {
        explainTaskWrite(error, { task: globalId });
      }
      afterAiWrite(ctx);
      return { task, uuid: task.id };
    },
  }),
  deleteTask: t.field({
    type: DeleteTaskPayload,
    description:
      'Deletes an AI task, running or not (`GET /v1/task/destroy/{id}`). The PBX cannot delete predictive tasks: they get ' +
      'UnsupportedForTaskKindError (endTask ends one for good).',
    // Cost: `GET /v1/task` (does it exist) and `GET /v1/task/destroy/{id}`.
    complexity: cost.calls(2),
    // InvalidInputError: `input` and the deprecated `id` both or neither.
    errors: mutationErrors('DeleteTaskResult', [UnsupportedForTaskKindError]),
    args: {
      input: t.arg({ type: DeleteTaskInput, description: 'The command, described by its input type (required once `id` is gone).' }),
      id: t.arg.id({ description: "The task's global id.", deprecationReason: 'Use input: { taskId }.' }),
    },
    resolve: async (_root, args, ctx) => {
      const globalId = String(commandTaskId('deleteTask', args));
      const ref = taskIdOf(globalId);
      if (ref?.kind === 'PREDICTIVE') {
        throw new UnsupportedForTaskKindError('deleteTask', 'PREDICTIVE', 'the PBX cannot delete tasks: endTask ends one for good');
      }
      if (!ref) throw new NotFoundError('Task', globalId);
      const aicall = requireAiCall(ctx);
      // The status before, for the event's `previous` (unknown when the list cannot be read: the delete goes on).
      const before = await findAiTask(ctx, ref.id).catch(() => null);
      await aiCallCommand({ task: globalId }, () => aicall.deleteTask(ref.id));
      afterAiWrite(ctx);
      await ctx.recordTaskChange({ kind: 'AI', taskId: ref.id, status: 'DELETED', previous: before ? aiTaskStatus(before) : null, key: ['deleted'] });
      return { id: globalId, uuid: ref.id };
    },
  }),
}));
