import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway, demoQueue } from '../utils/gateway.ts';

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
    queue = demoQueue(gw.sim);
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

  // Issue 11 item 4: UNKNOWN, an output-only value of code enums, once reached toUpstream, whose plain Error was masked
  // as INTERNAL_SERVER_ERROR. Input positions now use `<Name>Input` enums without it: refused before anything runs.
  it('refuses UNKNOWN in every input enum position, as a variable (INVALID_INPUT) or a literal (validation), before anything runs', async () => {
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['QueueStrategyInput', 'createQueue(input: { name: "q-unknown", strategy: $v }) { __typename }', {}],
      ['QueueStrategyInput', `updateQueue(input: { name: "${queue}", strategy: $v }) { __typename }`, {}],
      ['ExtGroupMemberStateInput!', 'setExtGroupMemberState(input: { group: "g", extension: "8001", state: $v }) { __typename }', {}],
    ];
    for (const [type, field] of cases) {
      const variable = await gw.gql(`mutation($v: ${type}) { ${field} }`, { v: 'UNKNOWN' }, 'operator');
      expect(variable.data ?? null, field).toBeNull();
      expect(variable.errors?.[0]?.extensions?.code, field).toBe('INVALID_INPUT');
      expect(variable.errors?.[0]?.message, field).toMatch(/Value "UNKNOWN" does not exist in "(QueueStrategyInput|ExtGroupMemberStateInput)" enum/);
      const literal = await gw.gql(`mutation { ${field.replace('$v', 'UNKNOWN')} }`, {}, 'operator');
      expect(literal.errors?.[0]?.extensions?.code, field).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    const filters: Array<[string, Record<string, unknown>]> = [
      ['callMethod', { callMethod: 'UNKNOWN' }],
      ['direction', { direction: 'UNKNOWN' }],
    ];
    for (const [name, filter] of filters) {
      const result = await gw.gql('query($f: CallRecordFilter!) { callRecords(filter: $f, first: 1) { totalCount } }', {
        f: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', ...filter },
      });
      expect(result.errors?.[0]?.extensions?.code, name).toBe('INVALID_INPUT');
    }
    expect(gw.sim.stats.total()).toBe(0);
    // The real values still work.
    const created = await gw.gql('mutation($v: QueueStrategyInput) { createQueue(input: { name: "q-ring-all", remark: "ring all", strategy: $v }) { __typename ... on QueuePayload { queue { strategy } } ... on UpstreamRejectedError { upstream upstreamCode upstreamMessage } } }', { v: 'RING_ALL' }, 'operator');
    expect(created.data?.createQueue).toMatchObject({ __typename: 'QueuePayload', queue: { strategy: 'RING_ALL' } });
  });
});
