import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDisposer } from '../utils/disposer.ts';
import { type TestGateway, demoQueue, startGateway, wsClient } from '../utils/gateway.ts';
import { trackLiveWatches } from '../utils/live-statistics.ts';
import { collectSubscription } from '../utils/subscription.ts';

/**
 * Bad input to every statistics field and mutation, over HTTP and graphql-ws: each answers INVALID_INPUT (or the
 * union member the schema declares) with nothing done; STATISTICS=off answers STATISTICS_DISABLED; and a statistics
 * query never calls the platform.
 */

const DAY = 24 * 3_600_000;
const AGENTS = `query($e: [String!]!, $w: StatisticsWindowInput) { agentStatistics(extensions: $e, window: $w) { extension offered } }`;
const QUEUES = `query($q: [String!]!, $w: StatisticsWindowInput, $t: Int) { queueStatistics(queues: $q, window: $w, serviceLevelSeconds: $t) { queue offered serviceLevel { thresholdSeconds } } }`;
const TASK = `query($id: ID!, $n: Int, $w: StatisticsWindowInput) { node(id: $id) { ... on PredictiveTask { statistics(lastCalls: $n, window: $w) { dialled recentAbandonRate { lastCalls } } } } }`;
const SET_GUARD = `mutation($i: SetAbandonGuardInput!) { setAbandonGuard(input: $i) {
  __typename
  ... on AbandonGuardPayload { guard { targetPercent lastCalls pauseTask tripped } }
  ... on InvalidInputError { code message issues { path message } }
  ... on NotFoundError { code }
  ... on UnsupportedForTaskKindError { code }
} }`;
const REMOVE_GUARD = `mutation($i: RemoveAbandonGuardInput!) { removeAbandonGuard(input: $i) { __typename ... on AbandonGuardPayload { guard { lastCalls } } ... on Error { code } } }`;
const BACKFILL = `mutation($i: BackfillStatisticsInput!) { backfillStatistics(input: $i) {
  __typename
  ... on BackfillStatisticsPayload { records changed pages complete }
  ... on InvalidInputError { code message issues { path message } }
} }`;
const QUEUE_LIVE = `subscription($q: [String!]!, $t: Int) { queueStatisticsUpdated(queues: $q, serviceLevelSeconds: $t) { at queues { queue offered } } }`;
const TASK_LIVE = `subscription($id: ID!, $n: Int) { taskStatisticsUpdated(taskId: $id, lastCalls: $n) { at statistics { dialled } } }`;
const GUARD_LIVE = `subscription($id: ID, $after: ID) { abandonRateExceeded(taskId: $id, after: $after) { eventId } }`;

type Answer = Awaited<ReturnType<TestGateway['gql']>>;

/** The single top-level error's code, with no data. */
function topCode(answer: Answer): string | undefined {
  expect(answer.data ?? null, JSON.stringify(answer)).toBeNull();
  expect(answer.errors, JSON.stringify(answer)).toHaveLength(1);
  return answer.errors?.[0]?.extensions?.code;
}

const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function createTask(gw: TestGateway, name: string, phones: string[]): Promise<{ id: string; platformId: string }> {
  const created = await gw.gql(
    `mutation($input: CreatePredictiveTaskInput!) { createPredictiveTask(input: $input) { ... on CreatePredictiveTaskPayload { acceptedCount task { id ... on PredictiveTask { platformId } } } } }`,
    { input: { name, assignment: { type: 'QUEUE', assignee: demoQueue(gw.sim) }, numbers: phones.map((phone) => ({ phone })) } },
    'operator',
  );
  expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
  expect(created.data?.createPredictiveTask.acceptedCount).toBe(phones.length);
  return created.data?.createPredictiveTask.task;
}

/** The errors a subscription ended with (an error result or the protocol's error message). */
async function subscriptionErrors(failed: Promise<never>): Promise<Array<{ message: string; extensions?: Record<string, any> }>> {
  try {
    await failed;
  } catch (errors) {
    return errors as Array<{ message: string; extensions?: Record<string, any> }>;
  }
  return expect.unreachable();
}

describe('statistics inputs', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let task: { id: string; platformId: string };

  beforeAll(async () => {
    gw = await startGateway(disposer);
    task = await createTask(gw, 'inputs', ['13800990001', '13800990002']);
  });
  afterAll(() => disposer.dispose());

  describe('agentStatistics', () => {
    it('refuses no extensions, 2001 of them, an empty one and a control character; 2000 are fine', async () => {
      gw.sim.stats.reset();
      for (const extensions of [[], range(2001, 'e'), [''], ['80\u000101'], ['8001', 'x'.repeat(65)]]) {
        expect(topCode(await gw.gql(AGENTS, { e: extensions })), JSON.stringify(extensions).slice(0, 60)).toBe('INVALID_INPUT');
      }
      const ok = await gw.gql(AGENTS, { e: range(2000, 'e') });
      expect(ok.errors).toBeUndefined();
      expect(ok.data?.agentStatistics).toHaveLength(2000);
      expect(ok.data?.agentStatistics[1999]).toEqual({ extension: 'e1999', offered: 0 });
      expect(gw.sim.stats.total()).toBe(0);
    });

    it('refuses a control character written into the document too', async () => {
      const answer = await gw.gql(`{ agentStatistics(extensions: ["80\\u001f01"]) { extension } }`);
      expect(topCode(answer)).toBe('INVALID_INPUT');
    });

    it('refuses a backwards window and one of 32 days; 31 days are fine', async () => {
      const to = Date.parse('2025-06-02T00:00:00Z');
      const iso = (t: number) => new Date(t).toISOString();
      for (const w of [{ from: iso(to), to: iso(to) }, { from: iso(to + 60_000), to: iso(to) }, { from: iso(to - 32 * DAY), to: iso(to) }, { from: iso(to - 31 * DAY - 1), to: iso(to) }]) {
        expect(topCode(await gw.gql(AGENTS, { e: ['8001'], w })), JSON.stringify(w)).toBe('INVALID_INPUT');
      }
      const ok = await gw.gql(AGENTS, { e: ['8001'], w: { from: iso(to - 31 * DAY), to: iso(to) } });
      expect(ok.errors).toBeUndefined();
    });
  });

  describe('queueStatistics', () => {
    it('refuses 201 queues, serviceLevelSeconds 0 and 601; 200 queues, 1 s and 600 s are fine', async () => {
      gw.sim.stats.reset();
      expect(topCode(await gw.gql(QUEUES, { q: range(201, 'q') }))).toBe('INVALID_INPUT');
      expect(topCode(await gw.gql(QUEUES, { q: [] }))).toBe('INVALID_INPUT');
      expect(topCode(await gw.gql(QUEUES, { q: ['sales'], t: 0 }))).toBe('INVALID_INPUT');
      expect(topCode(await gw.gql(QUEUES, { q: ['sales'], t: 601 }))).toBe('INVALID_INPUT');
      expect(topCode(await gw.gql(QUEUES, { q: ['sales'], t: -5 }))).toBe('INVALID_INPUT');
      const ok = await gw.gql(QUEUES, { q: range(200, 'q'), t: 600 });
      expect(ok.errors).toBeUndefined();
      expect(ok.data?.queueStatistics).toHaveLength(200);
      expect(ok.data?.queueStatistics[0]).toEqual({ queue: 'q0', offered: 0, serviceLevel: { thresholdSeconds: 600 } });
      const one = await gw.gql(QUEUES, { q: ['sales'], t: 1 });
      expect(one.data?.queueStatistics[0].serviceLevel).toEqual({ thresholdSeconds: 1 });
      expect(gw.sim.stats.total()).toBe(0);
    });

    it('refuses a window with from ≥ to and one of 32 days', async () => {
      const w1 = { from: '2025-06-02T10:00:00Z', to: '2025-06-02T10:00:00Z' };
      const w2 = { from: '2025-05-01T00:00:00Z', to: '2025-06-02T00:00:00Z' };
      expect(topCode(await gw.gql(QUEUES, { q: ['sales'], w: w1 }))).toBe('INVALID_INPUT');
      expect(topCode(await gw.gql(QUEUES, { q: ['sales'], w: w2 }))).toBe('INVALID_INPUT');
    });

    it("names the window's field in the issue's path, one segment per name as every other issue does", async () => {
      const backwards = await gw.gql(QUEUES, { q: ['sales'], w: { from: '2025-06-02T11:00:00Z', to: '2025-06-02T10:00:00Z' } });
      expect(backwards.errors?.[0]?.extensions?.issues).toEqual([{ path: ['window', 'from'], message: 'window: `from` must be before `to`' }]);
      const long = await gw.gql(QUEUES, { q: ['sales'], w: { from: '2025-05-01T00:00:00Z', to: '2025-06-02T00:00:00Z' } });
      expect(long.errors?.[0]?.extensions?.issues).toEqual([{ path: ['window', 'to'], message: 'window: at most 31 days' }]);
      const backfill = await gw.gql(BACKFILL, { i: { from: '2025-06-02T00:00:00Z', to: '2025-06-01T00:00:00Z' } }, 'operator');
      expect(backfill.data?.backfillStatistics.issues).toEqual([{ path: ['input', 'from'], message: '`from` must be before `to`' }]);
    });
  });

  describe('PredictiveTask.statistics', () => {
    it('refuses lastCalls 0 and 1001; 1 and 1000 are fine', async () => {
      for (const n of [0, 1001, -1]) {
        const answer = await gw.gql(TASK, { id: task.id, n });
        expect(answer.errors?.map((e) => [e.extensions?.code, e.path]), JSON.stringify(answer)).toEqual([['INVALID_INPUT', ['node', 'statistics']]]);
        // The field is nullable: its error leaves the task.
        expect(answer.data?.node).toEqual({ statistics: null });
      }
      for (const n of [1, 1000]) {
        const answer = await gw.gql(TASK, { id: task.id, n });
        expect(answer.errors).toBeUndefined();
        expect(answer.data?.node).toEqual({ statistics: { dialled: 0, recentAbandonRate: { lastCalls: n } } });
      }
    });

    it('refuses a backwards window', async () => {
      const answer = await gw.gql(TASK, { id: task.id, w: { from: '2025-06-02T11:00:00Z', to: '2025-06-02T10:00:00Z' } });
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_INPUT']);
    });
  });

  describe('setAbandonGuard and removeAbandonGuard', () => {
    const invalid = { __typename: 'InvalidInputError', code: 'INVALID_INPUT' };

    it('refuses targetPercent 0 and 101, lastCalls 5 and 1001 as InvalidInputError, and stores no guard', async () => {
      gw.sim.stats.reset();
      const cases: Array<[Record<string, unknown>, string, string[]]> = [
        [{ targetPercent: 0 }, 'targetPercent must be above 0', ['input', 'targetPercent']],
        [{ targetPercent: -1 }, 'targetPercent must be above 0', ['input', 'targetPercent']],
        [{ targetPercent: 101 }, 'targetPercent is at most 100', ['input', 'targetPercent']],
        [{ targetPercent: 3, lastCalls: 5 }, 'lastCalls is at least 10', ['input', 'lastCalls']],
        [{ targetPercent: 3, lastCalls: 1001 }, 'lastCalls is at most 1000', ['input', 'lastCalls']],
      ];
      for (const [fields, message, path] of cases) {
        const answer = await gw.gql(SET_GUARD, { i: { taskId: task.id, ...fields } }, 'operator');
        expect(answer.errors, JSON.stringify(answer)).toBeUndefined();
        expect(answer.data?.setAbandonGuard).toEqual({ ...invalid, message, issues: [{ path, message }] });
      }
      expect(await gw.app.services.store.guards.get(task.platformId)).toBeNull();
      // The bounds themselves are fine.
      const ok = await gw.gql(SET_GUARD, { i: { taskId: task.id, targetPercent: 100, lastCalls: 1000 } }, 'operator');
      expect(ok.data?.setAbandonGuard).toEqual({ __typename: 'AbandonGuardPayload', guard: { targetPercent: 100, lastCalls: 1000, pauseTask: false, tripped: false } });
      const low = await gw.gql(SET_GUARD, { i: { taskId: task.id, targetPercent: 0.01, lastCalls: 10, pauseTask: true } }, 'operator');
      expect(low.data?.setAbandonGuard).toEqual({ __typename: 'AbandonGuardPayload', guard: { targetPercent: 0.01, lastCalls: 10, pauseTask: true, tripped: false } });
      const removed = await gw.gql(REMOVE_GUARD, { i: { taskId: task.id } }, 'operator');
      expect(removed.data?.removeAbandonGuard).toEqual({ __typename: 'AbandonGuardPayload', guard: null });
      expect(await gw.app.services.store.guards.get(task.platformId)).toBeNull();
      expect(gw.sim.stats.total()).toBe(0);
    });

    it('an AI task id: UnsupportedForTaskKindError; an unknown predictive id: NotFoundError', async () => {
      const ai = await gw.gql(SET_GUARD, { i: { taskId: encodeGlobalID('AiTask', 'f3b5a0f6-0000-4000-8000-000000000001'), targetPercent: 3 } }, 'operator');
      expect(ai.data?.setAbandonGuard).toEqual({ __typename: 'UnsupportedForTaskKindError', code: 'UNSUPPORTED_FOR_TASK_KIND' });
      const unknown = await gw.gql(SET_GUARD, { i: { taskId: encodeGlobalID('PredictiveTask', '99999999999999999999'), targetPercent: 3 } }, 'operator');
      expect(unknown.data?.setAbandonGuard).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
      const removeAi = await gw.gql(REMOVE_GUARD, { i: { taskId: encodeGlobalID('AiTask', 'f3b5a0f6-0000-4000-8000-000000000001') } }, 'operator');
      expect(removeAi.data?.removeAbandonGuard).toEqual({ __typename: 'UnsupportedForTaskKindError', code: 'UNSUPPORTED_FOR_TASK_KIND' });
      const removeUnknown = await gw.gql(REMOVE_GUARD, { i: { taskId: encodeGlobalID('PredictiveTask', '99999999999999999999') } }, 'operator');
      expect(removeUnknown.data?.removeAbandonGuard).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    });

    it('a viewer key: FORBIDDEN, nothing stored', async () => {
      for (const [document, i] of [
        [SET_GUARD, { taskId: task.id, targetPercent: 3 }],
        [SET_GUARD, { taskId: task.id, targetPercent: 101 }],
        [REMOVE_GUARD, { taskId: task.id }],
      ] as const) {
        const answer = await gw.gql(document, { i }, 'viewer');
        expect(topCode(answer)).toBe('FORBIDDEN');
      }
      expect(await gw.app.services.store.guards.get(task.platformId)).toBeNull();
    });
  });

  describe('backfillStatistics', () => {
    it('refuses a window over 24 hours and a backwards one, before any GetBill call', async () => {
      gw.sim.stats.reset();
      const cases: Array<[{ from: string; to: string }, string]> = [
        [{ from: '2025-06-01T00:00:00Z', to: '2025-06-02T00:00:00.001Z' }, 'a backfill window is at most 24 hours'],
        [{ from: '2025-06-02T00:00:00Z', to: '2025-06-01T23:00:00Z' }, '`from` must be before `to`'],
        [{ from: '2025-06-02T00:00:00Z', to: '2025-06-02T00:00:00Z' }, '`from` must be before `to`'],
      ];
      for (const [i, message] of cases) {
        const answer = await gw.gql(BACKFILL, { i }, 'operator');
        expect(answer.errors, JSON.stringify(answer)).toBeUndefined();
        expect(answer.data?.backfillStatistics).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT', message });
      }
      expect(gw.sim.stats.total()).toBe(0);
      expect(topCode(await gw.gql(BACKFILL, { i: { from: '2025-06-01T00:00:00Z', to: '2025-06-01T01:00:00Z' } }, 'viewer'))).toBe('FORBIDDEN');
      expect(gw.sim.stats.total()).toBe(0);
      // Older than the event retention: refused too.
      const old = await gw.gql(BACKFILL, { i: { from: '2020-06-01T00:00:00Z', to: '2020-06-01T01:00:00Z' } }, 'operator');
      expect(old.data?.backfillStatistics).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
      expect(gw.sim.stats.total()).toBe(0);
      // Exactly 24 hours is allowed.
      const to = Math.floor(Date.now() / 60_000) * 60_000;
      const ok = await gw.gql(BACKFILL, { i: { from: new Date(to - DAY).toISOString(), to: new Date(to).toISOString() } }, 'operator');
      expect(ok.errors).toBeUndefined();
      expect(ok.data?.backfillStatistics).toEqual({ __typename: 'BackfillStatisticsPayload', records: expect.any(Number), changed: expect.any(Number), pages: 1, complete: true });
    });
  });

  describe('live subscriptions over graphql-ws', () => {
    it('answer bad arguments with errors, and the socket keeps serving', async () => {
      const live = gw.app.services.statistics?.live;
      if (!live) return expect.unreachable();
      const watches = trackLiveWatches(live);
      const client = wsClient(disposer, gw);
      const cases: Array<[string, Record<string, unknown>, string]> = [
        [QUEUE_LIVE, { q: [] }, 'INVALID_INPUT'],
        [QUEUE_LIVE, { q: range(201, 'q') }, 'INVALID_INPUT'],
        [QUEUE_LIVE, { q: [''] }, 'INVALID_INPUT'],
        [QUEUE_LIVE, { q: ['sales'], t: 0 }, 'INVALID_INPUT'],
        [QUEUE_LIVE, { q: ['sales'], t: 601 }, 'INVALID_INPUT'],
        [TASK_LIVE, { id: task.id, n: 0 }, 'INVALID_INPUT'],
        [TASK_LIVE, { id: task.id, n: 1001 }, 'INVALID_INPUT'],
        [TASK_LIVE, { id: encodeGlobalID('AiTask', 'f3b5a0f6-0000-4000-8000-000000000001') }, 'INVALID_INPUT'],
        [TASK_LIVE, { id: 'not a global id' }, 'INVALID_INPUT'],
        [TASK_LIVE, { id: encodeGlobalID('PredictiveTask', '99999999999999999999') }, 'NOT_FOUND'],
        [GUARD_LIVE, { id: encodeGlobalID('AiTask', 'f3b5a0f6-0000-4000-8000-000000000001') }, 'INVALID_INPUT'],
        [GUARD_LIVE, { id: 'not a global id' }, 'INVALID_INPUT'],
      ];
      for (const [query, variables, code] of cases) {
        const sub = collectSubscription(client, query, variables);
        const errors = await subscriptionErrors(sub.failed);
        expect(errors.map((e) => e.extensions?.code), `${query.slice(0, 40)} ${JSON.stringify(variables).slice(0, 80)}`).toEqual([code]);
        expect(sub.events).toEqual([]);
      }
      // The same socket still serves a good subscription: the current figures at once.
      const good = collectSubscription<{ queues: Array<{ queue: string; offered: number }> }>(client, QUEUE_LIVE, { q: ['nobody-queue'] });
      const [first] = await good.until(1);
      expect(first?.queues).toEqual([{ queue: 'nobody-queue', offered: 0 }]);
      good.stop();
      await watches.untilClosed(1);
      expect(gw.app.services.statistics?.live.stats()).toEqual({ channels: 0, subscribers: 0 });
    });
  });

  describe('no platform call', () => {
    it('a statistics query for 50 queues, 200 agents and a task makes no upstream call', async () => {
      gw.sim.stats.reset();
      const answer = await gw.gql(
        `query($q: [String!]!, $e: [String!]!, $id: ID!) {
          queueStatistics(queues: $q) { queue offered answered abandoned abandonRatePercent averageSpeedOfAnswerSeconds averageTalkSeconds talkSeconds serviceLevel { thresholdSeconds answeredWithin percent } window { from to } }
          agentStatistics(extensions: $e) { extension offered answered missed connectedCalls talkSeconds averageHandleSeconds occupancy knownSince state stateSince stateSeconds { available ringing inCall } window { from to } }
          node(id: $id) { ... on PredictiveTask { statistics { numbersUploaded dialledAllTime remaining dialled customerAnswered connected abandoned abandonRatePercent recentAbandonRate { lastCalls calls abandoned percent } abandonGuard { targetPercent } } } }
        }`,
        { q: range(50, 'queue-'), e: range(200, '9'), id: task.id },
      );
      expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
      expect(answer.data?.queueStatistics).toHaveLength(50);
      expect(answer.data?.agentStatistics).toHaveLength(200);
      expect(answer.data?.node.statistics).toMatchObject({ numbersUploaded: 2, dialledAllTime: 0, remaining: 2, dialled: 0, abandonGuard: null });
      expect(gw.sim.stats.snapshot()).toEqual({});
      expect(gw.sim.stats.total()).toBe(0);
    });
  });
});

describe('statistics with STATISTICS=off', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let task: { id: string; platformId: string };

  beforeAll(async () => {
    gw = await startGateway(disposer, { env: { STATISTICS: 'off' } });
    task = await createTask(gw, 'off', ['13800990003']);
  });
  afterAll(() => disposer.dispose());

  it('the service is absent', () => {
    expect(gw.app.services.statistics).toBeNull();
  });

  it('every statistics query field answers STATISTICS_DISABLED', async () => {
    expect(topCode(await gw.gql(AGENTS, { e: ['8001'] }))).toBe('STATISTICS_DISABLED');
    expect(topCode(await gw.gql(QUEUES, { q: ['sales'] }))).toBe('STATISTICS_DISABLED');
    const taskStats = await gw.gql(TASK, { id: task.id });
    expect(taskStats.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([['STATISTICS_DISABLED', ['node', 'statistics']]]);
    expect(taskStats.data?.node).toEqual({ statistics: null });
  });

  it('the guard and backfill mutations answer STATISTICS_DISABLED', async () => {
    gw.sim.stats.reset();
    // Not a union member of either mutation: a top-level error.
    expect(topCode(await gw.gql(SET_GUARD, { i: { taskId: task.id, targetPercent: 3 } }, 'operator'))).toBe('STATISTICS_DISABLED');
    expect(topCode(await gw.gql(REMOVE_GUARD, { i: { taskId: task.id } }, 'operator'))).toBe('STATISTICS_DISABLED');
    const backfill = await gw.gql(BACKFILL, { i: { from: '2025-06-01T00:00:00Z', to: '2025-06-01T01:00:00Z' } }, 'operator');
    expect(topCode(backfill)).toBe('STATISTICS_DISABLED');
    expect(gw.sim.stats.total()).toBe(0);
  });

  it('the live subscriptions and abandonRateExceeded answer STATISTICS_DISABLED', async () => {
    const client = wsClient(disposer, gw);
    for (const [query, variables] of [
      [QUEUE_LIVE, { q: ['sales'] }],
      [TASK_LIVE, { id: task.id }],
      [GUARD_LIVE, { id: task.id }],
      [GUARD_LIVE, {}],
    ] as const) {
      const sub = collectSubscription(client, query, variables);
      const errors = await subscriptionErrors(sub.failed);
      expect(errors.map((e) => e.extensions?.code), query.slice(0, 50)).toEqual(['STATISTICS_DISABLED']);
      expect(sub.events).toEqual([]);
    }
  });
});
