import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestHash } from '../../src/schema/task-numbers.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway } from '../utils/gateway.ts';

const N = 300_000;

/**
 * A 300 000-number dry run over HTTP, with the gateway in this process so its event loop can be watched. Timings are
 * not asserted (they depend on the machine): the longest stall is printed, and recorded in docs/security.md.
 */
describe('a 300 000-number upload', () => {
  const disposer = createDisposer();
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway(disposer);
  });
  afterAll(() => disposer.dispose());

  const CREATE = `mutation($input: CreatePredictiveTaskInput!) { createPredictiveTask(input: $input) {
    __typename
    ... on CreatePredictiveTaskPayload { outcome acceptedCount rejectedCount upstreamCalls rejected { index reason duplicateOf } }
    ... on InvalidInputError { message issues { path message } }
  } }`;
  /** Mostly distinct mobile numbers; every 1000th is a short code, every 1000th (+1) repeats the one before it. */
  const phoneAt = (i: number) => (i % 1000 === 7 ? '95588' : String(13_000_000_000 + (i % 1000 === 9 ? i - 1 : i)));

  it('as numbersCsv is checked in full on a dry run: every entry accounted for, nothing sent', { timeout: 120_000 }, async () => {
    const queue = [...gw.sim.sip.queues.keys()][0];
    const rows = ['phone,customerId'];
    for (let i = 0; i < N; i++) rows.push(`${phoneAt(i)},C${i}`);
    const numbersCsv = rows.join('\n');
    gw.sim.stats.reset();
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    const result = await gw.gql(CREATE, { input: { name: 'big', assignment: { type: 'QUEUE', assignee: queue }, numbersCsv, dryRun: true } }, 'operator');
    const took = performance.now() - started;
    delay.disable();
    console.info(
      `300 000-number dry run as numbersCsv (${(numbersCsv.length / 1e6).toFixed(1)} MB): ${Math.round(took)} ms in all; longest event-loop stall ${Math.round(delay.max / 1e6)} ms, ` +
        `p99 ${Math.round(delay.percentile(99) / 1e6)} ms, mean ${Math.round(delay.mean / 1e6)} ms (monitorEventLoopDelay, 5 ms resolution)`,
    );

    expect(result.errors).toBeUndefined();
    const payload = result.data?.createPredictiveTask;
    expect(payload).toMatchObject({ __typename: 'CreatePredictiveTaskPayload', outcome: 'DRY_RUN', upstreamCalls: 0 });
    expect(payload.acceptedCount + payload.rejectedCount).toBe(N);
    expect(payload.rejectedCount).toBe(2 * (N / 1000));
    const expected = Array.from({ length: N / 1000 }, (_, k) => [
      { index: k * 1000 + 7, reason: 'SERVICE_NUMBER', duplicateOf: null },
      { index: k * 1000 + 9, reason: 'DUPLICATE_IN_REQUEST', duplicateOf: k * 1000 + 8 },
    ]).flat();
    expect(payload.rejected).toEqual(expected);
    expect(gw.sim.stats.total()).toBe(0);
  });

  it('as a list of input objects is refused before graphql-js coerces it, naming the limit and the way to send it', async () => {
    const queue = [...gw.sim.sip.queues.keys()][0];
    const numbers = Array.from({ length: N }, (_, i) => ({ phone: phoneAt(i) }));
    gw.sim.stats.reset();
    const result = await gw.gql(CREATE, { input: { name: 'big', assignment: { type: 'QUEUE', assignee: queue }, numbers, dryRun: true } }, 'operator');
    expect(result.status).toBe(400);
    expect(result.errors?.[0]).toMatchObject({ message: expect.stringMatching(/numbersCsv/), extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'inputListLength', max: 10_000, measured: N } });
    expect(gw.sim.stats.total()).toBe(0);
  });

  it('reads quoted CSV, custom columns and dial times, and reports row problems as an InvalidInputError', async () => {
    const queue = [...gw.sim.sip.queues.keys()][0];
    const input = (numbersCsv: string, extra: Record<string, unknown> = {}) => ({
      input: { name: 'csv', assignment: { type: 'QUEUE', assignee: queue }, numbersCsv, dryRun: true, ...extra },
    });
    const ok = await gw.gql(CREATE, input('\ufeffPhone,customerId,dialAfter\r\n"138 0013 8000","C, ""one""",2030-01-01T09:00:00+08:00\r\n\r\n13800138001,,\r\n'), 'operator');
    expect(ok.data?.createPredictiveTask).toMatchObject({ outcome: 'DRY_RUN', acceptedCount: 2, rejectedCount: 0 });

    const refusals: Array<[string, RegExp]> = [
      ['customerId\n1', /`phone`/],
      ['phone,phone\n1,2', /appears twice/],
      ['phone\n"13800138000', /never closed/],
      ['phone,dialAfter\n13800138000,2026-02-30T00:00:00Z\n13800138001,tomorrow', /row 1: dialAfter: February 2026 has 28 days; row 2: dialAfter/],
      ['phone\n13800138000,extra', /row 1: 2 fields, but the header names 1 columns/],
      ['phone,name\n13800138000,张三', /custom fields are for AI tasks/],
      ['phone', /no rows/],
    ];
    for (const [csv, message] of refusals) {
      const refused = await gw.gql(CREATE, input(csv), 'operator');
      expect(refused.data?.createPredictiveTask, csv).toMatchObject({ __typename: 'InvalidInputError', message: expect.stringMatching(message) });
    }
    const both = await gw.gql(CREATE, input('phone\n13800138000', { numbers: [{ phone: '13800138000' }] }), 'operator');
    expect(both.data?.createPredictiveTask).toMatchObject({ __typename: 'InvalidInputError', message: expect.stringMatching(/either as `numbers` or as `numbersCsv`/) });
    const neither = await gw.gql(CREATE, { input: { name: 'csv', assignment: { type: 'QUEUE', assignee: queue }, dryRun: true } }, 'operator');
    expect(neither.data?.createPredictiveTask).toMatchObject({ __typename: 'InvalidInputError' });
  });

  it('hashes a long request for its idempotency key in slices, to the same digest as in one piece', async () => {
    const numbers = Array.from({ length: 4_321 }, (_, i) => ({
      phone: String(13_800_000_000 + i),
      ...(i % 7 === 0 ? { dialAfter: new Date(i * 1000) } : {}),
      userId: i % 3 === 0 ? `u"\u2028${i}` : undefined,
    }));
    const request = { taskId: 'PredictiveTask:1', numbers, dryRun: null, name: '名单' };
    expect(await requestHash(request)).toBe(createHash('sha256').update(JSON.stringify(request)).digest('hex'));
  });
});
