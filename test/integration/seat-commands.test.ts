import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway } from '../utils/gateway.ts';

/** Batch seat commands (issue 11 item 6) over HTTP against the simulator. */

const RESULT = `
  __typename
  ... on SeatCommandsPayload {
    succeededCount failedCount uncertainCount
    results {
      index extension queue employeeId ok uncertain
      error { __typename ... on Error { code message } ... on NotFoundError { entity key } ... on InvalidInputError { issues { path message } } }
    }
  }
  ... on InvalidInputError { code message issues { path message } }
`;

const CHECK_IN = `mutation($seats: [SeatCommandInput!]!) { checkInAgents(input: { seats: $seats }) { ${RESULT} } }`;
const CHECK_OUT = `mutation($seats: [SeatCommandInput!]!) { checkOutAgents(input: { seats: $seats }) { ${RESULT} } }`;
const SET_AVAILABILITY = `mutation($input: SetAgentsAvailabilityInput!) {
  setAgentsAvailability(input: $input) {
    __typename
    ... on SetAgentsAvailabilityPayload {
      succeededCount failedCount agentsWithoutSeats
      results { index extension queue employeeId ok error { __typename ... on Error { code } } }
    }
    ... on InvalidInputError { code message }
  }
}`;

describe('batch seat commands', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  const queues = ['batch-a', 'batch-b', 'batch-c'];
  const extensions = Array.from({ length: 20 }, (_, i) => String(5100 + i));

  /** Seats extensions[from..to) in batch-a with employee ids 900 + i, as the first test's check-in does. */
  const seatInBatchA = (from: number, to: number) => {
    for (let i = from; i < to; i++) gw.sim.sip.signIn('batch-a', extensions[i]!, String(900 + i));
  };

  // A gateway of its own for every test: seats checked in, out or paused by one test would otherwise be what another
  // test reads.
  beforeEach(async () => {
    gw = await startGateway(disposer);
    for (const name of queues) gw.sim.sip.addQueue(name, { remark: name }, true);
    for (const number of [...extensions, '5200', '5201']) gw.sim.sip.addExtension({ number, password: `pw-${number}` });
  });
  afterEach(() => disposer.dispose());

  it('checks 20 agents in with one mutation: one SipSignIn each, nothing else; employeeId is then readable on seats and agents', async () => {
    gw.sim.stats.reset();
    const seats = extensions.map((extension, i) => ({ extension, queue: 'batch-a', employeeId: 900 + i }));
    const { data, errors } = await gw.gql(CHECK_IN, { seats }, 'operator');
    expect(errors).toBeUndefined();
    const payload = data?.checkInAgents;
    expect(payload).toMatchObject({ __typename: 'SeatCommandsPayload', succeededCount: 20, failedCount: 0, uncertainCount: 0 });
    expect(payload.results.map((r: any) => [r.index, r.extension, r.ok, r.error])).toEqual(extensions.map((e, i) => [i, e, true, null]));
    expect(gw.sim.stats.count(SipService.SipSignIn)).toBe(20);
    expect(gw.sim.stats.count(SipService.GetQueueSipStatus)).toBe(0);
    expect(gw.sim.stats.total() - gw.sim.stats.count(SipService.Login)).toBe(20);
    for (const extension of extensions) expect(gw.sim.sip.queues.get('batch-a')?.seats.has(extension)).toBe(true);

    const read = await gw.gql(`query($e: [String!]) { agents(filter: { extensions: $e }) { edges { node { extension employeeId seats { employeeId queue { name } } } } } }`, {
      e: extensions.slice(0, 2),
    });
    expect(read.errors).toBeUndefined();
    expect(read.data?.agents.edges.map((edge: { node: unknown }) => edge.node)).toEqual([
      { extension: '5100', employeeId: 900, seats: [{ employeeId: 900, queue: { name: 'batch-a' } }] },
      { extension: '5101', employeeId: 901, seats: [{ employeeId: 901, queue: { name: 'batch-a' } }] },
    ]);
  });

  it('reports each failed seat with its typed error and leaves the others done', async () => {
    seatInBatchA(0, 1); // 5100 sits in batch-a with employee id 900
    gw.sim.stats.reset();
    const seats = [
      { extension: '5200', queue: 'batch-a', employeeId: 7 },
      { extension: '99999', queue: 'batch-a', employeeId: 8 },
      { extension: '5200', queue: 'no-such-queue', employeeId: 7 },
      { extension: 'x1', queue: 'batch-a', employeeId: 9 },
      { extension: '5100', queue: 'batch-a', employeeId: 900 }, // already checked in
      { extension: '5200', queue: 'batch-a', employeeId: 7 }, // the same seat as entry 0
      { extension: '5100', queue: 'batch-b' }, // employee id read from the agent's seat in batch-a
      { extension: '5201', queue: 'batch-b' }, // sits nowhere: no employee id to read
    ];
    const { data, errors } = await gw.gql(CHECK_IN, { seats }, 'operator');
    expect(errors).toBeUndefined();
    const payload = data?.checkInAgents;
    expect(payload).toMatchObject({ __typename: 'SeatCommandsPayload', succeededCount: 2, failedCount: 6, uncertainCount: 0 });
    const [ok, unknownAgent, unknownQueue, badExtension, already, duplicate, readId, noId] = payload.results;
    expect(ok).toMatchObject({ index: 0, ok: true, error: null, employeeId: 7 });
    expect(unknownAgent).toMatchObject({ ok: false, uncertain: false, error: { __typename: 'NotFoundError', code: 'NOT_FOUND', entity: 'AGENT', key: '99999' } });
    expect(unknownQueue).toMatchObject({ ok: false, error: { __typename: 'NotFoundError', entity: 'QUEUE', key: 'no-such-queue' } });
    expect(badExtension).toMatchObject({ ok: false, error: { __typename: 'InvalidInputError', code: 'INVALID_INPUT', issues: [{ path: ['input', 'seats', '3', 'extension'] }] } });
    expect(already).toMatchObject({ ok: false, error: { __typename: 'UpstreamRejectedError', code: 'UPSTREAM_REJECTED' } });
    expect(duplicate).toMatchObject({ ok: false, error: { __typename: 'InvalidInputError' } });
    expect(readId).toMatchObject({ ok: true, employeeId: 900 });
    expect(noId).toMatchObject({ ok: false, employeeId: null, error: { __typename: 'InvalidInputError', issues: [{ path: ['input', 'seats', '7', 'employeeId'] }] } });
    // Refused entries were never sent; one GetQueueSipStatus found the missing employee ids.
    expect(gw.sim.stats.count(SipService.SipSignIn)).toBe(5);
    expect(gw.sim.stats.count(SipService.GetQueueSipStatus)).toBe(1);
    expect(gw.sim.sip.queues.get('batch-a')?.seats.get('5200')?.crmid).toBe('7');
    expect(gw.sim.sip.queues.get('batch-b')?.seats.get('5100')?.crmid).toBe('900');
  });

  it('refuses more seats than the upstream budget or the list bound allows, before sending anything', async () => {
    gw.sim.stats.reset();
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ extension: String(10_000 + i), queue: 'batch-c', employeeId: i }));
    const overBudget = await gw.gql(CHECK_IN, { seats: many(150) }, 'operator');
    expect(overBudget.errors).toBeUndefined();
    expect(overBudget.data?.checkInAgents).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT', issues: [{ path: ['input', 'seats'] }] });
    expect(overBudget.data?.checkInAgents.message).toMatch(/MAX_UPSTREAM_CALLS_PER_OPERATION/);
    const overBound = await gw.gql(CHECK_IN, { seats: many(201) }, 'operator');
    expect(overBound.data?.checkInAgents).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
    expect(overBound.data?.checkInAgents.message).toMatch(/at most 200/);
    const empty = await gw.gql(CHECK_IN, { seats: [] }, 'operator');
    expect(empty.data?.checkInAgents).toMatchObject({ __typename: 'InvalidInputError' });
    expect(gw.sim.stats.count(SipService.SipSignIn)).toBe(0);
  });

  it('puts an agent on a break in every queue it sits in, then back in one queue', async () => {
    // 5119 sits in all three queues with employee id 919; 5201 sits nowhere.
    for (const queue of queues) gw.sim.sip.signIn(queue, '5119', '919');
    gw.sim.stats.reset();
    const onBreak = await gw.gql(SET_AVAILABILITY, { input: { agents: [{ extension: '5119' }, { extension: '5201' }], available: false } }, 'operator');
    expect(onBreak.errors).toBeUndefined();
    expect(onBreak.data?.setAgentsAvailability).toMatchObject({
      __typename: 'SetAgentsAvailabilityPayload',
      succeededCount: 3,
      failedCount: 0,
      agentsWithoutSeats: ['5201'],
    });
    expect(onBreak.data?.setAgentsAvailability.results.map((r: any) => [r.extension, r.queue, r.employeeId, r.ok])).toEqual(
      queues.map((queue) => ['5119', queue, 919, true]),
    );
    expect(gw.sim.stats.count(SipService.GetQueueSipStatus)).toBe(1);
    expect(gw.sim.stats.count(SipService.SetSeatsStatus)).toBe(3);
    for (const queue of queues) expect(gw.sim.sip.queues.get(queue)?.seats.get('5119')?.paused).toBe(true);

    const back = await gw.gql(SET_AVAILABILITY, { input: { agents: [{ extension: '5119' }], available: true, queues: ['batch-b'] } }, 'operator');
    expect(back.data?.setAgentsAvailability).toMatchObject({ succeededCount: 1, results: [{ queue: 'batch-b', ok: true }] });
    expect(gw.sim.sip.queues.get('batch-b')?.seats.get('5119')?.paused).toBe(false);
    expect(gw.sim.sip.queues.get('batch-c')?.seats.get('5119')?.paused).toBe(true);
    const seats = await gw.gql(`{ agent(extension: "5119") { seats { queue { name } paused employeeId } } }`);
    expect(seats.data?.agent.seats).toHaveLength(3);
  });

  it('checks agents out, reading their employee ids from the seats', async () => {
    seatInBatchA(0, 5);
    gw.sim.stats.reset();
    const { data } = await gw.gql(CHECK_OUT, { seats: extensions.slice(0, 5).map((extension) => ({ extension, queue: 'batch-a' })) }, 'operator');
    expect(data?.checkOutAgents).toMatchObject({ succeededCount: 5, failedCount: 0 });
    expect(data?.checkOutAgents.results.map((r: any) => r.employeeId)).toEqual([900, 901, 902, 903, 904]);
    expect(gw.sim.stats.count(SipService.SipSignOut)).toBe(5);
    for (const extension of extensions.slice(0, 5)) expect(gw.sim.sip.queues.get('batch-a')?.seats.has(extension)).toBe(false);
  });

  it('reports a seat whose call failed without a verdict as uncertain, and the others as done', async () => {
    seatInBatchA(5, 8);
    gw.sim.control.failNext(1, { httpStatus: 502, body: 'Bad Gateway' }, SipService.SipSignOut);
    const seats = extensions.slice(5, 8).map((extension) => ({ extension, queue: 'batch-a' }));
    const { data, errors } = await gw.gql(CHECK_OUT, { seats }, 'operator');
    expect(errors).toBeUndefined();
    expect(data?.checkOutAgents).toMatchObject({ succeededCount: 2, failedCount: 1, uncertainCount: 1 });
    const failed = data?.checkOutAgents.results.find((r: any) => !r.ok);
    expect(failed).toMatchObject({ uncertain: true, error: { __typename: 'UpstreamFailureError', code: 'UPSTREAM_UNAVAILABLE' } });
    gw.sim.control.reset();
  });

  it('takes agents and queues by global id or by name, exactly one form per reference', async () => {
    gw.sim.stats.reset();
    const agentId = (extension: string) => encodeGlobalID('Agent', extension);
    const queueId = (name: string) => encodeGlobalID('Queue', name);
    const seats = [
      { agentId: agentId('5201'), queueId: queueId('batch-c'), employeeId: 31 },
      { agentId: agentId('5200'), queue: 'batch-c', employeeId: 7 },
      { agentId: agentId('5200'), extension: '5200', queue: 'batch-b', employeeId: 7 }, // both forms of the agent
      { extension: '5200', queueId: queueId('batch-b'), queue: 'batch-b', employeeId: 7 }, // both forms of the queue
      { extension: '5200', employeeId: 7 }, // no queue at all
      { agentId: queueId('batch-b'), queue: 'batch-b', employeeId: 7 }, // not an Agent id
      { extension: ' ', queue: 'batch-b', employeeId: 7 }, // a blank name is still checked as an extension
    ];
    const { data, errors } = await gw.gql(CHECK_IN, { seats }, 'operator');
    expect(errors).toBeUndefined();
    const results = data?.checkInAgents.results;
    expect(results.slice(0, 2)).toMatchObject([
      { index: 0, extension: '5201', queue: 'batch-c', ok: true },
      { index: 1, extension: '5200', queue: 'batch-c', ok: true },
    ]);
    const issuePaths = results.slice(2).map((r: any) => [r.error.__typename, r.error.issues.map((i: any) => i.path)]);
    expect(issuePaths).toEqual([
      ['InvalidInputError', [['input', 'seats', '2', 'agentId']]],
      ['InvalidInputError', [['input', 'seats', '3', 'queueId']]],
      ['InvalidInputError', [['input', 'seats', '4', 'queue']]],
      ['InvalidInputError', [['input', 'seats', '5', 'agentId']]],
      ['InvalidInputError', [['input', 'seats', '6', 'extension']]],
    ]);
    expect(gw.sim.stats.count(SipService.SipSignIn)).toBe(2);
    expect(gw.sim.sip.queues.get('batch-c')?.seats.get('5201')?.crmid).toBe('31');

    const byIds = await gw.gql(SET_AVAILABILITY, { input: { agents: [{ agentId: agentId('5201') }], available: false, queueIds: [queueId('batch-c')] } }, 'operator');
    expect(byIds.errors).toBeUndefined();
    expect(byIds.data?.setAgentsAvailability).toMatchObject({ succeededCount: 1, results: [{ extension: '5201', queue: 'batch-c', ok: true }] });
    expect(gw.sim.sip.queues.get('batch-c')?.seats.get('5201')?.paused).toBe(true);

    gw.sim.stats.reset();
    const refusedInputs = [
      { agents: [{ agentId: agentId('5201') }], available: true, queueIds: [queueId('batch-c')], queues: ['batch-c'] },
      { agents: [{ agentId: agentId('5201'), extension: '5201' }], available: true },
      { agents: [{}], available: true },
      { agents: [{ extension: '5201' }], available: true, queueIds: [agentId('5201')] },
    ];
    for (const input of refusedInputs) {
      const refused = await gw.gql(SET_AVAILABILITY, { input }, 'operator');
      expect(refused.data?.setAgentsAvailability, JSON.stringify(input)).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
    }
    expect(gw.sim.stats.total() - gw.sim.stats.count(SipService.Login)).toBe(0);
  });

  it('is refused to a viewer, with nothing sent', async () => {
    gw.sim.stats.reset();
    const { data, errors } = await gw.gql(CHECK_IN, { seats: [{ extension: '5201', queue: 'batch-a', employeeId: 1 }] }, 'viewer');
    expect(data?.checkInAgents ?? null).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(gw.sim.stats.count(SipService.SipSignIn)).toBe(0);
  });
});
