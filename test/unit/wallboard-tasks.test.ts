import { describe, expect, it } from 'vitest';
import { customerNumberOf, newestRecords, pushRecords, type CallRecordItem } from '../../src/wallboard/lib/feed.ts';
import { applyTaskStatus, liveStatisticsTaskIds, taskProgressPercent, type TaskItem, type TaskStatusEvent } from '../../src/wallboard/lib/tasks.ts';

function task(id: string, status: TaskItem['status'], kind: TaskItem['kind'] = 'PREDICTIVE'): TaskItem {
  return { id, name: `task ${id}`, kind, status, availableActions: status === 'RUNNING' ? ['PAUSE'] : ['START'], progress: { dialled: null, total: 100, percent: null } };
}

function statusEvent(taskGlobalId: string, status: TaskItem['status'] | null, extra: Partial<TaskStatusEvent> = {}): TaskStatusEvent {
  return { eventId: '1', taskGlobalId, status, previous: null, deleted: false, task: null, ...extra };
}

describe('wallboard applyTaskStatus', () => {
  const tasks = [task('T1', 'RUNNING'), task('T2', 'PAUSED')];

  it('updates the status of a listed task, from the event task when it has one', () => {
    const result = applyTaskStatus(tasks, statusEvent('T1', 'PAUSED'));
    expect(result.refetch).toBe(false);
    expect(result.tasks[0]).toMatchObject({ id: 'T1', status: 'PAUSED' });
    expect(result.tasks[1]).toBe(tasks[1]);
    const fresh = { ...task('T2', 'RUNNING'), availableActions: ['PAUSE' as const] };
    expect(applyTaskStatus(tasks, statusEvent('T2', 'RUNNING', { task: fresh })).tasks[1]).toEqual(fresh);
  });

  it('removes a deleted task and asks for the list again on an unknown one', () => {
    expect(applyTaskStatus(tasks, statusEvent('T2', null, { deleted: true })).tasks.map((item) => item.id)).toEqual(['T1']);
    const created = applyTaskStatus(tasks, statusEvent('T3', 'NOT_STARTED', { task: task('T3', 'NOT_STARTED') }));
    expect(created.refetch).toBe(true);
    expect(created.tasks.map((item) => item.id)).toEqual(['T3', 'T1', 'T2']);
  });

  it('picks at most 10 running or paused predictive tasks for live statistics', () => {
    const many = [
      ...Array.from({ length: 12 }, (_, i) => task(`P${i}`, i % 2 ? 'RUNNING' : 'PAUSED')),
      task('A', 'RUNNING', 'AI'),
      task('E', 'ENDED'),
    ];
    const ids = liveStatisticsTaskIds([task('E', 'ENDED'), task('A', 'RUNNING', 'AI'), ...many]);
    expect(ids).toHaveLength(10);
    expect(ids).not.toContain('A');
    expect(ids).not.toContain('E');
  });

  it('takes predictive progress from the counters when the PBX reports none', () => {
    const stats = { abandonRatePercent: null, numbersUploaded: 400, dialledAllTime: 123, recentAbandonRate: { percent: null, calls: 0 }, abandonGuard: null };
    expect(taskProgressPercent(task('T1', 'RUNNING'), stats)).toBe(30.8);
    expect(taskProgressPercent(task('T1', 'RUNNING'), null)).toBeNull();
    expect(taskProgressPercent({ ...task('A', 'RUNNING', 'AI'), progress: { dialled: 5, total: 10, percent: 50 } }, null)).toBe(50);
  });
});

describe('wallboard call feed', () => {
  const record = (id: string, minute: number, direction: CallRecordItem['direction'] = 'OUTBOUND'): CallRecordItem => ({
    id,
    startedAt: `2026-01-01T10:${String(minute).padStart(2, '0')}:00.000Z`,
    endedAt: `2026-01-01T10:${String(minute).padStart(2, '0')}:30.000Z`,
    extension: '1001',
    direction,
    callerNumber: '13900001111',
    calleeNumber: '13700002222',
    answered: true,
    talkSeconds: 30,
  });

  it('keeps the newest records of a page, newest first, each once', () => {
    const page = Array.from({ length: 30 }, (_, i) => record(`R${i}`, i));
    const feed = newestRecords([...page, record('R29', 29)], 20);
    expect(feed).toHaveLength(20);
    expect(feed[0]!.id).toBe('R29');
    expect(feed[19]!.id).toBe('R10');
  });

  it('sorts by when calls ended, and a pushed record replaces the one listed', () => {
    const feed = [record('R2', 2), record('R1', 1)];
    const pushed = pushRecords(feed, [record('R3', 3), { ...record('R2', 2), talkSeconds: 99 }], 3);
    expect(pushed.map((item) => item.id)).toEqual(['R3', 'R2', 'R1']);
    expect(pushed[1]!.talkSeconds).toBe(99);
    expect(pushRecords(pushed, [record('R4', 4)], 3).map((item) => item.id)).toEqual(['R4', 'R3', 'R2']);
    // A long call that started earlier but ended last goes on top.
    const long = { ...record('R0', 0), endedAt: '2026-01-01T10:59:00.000Z' };
    expect(pushRecords(pushed, [long], 3)[0]!.id).toBe('R0');
  });

  it('names the customer by direction', () => {
    expect(customerNumberOf(record('R', 1, 'OUTBOUND'))).toBe('13700002222');
    expect(customerNumberOf(record('R', 1, 'INBOUND'))).toBe('13900001111');
  });
});
