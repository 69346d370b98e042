import { afterEach, describe, expect, it } from 'vitest';
import { createZonedTime } from '../../src/upstream/time.ts';
import { CALL_RECORD_COMMON } from '../utils/callback-seeds.ts';
import { createDisposer } from '../utils/disposer.ts';
import { type TestGateway, demoQueue, startGateway, wsClient } from '../utils/gateway.ts';
import { trackLiveWatches } from '../utils/live-statistics.ts';
import { type Collected, collectSubscription } from '../utils/subscription.ts';

/**
 * Live statistics over a real graphql-ws client: the current figures at once, then coalesced updates (far fewer than
 * the call records that moved them), the last equal to what a query reads; subscribers of the same figures share one
 * computation, and the last one to leave frees its channel.
 */

const SECRET = 'statistics-live-callback-secret-01';
const BURST = 40;
/** Updates allowed after one burst of call records posted at once (one a second at most; the burst takes well under 2 s). */
const MAX_UPDATES_PER_BURST = 3;
const shanghai = createZonedTime('Asia/Shanghai');

const QUEUE_FIGURES = 'queue offered answered abandoned abandonRatePercent averageSpeedOfAnswerSeconds averageTalkSeconds talkSeconds serviceLevel { thresholdSeconds answeredWithin percent }';
const QUEUE_LIVE = `subscription($q: [String!]!) { queueStatisticsUpdated(queues: $q) { at queues { ${QUEUE_FIGURES} } } }`;
const QUEUE_QUERY = `query($q: [String!]!) { queueStatistics(queues: $q) { ${QUEUE_FIGURES} } }`;
const TASK_FIGURES = 'numbersUploaded dialledAllTime remaining dialled customerAnswered connected abandoned abandonRatePercent recentAbandonRate { lastCalls calls abandoned percent }';
const TASK_LIVE = `subscription($id: ID!) { taskStatisticsUpdated(taskId: $id) { at statistics { ${TASK_FIGURES} } } }`;
const TASK_QUERY = `query($id: ID!) { node(id: $id) { ... on PredictiveTask { statistics { ${TASK_FIGURES} } } } }`;

interface QueueUpdate {
  at: string;
  queues: Array<Record<string, unknown>>;
}
interface TaskUpdate {
  at: string;
  statistics: Record<string, unknown>;
}

const phoneOf = (prefix: string, i: number) => `${prefix}${String(i).padStart(4, '0')}`;

async function setUp(disposer: ReturnType<typeof createDisposer>, prefix: string) {
  const gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET } });
  const queue = demoQueue(gw.sim);
  const phones = Array.from({ length: BURST }, (_, i) => phoneOf(prefix, i));
  const created = await gw.gql(
    `mutation($input: CreatePredictiveTaskInput!) { createPredictiveTask(input: $input) { ... on CreatePredictiveTaskPayload { acceptedCount task { id } } } }`,
    { input: { name: `live ${prefix}`, assignment: { type: 'QUEUE', assignee: queue }, numbers: phones.map((phone) => ({ phone })) } },
    'operator',
  );
  expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
  expect(created.data?.createPredictiveTask.acceptedCount).toBe(BURST);
  const live = gw.app.services.statistics?.live;
  if (!live) return expect.unreachable();
  return { gw, queue, phones, taskId: created.data?.createPredictiveTask.task.id as string, live };
}

/**
 * Posts one predictive call record per number, all at once: every fourth abandoned (no agent answer, normal clearing),
 * the rest answered by agent 8001 after 5…24 s with 60 s of talk. Started 30 s ago, so they fall in today's window.
 * Returns the figures the queue must then show (service level over 20 s).
 */
async function postBurst(gw: TestGateway, phones: string[], idBase: number) {
  const start = Date.now() - 30_000;
  const fmt = (t: number) => shanghai.format(new Date(t));
  let answered = 0;
  let waits = 0;
  let within = 0;
  const bodies = phones.map((phone, i) => {
    const abandoned = i % 4 === 0;
    const wait = 5 + (i % 20);
    if (!abandoned) {
      answered++;
      waits += wait;
      if (wait <= 20) within++;
    }
    return {
      ...CALL_RECORD_COMMON,
      id: idBase + i,
      uuid: `live-${idBase}-${i}`,
      callmethod: 5,
      starttime: fmt(start),
      answertime: abandoned ? '' : fmt(start + wait * 1000),
      endtime: fmt(start + (abandoned ? 12 : wait + 60) * 1000),
      duration: abandoned ? 12 : wait,
      billsec: abandoned ? 0 : 60,
      hangupcause: 10001,
      extnumber: abandoned ? '' : '8001',
      destnumber: phone,
      customuuid: '',
    };
  });
  const statuses = await Promise.all(
    bodies.map(async (body) => {
      const response = await fetch(`${gw.url}/callbacks/${SECRET}/call-record`, { method: 'POST', body: new URLSearchParams({ detail: JSON.stringify(body) }) });
      await response.arrayBuffer();
      return response.status;
    }),
  );
  expect(statuses).toEqual(bodies.map(() => 200));
  const offered = phones.length;
  const abandoned = offered - answered;
  return { offered, answered, abandoned, waits, within, talk: answered * 60 };
}

/** Waits for updates until the newest one equals what `read` gives (bounded): the update that followed the last event. */
async function untilSettled<T>(sub: Collected<T>, pick: (update: T) => unknown, read: () => Promise<unknown>): Promise<unknown> {
  for (let round = 0; round < MAX_UPDATES_PER_BURST + 2; round++) {
    const expected = await read();
    const last = sub.events.at(-1);
    if (last !== undefined && JSON.stringify(pick(last)) === JSON.stringify(expected)) return expected;
    await sub.until(sub.events.length + 1);
  }
  return expect.unreachable('the live figures never caught up with the query');
}

describe('live statistics over graphql-ws', () => {
  const disposer = createDisposer();
  afterEach(() => disposer.dispose());

  it('queueStatisticsUpdated: the current figures at once, then few updates for a burst, the last equal to the query', async () => {
    const { gw, queue, phones } = await setUp(disposer, '1370010');
    const readQueue = async () => {
      const answer = await gw.gql(QUEUE_QUERY, { q: [queue] });
      expect(answer.errors).toBeUndefined();
      return answer.data?.queueStatistics;
    };
    const sub = collectSubscription<QueueUpdate>(wsClient(disposer, gw), QUEUE_LIVE, { q: [queue] });
    const [first] = await sub.until(1);
    expect(first?.queues).toEqual(await readQueue());
    expect(first?.queues[0]).toMatchObject({ queue, offered: 0, answered: 0, abandoned: 0 });

    const e = await postBurst(gw, phones, 5_100_000);
    const settled = await untilSettled(sub, (u) => u.queues, readQueue);
    expect(settled).toEqual([
      {
        queue,
        offered: e.offered,
        answered: e.answered,
        abandoned: e.abandoned,
        abandonRatePercent: Math.round((e.abandoned / e.offered) * 10_000) / 100,
        averageSpeedOfAnswerSeconds: Math.round((e.waits / e.answered) * 10) / 10,
        averageTalkSeconds: 60,
        talkSeconds: e.talk,
        serviceLevel: { thresholdSeconds: 20, answeredWithin: e.within, percent: Math.round((e.within / e.offered) * 10_000) / 100 },
      },
    ]);
    // Forty call records, a handful of updates.
    const updates = sub.events.length - 1;
    expect(updates).toBeGreaterThanOrEqual(1);
    expect(updates).toBeLessThanOrEqual(MAX_UPDATES_PER_BURST);
  });

  it('two subscribers of the same figures share one channel and one computation; the channel goes when both leave', async () => {
    const { gw, queue, phones, live } = await setUp(disposer, '1370020');
    const watches = trackLiveWatches(live);
    const client = wsClient(disposer, gw);
    const a = collectSubscription<QueueUpdate>(client, QUEUE_LIVE, { q: [queue] });
    const b = collectSubscription<QueueUpdate>(wsClient(disposer, gw), QUEUE_LIVE, { q: [queue] });
    await Promise.all([a.until(1), b.until(1)]);
    expect(live.stats()).toEqual({ channels: 1, subscribers: 2 });
    // Another threshold is other figures: a channel of its own.
    const other = collectSubscription<QueueUpdate>(client, `subscription($q: [String!]!) { queueStatisticsUpdated(queues: $q, serviceLevelSeconds: 30) { at } }`, { q: [queue] });
    await other.until(1);
    expect(live.stats()).toEqual({ channels: 2, subscribers: 3 });
    other.stop();
    await watches.untilClosed(1);
    expect(live.stats()).toEqual({ channels: 1, subscribers: 2 });

    await postBurst(gw, phones, 5_200_000);
    const readQueue = async () => (await gw.gql(QUEUE_QUERY, { q: [queue] })).data?.queueStatistics;
    const settledA = await untilSettled(a, (u) => u.queues, readQueue);
    const settledB = await untilSettled(b, (u) => u.queues, readQueue);
    expect(settledB).toEqual(settledA);
    // The same computation reached both: the same figures read at the same instant.
    expect(b.events.at(-1)?.at).toBe(a.events.at(-1)?.at);
    expect(a.events.length - 1).toBeLessThanOrEqual(MAX_UPDATES_PER_BURST);

    a.stop();
    await watches.untilClosed(2);
    expect(live.stats()).toEqual({ channels: 1, subscribers: 1 });
    b.stop();
    await watches.untilClosed(3);
    expect(live.stats()).toEqual({ channels: 0, subscribers: 0 });
  });

  it('taskStatisticsUpdated: the current figures at once, then few updates for a burst, the last equal to the query; leaving frees the channel', async () => {
    const { gw, phones, taskId, live } = await setUp(disposer, '1370030');
    const watches = trackLiveWatches(live);
    const readTask = async () => {
      const answer = await gw.gql(TASK_QUERY, { id: taskId });
      expect(answer.errors).toBeUndefined();
      return answer.data?.node.statistics;
    };
    const sub = collectSubscription<TaskUpdate>(wsClient(disposer, gw), TASK_LIVE, { id: taskId });
    const [first] = await sub.until(1);
    expect(first?.statistics).toEqual(await readTask());
    expect(first?.statistics).toMatchObject({ numbersUploaded: BURST, dialledAllTime: 0, remaining: BURST, dialled: 0 });
    expect(live.stats()).toEqual({ channels: 1, subscribers: 1 });

    const e = await postBurst(gw, phones, 5_300_000);
    const settled = await untilSettled(sub, (u) => u.statistics, readTask);
    expect(settled).toEqual({
      numbersUploaded: BURST,
      dialledAllTime: BURST,
      remaining: 0,
      dialled: BURST,
      customerAnswered: e.offered,
      connected: e.answered,
      abandoned: e.abandoned,
      abandonRatePercent: Math.round((e.abandoned / e.offered) * 10_000) / 100,
      recentAbandonRate: { lastCalls: 100, calls: e.offered, abandoned: e.abandoned, percent: Math.round((e.abandoned / e.offered) * 10_000) / 100 },
    });
    const updates = sub.events.length - 1;
    expect(updates).toBeGreaterThanOrEqual(1);
    expect(updates).toBeLessThanOrEqual(MAX_UPDATES_PER_BURST);

    sub.stop();
    await watches.untilClosed(1);
    expect(live.stats()).toEqual({ channels: 0, subscribers: 0 });
  });
});
