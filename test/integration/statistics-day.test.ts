import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bill } from '../../src/simulator/sip/model.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway } from '../utils/gateway.ts';
import { expectedFigures, expectedQueueStatistics, round1, round2 } from '../utils/statistics-oracle.ts';

/**
 * Issue 15's check: a scripted day through the simulator's dialer (fixed seed, thousands of calls, abandoned ones
 * included), every figure the gateway computes checked against an independent calculation made here from the raw
 * call records the simulated PBX holds and from the dialer's own account of each call and each ring.
 */

const SECRET = 'statistics-day-callback-secret-01';
const MINUTE = 60_000;
/** Two campaigns on two queues: one over-dialled (3 calls per free agent: customers wait and hang up), one gentle. */
const CAMPAIGNS = [
  { name: 'day-hot', queue: 'sales', numbers: 1_300, pacing: { agents: 1, calls: 3 }, prefix: '1391' },
  { name: 'day-calm', queue: '', numbers: 900, pacing: { agents: 1, calls: 1 }, prefix: '1392' },
] as const;
const SERVICE_LEVEL_SECONDS = 25;

interface Ring {
  uuid: string;
  extension: string;
  at: number;
}


describe('statistics over a scripted day, against an independent calculation', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  const taskIds = new Map<string, string>();
  const globalIds = new Map<string, string>();
  const queueOf = new Map<string, string>();
  let abandonedUuids = new Set<string>();
  const rings: Ring[] = [];
  const answers: Ring[] = [];
  const releases: Ring[] = [];
  let testStart = 0;
  /** The simulator's clock: real time plus how far the dialer moved it ahead. */
  const simNow = () => Date.now() + gw.sim.dialer.stats.clockOffsetMs;

  beforeAll(async () => {
    gw = await startGateway(disposer, {
      simulator: { seed: 1515, dialerTuning: { adoptLiveCalls: false, callbackConcurrency: 16 } },
      env: { CALLBACK_SECRET: SECRET, RECONCILE_GRACE_SECONDS: '3600' },
    });
    gw.sim.dialer.setCallbackUrl(`${gw.url}/callbacks/${SECRET}`);
    testStart = simNow();
    const abandoned = new Set<string>();
    gw.sim.dialer.events.on('callEnded', (e) => {
      if (e.end === 'abandoned') abandoned.add(e.uuid);
    });
    gw.sim.dialer.events.on('agentRinging', (e) => rings.push({ uuid: e.uuid, extension: e.extnumber, at: e.at }));
    gw.sim.dialer.events.on('agentAnswered', (e) => answers.push({ uuid: e.uuid, extension: e.extnumber, at: e.at }));
    gw.sim.dialer.events.on('agentReleased', (e) => releases.push({ uuid: e.uuid, extension: e.extnumber, at: e.at }));
    abandonedUuids = abandoned;

    const queues = [...gw.sim.sip.queues.values()].sort((a, b) => b.seats.size - a.seats.size);
    for (const campaign of CAMPAIGNS) {
      const queue = campaign.queue || (queues.find((q) => q.name !== 'sales')?.name as string);
      const numbers = Array.from({ length: campaign.numbers }, (_, i) => ({
        phone: `${campaign.prefix}${String(i).padStart(7, '0')}`,
        // Half the numbers carry a customer id, half are joined by the number alone.
        ...(i % 2 === 0 ? { customerId: `${campaign.name}-${i}` } : {}),
      }));
      const created = await gw.gql(
        `mutation($input: CreatePredictiveTaskInput!) { createPredictiveTask(input: $input) { ... on CreatePredictiveTaskPayload { task { id ... on PredictiveTask { platformId } } acceptedCount } } }`,
        { input: { name: campaign.name, assignment: { type: 'QUEUE', assignee: queue }, numbers, pacing: campaign.pacing } },
        'operator',
      );
      expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
      expect(created.data?.createPredictiveTask.acceptedCount, JSON.stringify(created.data)).toBe(campaign.numbers);
      const task = created.data?.createPredictiveTask.task;
      taskIds.set(campaign.name, task.platformId);
      globalIds.set(campaign.name, task.id);
      queueOf.set(campaign.name, queue);
      const started = await gw.gql(`mutation($id: ID!) { startTask(input: { taskId: $id }) { __typename } }`, { id: task.id }, 'operator');
      expect(started.data?.startTask.__typename).toBe('TaskPayload');
    }

    // The day: 5 simulated seconds a step, callbacks delivered after each, until every number of both tasks is done.
    const done = () => [...taskIds.values()].every((id) => gw.sim.sip.tasks.get(id)?.status === 'over');
    for (let step = 0; step < 6_000 && !done(); step++) {
      gw.sim.dialer.advance(5_000);
      await gw.sim.dialer.idle();
    }
    expect(done()).toBe(true);
    await gw.sim.dialer.idle();
  }, 300_000);
  afterAll(() => disposer.dispose());

  /** The raw records of our tasks, as the PBX holds them. */
  const billsOf = (taskId: string): Bill[] => gw.sim.sip.bills.filter((b) => b.taskId === taskId);
  const window = () => ({ from: new Date(testStart - MINUTE).toISOString(), to: new Date(simNow() + 10 * MINUTE).toISOString() });

  const independent = (bills: Bill[]) => expectedFigures(bills, abandonedUuids, SERVICE_LEVEL_SECONDS);

  it('ran a day of thousands of calls with abandoned ones among them', () => {
    const all = [...taskIds.values()].flatMap(billsOf);
    expect(all.length).toBe(CAMPAIGNS.reduce((n, c) => n + c.numbers, 0));
    expect(all.filter((b) => abandonedUuids.has(b.uuid)).length).toBeGreaterThan(50);
  });

  it('campaign figures: dialled, answered, connected, abandoned, remaining and the abandon rates', async () => {
    for (const campaign of CAMPAIGNS) {
      const taskId = taskIds.get(campaign.name) as string;
      const bills = billsOf(taskId);
      const expected = independent(bills);
      const result = await gw.gql(
        `query($id: ID!, $w: StatisticsWindowInput) { node(id: $id) { ... on PredictiveTask { statistics(window: $w, lastCalls: 200) {
          numbersUploaded dialledAllTime remaining dialled customerAnswered connected abandoned abandonRatePercent
          recentAbandonRate { lastCalls calls abandoned percent } } } } }`,
        { id: globalIds.get(campaign.name), w: window() },
      );
      expect(result.errors).toBeUndefined();
      const stats = result.data?.node.statistics;
      expect(stats).toMatchObject({
        numbersUploaded: campaign.numbers,
        dialledAllTime: expected.dialled,
        remaining: 0,
        dialled: expected.dialled,
        customerAnswered: expected.offered,
        connected: expected.answered,
        abandoned: expected.abandoned,
        abandonRatePercent: round2((expected.abandoned / expected.offered) * 100),
      });
      // The last 200 calls the customer answered, by the time they ended.
      const lastAnswered = bills
        .filter((b) => b.answertime !== null || abandonedUuids.has(b.uuid))
        .sort((a, b) => b.endtime - a.endtime || b.id - a.id)
        .slice(0, 200);
      const recentAbandoned = lastAnswered.filter((b) => abandonedUuids.has(b.uuid)).length;
      expect(stats.recentAbandonRate).toEqual({ lastCalls: 200, calls: 200, abandoned: recentAbandoned, percent: round2((recentAbandoned / 200) * 100) });
    }
  });

  it('queue figures: offered, answered, abandoned, service level, speed of answer and talk time, whole day and a sub-window', async () => {
    const queues = [...new Set(queueOf.values())];
    const midpoint = Math.floor((testStart + simNow()) / 2 / MINUTE) * MINUTE;
    const windows = [window(), { from: new Date(midpoint).toISOString(), to: new Date(midpoint + 37 * MINUTE).toISOString() }];
    for (const w of windows) {
      const result = await gw.gql(
        `query($q: [String!]!, $w: StatisticsWindowInput, $t: Int) { queueStatistics(queues: $q, window: $w, serviceLevelSeconds: $t) {
          queue offered answered abandoned abandonRatePercent averageSpeedOfAnswerSeconds averageTalkSeconds talkSeconds
          serviceLevel { thresholdSeconds answeredWithin percent } } }`,
        { q: queues, w, t: SERVICE_LEVEL_SECONDS },
      );
      expect(result.errors).toBeUndefined();
      const from = Date.parse(w.from);
      const to = Date.parse(w.to);
      for (const [index, queue] of queues.entries()) {
        const tasks = [...queueOf].filter(([, q]) => q === queue).map(([name]) => taskIds.get(name) as string);
        const bills = tasks.flatMap(billsOf).filter((b) => b.starttime >= from && b.starttime < to);
        const e = independent(bills);
        expect(result.data?.queueStatistics[index]).toEqual(expectedQueueStatistics(queue, e, SERVICE_LEVEL_SECONDS));
      }
    }
  });

  it('a queue\'s seats now: one PBX read for every queue asked, each seat counted once in its state', async () => {
    const queues = [...new Set(queueOf.values())];
    gw.sim.stats.reset();
    const result = await gw.gql(`query($q: [String!]!) { queueStatistics(queues: $q) { queue agentsNow { state agents } } }`, { q: queues });
    expect(result.errors).toBeUndefined();
    expect(gw.sim.stats.snapshot()).toEqual({ 'App.Sip_Queue.GetQueueSipStatus': 1 });
    for (const [index, queue] of queues.entries()) {
      const seats = await gw.gql(`query($n: String!) { queue(name: $n) { seats { presenceState } } }`, { n: queue });
      const expected = new Map<string, number>();
      for (const { presenceState } of seats.data?.queue.seats ?? []) expected.set(presenceState, (expected.get(presenceState) ?? 0) + 1);
      const now = result.data?.queueStatistics[index].agentsNow as Array<{ state: string; agents: number }>;
      expect(new Map(now.map((c) => [c.state, c.agents]))).toEqual(expected);
      expect(now.reduce((n, c) => n + c.agents, 0)).toBe(gw.sim.sip.queues.get(queue)?.seats.size);
    }
  });

  it("agent figures: offered, answered, missed, connected calls, talk time and handle time; state times add up", async () => {
    const extensions = [...new Set(rings.map((r) => r.extension))].sort();
    expect(extensions.length).toBeGreaterThan(5);
    const result = await gw.gql(
      `query($e: [String!]!, $w: StatisticsWindowInput) { agentStatistics(extensions: $e, window: $w) {
        extension offered answered missed connectedCalls talkSeconds averageHandleSeconds occupancy knownSince state stateSince
        stateSeconds { available ringing inCall } window { from to } } }`,
      { e: extensions, w: window() },
    );
    expect(result.errors).toBeUndefined();
    const ourBills = [...taskIds.values()].flatMap(billsOf);
    for (const [index, extension] of extensions.entries()) {
      const stats = result.data?.agentStatistics[index];
      const connected = ourBills.filter((b) => b.extnumber === extension && b.answertime !== null);
      const talk = connected.reduce((a, b) => a + b.billsec, 0);
      expect(stats).toMatchObject({
        extension,
        offered: rings.filter((r) => r.extension === extension).length,
        answered: answers.filter((r) => r.extension === extension).length,
        missed: releases.filter((r) => r.extension === extension).length,
        connectedCalls: connected.length,
        talkSeconds: talk,
        averageHandleSeconds: connected.length ? round1(talk / connected.length) : null,
        state: 'AVAILABLE',
      });
      // State times are measured on the gateway's clock as the callbacks arrived: they add up to the time known.
      const known = Math.min(Date.now(), Date.parse(stats.window.to)) - Date.parse(stats.knownSince);
      const sum = stats.stateSeconds.available + stats.stateSeconds.ringing + stats.stateSeconds.inCall;
      expect(Math.abs(sum * 1000 - known)).toBeLessThan(5_000);
    }
  });

  it('backfilling the day from GetBill changes nothing: every call was already counted once', async () => {
    const result = await gw.gql(
      `mutation($input: BackfillStatisticsInput!) { backfillStatistics(input: $input) { ... on BackfillStatisticsPayload { records changed complete } } }`,
      { input: { from: new Date(testStart - MINUTE).toISOString(), to: new Date(simNow() + MINUTE).toISOString() } },
      'operator',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.backfillStatistics).toMatchObject({ changed: 0, complete: true });
    expect(result.data?.backfillStatistics.records).toBeGreaterThanOrEqual(CAMPAIGNS.reduce((n, c) => n + c.numbers, 0));
  });
});
