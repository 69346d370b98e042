import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PredictiveAssignmentType } from '../../src/store/index.ts';
import { type InjectedFailure } from '../../src/simulator/control.ts';
import { SipRet, SipService } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { type GraphQLResponse, startGateway, type TestGateway } from '../utils/gateway.ts';

/**
 * Partial results (docs/api.md, "Partial results"): one upstream read that fails nulls its own field, with one error
 * on that path, and every other field of the document still resolves. A mutation whose command went through is
 * reported as done even when the read-back in its payload fails.
 */

const AI = { list: 'GET /v1/task', options: 'GET /v1/task/create', start: 'GET /v1/task/start/{id}' } as const;
const SIP_DOWN: InjectedFailure = { ret: SipRet.ServerError };
const AI_DOWN: InjectedFailure = { httpStatus: 503, body: { message: 'maintenance' } };
const EXTENSIONS = ['90240001', '90240002', '90240003'];
const PREDICTIVE_NAME = '部分结果-预测';

/** The `errors` of a response as dotted paths, sorted. */
const pathsOf = (result: GraphQLResponse) => (result.errors ?? []).map((error) => (error.path ?? []).join('.')).sort();
const codesOf = (result: GraphQLResponse) => [...new Set((result.errors ?? []).map((error) => error.extensions?.code))];

describe('partial results: a failed upstream read fails its own path only', () => {
  const disposer = createDisposer();
  let gw: TestGateway;

  // A gateway and simulator of its own for every test: the mutation tests add queues, groups, seats and start tasks,
  // and the queries count exactly what the demo data holds.
  beforeEach(async () => {
    gw = await startGateway(disposer);
    await gw.app.services.store.tasks.insert({
      id: '20240315130000000777',
      name: PREDICTIVE_NAME,
      assignment: { type: PredictiveAssignmentType.Queue, assignee: 'sales' },
      pacing: { agents: 1, calls: 1 },
      callerNumbers: [],
    });
    gw.sim.sip.addExtension({ number: '7100', password: 'pw-7100' });
  });
  afterEach(() => disposer.dispose());

  const fail = (operation: string, failure: InjectedFailure = SIP_DOWN, count = 1) => gw.sim.control.failNext(count, failure, operation);

  describe('queries', () => {
    it('GetQueueSipStatus: Agent.seats and Queue.seats are null with their errors; agents, queues, gateway and tasks resolve', async () => {
      fail(SipService.GetQueueSipStatus, SIP_DOWN, 2);
      gw.sim.stats.reset();
      const result = await gw.gql(
        `query($e: [String!]) {
          gateway { version }
          agents(filter: { extensions: $e }) { edges { node { extension enabled seats { state } } } }
          queues { name seats { state } }
          tasks(filter: { kind: PREDICTIVE }) { edges { node { name } } unavailable }
        }`,
        { e: EXTENSIONS },
      );
      expect(result.data?.gateway.version).toEqual(expect.any(String));
      expect(result.data?.agents.edges.map(({ node: a }: any) => [a.extension, a.enabled, a.seats])).toEqual(EXTENSIONS.map((e) => [e, true, null]));
      expect(result.data?.queues.map((q: any) => q.seats)).toEqual([null, null, null, null]);
      expect(result.data?.queues.map((q: any) => q.name)).toHaveLength(4);
      expect(result.data?.tasks).toEqual({ edges: [{ node: { name: PREDICTIVE_NAME } }], unavailable: [] });
      expect(pathsOf(result)).toEqual([...EXTENSIONS.map((_, i) => `agents.edges.${i}.node.seats`), ...[0, 1, 2, 3].map((i) => `queues.${i}.seats`)]);
      expect(codesOf(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
      // One GetQueueSipStatus per loader (agents' seats, queues' seats), as when the switch answers.
      expect(gw.sim.stats.count(SipService.GetQueueSipStatus)).toBe(2);
    });

    it('the extension status services: callStatus, validity and registration are null with one error each per agent', async () => {
      fail(SipService.GetSipCallStatus);
      fail(SipService.GetSipValidStatus);
      fail(SipService.GetSipRegisterStatus);
      gw.sim.stats.reset();
      const result = await gw.gql(
        `query($e: [String!]) {
          gateway { version }
          agents(filter: { extensions: $e }) { edges { node { extension enabled callStatus { state } validity registration { registered } seats { state } } } }
        }`,
        { e: EXTENSIONS },
      );
      expect(result.data?.gateway.version).toEqual(expect.any(String));
      expect(result.data?.agents.edges.map(({ node }: any) => node.extension)).toEqual(EXTENSIONS);
      for (const { node: agent } of result.data?.agents.edges ?? []) {
        expect(agent).toMatchObject({ enabled: true, callStatus: null, validity: null, registration: null, seats: expect.any(Array) });
      }
      expect(pathsOf(result)).toEqual(
        EXTENSIONS.flatMap((_, i) => [`agents.edges.${i}.node.callStatus`, `agents.edges.${i}.node.registration`, `agents.edges.${i}.node.validity`]).sort(),
      );
      for (const service of [SipService.GetSipCallStatus, SipService.GetSipValidStatus, SipService.GetSipRegisterStatus, SipService.GetSipNumberInfo]) {
        expect(gw.sim.stats.count(service), service).toBe(1);
      }
    });

    it('GetSipnumberInfo: Agent.enabled read for a seat is null with its error; the agents listing is null with one error', async () => {
      fail(SipService.GetSipNumberInfo);
      gw.sim.stats.reset();
      const seats = await gw.gql(`{ gateway { version } queue(name: "vip") { name seats { agent { extension enabled } } } }`);
      expect(seats.data?.queue.name).toBe('vip');
      const agents = seats.data?.queue.seats.map((seat: any) => seat.agent) ?? [];
      // The demo 'vip' queue has 8 seats.
      expect(agents).toHaveLength(8);
      expect(agents.length).toBe(gw.sim.sip.queues.get('vip')?.seats.size);
      expect(agents.every((agent: any) => agent.enabled === null && /^\d+$/.test(agent.extension))).toBe(true);
      expect(pathsOf(seats)).toEqual(agents.map((_: unknown, i: number) => `queue.seats.${i}.agent.enabled`).sort());
      expect(gw.sim.stats.count(SipService.GetSipNumberInfo)).toBe(1);

      fail(SipService.GetSipNumberInfo);
      const listing = await gw.gql(`{ gateway { version } agents { totalCount edges { node { extension } } } queues { name } }`);
      expect(listing.data?.agents).toBeNull();
      expect(listing.data?.queues).toHaveLength(4);
      expect(pathsOf(listing)).toEqual(['agents']);
    });

    it('GetQueueList: queues is null with one error; agents with their seats, extGroups and gateway resolve', async () => {
      fail(SipService.GetQueueList);
      gw.sim.stats.reset();
      const result = await gw.gql(
        `query($e: [String!]) {
          gateway { version }
          queues { name }
          agents(filter: { extensions: $e }) { edges { node { extension seats { state } } } }
          extGroups { name }
          tasks(filter: { kind: PREDICTIVE }) { edges { node { name } } }
        }`,
        { e: EXTENSIONS },
      );
      expect(result.data?.queues).toBeNull();
      expect(result.data?.agents.edges).toHaveLength(3);
      expect(result.data?.extGroups).toHaveLength(3);
      expect(result.data?.tasks.edges).toEqual([{ node: { name: PREDICTIVE_NAME } }]);
      expect(pathsOf(result)).toEqual(['queues']);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'sip' });
      expect(gw.sim.stats.count(SipService.GetQueueList)).toBe(1);
    });

    it('the ext-group services: extGroups is null on GetExtgroupInfo; one group\'s members are null on its GetGroupExt', async () => {
      fail(SipService.GetExtgroupInfo);
      const groups = await gw.gql(`{ gateway { version } extGroups { name } queues { name } }`);
      expect(groups.data?.extGroups).toBeNull();
      expect(groups.data?.queues).toHaveLength(4);
      expect(pathsOf(groups)).toEqual(['extGroups']);

      fail(SipService.GetGroupExt);
      gw.sim.stats.reset();
      const members = await gw.gql(`{ extGroups { name members { agent { extension } state } } }`);
      const lists = (members.data?.extGroups ?? []).map((group: any) => group.members);
      expect(lists).toHaveLength(3);
      // GetGroupExt takes one group: three calls, the first of which failed.
      expect(gw.sim.stats.count(SipService.GetGroupExt)).toBe(3);
      expect(lists.filter((list: unknown) => list === null)).toHaveLength(1);
      expect(lists.filter((list: unknown) => Array.isArray(list) && list.length > 0)).toHaveLength(2);
      const failed = lists.findIndex((list: unknown) => list === null);
      expect(pathsOf(members)).toEqual([`extGroups.${failed}.members`]);
    });

    it('the AI task list: tasks keeps the predictive tasks, names AI_CALL in unavailable and reports the error on complete', async () => {
      const healthy = await gw.gql(`{ tasks(first: 100) { edges { node { name kind } } totalCount unavailable complete } }`);
      expect(healthy.errors).toBeUndefined();
      expect(healthy.data?.tasks.unavailable).toEqual([]);
      expect(healthy.data?.tasks.complete).toBe(true);
      // The simulator's three demo AI tasks and the predictive task of the set-up.
      const kinds = healthy.data?.tasks.edges.map((e: any) => e.node.kind).sort();
      expect(kinds).toEqual(['AI', 'AI', 'AI', 'PREDICTIVE']);
      expect(healthy.data?.tasks.totalCount).toBe(4);

      fail(AI.list, AI_DOWN);
      gw.sim.stats.reset();
      const down = await gw.gql(
        `query($e: [String!]) {
          gateway { version }
          tasks(first: 100) { edges { node { name kind } } pageInfo { hasNextPage } totalCount unavailable complete }
          agents(filter: { extensions: $e }) { totalCount }
        }`,
        { e: EXTENSIONS },
      );
      expect(down.data?.gateway.version).toEqual(expect.any(String));
      expect(down.data?.agents.totalCount).toBe(3);
      expect(down.data?.tasks).toEqual({
        edges: [{ node: { name: PREDICTIVE_NAME, kind: 'PREDICTIVE' } }],
        pageInfo: { hasNextPage: false },
        // No count rather than a wrong one: the AI tasks could not be counted.
        totalCount: null,
        unavailable: ['AI_CALL'],
        complete: null,
      });
      expect(pathsOf(down)).toEqual(['tasks.complete']);
      expect(down.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'aicall' });
      expect(gw.sim.stats.count(AI.list)).toBe(1);

      // Selecting `unavailable` alone renders without an error: "AI platform down" is data, not a failed document.
      fail(AI.list, AI_DOWN);
      const quiet = await gw.gql(`{ tasks(first: 100) { edges { node { name } } unavailable } }`);
      expect(quiet.errors).toBeUndefined();
      expect(quiet.data?.tasks).toEqual({ edges: [{ node: { name: PREDICTIVE_NAME } }], unavailable: ['AI_CALL'] });

      // kind AI with the platform down: an empty page that says why, not "no AI tasks".
      fail(AI.list, AI_DOWN);
      const aiOnly = await gw.gql(`{ gateway { version } tasks(filter: { kind: AI }) { edges { node { name } } unavailable complete } }`);
      expect(aiOnly.data?.tasks).toEqual({ edges: [], unavailable: ['AI_CALL'], complete: null });
      expect(pathsOf(aiOnly)).toEqual(['tasks.complete']);
    });

    it('kind PREDICTIVE never calls the AI platform, so its failure cannot reach the page', async () => {
      fail(AI.list, AI_DOWN);
      gw.sim.stats.reset();
      const result = await gw.gql(`{ tasks(filter: { kind: PREDICTIVE }) { edges { node { name } } unavailable complete } }`);
      expect(result.errors).toBeUndefined();
      expect(result.data?.tasks).toEqual({ edges: [{ node: { name: PREDICTIVE_NAME } }], unavailable: [], complete: true });
      expect(gw.sim.stats.count(AI.list)).toBe(0);
      expect(gw.sim.stats.total()).toBe(0);
    });

    it('the AI options: aiTaskOptions is null with one error; tasks and gateway resolve', async () => {
      fail(AI.options, AI_DOWN);
      gw.sim.stats.reset();
      const result = await gw.gql(`{
        gateway { version }
        aiTaskOptions { callerLines { name } }
        tasks(filter: { kind: PREDICTIVE }) { edges { node { name } } }
      }`);
      expect(result.data?.aiTaskOptions).toBeNull();
      expect(result.data?.gateway.version).toEqual(expect.any(String));
      expect(result.data?.tasks.edges).toEqual([{ node: { name: PREDICTIVE_NAME } }]);
      expect(pathsOf(result)).toEqual(['aiTaskOptions']);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'aicall' });
      expect(gw.sim.stats.count(AI.options)).toBe(1);
    });
  });

  describe('mutations whose read-back fails are reported as done', () => {
    it('checkInAgent: the agent is checked in; queue is null with its error, what was done is in the payload', async () => {
      fail(SipService.GetQueueList);
      gw.sim.stats.reset();
      const result = await gw.gql(
        `mutation { checkInAgent(input: { queue: "sales", extension: "7100", employeeId: 7100 }) {
          __typename ... on AgentSeatPayload { extension queueName queue { name } seat { state } agent { extension } }
        } }`,
      );
      expect(result.data?.checkInAgent).toEqual({
        __typename: 'AgentSeatPayload',
        extension: '7100',
        queueName: 'sales',
        queue: null,
        seat: { state: 'WAITING' },
        agent: { extension: '7100' },
      });
      expect(pathsOf(result)).toEqual(['checkInAgent.queue']);
      expect(gw.sim.stats.count(SipService.SipSignIn)).toBe(1);
      expect(gw.sim.sip.queues.get('sales')?.seats.has('7100')).toBe(true);

      // The seat read-back failing: the same, on `seat`.
      fail(SipService.GetQueueSipStatus);
      const seat = await gw.gql(
        `mutation { setAgentAvailability(input: { queue: "sales", extension: "7100", employeeId: 7100, available: false }) {
          __typename ... on AgentSeatPayload { extension queueName seat { paused } }
        } }`,
      );
      expect(seat.data?.setAgentAvailability).toEqual({ __typename: 'AgentSeatPayload', extension: '7100', queueName: 'sales', seat: null });
      expect(pathsOf(seat)).toEqual(['setAgentAvailability.seat']);
    });

    it('createQueue and updateQueue: the queue is created / changed; queue is null with its error', async () => {
      fail(SipService.GetQueueList);
      gw.sim.stats.reset();
      const created = await gw.gql(`mutation { createQueue(input: { name: "partial-q", remark: "部分" }) {
        __typename ... on QueuePayload { name queue { name } }
      } }`);
      expect(created.data?.createQueue).toEqual({ __typename: 'QueuePayload', name: 'partial-q', queue: null });
      expect(pathsOf(created)).toEqual(['createQueue.queue']);
      expect(gw.sim.stats.count(SipService.AddQueue)).toBe(1);
      expect(gw.sim.sip.queues.has('partial-q')).toBe(true);

      // updateQueue reads the queue before EditQueue; the read-back after it fails (injected once EditQueue applied).
      const off = gw.sim.sip.events.on('queueChanged', ({ change }) => {
        if (change === 'edited') fail(SipService.GetQueueList);
      });
      disposer.add(off);
      gw.sim.stats.reset();
      const updated = await gw.gql(`mutation { updateQueue(input: { name: "partial-q", maxWaitSeconds: 90 }) {
        __typename ... on QueuePayload { name queue { maxWaitSeconds } }
      } }`);
      off();
      expect(updated.data?.updateQueue).toEqual({ __typename: 'QueuePayload', name: 'partial-q', queue: null });
      expect(pathsOf(updated)).toEqual(['updateQueue.queue']);
      expect(gw.sim.stats.count(SipService.EditQueue)).toBe(1);
      expect(gw.sim.stats.count(SipService.GetQueueList)).toBe(2);
      const again = await gw.gql(`{ queue(name: "partial-q") { maxWaitSeconds } }`);
      expect(again.data?.queue).toEqual({ maxWaitSeconds: 90 });
    });

    it('createExtGroup and addExtGroupMember: the group is created / changed; the read-back is null with its error', async () => {
      fail(SipService.GetExtgroupInfo);
      gw.sim.stats.reset();
      const created = await gw.gql(`mutation { createExtGroup(input: { name: "partial-g" }) {
        __typename ... on ExtGroupPayload { name extension extGroup { name } }
      } }`);
      expect(created.data?.createExtGroup).toEqual({ __typename: 'ExtGroupPayload', name: 'partial-g', extension: null, extGroup: null });
      expect(pathsOf(created)).toEqual(['createExtGroup.extGroup']);
      expect(gw.sim.stats.count(SipService.AddExtgroup)).toBe(1);
      expect(gw.sim.sip.extGroups.has('partial-g')).toBe(true);

      // Adding a member: the group was looked up before the command; its members are read back after it.
      fail(SipService.GetGroupExt);
      gw.sim.stats.reset();
      const added = await gw.gql(`mutation { addExtGroupMember(input: { group: "partial-g", extension: "7100" }) {
        __typename ... on ExtGroupPayload { name extension extGroup { name members { agent { extension } } } }
      } }`);
      expect(added.data?.addExtGroupMember).toEqual({
        __typename: 'ExtGroupPayload',
        name: 'partial-g',
        extension: '7100',
        extGroup: { name: 'partial-g', members: null },
      });
      expect(pathsOf(added)).toEqual(['addExtGroupMember.extGroup.members']);
      expect(gw.sim.stats.count(SipService.AddExtnumber)).toBe(1);
      expect(gw.sim.sip.extGroups.get('partial-g')?.members.has('7100')).toBe(true);
    });

    it('startTask on an AI task: the answer carries no task and reading it back fails; the payload says which task', async () => {
      const task = gw.sim.aicall.state.listTasks().find((t) => !t.running);
      if (!task) throw new Error('no paused demo AI task');
      const id = encodeGlobalID('AiTask', task.uuid);
      // The platform accepts the start with a bare message (no task), then its task list is down.
      fail(AI.start, { httpStatus: 200, body: { message: '启动成功' } });
      // Down for both reads: the one before the command (the event's `previous`: unknown, the start goes on) and the read-back.
      fail(AI.list, AI_DOWN, 2);
      gw.sim.stats.reset();
      const result = await gw.gql(`mutation($id: ID!) { startTask(id: $id) { __typename ... on TaskPayload { taskId task { name } } } }`, { id });
      expect(result.data?.startTask).toEqual({ __typename: 'TaskPayload', taskId: id, task: null });
      expect(pathsOf(result)).toEqual(['startTask.task']);
      expect(gw.sim.stats.count(AI.start)).toBe(1);
      expect(gw.sim.stats.count(AI.list)).toBe(2);
    });
  });
});
