import { decodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { loadOrNull } from '../loaders/batch.ts';
import type { GatewayContext } from '../context.ts';
import { aiTaskCreatedAt, aiTaskStatus } from '../domain/ai-task.ts';
import {
  aiTaskIsAfter,
  decodeTaskCursor,
  encodeTaskCursor,
  mergeTaskPages,
  predictiveKeysetAfter,
  sortAiTasks,
} from '../domain/task-list.ts';
import { InvalidInputError, NotFoundError, SipBusinessError, TaskStateConflictError, UnsupportedForTaskKindError } from '../errors.ts';
import { availableActions, refusedByState, statusOfSipTaskCode, TaskAction } from '../domain/task-actions.ts';
import {
  canChangeStatus,
  foldName,
  PredictiveAssignmentType,
  type PredictiveTask,
  PredictiveTaskStatus,
  type StatusChange,
  taskCursor,
} from '../store/index.ts';
import type { AiTask } from '../upstream/aicall/types.ts';
import { TaskCommand } from '../upstream/sip/codes.ts';
import { valuesOf } from './codes.ts';
import { aiCallCommand, ErrorInterface, explainSipError, resultErrors, UpstreamRejected } from './errors.ts';
import { AgentRef, agentOf, ExtGroupRef, QueueRef } from './refs.ts';
import { UpstreamKind, UpstreamKindRef } from './gateway.ts';
import { TaskKindEnum } from './task-kind.ts';
import { requireAiCall, requireSip } from './upstream.ts';
import { cost } from '../limits/cost.ts';
import { AFTER_ARG_DESCRIPTION, firstArgDescription, pageSize } from './paging.ts';

export { TaskKindEnum };

/**
 * Tasks: outbound campaigns. `Task` is the interface both kinds implement: PredictiveTask here (the SIP API cannot
 * list tasks, so they are served from the gateway's own store) and AiTask in ai-task.ts (the platform's `/v1/task`).
 * The task API — tasks, task, startTask, pauseTask, endTask — takes either kind and dispatches on the global id.
 */

/** What a Task resolves from: a stored predictive task or an AI-call platform task. */
export type TaskShape = PredictiveTask | AiTask;

export function isAiTask(task: TaskShape): task is AiTask {
  return 'scriptGroupId' in task;
}

export const TaskStatusEnum = builder.enumType('TaskStatus', {
  description: 'Where a task is in its life.',
  values: valuesOf(PredictiveTaskStatus, {
    [PredictiveTaskStatus.NotStarted]: 'Created, not started yet (predictive tasks only).',
    [PredictiveTaskStatus.Running]: 'Dialling.',
    [PredictiveTaskStatus.Paused]:
      'Paused; startTask resumes it. An AI task that is not running is PAUSED whether or not it ever ran: its platform knows no other state.',
    [PredictiveTaskStatus.Ended]: 'Ended on request; it cannot be restarted (predictive tasks only).',
    [PredictiveTaskStatus.Finished]: 'Every number was dialled (predictive tasks only, as the PBX reports it).',
  }),
});

export const TaskActionEnum = builder.enumType('TaskAction', {
  description:
    'A command on a task, as `Task.availableActions` lists them and `TaskStateConflictError.attempted` names them. Which ones a task ' +
    'takes depends on its kind and status only (no platform call).',
  values: valuesOf(TaskAction, {
    [TaskAction.Start]: 'startTask: start a task not started yet, or resume a paused one.',
    [TaskAction.Pause]: 'pauseTask: stop dialling for now; startTask resumes.',
    [TaskAction.End]: 'endTask: end a predictive task for good (undialled numbers are dropped).',
    [TaskAction.Delete]: 'deleteTask: remove an AI task from its platform.',
    [TaskAction.AddNumbers]: 'addTaskNumbers: add customers to dial.',
    [TaskAction.RemoveNumbers]: 'removeTaskNumbers: take numbers off a predictive task before they are dialled.',
    [TaskAction.Update]: "updateAiTask: change an AI task's settings.",
  }),
});

/** A task's kind and status as GraphQL names them. */
export function kindOf(task: TaskShape): 'AI' | 'PREDICTIVE' {
  return isAiTask(task) ? 'AI' : 'PREDICTIVE';
}
export function statusOf(task: TaskShape): PredictiveTaskStatus {
  return isAiTask(task) ? aiTaskStatus(task) : task.status;
}

builder.objectType(TaskStateConflictError, {
  name: 'TaskStateConflictError',
  description:
    "The task's status forbids the command (pauseTask on a task not started, startTask on a finished one, …). When the gateway knew the " +
    "status nothing was sent; otherwise the platform refused with its task-state code. `Task.availableActions` lists what the task takes.",
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof TaskStateConflictError,
  fields: (t) => ({
    taskId: t.exposeID('taskId', { description: "The task's global id (Task.id)." }),
    status: t.field({ type: TaskStatusEnum, description: 'The status that forbids it.', resolve: (e) => e.status as PredictiveTaskStatus }),
    attempted: t.field({ type: TaskActionEnum, description: 'The command that was refused.', resolve: (e) => e.attempted as TaskAction }),
  }),
});

/** Refuses, before anything is sent, a command the task's known status forbids. */
export function assertTaskAllows(globalId: string, task: TaskShape, action: TaskAction): void {
  const status = statusOf(task);
  if (refusedByState(kindOf(task), status, action)) throw new TaskStateConflictError(globalId, status, action);
}

/**
 * A SIP refusal of a command on a predictive task: its task-state codes (1025–1028) become TaskStateConflictError,
 * "no such task" NotFoundError; anything else is rethrown.
 */
export function explainPredictiveTaskError(error: unknown, globalId: string, task: PredictiveTask, action: TaskAction): never {
  if (error instanceof SipBusinessError) {
    const status = statusOfSipTaskCode(error.sipCode.value, task.status);
    if (status !== null) throw new TaskStateConflictError(globalId, status, action);
  }
  explainSipError(error, { task: globalId });
}

/** Runs a SIP command on a predictive task: refused before sending when its status forbids it, its refusals explained. */
export async function predictiveTaskCommand<T>(globalId: string, task: PredictiveTask, action: TaskAction, run: () => Promise<T>): Promise<T> {
  assertTaskAllows(globalId, task, action);
  try {
    return await run();
  } catch (error) {
    explainPredictiveTaskError(error, globalId, task, action);
  }
}

export const TaskRef = builder.interfaceRef<TaskShape>('Task');
export const PredictiveTaskRef = builder.objectRef<PredictiveTask>('PredictiveTask');

interface ProgressShape {
  total: number;
  dialled: number | null;
}

const TaskProgressRef = builder.objectRef<ProgressShape>('TaskProgress').implement({
  description: 'How far a task has got.',
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'Numbers on the task.' }),
    dialled: t.exposeInt('dialled', { nullable: true, description: 'Numbers dialled so far; null when the platform does not report it.' }),
    percent: t.float({
      nullable: true,
      description: 'dialled / total × 100, to one decimal; 0 for a task without numbers; null when dialled is unknown.',
      resolve: (p) => (p.dialled === null ? null : p.total === 0 ? 0 : Math.round((p.dialled / p.total) * 1000) / 10),
    }),
  }),
});

TaskRef.implement({
  description: 'An outbound campaign, of either kind: PredictiveTask (SIP PBX) or AiTask (AI-call platform).',
  interfaces: [builder.nodeInterfaceRef()],
  resolveType: (task) => (isAiTask(task) ? 'AiTask' : 'PredictiveTask'),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Task name.' }),
    kind: t.field({ type: TaskKindEnum, description: 'Which platform runs it.', resolve: kindOf }),
    status: t.field({
      type: TaskStatusEnum,
      description: 'Where it is in its life. AI tasks are RUNNING or PAUSED only.',
      resolve: statusOf,
    }),
    availableActions: t.field({
      type: [TaskActionEnum],
      description:
        'The commands that would do something now, from kind and status (no platform call): show these as buttons. A command not listed ' +
        'is either refused for the status (TaskStateConflictError, nothing sent), a repeat that changes nothing (startTask on a RUNNING ' +
        'task: accepted), or not one the kind has (UnsupportedForTaskKindError). Empty for an ended or finished task.',
      resolve: (task) => availableActions(kindOf(task), statusOf(task)),
    }),
    progress: t.field({
      type: TaskProgressRef,
      description:
        'Numbers on the task and how many were dialled. Predictive tasks: the PBX reports no progress, so dialled is null until the task is ' +
        'FINISHED (then every number was dialled: dialled = total); an ENDED task keeps null (how many were dialled before it ended is unknown).',
      resolve: (task) =>
        isAiTask(task)
          ? { total: task.progress.total, dialled: task.progress.dialled }
          : // The PBX reports no progress, only that a task finished: then every number on it was dialled.
            { total: task.counts.accepted, dialled: task.status === PredictiveTaskStatus.Finished ? task.counts.accepted : null },
    }),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When it was created; null when unknown (an AI task the platform gives no creation time: such tasks sort last in `tasks`). ' +
        'Predictive tasks always have one.',
      resolve: (task) => task.createdAt,
    }),
  }),
});

export const AssignmentTypeEnum = builder.enumType('PredictiveAssignmentType', {
  description: 'Who takes the answered calls of a predictive task.',
  values: valuesOf(PredictiveAssignmentType, {
    [PredictiveAssignmentType.Extension]: 'One agent (extension).',
    [PredictiveAssignmentType.Queue]: 'A queue, which rings its agents by its strategy.',
    [PredictiveAssignmentType.ExtGroup]: 'An extension group.',
  }),
});

const TaskAssigneeRef = builder.unionType('TaskAssignee', {
  description: 'The agent, queue or extension group a predictive task rings.',
  types: [AgentRef, QueueRef, ExtGroupRef],
  resolveType: (value) => ('extension' in value ? AgentRef : 'strategy' in value ? QueueRef : ExtGroupRef),
});

const PacingRef = builder.objectRef<PredictiveTask['pacing']>('TaskPacing').implement({
  description: 'Calls placed per idle agent: {agents: 1, calls: 3} dials three numbers for each idle agent.',
  fields: (t) => ({
    agents: t.exposeInt('agents', { description: 'Idle agents…' }),
    calls: t.exposeInt('calls', { description: '…to this many simultaneous calls.' }),
    ratio: t.string({ description: 'As the platform writes it, e.g. "1:3".', resolve: (p) => `${p.agents}:${p.calls}` }),
  }),
});

const NumberCountsRef = builder.objectRef<PredictiveTask['counts']>('TaskNumberCounts').implement({
  description: 'Numbers handed to the task through the gateway.',
  fields: (t) => ({
    submitted: t.exposeInt('submitted', { description: 'Entries received in createPredictiveTask and addTaskNumbers.' }),
    accepted: t.exposeInt('accepted', { description: 'Numbers the platform took.' }),
    refused: t.exposeInt('refused', { description: 'Entries refused by the gateway or the platform, or not sent.' }),
  }),
});

export const StatusChangeSourceEnum = builder.enumType('TaskStatusChangeSource', {
  description: 'Who changed a task status.',
  values: {
    MUTATION: { value: 'mutation', description: 'A mutation through this gateway (creation, startTask, pauseTask, endTask, deleteTask).' },
    CALLBACK: { value: 'callback', description: "The platform's task callback (a task that finished)." },
    GUARD: { value: 'guard', description: "The gateway's abandon-rate guard paused the task (setAbandonGuard with pauseTask; see abandonRateExceeded)." },
  } as const satisfies Record<string, { value: StatusChange['source']; description: string }>,
});

const StatusChangeRef = builder.objectRef<StatusChange>('TaskStatusChange').implement({
  description: 'One change of a task status.',
  fields: (t) => ({
    from: t.field({ type: TaskStatusEnum, nullable: true, description: 'Null for the creation.', resolve: (c) => c.from }),
    to: t.field({ type: TaskStatusEnum, description: 'The new status.', resolve: (c) => c.to }),
    source: t.field({ type: StatusChangeSourceEnum, description: 'Through this gateway (MUTATION) or reported by the platform (CALLBACK).', resolve: (c) => c.source }),
    at: t.expose('at', { type: 'DateTime', description: 'When it changed.' }),
  }),
});

builder.node(PredictiveTaskRef, {
  description: 'A predictive-dial campaign on the SIP PBX, as created through this gateway.',
  interfaces: [TaskRef],
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'assignment' in value,
  id: { resolve: (task) => task.id },
  loadMany: (ids, ctx) => ctx.store.tasks.getMany(ids),
  fields: (t) => ({
    platformId: t.exposeString('id', { description: "The PBX's own task id (TaskSet's `taskid`). Task.id is the global id." }),
    taskId: t.exposeString('id', { description: "The PBX's own task id.", deprecationReason: 'Use platformId (the same value).' }),
    assignmentType: t.field({ type: AssignmentTypeEnum, description: 'Agent, queue or group.', resolve: (task) => task.assignment.type }),
    assignee: t.field({
      type: TaskAssigneeRef,
      nullable: true,
      description: 'The agent, queue or group that takes the calls; null if it no longer exists.',
      // Cost: GetQueueList or GetExtgroupInfo once for the request (batched); an agent costs nothing.
      complexity: cost.batched,
      resolve: (task, _args, ctx) => {
        const { type, assignee } = task.assignment;
        if (type === PredictiveAssignmentType.Extension) return agentOf(assignee);
        if (type === PredictiveAssignmentType.Queue) return loadOrNull(ctx.loaders.queue, assignee);
        return loadOrNull(ctx.loaders.extGroup, assignee);
      },
    }),
    assigneeName: t.string({ description: 'Extension, queue or group name as given at creation.', resolve: (task) => task.assignment.assignee }),
    pacing: t.field({ type: PacingRef, description: 'Calls per idle agent.', resolve: (task) => task.pacing }),
    callerNumbers: t.exposeStringList('callerNumbers', { description: 'Numbers shown to customers; empty: the platform picks.' }),
    numberCounts: t.field({ type: NumberCountsRef, description: 'Numbers handed to the task.', resolve: (task) => task.counts }),
    statusChangedAt: t.expose('statusChangedAt', { type: 'DateTime', description: 'When the status last changed.' }),
    statusHistory: t.field({
      type: [StatusChangeRef],
      description: 'Every status change, oldest first.',
      // Cost: one store query per task (not batched); a task has a handful of changes.
      complexity: cost.storeList(5),
      resolve: (task, _args, ctx) => ctx.store.tasks.history(task.id),
    }),
  }),
});

/** Where a task's global id points: which kind, and its id on its platform. */
export type TaskIdRef = { kind: 'PREDICTIVE'; id: string } | { kind: 'AI'; id: string };

/** Decodes a task's global id; null for anything that is not a task id. */
export function taskIdOf(globalId: string): TaskIdRef | null {
  try {
    const { typename, id } = decodeGlobalID(globalId);
    if (typename === 'PredictiveTask') return { kind: 'PREDICTIVE', id };
    if (typename === 'AiTask') return { kind: 'AI', id };
    return null;
  } catch {
    return null;
  }
}

/** The platform task id inside a PredictiveTask global id; null for any other id. */
export function predictiveTaskIdOf(globalId: string): string | null {
  const ref = taskIdOf(globalId);
  return ref?.kind === 'PREDICTIVE' ? ref.id : null;
}

/** Loads a predictive task by global id for a mutation, or throws NOT_FOUND. */
export async function requirePredictiveTask(ctx: GatewayContext, globalId: string): Promise<PredictiveTask> {
  const taskId = predictiveTaskIdOf(globalId);
  const task = taskId ? await ctx.store.tasks.get(taskId) : null;
  if (!task) throw new NotFoundError('Task', globalId);
  return task;
}

/** An AI task from this request's task list (one `GET /v1/task` per request), or null when the platform has none. */
export async function findAiTask(ctx: GatewayContext, uuid: string): Promise<AiTask | null> {
  requireAiCall(ctx);
  return loadOrNull(ctx.aiLoaders.task, uuid);
}

/** Loads an AI task for a mutation, or throws NOT_FOUND (keyed by the global id the caller sent). */
export async function requireAiTask(ctx: GatewayContext, globalId: string, uuid: string): Promise<AiTask> {
  const task = await findAiTask(ctx, uuid);
  if (!task) throw new NotFoundError('Task', globalId);
  return task;
}

/**
 * After a write to the AI-call platform: the task list is dropped for this request, and when the write may have
 * changed a line's free concurrency (start, stop, update, delete — not creating a task, which starts paused), so are
 * the shared options cache and this request's copy of it.
 */
export function afterAiWrite(ctx: GatewayContext, options: { concurrencyChanged: boolean } = { concurrencyChanged: true }): void {
  ctx.aiLoaders.clearTasks();
  if (!options.concurrencyChanged) return;
  ctx.aiTaskOptions?.invalidate();
  ctx.aiLoaders.clearOptions();
}

const TaskFilterInput = builder.inputType('TaskFilter', {
  description: 'Which tasks to list. All conditions must hold.',
  fields: (t) => ({
    kind: t.field({ type: TaskKindEnum, description: 'Only tasks of this kind (PREDICTIVE never calls the AI-call platform).' }),
    status: t.field({ type: [TaskStatusEnum], description: 'Only tasks in one of these statuses (AI tasks are RUNNING or PAUSED).' }),
    nameContains: t.string({ description: 'Only tasks whose name contains this (case-insensitive).' }),
  }),
});

const AI_STATUSES: ReadonlySet<string> = new Set([PredictiveTaskStatus.Running, PredictiveTaskStatus.Paused]);

/**
 * What the `tasks` connection carries besides edges and pageInfo: the platforms whose tasks could not be read for this
 * page, and their errors (reported on `complete`). A failed AI-call read must not take the predictive tasks with it.
 */
interface TaskPageGaps {
  unavailable: UpstreamKind[];
  failures: unknown[];
  /** Tasks matching the filter on every page: the store's COUNT (run only when `totalCount` is selected) plus the AI tasks read. */
  total: () => Promise<number>;
}

const gapsOf = (connection: object): TaskPageGaps =>
  (connection as { gaps?: TaskPageGaps }).gaps ?? { unavailable: [], failures: [], total: () => Promise.resolve(0) };

/** `tasks` pages: 50 by default, up to 500. */
const TASK_PAGE = { defaultFirst: 50, maxFirst: 500 } as const;

const TaskConnectionRef = builder.connectionObject(
  {
    type: TaskRef,
    name: 'TaskConnection',
    description: 'A page of tasks of both kinds, newest first, with what could not be read.',
    edgesField: { description: 'The tasks of this page, each with its cursor.' },
    fields: (tc) => ({
      totalCount: tc.int({
        nullable: true,
        description:
          'Tasks matching the filter, on every page: predictive ones counted in the store, AI ones from the same `GET /v1/task` the ' +
          'page reads (no extra call). Null when a platform\'s tasks could not be read (`unavailable` is not empty): a count without ' +
          'them would be wrong.',
        // Cost: one store COUNT beside the page; AI tasks from the page's own read.
        complexity: cost.local,
        resolve: (connection) => {
          const { unavailable, total } = gapsOf(connection);
          return unavailable.length > 0 ? null : total();
        },
      }),
      unavailable: tc.field({
        type: [UpstreamKindRef],
        description:
          'Platforms whose tasks could not be read for this page: their tasks are missing from it (the others are there). Empty when the page ' +
          'is complete, so an empty page with an empty `unavailable` really means "no tasks". The error itself is on `complete`.',
        // Cost: in memory, from the page's own reads.
        complexity: cost.local,
        resolve: (connection) => gapsOf(connection).unavailable,
      }),
      complete: tc.boolean({
        nullable: true,
        description:
          'True when every platform the filter asks about was read. Null, with the platform\'s error (e.g. UPSTREAM_UNAVAILABLE) on this path, ' +
          'when one could not be read: select it to get that error in `errors`; select only `unavailable` to render without one.',
        // Cost: in memory, from the page's own reads.
        complexity: cost.local,
        resolve: (connection) => {
          const { failures } = gapsOf(connection);
          if (failures.length > 0) throw failures[0];
          return true;
        },
      }),
    }),
  },
  {
    name: 'TaskEdge',
    description: 'A task and its cursor.',
    nodeField: { description: 'The task.' },
  },
);

builder.queryFields((t) => ({
  tasks: t.field({
    type: TaskConnectionRef,
    // Nullable: refused arguments (or kind AI without an AI-call platform) null this field, not the whole response.
    nullable: true,
    description:
      "Tasks of both kinds in one list, newest first (ties: predictive first, then by id). Predictive tasks come from the gateway's store " +
      '(the PBX cannot list them), AI tasks from the AI-call platform: at most one `GET /v1/task` per request, none when kind is PREDICTIVE ' +
      'or the status filter names no AI status. When no AI-call platform is configured, the list holds predictive tasks only. ' +
      'When the AI-call platform cannot be read, the page still holds the predictive tasks: `unavailable` names AI_CALL and ' +
      '`complete` is null with the platform\'s error on its path.',
    authScopes: { viewer: true },
    // Cost: one store query and at most one `GET /v1/task` per page; `first` (default 50) multiplies each task's selection.
    complexity: cost.page(TASK_PAGE.defaultFirst),
    args: {
      filter: t.arg({ type: TaskFilterInput, description: 'Which tasks; all when absent.' }),
      first: t.arg.int({ description: firstArgDescription(TASK_PAGE) }),
      after: t.arg.string({ description: AFTER_ARG_DESCRIPTION }),
    },
    resolve: async (_root, args, ctx) => {
      const first = pageSize(args.first, TASK_PAGE);
      const after = args.after ? decodeTaskCursor(args.after) : null;
      const kind = args.filter?.kind ?? null;
      const statuses = args.filter?.status ?? [];
      const nameContains = args.filter?.nameContains || undefined;
      if (kind === 'AI') requireAiCall(ctx);
      const wantAi = kind !== 'PREDICTIVE' && ctx.aicall !== null && (statuses.length === 0 || statuses.some((s) => AI_STATUSES.has(s)));

      const predictive = async () => {
        if (kind === 'AI') return { rows: [] as PredictiveTask[], hasNextPage: false };
        const keyset = after ? taskCursor(predictiveKeysetAfter(after)) : null;
        return ctx.store.tasks.list({ statuses, nameContains }, { first, after: keyset });
      };
      // AI tasks matching the filter, whatever the cursor: their number is the AI part of totalCount.
      let aiMatching = 0;
      const ai = async (): Promise<AiTask[]> => {
        if (!wantAi) return [];
        const needle = nameContains === undefined ? null : foldName(nameContains);
        const matching = (await ctx.aiLoaders.taskList()).filter(
          (task) => (statuses.length === 0 || statuses.includes(aiTaskStatus(task))) && (needle === null || foldName(task.name).includes(needle)),
        );
        aiMatching = matching.length;
        const afterCursor = matching.filter((task) => after === null || aiTaskIsAfter(aiTaskCreatedAt(task).getTime(), task.id, after));
        return sortAiTasks(afterCursor, (task) => ({ at: aiTaskCreatedAt(task).getTime(), id: task.id }));
      };
      const total = async () => (kind === 'AI' ? 0 : await ctx.store.tasks.count({ statuses, nameContains })) + aiMatching;
      // The AI side failing leaves the predictive side standing: its error is reported on `complete`, not here.
      const gaps: TaskPageGaps = { unavailable: [], failures: [], total };
      const aiOrGap = ai().catch((error: unknown): AiTask[] => {
        gaps.unavailable.push(UpstreamKind.AiCall);
        gaps.failures.push(error);
        return [];
      });
      const [stored, aiTasks] = await Promise.all([predictive(), aiOrGap]);

      const page = mergeTaskPages(
        first,
        { tasks: stored.rows, hasMore: stored.hasNextPage, at: (task) => task.createdAt.getTime() },
        { tasks: aiTasks, at: (task) => aiTaskCreatedAt(task).getTime() },
      );
      const edges = page.items.map((item) => ({
        node: item.task as TaskShape,
        cursor: encodeTaskCursor(
          item.kind === 'AI'
            ? { at: aiTaskCreatedAt(item.task).getTime(), kind: 'AI', id: item.task.id }
            : { at: item.task.createdAt.getTime(), kind: 'PREDICTIVE', id: item.task.id },
        ),
      }));
      const connection = {
        edges,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: args.after != null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
        gaps,
      };
      return connection;
    },
  }),
  task: t.field({
    type: TaskRef,
    nullable: true,
    description: 'One task of either kind by its global id; null when unknown. An AI task costs one `GET /v1/task` (per request).',
    // Cost: a store read, or the request's one `GET /v1/task`.
    complexity: cost.call,
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'The task\'s global id (Task.id).' }) },
    resolve: async (_root, { id }, ctx): Promise<TaskShape | null> => {
      const ref = taskIdOf(String(id));
      if (!ref) return null;
      return ref.kind === 'AI' ? findAiTask(ctx, ref.id) : ctx.store.tasks.get(ref.id);
    },
  }),
}));

// ---- Status mutations ---------------------------------------------------------------------------------------------

/** `task` is there when the command's own answer (or the store) gave it; otherwise `uuid` is read back from the AI-call platform. */
interface TaskPayloadShape {
  globalId: string;
  task: TaskShape | null;
  uuid?: string;
}

const TaskPayload = builder.objectRef<TaskPayloadShape>('TaskPayload').implement({
  description:
    'The command was carried out. `taskId` says which task (no platform read); `task` may read the AI-call platform again afterwards and is ' +
    'null with an error on its path when that read fails — the command still succeeded.',
  fields: (t) => ({
    taskId: t.id({ description: 'The global id of the task the command acted on.', resolve: (p) => p.globalId }),
    task: t.field({
      type: TaskRef,
      // Nullable: for an AI task whose platform answered without the task this is a read-back (`GET /v1/task`).
      nullable: true,
      description:
        'The task after the change: null when it no longer exists, and null with an error on this path when reading it back failed.',
      // Cost: at most the request's one `GET /v1/task`.
      complexity: cost.call,
      resolve: (p, _a, ctx) => p.task ?? (p.uuid === undefined ? null : findAiTask(ctx, p.uuid)),
    }),
  }),
});

/**
 * Starts (`running`) or pauses an AI task: `GET /v1/task/start|stop/{id}`. Returns the task when the platform's answer
 * carries it, else null (the payload reads it back, so a failed read cannot report the command as failed).
 */
export async function setAiTaskRunning(ctx: GatewayContext, globalId: string, uuid: string, running: boolean): Promise<AiTask | null> {
  const aicall = requireAiCall(ctx);
  const answered = await aiCallCommand({ task: globalId }, () => (running ? aicall.startTask(uuid) : aicall.stopTask(uuid)));
  afterAiWrite(ctx);
  return answered ?? null;
}

const TaskCommandInput = builder.inputType('TaskCommandInput', {
  description: 'The task a status command (startTask, pauseTask, endTask) acts on.',
  fields: (t) => ({ taskId: t.id({ required: true, description: "The task's global id (Task.id, either kind)." }) }),
});

/**
 * The task id of a command that takes `input: { taskId }` or the deprecated bare `id`: exactly one of the two, else
 * INVALID_INPUT (nothing sent).
 */
export function commandTaskId(name: string, args: { input?: { taskId: string | number } | null; id?: string | number | null }): string | number {
  if ((args.input == null) === (args.id == null)) {
    const message = `${name}: give \`input: { taskId }\` (or the deprecated \`id\`), not both`;
    throw new InvalidInputError(message, undefined, [{ path: ['input'], message }]);
  }
  return args.input ? args.input.taskId : (args.id as string | number);
}

const COMMANDS = {
  startTask: {
    action: TaskAction.Start,
    command: TaskCommand.Start,
    status: PredictiveTaskStatus.Running,
    text:
      'Starts or resumes a task of either kind (predictive: TaskSet 1; AI: `GET /v1/task/start`, refused when its caller line lacks the free concurrency). ' +
      'An ended or finished task gets TaskStateConflictError (nothing sent); starting a running task changes nothing.',
  },
  pauseTask: {
    action: TaskAction.Pause,
    command: TaskCommand.Pause,
    status: PredictiveTaskStatus.Paused,
    text:
      'Pauses a running task of either kind (predictive: TaskSet 2; AI: `GET /v1/task/stop`); startTask resumes it. A predictive task not ' +
      'started yet, ended or finished gets TaskStateConflictError (nothing sent); pausing a paused task changes nothing.',
  },
  endTask: {
    action: TaskAction.End,
    command: TaskCommand.End,
    status: PredictiveTaskStatus.Ended,
    text:
      'Ends a predictive task for good (TaskSet 3): undialled numbers are dropped. AI tasks cannot be ended (their platform has no such call): ' +
      'they get UnsupportedForTaskKindError — pause them, or delete them with deleteTask. An ended or finished task gets TaskStateConflictError.',
  },
} as const;

for (const [name, { action, command, status, text }] of Object.entries(COMMANDS)) {
  builder.mutationField(name, (t) =>
    t.field({
      type: TaskPayload,
      description: text,
      // Cost: one TaskSet (AI: the task list read before the command, for the event's `previous`, and start/stop; the read-back is `task`'s own cost).
      complexity: cost.calls(2),
      // Exactly what it can return: InvalidInputError only for `input` and `id` both or neither (an id that is no task's is NotFoundError).
      errors: resultErrors(`${name[0]?.toUpperCase()}${name.slice(1)}Result`, [
        InvalidInputError,
        NotFoundError,
        TaskStateConflictError,
        UpstreamRejected,
        ...(command === TaskCommand.End ? [UnsupportedForTaskKindError] : []),
      ]),
      args: {
        input: t.arg({ type: TaskCommandInput, description: 'The command, described by its input type (required once `id` is gone).' }),
        id: t.arg.id({ description: "The task's global id (either kind).", deprecationReason: 'Use input: { taskId }.' }),
      },
      resolve: async (_root, args, ctx) => {
        const id = commandTaskId(name, args);
        const ref = taskIdOf(String(id));
        if (ref?.kind === 'AI') {
          if (command === TaskCommand.End) {
            throw new UnsupportedForTaskKindError(name, 'AI', 'the AI-call platform cannot end a task: pauseTask stops it, deleteTask removes it');
          }
          // The status before, for the event's `previous` (this request's one task list; unknown when it cannot be read).
          const before = await findAiTask(ctx, ref.id).catch(() => null);
          const answered = await setAiTaskRunning(ctx, String(id), ref.id, command === TaskCommand.Start);
          const previous = before ? aiTaskStatus(before) : null;
          if (previous !== status) {
            await ctx.recordTaskChange({ kind: 'AI', taskId: ref.id, status, previous, key: [previous ?? '-', status, ctx.scope.uniqueId] });
          }
          return { globalId: String(id), task: answered, uuid: ref.id };
        }
        const task = await requirePredictiveTask(ctx, String(id));
        await predictiveTaskCommand(String(id), task, action, () => requireSip(ctx).setTaskStatus(task.id, command));
        // The status is written by the event's projection (so the pushed event and `task { status }` agree); a command
        // that changes nothing (start on a running task) appends nothing.
        if (canChangeStatus(task.status, status)) {
          await ctx.recordTaskChange({ kind: 'PREDICTIVE', taskId: task.id, status, key: [task.status, task.statusChangedAt.getTime(), status] });
        }
        return { globalId: String(id), task: (await ctx.store.tasks.get(task.id)) ?? task };
      },
    }),
  );
}
