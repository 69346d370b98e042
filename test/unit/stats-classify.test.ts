import { describe, expect, it } from 'vitest';
import {
  type CallFact,
  type CallRecordFacts,
  StatDim,
  classifyCall,
  contributionsOf,
  deltaOf,
  sameFact,
} from '../../src/stats/classify.ts';

/**
 * How a call record counts (src/stats/classify.ts), with the PBX's codes written out as literals: callmethod 5 is a
 * predictive call, hang-up cause 10001 a normal clearing, 10005 no answer, 10006 busy, 10003 refused, 10004 a line
 * failure.
 */

const T0 = Date.parse('2025-06-02T01:02:03.000Z');
const NONE = { abandonAfterSeconds: null };

function record(overrides: Partial<CallRecordFacts> = {}): CallRecordFacts {
  return {
    key: 'uuid:call-1',
    extension: '8001',
    direction: 'callout',
    callMethod: '5',
    startedAt: new Date(T0),
    answeredAt: null,
    endedAt: new Date(T0 + 30_000),
    waitSeconds: 12,
    talkSeconds: 0,
    hangupCause: '10001',
    ...overrides,
  };
}

const connectedRecord = (overrides: Partial<CallRecordFacts> = {}) =>
  record({ answeredAt: new Date(T0 + 12_000), endedAt: new Date(T0 + 100_000), waitSeconds: 12, talkSeconds: 88, ...overrides });

const link = { taskId: 'task-1', queue: 'sales' };

function fact(overrides: Partial<CallFact> = {}): CallFact {
  return {
    key: 'uuid:call-1',
    taskId: 'task-1',
    queue: 'sales',
    extension: '8001',
    startedAt: T0,
    endedAt: T0 + 100_000,
    dialled: 1,
    customerAnswered: 1,
    connected: 1,
    abandoned: 0,
    waitSeconds: 12,
    talkSeconds: 88,
    ...overrides,
  };
}

describe('classifyCall', () => {
  it('a connected call: an agent answered; wait and talk taken from the record', () => {
    expect(classifyCall(connectedRecord(), link, NONE)).toEqual({
      key: 'uuid:call-1',
      taskId: 'task-1',
      queue: 'sales',
      extension: '8001',
      startedAt: T0,
      endedAt: T0 + 100_000,
      dialled: 1,
      customerAnswered: 1,
      connected: 1,
      abandoned: 0,
      waitSeconds: 12,
      talkSeconds: 88,
    });
  });

  it('a connected call with a cause other than normal clearing is still connected (answertime decides)', () => {
    expect(classifyCall(connectedRecord({ hangupCause: '10005' }), link, NONE)).toMatchObject({ connected: 1, customerAnswered: 1, abandoned: 0 });
  });

  it('abandoned: predictive, no agent answered, normal clearing (10001)', () => {
    expect(classifyCall(record(), link, NONE)).toEqual({
      key: 'uuid:call-1',
      taskId: 'task-1',
      queue: 'sales',
      extension: '8001',
      startedAt: T0,
      endedAt: T0 + 30_000,
      dialled: 1,
      customerAnswered: 1,
      connected: 0,
      abandoned: 1,
      waitSeconds: null,
      talkSeconds: 0,
    });
  });

  it('abandoned without a link too, when the record itself says predictive (callmethod 5)', () => {
    expect(classifyCall(record(), null, NONE)).toMatchObject({ taskId: null, queue: null, dialled: 0, customerAnswered: 1, abandoned: 1 });
  });

  it('linked but not marked predictive: the link makes it a predictive call', () => {
    expect(classifyCall(record({ callMethod: '3' }), link, NONE)).toMatchObject({ dialled: 1, customerAnswered: 1, abandoned: 1, connected: 0 });
  });

  for (const [cause, name] of [
    ['10005', 'no answer'],
    ['10006', 'busy'],
    ['10003', 'refused'],
    ['10004', 'line failure'],
  ] as const) {
    it(`not abandoned: an unanswered predictive call ended by ${name} (${cause})`, () => {
      expect(classifyCall(record({ hangupCause: cause }), link, NONE)).toEqual({
        key: 'uuid:call-1',
        taskId: 'task-1',
        queue: 'sales',
        extension: '8001',
        startedAt: T0,
        endedAt: T0 + 30_000,
        dialled: 1,
        customerAnswered: 0,
        connected: 0,
        abandoned: 0,
        waitSeconds: null,
        talkSeconds: 0,
      });
    });
  }

  it('not abandoned: an unanswered normal clearing of a non-predictive call without a link', () => {
    for (const callMethod of ['3', '1', null]) {
      expect(classifyCall(record({ callMethod }), null, NONE)).toMatchObject({ dialled: 0, customerAnswered: 0, connected: 0, abandoned: 0 });
    }
  });

  it('not abandoned: no hang-up cause at all', () => {
    expect(classifyCall(record({ hangupCause: null }), link, NONE)).toMatchObject({ customerAnswered: 0, abandoned: 0 });
  });

  it('abandonAfterSeconds: a connected call that waited longer also counts abandoned (and stays connected)', () => {
    const options = { abandonAfterSeconds: 30 };
    expect(classifyCall(connectedRecord({ waitSeconds: 31 }), link, options)).toMatchObject({
      connected: 1,
      abandoned: 1,
      customerAnswered: 1,
      waitSeconds: 31,
      talkSeconds: 88,
    });
    // Exactly the limit is not longer.
    expect(classifyCall(connectedRecord({ waitSeconds: 30 }), link, options)).toMatchObject({ connected: 1, abandoned: 0 });
    // Without the option the long wait is only connected.
    expect(classifyCall(connectedRecord({ waitSeconds: 31 }), link, NONE)).toMatchObject({ connected: 1, abandoned: 0 });
    // A non-predictive call is never abandoned by its wait.
    expect(classifyCall(connectedRecord({ waitSeconds: 500, callMethod: '3' }), null, options)).toMatchObject({ connected: 1, abandoned: 0 });
  });

  it('no start time: null (nothing to put it in a window by)', () => {
    expect(classifyCall(record({ startedAt: null }), link, NONE)).toBeNull();
    expect(classifyCall(connectedRecord({ startedAt: null }), null, NONE)).toBeNull();
  });

  it('the link sets dialled, the task and the queue; a task without a queue has queue null', () => {
    expect(classifyCall(connectedRecord(), { taskId: 'task-9', queue: 'support' }, NONE)).toMatchObject({ dialled: 1, taskId: 'task-9', queue: 'support' });
    expect(classifyCall(connectedRecord(), { taskId: 'task-9', queue: null }, NONE)).toMatchObject({ dialled: 1, taskId: 'task-9', queue: null });
    expect(classifyCall(connectedRecord(), null, NONE)).toMatchObject({ dialled: 0, taskId: null, queue: null });
  });

  it('wait and talk: rounded, a negative or missing value is null (wait) or 0 (talk), an unanswered call has neither', () => {
    expect(classifyCall(connectedRecord({ waitSeconds: 12.6, talkSeconds: 7.4 }), link, NONE)).toMatchObject({ waitSeconds: 13, talkSeconds: 7 });
    expect(classifyCall(connectedRecord({ waitSeconds: -1, talkSeconds: null }), link, NONE)).toMatchObject({ waitSeconds: null, talkSeconds: 0 });
    expect(classifyCall(record({ waitSeconds: 40, talkSeconds: 5 }), link, NONE)).toMatchObject({ waitSeconds: null, talkSeconds: 0 });
  });

  it('no end time: endedAt null', () => {
    expect(classifyCall(connectedRecord({ endedAt: null }), link, NONE)?.endedAt).toBeNull();
  });
});

describe('contributionsOf', () => {
  it('null: nothing', () => {
    expect(contributionsOf(null)).toEqual({ counts: [], waits: [] });
  });

  it('a connected, linked call: task, queue and agent counters and one wait of the queue', () => {
    const callCounts = { dialled: 1, customer_answered: 1, connected: 1, abandoned: 0, talk_s: 88, wait_s: 12 };
    expect(contributionsOf(fact())).toEqual({
      counts: [
        { dim: StatDim.Task, subject: 'task-1', at: T0, counts: callCounts },
        { dim: StatDim.Queue, subject: 'sales', at: T0, counts: callCounts },
        { dim: StatDim.Agent, subject: '8001', at: T0, counts: { connected: 1, talk_s: 88 } },
      ],
      waits: [{ queue: 'sales', at: T0, waitSeconds: 12, calls: 1 }],
    });
  });

  it('an abandoned call: task and queue, no agent, no wait', () => {
    const callCounts = { dialled: 1, customer_answered: 1, connected: 0, abandoned: 1, talk_s: 0, wait_s: 0 };
    expect(contributionsOf(fact({ connected: 0, abandoned: 1, waitSeconds: null, talkSeconds: 0 }))).toEqual({
      counts: [
        { dim: StatDim.Task, subject: 'task-1', at: T0, counts: callCounts },
        { dim: StatDim.Queue, subject: 'sales', at: T0, counts: callCounts },
      ],
      waits: [],
    });
  });

  it('an unlinked connected call: only the agent', () => {
    expect(contributionsOf(fact({ taskId: null, queue: null, dialled: 0 }))).toEqual({
      counts: [{ dim: StatDim.Agent, subject: '8001', at: T0, counts: { connected: 1, talk_s: 88 } }],
      waits: [],
    });
  });

  it('a wait past 600 s is counted at 601 (above every threshold), one of 600 at 600; the counter keeps the real wait', () => {
    const { counts, waits } = contributionsOf(fact({ waitSeconds: 900 }));
    expect(waits).toEqual([{ queue: 'sales', at: T0, waitSeconds: 601, calls: 1 }]);
    expect(counts[1]).toMatchObject({ dim: StatDim.Queue, counts: { wait_s: 900 } });
    expect(contributionsOf(fact({ waitSeconds: 601 })).waits).toEqual([{ queue: 'sales', at: T0, waitSeconds: 601, calls: 1 }]);
    expect(contributionsOf(fact({ waitSeconds: 600 })).waits).toEqual([{ queue: 'sales', at: T0, waitSeconds: 600, calls: 1 }]);
    expect(contributionsOf(fact({ waitSeconds: 0 })).waits).toEqual([{ queue: 'sales', at: T0, waitSeconds: 0, calls: 1 }]);
  });
});

describe('deltaOf', () => {
  it('the same fact twice: no delta', () => {
    expect(deltaOf(fact(), fact())).toEqual({ counts: [], waits: [] });
    const abandoned = fact({ connected: 0, abandoned: 1, waitSeconds: null, talkSeconds: 0 });
    expect(deltaOf(abandoned, { ...abandoned })).toEqual({ counts: [], waits: [] });
    expect(deltaOf(null, null)).toEqual({ counts: [], waits: [] });
  });

  it('from nothing: everything the fact contributes, sorted by dim, subject, time', () => {
    expect(deltaOf(null, fact())).toEqual({
      counts: [
        { dim: 'agent', subject: '8001', at: T0, counts: { connected: 1, talk_s: 88 } },
        { dim: 'queue', subject: 'sales', at: T0, counts: { dialled: 1, customer_answered: 1, connected: 1, abandoned: 0, talk_s: 88, wait_s: 12 } },
        { dim: 'task', subject: 'task-1', at: T0, counts: { dialled: 1, customer_answered: 1, connected: 1, abandoned: 0, talk_s: 88, wait_s: 12 } },
      ],
      waits: [{ queue: 'sales', at: T0, waitSeconds: 12, calls: 1 }],
    });
  });

  it('to nothing: everything subtracted', () => {
    const { counts, waits } = deltaOf(fact(), null);
    expect(counts.map((c) => [c.dim, c.subject, c.counts.connected])).toEqual([
      ['agent', '8001', -1],
      ['queue', 'sales', -1],
      ['task', 'task-1', -1],
    ]);
    expect(waits).toEqual([{ queue: 'sales', at: T0, waitSeconds: 12, calls: -1 }]);
  });

  it('moving a call to another task, queue and agent subtracts from the old and adds to the new, in one sorted order', () => {
    const before = fact();
    const after = fact({ taskId: 'task-0', queue: 'billing', extension: '9001' });
    const calls = { dialled: 1, customer_answered: 1, connected: 1, abandoned: 0, talk_s: 88, wait_s: 12 };
    const minus = { dialled: -1, customer_answered: -1, connected: -1, abandoned: 0, talk_s: -88, wait_s: -12 };
    expect(deltaOf(before, after)).toEqual({
      counts: [
        { dim: 'agent', subject: '8001', at: T0, counts: { connected: -1, talk_s: -88 } },
        { dim: 'agent', subject: '9001', at: T0, counts: { connected: 1, talk_s: 88 } },
        { dim: 'queue', subject: 'billing', at: T0, counts: calls },
        { dim: 'queue', subject: 'sales', at: T0, counts: minus },
        { dim: 'task', subject: 'task-0', at: T0, counts: calls },
        { dim: 'task', subject: 'task-1', at: T0, counts: minus },
      ],
      waits: [
        { queue: 'sales', at: T0, waitSeconds: 12, calls: -1 },
        { queue: 'billing', at: T0, waitSeconds: 12, calls: 1 },
      ],
    });
  });

  it('moving a call in time: the old bucket loses it, the new one gains it, earlier first', () => {
    const later = T0 + 3_600_000;
    const { counts } = deltaOf(fact({ startedAt: later }), fact());
    expect(counts.map((c) => [c.dim, c.subject, c.at, c.counts.dialled])).toEqual([
      ['agent', '8001', T0, undefined],
      ['agent', '8001', later, undefined],
      ['queue', 'sales', T0, 1],
      ['queue', 'sales', later, -1],
      ['task', 'task-1', T0, 1],
      ['task', 'task-1', later, -1],
    ]);
  });

  it('an abandoned call a backfill finds connected: only the differences, zero rows kept where some counter moved', () => {
    const before = fact({ connected: 0, abandoned: 1, waitSeconds: null, talkSeconds: 0, extension: null });
    const after = fact({ extension: null });
    const change = { dialled: 0, customer_answered: 0, connected: 1, abandoned: -1, talk_s: 88, wait_s: 12 };
    expect(deltaOf(before, after)).toEqual({
      counts: [
        { dim: 'queue', subject: 'sales', at: T0, counts: change },
        { dim: 'task', subject: 'task-1', at: T0, counts: change },
      ],
      waits: [{ queue: 'sales', at: T0, waitSeconds: 12, calls: 1 }],
    });
  });

  it('a new wait moves the histogram from one wait to the other', () => {
    expect(deltaOf(fact(), fact({ waitSeconds: 20 })).waits).toEqual([
      { queue: 'sales', at: T0, waitSeconds: 12, calls: -1 },
      { queue: 'sales', at: T0, waitSeconds: 20, calls: 1 },
    ]);
  });

  it('only the end time changed: no counter moves', () => {
    expect(deltaOf(fact(), fact({ endedAt: T0 + 200_000 }))).toEqual({ counts: [], waits: [] });
  });
});

describe('sameFact', () => {
  it('equal field by field, whatever the object', () => {
    expect(sameFact(fact(), fact())).toBe(true);
    expect(sameFact(null, null)).toBe(true);
  });

  it('null and a fact differ', () => {
    expect(sameFact(fact(), null)).toBe(false);
    expect(sameFact(null, fact())).toBe(false);
  });

  it('any one field differing makes them differ, the end time included', () => {
    const changes: Array<Partial<CallFact>> = [
      { key: 'uuid:other' },
      { taskId: null },
      { queue: 'billing' },
      { extension: null },
      { startedAt: T0 + 1 },
      { endedAt: null },
      { dialled: 0 },
      { customerAnswered: 0 },
      { connected: 0 },
      { abandoned: 1 },
      { waitSeconds: null },
      { talkSeconds: 87 },
    ];
    expect(changes.map((change) => sameFact(fact(), fact(change)))).toEqual(changes.map(() => false));
  });
});
