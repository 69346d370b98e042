import type { WallboardAgentStatusSubscription, WallboardQueueStatisticsSubscription } from '../generated/graphql.ts';
import { type AgentTile, applyAgentEvents } from './agents.ts';
import { type CallRecordItem, pushRecords } from './feed.ts';
import { applyTaskStatus, type TaskItem, type TaskStatistics, type TaskStatusEvent } from './tasks.ts';

/**
 * One animation frame's worth of live messages folded into the view state at once (the page renders once per frame,
 * whatever arrived). No DOM: unit-tested in test/unit/wallboard-batch.test.ts.
 */

export type QueueFigures = WallboardQueueStatisticsSubscription['queueStatisticsUpdated']['queues'][number];

export type Incoming =
  | { kind: 'agent'; event: WallboardAgentStatusSubscription['agentStatusChanged'] }
  | { kind: 'call'; record: CallRecordItem }
  | { kind: 'task'; event: TaskStatusEvent }
  | { kind: 'queues'; figures: readonly QueueFigures[] }
  | { kind: 'taskStats'; taskId: string; statistics: TaskStatistics };

/** The parts of the view state live messages change. */
export interface LiveState {
  tiles: ReadonlyMap<string, AgentTile>;
  calls: readonly CallRecordItem[];
  tasks: readonly TaskItem[];
  taskStats: ReadonlyMap<string, TaskStatistics>;
  queueStats: ReadonlyMap<string, QueueFigures>;
}

export interface BatchResult {
  /** Only what changed: an empty patch costs no render. */
  patch: Partial<LiveState>;
  /** Agent events applied, and skipped as already reflected (the page's counters). */
  applied: number;
  skipped: number;
  /** The highest agent eventId applied; null when none. */
  lastApplied: string | null;
  /** The tasks list changed: live statistics subscriptions follow it. */
  tasksChanged: boolean;
  /** A task event named a task the list does not have: read the list again. */
  refetch: boolean;
}

export function reduceBatch(state: LiveState, batch: readonly Incoming[]): BatchResult {
  const agentEvents: Array<WallboardAgentStatusSubscription['agentStatusChanged']> = [];
  let calls: CallRecordItem[] | null = null;
  let tasks = state.tasks;
  let taskStats: Map<string, TaskStatistics> | null = null;
  let queueStats: Map<string, QueueFigures> | null = null;
  let refetch = false;
  for (const item of batch) {
    switch (item.kind) {
      case 'agent':
        agentEvents.push(item.event);
        break;
      case 'call':
        (calls ??= []).push(item.record);
        break;
      case 'task': {
        const result = applyTaskStatus(tasks, item.event);
        tasks = result.tasks;
        refetch ||= result.refetch;
        break;
      }
      case 'queues':
        // Figures are state, not events: the newest set replaces the last.
        queueStats = new Map(item.figures.map((figures) => [figures.queue, figures]));
        break;
      case 'taskStats':
        (taskStats ??= new Map(state.taskStats)).set(item.taskId, item.statistics);
        break;
    }
  }
  const patch: Partial<LiveState> = {};
  let applied = 0;
  let skipped = 0;
  let lastApplied: string | null = null;
  if (agentEvents.length > 0) {
    const result = applyAgentEvents(state.tiles, agentEvents);
    ({ applied, skipped, lastApplied } = result);
    if (result.tiles !== state.tiles) patch.tiles = result.tiles;
  }
  const tasksChanged = tasks !== state.tasks;
  if (calls) patch.calls = pushRecords(state.calls, calls);
  if (tasksChanged) patch.tasks = tasks;
  if (taskStats) patch.taskStats = taskStats;
  if (queueStats) patch.queueStats = queueStats;
  return { patch, applied, skipped, lastApplied, tasksChanged, refetch };
}
