import { type NewPredictiveTask, PredictiveAssignmentType } from '../../src/store/index.ts';

/** A valid new task; tests override what they look at. */
export function newTask(overrides: Partial<NewPredictiveTask> & { id: string }): NewPredictiveTask {
  return {
    name: `task ${overrides.id}`,
    assignment: { type: PredictiveAssignmentType.Queue, assignee: 'sales' },
    pacing: { agents: 1, calls: 3 },
    callerNumbers: ['02100000001', '02100000002'],
    ...overrides,
  };
}

/** A clock tests move by hand, so createdAt ties and expiry are exact. */
export function createFakeClock(start = Date.parse('2025-01-01T00:00:00.000Z')) {
  let time = start;
  return {
    now: () => time,
    set(ms: number) {
      time = ms;
    },
    advance(ms: number) {
      time += ms;
    },
  };
}
