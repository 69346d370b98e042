import { describe, expect, it } from 'vitest';
import { snapshotFromAgents } from '../../src/wallboard/lib/agents.ts';
import { type Incoming, type LiveState, type QueueFigures, reduceBatch } from '../../src/wallboard/lib/batch.ts';
import type { CallRecordItem } from '../../src/wallboard/lib/feed.ts';
import type { TaskItem, TaskStatistics } from '../../src/wallboard/lib/tasks.ts';

/** One animation frame's messages folded into the view state (src/wallboard/lib/batch.ts). */

type Node = Parameters<typeof snapshotFromAgents>[0][number];

const agent = (extension: string, eventId: string | null): Node => ({
  id: `Agent:${extension}`,
  extension,
  employeeId: null,
  presence: { state: 'AVAILABLE', since: null, eventId, callUuid: null, source: eventId ? 'CALLBACK' : 'POLL' },
  callStatus: null,
  seats: [{ queue: { name: 'sales' }, employeeId: 1, paused: false }],
});

const task = (id: string, status: TaskItem['status']): TaskItem => ({
  id,
  name: id,
  kind: 'PREDICTIVE',
  status,
  availableActions: [],
  progress: { dialled: null, total: 10, percent: null },
});

const record = (id: string, endedAt: string): CallRecordItem => ({
  id,
  startedAt: null,
  endedAt,
  extension: '1001',
  direction: 'OUTBOUND',
  callerNumber: '1001',
  calleeNumber: '13800000000',
  answered: true,
  talkSeconds: 5,
});

const figures = (queue: string, offered: number): QueueFigures => ({
  queue,
  offered,
  answered: offered,
  abandoned: 0,
  averageSpeedOfAnswerSeconds: null,
  serviceLevel: { percent: null },
});

const statistics = { abandonRatePercent: 1 } as unknown as TaskStatistics;

function state(): LiveState {
  return {
    tiles: snapshotFromAgents([agent('1001', '10'), agent('1002', null)]).tiles,
    calls: [],
    tasks: [task('T1', 'RUNNING')],
    taskStats: new Map(),
    queueStats: new Map(),
  };
}

const agentEvent = (eventId: string, extension: string, state: 'RINGING' | 'IN_CALL'): Incoming => ({
  kind: 'agent',
  event: { eventId, extension, state, receivedAt: '2026-01-01T00:00:00.000Z', call: { direction: 'OUTBOUND', customerNumber: '13800000000' } },
});

describe('wallboard reduceBatch', () => {
  it('folds every kind of message into one patch, and counts agent events applied and already reflected', () => {
    const before = state();
    const result = reduceBatch(before, [
      agentEvent('9', '1001', 'RINGING'), // the load already reflects event 10 for 1001
      agentEvent('11', '1002', 'RINGING'),
      { kind: 'call', record: record('C1', '2026-01-01T00:00:01.000Z') },
      { kind: 'queues', figures: [figures('sales', 1)] },
      { kind: 'queues', figures: [figures('sales', 2), figures('vip', 0)] },
      { kind: 'task', event: { eventId: '12', taskGlobalId: 'T1', status: 'PAUSED', previous: 'RUNNING', deleted: false, task: null } },
      { kind: 'taskStats', taskId: 'T1', statistics },
      agentEvent('13', '1002', 'IN_CALL'),
    ]);
    expect([result.applied, result.skipped, result.lastApplied]).toEqual([2, 1, '13']);
    expect(result.patch.tiles?.get('1002')).toMatchObject({ state: 'IN_CALL', eventId: '13' });
    // A tile nothing moved is the same object, so its memoised view does not render again.
    expect(result.patch.tiles?.get('1001')).toBe(before.tiles.get('1001'));
    expect(result.patch.calls?.map((call) => call.id)).toEqual(['C1']);
    // Figures are state: the newest set stands.
    expect([...(result.patch.queueStats?.values() ?? [])].map((f) => [f.queue, f.offered])).toEqual([['sales', 2], ['vip', 0]]);
    expect(result.patch.tasks?.map((t) => t.status)).toEqual(['PAUSED']);
    expect(result.patch.taskStats?.get('T1')).toBe(statistics);
    expect([result.tasksChanged, result.refetch]).toEqual([true, false]);
  });

  it('changes nothing for a batch the state already reflects, and asks for the tasks again on an unknown task', () => {
    const before = state();
    const reflected = reduceBatch(before, [agentEvent('10', '1001', 'RINGING')]);
    expect(reflected.patch).toEqual({});
    expect([reflected.applied, reflected.skipped, reflected.tasksChanged]).toEqual([0, 1, false]);
    const unknown = reduceBatch(before, [{ kind: 'task', event: { eventId: '20', taskGlobalId: 'T9', status: 'NOT_STARTED', previous: null, deleted: false, task: null } }]);
    expect(unknown.refetch).toBe(true);
    expect(unknown.patch).toEqual({});
  });
});
