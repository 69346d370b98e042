import { decodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import {
  PredictiveAssignmentType,
  type PredictiveTask,
  PredictiveTaskStatus,
  type StatusChange,
  taskCursor,
} from '../store/index.ts';
import { TaskCommand } from '../upstream/sip/codes.ts';
import { valuesOf } from './codes.ts';
import { mutationErrors, sipCommand } from './errors.ts';
import { AgentRef, agentOf, ExtGroupRef, QueueRef } from './refs.ts';
import { requireSip } from './upstream.ts';

/**
 * Tasks: outbound campaigns. `Task` is the interface both kinds implement (predictive here; AI-call tasks come with
 * the AI-call side); the SIP API cannot list tasks, so predictive tasks are served from the gateway's own store.
 */

export const TaskKindEnum = builder.enumType('TaskKind', {
  description: 'Which platform runs a task.',
  values: {
    PREDICTIVE: { description: 'A predictive-dial campaign on the SIP PBX: answered calls go to human agents.' },
    AI: { description: 'A voice-bot campaign on the AI-call platform.' },
  } as const,
});

export const TaskStatusEnum = builder.enumType('TaskStatus', {
  description: 'Where a task is in its life.',
  values: valuesOf(PredictiveTaskStatus, {
    [PredictiveTaskStatus.NotStarted]: 'Created, not started yet.',
    [PredictiveTaskStatus.Running]: 'Dialling.',
    [PredictiveTaskStatus.Paused]: 'Paused; startTask resumes it.',
    [PredictiveTaskStatus.Ended]: 'Ended on request; it cannot be restarted.',
    [PredictiveTaskStatus.Finished]: 'Every number was dialled.',
  }),
});

export const TaskRef = builder.interfaceRef<PredictiveTask>('Task');
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
      description: 'dialled / total × 100; null when dialled is unknown.',
      resolve: (p) => (p.dialled === null ? null : p.total === 0 ? 100 : Math.round((p.dialled / p.total) * 1000) / 10),
    }),
  }),
});

TaskRef.implement({
  description: 'An outbound campaign, of either kind.',
  interfaces: [builder.nodeInterfaceRef()],
  resolveType: () => 'PredictiveTask',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Task name.' }),
    kind: t.field({ type: TaskKindEnum, description: 'Which platform runs it.', resolve: () => 'PREDICTIVE' as const }),
    status: t.field({ type: TaskStatusEnum, description: 'Where it is in its life.', resolve: (task) => task.status }),
    progress: t.field({
      type: TaskProgressRef,
      description: 'Numbers on the task and how many were dialled.',
      resolve: (task) => ({ total: task.counts.accepted, dialled: null }),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
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

const StatusChangeRef = builder.objectRef<StatusChange>('TaskStatusChange').implement({
  description: 'One change of a task status.',
  fields: (t) => ({
    from: t.field({ type: TaskStatusEnum, nullable: true, description: 'Null for the creation.', resolve: (c) => c.from }),
    to: t.field({ type: TaskStatusEnum, description: 'The new status.', resolve: (c) => c.to }),
    source: t.string({ description: '`mutation` (through this gateway) or `callback` (reported by the platform).', resolve: (c) => c.source }),
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
    taskId: t.exposeString('id', { description: "The platform's task id." }),
    assignmentType: t.field({ type: AssignmentTypeEnum, description: 'Agent, queue or group.', resolve: (task) => task.assignment.type }),
    assignee: t.field({
      type: TaskAssigneeRef,
      nullable: true,
      description: 'The agent, queue or group that takes the calls; null if it no longer exists.',
      resolve: async (task, _args, ctx) => {
        const { type, assignee } = task.assignment;
        try {
          if (type === PredictiveAssignmentType.Extension) return agentOf(assignee);
          if (type === PredictiveAssignmentType.Queue) return await ctx.loaders.queue.load(assignee);
          return await ctx.loaders.extGroup.load(assignee);
        } catch (error) {
          if (error instanceof NotFoundError) return null;
          throw error;
        }
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
      resolve: (task, _args, ctx) => ctx.store.tasks.history(task.id),
    }),
  }),
});

const TaskFilterInput = builder.inputType('TaskFilter', {
  description: 'Which tasks to list. All conditions must hold.',
  fields: (t) => ({
    kind: t.field({ type: TaskKindEnum, description: 'Only tasks of this kind.' }),
    status: t.field({ type: [TaskStatusEnum], description: 'Only tasks in one of these statuses.' }),
    nameContains: t.string({ description: 'Only tasks whose name contains this (case-insensitive).' }),
  }),
});

builder.queryFields((t) => ({
  tasks: t.connection({
    type: TaskRef,
    description: 'Tasks, newest first. Predictive tasks come from the gateway\'s store (the PBX cannot list them).',
    authScopes: { viewer: true },
    args: { filter: t.arg({ type: TaskFilterInput, description: 'Which tasks; all when absent.' }) },
    resolve: async (_root, args, ctx) => {
      const first = args.first ?? 50;
      if (first < 1 || first > 500) throw new InvalidInputError('first must be 1…500', 'first');
      if (args.last != null || args.before != null) throw new InvalidInputError('tasks pages forwards only (first/after)', 'last');
      if (args.filter?.kind === 'AI') return { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
      const page = await ctx.store.tasks.list(
        { statuses: args.filter?.status ?? [], nameContains: args.filter?.nameContains ?? undefined },
        { first, after: args.after ?? null },
      );
      const edges = page.rows.map((task) => ({ node: task, cursor: taskCursor(task) }));
      return {
        edges,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: args.after != null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
  task: t.field({
    type: TaskRef,
    nullable: true,
    description: 'One task by its global id; null when unknown.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'The task\'s global id (Task.id).' }) },
    resolve: async (_root, { id }, ctx) => {
      const taskId = predictiveTaskIdOf(String(id));
      return taskId ? ctx.store.tasks.get(taskId) : null;
    },
  }),
}));

/** The platform task id inside a PredictiveTask global id; null for any other id. */
export function predictiveTaskIdOf(globalId: string): string | null {
  try {
    const { typename, id } = decodeGlobalID(globalId);
    return typename === 'PredictiveTask' ? id : null;
  } catch {
    return null;
  }
}

/** Loads a predictive task by global id for a mutation, or throws NOT_FOUND. */
export async function requirePredictiveTask(ctx: GatewayContext, globalId: string): Promise<PredictiveTask> {
  const taskId = predictiveTaskIdOf(globalId);
  const task = taskId ? await ctx.store.tasks.get(taskId) : null;
  if (!task) throw new NotFoundError('Task', globalId);
  return task;
}

// ---- Status mutations ---------------------------------------------------------------------------------------------

const TaskPayload = builder.objectRef<{ task: PredictiveTask }>('TaskPayload').implement({
  description: 'The task after the change.',
  fields: (t) => ({ task: t.field({ type: TaskRef, description: 'The task.', resolve: (p) => p.task }) }),
});

const COMMANDS = {
  startTask: { command: TaskCommand.Start, status: PredictiveTaskStatus.Running, text: 'Starts or resumes a task (TaskSet 1).' },
  pauseTask: { command: TaskCommand.Pause, status: PredictiveTaskStatus.Paused, text: 'Pauses a running task (TaskSet 2); startTask resumes it.' },
  endTask: { command: TaskCommand.End, status: PredictiveTaskStatus.Ended, text: 'Ends a task for good (TaskSet 3): undialled numbers are dropped.' },
} as const;

for (const [name, { command, status, text }] of Object.entries(COMMANDS)) {
  builder.mutationField(name, (t) =>
    t.field({
      type: TaskPayload,
      description: text,
      errors: mutationErrors(`${name[0]?.toUpperCase()}${name.slice(1)}Result`),
      args: { id: t.arg.id({ required: true, description: 'The task\'s global id.' }) },
      resolve: async (_root, { id }, ctx) => {
        const task = await requirePredictiveTask(ctx, String(id));
        await sipCommand({ task: String(id) }, () => requireSip(ctx).setTaskStatus(task.id, command));
        const changed = await ctx.store.tasks.setStatus(task.id, status, { source: 'mutation' });
        return { task: changed?.task ?? task };
      },
    }),
  );
}
