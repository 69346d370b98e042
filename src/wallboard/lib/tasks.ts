import type {
  WallboardTaskFragment,
  WallboardTaskStatisticsFragment,
  WallboardTaskStatusSubscription,
} from '../generated/graphql.ts';

/** The campaigns panel's bookkeeping: task status events, and which predictive tasks get live statistics. */

export type TaskItem = WallboardTaskFragment;
export type TaskStatusEvent = WallboardTaskStatusSubscription['taskStatusChanged'];

export interface TaskStatusResult {
  tasks: readonly TaskItem[];
  /** The event names a task the list does not have (a creation) or removed one: read the list again. */
  refetch: boolean;
}

/** Applies one taskStatusChanged event. The list is newest first, as `tasks` orders it. */
export function applyTaskStatus(tasks: readonly TaskItem[], event: TaskStatusEvent): TaskStatusResult {
  const index = tasks.findIndex((task) => task.id === event.taskGlobalId);
  if (event.deleted) {
    return index < 0 ? { tasks, refetch: false } : { tasks: tasks.filter((_, i) => i !== index), refetch: false };
  }
  if (index < 0) {
    // A task created since the load: `task` carries it when this gateway knows it; the list is read again anyway so
    // its place and the rest stay as the gateway orders them.
    return { tasks: event.task ? [event.task, ...tasks] : tasks, refetch: true };
  }
  const current = tasks[index] as TaskItem;
  // The event's task is read when the event is delivered (it may be newer than the event); without one, the status.
  const updated: TaskItem = event.task ? mergeTask(current, event.task) : event.status ? { ...current, status: event.status } : current;
  if (updated === current) return { tasks, refetch: false };
  const next = [...tasks];
  next[index] = updated;
  return { tasks: next, refetch: false };
}

/** Keeps the live statistics the list had when a task read without them (an AI task) replaces it. */
function mergeTask(current: TaskItem, fresh: TaskItem): TaskItem {
  if ('statistics' in current && !('statistics' in fresh)) return { ...fresh, statistics: current.statistics } as TaskItem;
  return fresh;
}

/** Predictive tasks whose figures move: RUNNING or PAUSED. */
export function liveStatisticsTaskIds(tasks: readonly TaskItem[], max = 10): string[] {
  return tasks
    .filter((task) => task.kind === 'PREDICTIVE' && (task.status === 'RUNNING' || task.status === 'PAUSED'))
    .slice(0, max)
    .map((task) => task.id);
}

export type TaskStatistics = WallboardTaskStatisticsFragment;

/** Progress in percent: the task's own when it reports one, else (predictive) dialled of uploaded from the counters. */
export function taskProgressPercent(task: TaskItem, statistics: TaskStatistics | null | undefined): number | null {
  if (task.progress.percent !== null) return task.progress.percent;
  if (statistics && statistics.numbersUploaded > 0) {
    return Math.min(100, Math.round((statistics.dialledAllTime / statistics.numbersUploaded) * 1000) / 10);
  }
  return null;
}
