import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway } from '../utils/gateway.ts';

/**
 * Input errors are data (InvalidInputError in the mutation's result union), so one bad mutation in a document does not
 * lose the results of the mutations before it; and a caller who may not mutate learns nothing about their input.
 */
describe('input errors in mutation results', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let queue: string;

  beforeAll(async () => {
    gw = await startGateway(disposer);
    const first = [...gw.sim.sip.queues.keys()][0];
    if (!first) throw new Error('the demo data has no queue');
    queue = first;
  });
  afterAll(() => disposer.dispose());
  beforeEach(() => gw.sim.stats.reset());

  const create = (alias: string, numbers: string) =>
    `${alias}: createPredictiveTask(input: { name: "input-errors ${alias}", assignment: { type: QUEUE, assignee: "${queue}" }, numbers: ${numbers} }) {
      __typename
      ... on CreatePredictiveTaskPayload { outcome acceptedCount upstreamCalls task { id } }
      ... on InvalidInputError { code message issues { path message } }
    }`;

  it('keeps the first mutation\'s result when the second has invalid input (zod validation), and runs the first only', async () => {
    const document = `mutation { ${create('first', '[{ phone: "13800138000" }]')} ${create('second', '[]')} }`;
    const result = await gw.gql(document, {}, 'operator');
    expect(result.errors).toBeUndefined();
    expect(result.data?.first).toMatchObject({ __typename: 'CreatePredictiveTaskPayload', outcome: 'COMPLETE', acceptedCount: 1, upstreamCalls: 1, task: { id: expect.any(String) } });
    expect(result.data?.second).toEqual({
      __typename: 'InvalidInputError',
      code: 'INVALID_INPUT',
      message: 'numbers must not be empty',
      issues: [{ path: ['input', 'numbers'], message: 'numbers must not be empty' }],
    });
    expect(gw.sim.stats.count(SipService.TaskCreate)).toBe(1);
  });

  it('puts an InvalidInputError thrown by a resolver in the union too', async () => {
    const result = await gw.gql(`mutation { ${create('only', '[{ phone: "13800138001", fields: [{ name: "x", value: "y" }] }]')} }`, {}, 'operator');
    expect(result.errors).toBeUndefined();
    expect(result.data?.only).toMatchObject({ __typename: 'InvalidInputError', issues: [{ path: ['input', 'numbers', '0', 'fields'] }] });
    // An entry's own limits are checked entry by entry in the resolver (in time slices), with the same paths.
    const long = await gw.gql(`mutation { ${create('only', `[{ phone: "13800138001" }, { phone: "13800138002", userId: "${'u'.repeat(129)}" }]`)} }`, {}, 'operator');
    expect(long.data?.only).toEqual({
      __typename: 'InvalidInputError',
      code: 'INVALID_INPUT',
      message: 'custom fields are at most 128 characters',
      issues: [{ path: ['input', 'numbers', '1', 'userId'], message: 'custom fields are at most 128 characters' }],
    });
    expect(gw.sim.stats.total()).toBe(0);
  });

  it('tells a viewer FORBIDDEN and nothing about the validity of their input', async () => {
    const invalid = await gw.gql(`mutation { ${create('bad', '[]')} }`, {}, 'viewer');
    const valid = await gw.gql(`mutation { ${create('bad', '[{ phone: "13800138002" }]')} }`, {}, 'viewer');
    for (const answer of [invalid, valid]) {
      expect(answer.data).toBeNull();
      expect(answer.errors).toEqual([
        expect.objectContaining({ message: 'role viewer may not use Mutation.createPredictiveTask', extensions: { code: 'FORBIDDEN' } }),
      ]);
    }
    // The same answer whether the input was valid or not.
    expect(JSON.stringify(invalid)).toBe(JSON.stringify(valid));
    expect(gw.sim.stats.total()).toBe(0);
  });

  it('refuses an impossible or zone-less DateTime, as a variable (INVALID_INPUT) or a literal (validation), before anything runs', async () => {
    const query = 'mutation($n: [TaskNumberInput!]!) { ' + create('dated', '$n') + ' }';
    const impossible = await gw.gql(query, { n: [{ phone: '13800138003', dialAfter: '2026-02-29T09:00:00+08:00' }] }, 'operator');
    expect(impossible.data ?? null).toBeNull();
    expect(impossible.errors).toEqual([
      expect.objectContaining({
        message: 'Variable "$n" got invalid value "2026-02-29T09:00:00+08:00" at "n[0].dialAfter"; not a valid DateTime: "2026-02-29T09:00:00+08:00": February 2026 has 28 days',
        extensions: expect.objectContaining({ code: 'INVALID_INPUT' }),
      }),
    ]);
    const zoneless = await gw.gql(`mutation { ${create('dated', '[{ phone: "13800138003", dialAfter: "2026-11-01T09:00:00" }]')} }`, {}, 'operator');
    expect(zoneless.errors?.[0]).toMatchObject({
      message: expect.stringContaining('not a valid DateTime: "2026-11-01T09:00:00": expected an RFC 3339 date-time with an offset'),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(gw.sim.stats.total()).toBe(0);
    // A leap day that exists, with an offset, is fine.
    const leap = await gw.gql(query, { n: [{ phone: '13800138003', dialAfter: '2028-02-29T09:00:00.250+08:00' }] }, 'operator');
    expect(leap.data?.dated).toMatchObject({ __typename: 'CreatePredictiveTaskPayload', acceptedCount: 1 });
  });
});
