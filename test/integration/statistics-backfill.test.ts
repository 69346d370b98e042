import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway } from '../utils/gateway.ts';
import { CAMPAIGN_AND_QUEUE, expectedFigures, expectedQueueStatistics } from '../utils/statistics-oracle.ts';

/**
 * Callbacks lost for part of a campaign (the PBX's callback URL was wrong, or the gateway unreachable): the statistics
 * count only what arrived, until a backfill from GetBill counts the rest — each call once, the arrived ones included.
 */

const SECRET = 'statistics-backfill-secret-000001';
const SERVICE_LEVEL = 20;
const NUMBERS = 400;
const MINUTE = 60_000;

describe('statistics backfilled from GetBill after lost callbacks', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let taskId = '';
  let globalId = '';
  let testStart = 0;
  const abandoned = new Set<string>();
  const simNow = () => Date.now() + gw.sim.dialer.stats.clockOffsetMs;

  beforeAll(async () => {
    gw = await startGateway(disposer, {
      simulator: { seed: 909, dialerTuning: { adoptLiveCalls: false } },
      env: { CALLBACK_SECRET: SECRET, RECONCILE_GRACE_SECONDS: '3600' },
    });
    testStart = simNow();
    gw.sim.dialer.events.on('callEnded', (e) => {
      if (e.end === 'abandoned') abandoned.add(e.uuid);
    });
    const numbers = Array.from({ length: NUMBERS }, (_, i) => ({ phone: `1396${String(i).padStart(7, '0')}`, ...(i % 3 ? {} : { customerId: `B-${i}` }) }));
    const created = await gw.gql(
      `mutation($input: CreatePredictiveTaskInput!) { createPredictiveTask(input: $input) { ... on CreatePredictiveTaskPayload { task { id ... on PredictiveTask { platformId } } } } }`,
      { input: { name: 'backfilled', assignment: { type: 'QUEUE', assignee: 'sales' }, numbers, pacing: { agents: 1, calls: 3 } } },
      'operator',
    );
    globalId = created.data?.createPredictiveTask.task.id;
    taskId = created.data?.createPredictiveTask.task.platformId;
    await gw.gql(`mutation($id: ID!) { startTask(input: { taskId: $id }) { __typename } }`, { id: globalId }, 'operator');

    // The first half of the campaign: no callback reaches the gateway. Then the URL is right again.
    const ended = () => gw.sim.sip.bills.filter((b) => b.taskId === taskId).length;
    for (let step = 0; step < 2_000 && ended() < NUMBERS / 2; step++) gw.sim.dialer.advance(5_000);
    gw.sim.dialer.setCallbackUrl(`${gw.url}/callbacks/${SECRET}`);
    for (let step = 0; step < 4_000 && gw.sim.sip.tasks.get(taskId)?.status !== 'over'; step++) {
      gw.sim.dialer.advance(5_000);
      await gw.sim.dialer.idle();
    }
    expect(gw.sim.sip.tasks.get(taskId)?.status).toBe('over');
  }, 300_000);
  afterAll(() => disposer.dispose());

  const window = () => ({ from: new Date(testStart - MINUTE).toISOString(), to: new Date(simNow() + MINUTE).toISOString() });

  async function figures() {
    const result = await gw.gql(
      CAMPAIGN_AND_QUEUE,
      { id: globalId, w: window(), t: SERVICE_LEVEL },
    );
    expect(result.errors).toBeUndefined();
    return { task: result.data?.node.statistics, queue: result.data?.queueStatistics[0] };
  }

  it('counts only what arrived, then every call once after a backfill; a second backfill changes nothing', async () => {
    const bills = gw.sim.sip.bills.filter((b) => b.taskId === taskId);
    expect(bills).toHaveLength(NUMBERS);
    const e = expectedFigures(bills, abandoned, SERVICE_LEVEL);

    const before = await figures();
    expect(before.task.dialled).toBeLessThan(NUMBERS * 0.75);
    expect(before.task.dialled).toBeGreaterThan(0);

    const backfill = async () => {
      const result = await gw.gql(
        `mutation($input: BackfillStatisticsInput!) { backfillStatistics(input: $input) { ... on BackfillStatisticsPayload { records changed complete } } }`,
        { input: window() },
        'operator',
      );
      expect(result.errors).toBeUndefined();
      return result.data?.backfillStatistics;
    };
    const first = await backfill();
    expect(first).toMatchObject({ changed: NUMBERS - before.task.dialled, complete: true });

    const after = await figures();
    expect(after.task).toEqual({ dialled: NUMBERS, customerAnswered: e.offered, connected: e.answered, abandoned: e.abandoned, remaining: 0 });
    expect(after.queue).toEqual(expectedQueueStatistics('sales', e, SERVICE_LEVEL));
    expect((await backfill()).changed).toBe(0);
    expect(await figures()).toEqual(after);
  });
});
