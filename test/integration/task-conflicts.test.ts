import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipCode, SipService } from '../../src/upstream/sip/codes.ts';
import { TaskStatus } from '../../src/simulator/sip/model.ts';
import { PredictiveAssignmentType, PredictiveTaskStatus } from '../../src/store/index.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway, demoQueue, simAiTaskFields } from '../utils/gateway.ts';

/** Issue 11 items 7, 8 and 14: typed state conflicts, availableActions, platform ids, honest createdAt. */

const COMMAND = (name: string) => /* GraphQL */ `
  mutation($id: ID!) {
    ${name}(id: $id) {
      __typename
      ... on TaskPayload { task { status availableActions } }
      ... on TaskStateConflictError { code message taskId status attempted }
      ... on UpstreamRejectedError { upstreamCode }
    }
  }
`;

describe('task state conflicts and task identity', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let queue: string;

  beforeAll(async () => {
    gw = await startGateway(disposer);
    queue = demoQueue(gw.sim);
  });
  afterAll(() => disposer.dispose());

  /** A predictive task created through the gateway (so the PBX knows it too): its global and platform ids. */
  const createTask = async (name: string) => {
    const result = await gw.gql(
      `mutation($input: CreatePredictiveTaskInput!) { createPredictiveTask(input: $input) { ... on CreatePredictiveTaskPayload { task { id ... on PredictiveTask { platformId } } } } }`,
      { input: { name, assignment: { type: 'QUEUE', assignee: queue }, numbers: [{ phone: '13900000001' }] } },
      'operator',
    );
    const task = result.data?.createPredictiveTask.task as { id: string; platformId: string };
    // The platform id is the PBX's own task id, and the global id wraps it.
    const onPbx = [...gw.sim.sip.tasks.values()].filter((t) => t.name === name);
    expect(onPbx.map((t) => t.name), `PBX tasks named ${name}`).toEqual([name]);
    const pbxId = (onPbx[0] as { id: string }).id;
    expect(task).toEqual({ id: encodeGlobalID('PredictiveTask', pbxId), platformId: pbxId });
    return task;
  };
  const command = async (name: string, id: string) => (await gw.gql(COMMAND(name), { id }, 'operator')).data?.[name];

  it('refuses pauseTask on a task not started with a typed conflict, sending nothing', async () => {
    const task = await createTask('not-started');
    gw.sim.stats.reset();
    expect(await command('pauseTask', task.id)).toEqual({
      __typename: 'TaskStateConflictError',
      code: 'CONFLICT',
      message: expect.stringContaining('not started'),
      taskId: task.id,
      status: 'NOT_STARTED',
      attempted: 'PAUSE',
    });
    expect(gw.sim.stats.total()).toBe(0);
  });

  it('refuses startTask on a finished task (known to the gateway) without calling the PBX', async () => {
    const task = await createTask('finished');
    await gw.app.services.store.tasks.setStatus(task.platformId, PredictiveTaskStatus.Finished, { source: 'callback' });
    gw.sim.stats.reset();
    expect(await command('startTask', task.id)).toMatchObject({ __typename: 'TaskStateConflictError', status: 'FINISHED', attempted: 'START' });
    expect(await command('endTask', task.id)).toMatchObject({ __typename: 'TaskStateConflictError', status: 'FINISHED', attempted: 'END' });
    const removed = await gw.gql(
      `mutation($input: RemoveTaskNumbersInput!) { removeTaskNumbers(input: $input) { __typename ... on TaskStateConflictError { attempted } } }`,
      { input: { taskId: task.id, phones: ['13900000001'] } },
      'operator',
    );
    expect(removed.data?.removeTaskNumbers).toEqual({ __typename: 'TaskStateConflictError', attempted: 'REMOVE_NUMBERS' });
    expect(gw.sim.stats.total()).toBe(0);
  });

  it("maps the PBX's task-state codes when the gateway did not know (a missed callback)", async () => {
    const task = await createTask('over-on-the-pbx');
    expect(await command('startTask', task.id)).toMatchObject({ __typename: 'TaskPayload', task: { status: 'RUNNING' } });
    gw.sim.sip.setTaskStatus(task.platformId, TaskStatus.Over); // the PBX finished it; no callback reached the gateway
    gw.sim.stats.reset();
    expect(await command('pauseTask', task.id)).toMatchObject({ __typename: 'TaskStateConflictError', status: 'FINISHED', attempted: 'PAUSE' });
    expect(gw.sim.stats.count(SipService.TaskSet)).toBe(1);

    // 1025 from the PBX while the store says PAUSED: the PBX's word is reported.
    const other = await createTask('pbx-says-not-started');
    await gw.app.services.store.tasks.setStatus(other.platformId, PredictiveTaskStatus.Paused, { source: 'mutation' });
    expect(await command('pauseTask', other.id)).toMatchObject({ __typename: 'TaskStateConflictError', status: 'NOT_STARTED', attempted: 'PAUSE' });
  });

  it('lists availableActions per status for both kinds, with no platform call for predictive tasks', async () => {
    const store = gw.app.services.store.tasks;
    const expected: Record<PredictiveTaskStatus, string[]> = {
      [PredictiveTaskStatus.NotStarted]: ['START', 'END', 'ADD_NUMBERS', 'REMOVE_NUMBERS'],
      [PredictiveTaskStatus.Running]: ['PAUSE', 'END', 'ADD_NUMBERS', 'REMOVE_NUMBERS'],
      [PredictiveTaskStatus.Paused]: ['START', 'END', 'ADD_NUMBERS', 'REMOVE_NUMBERS'],
      [PredictiveTaskStatus.Ended]: [],
      [PredictiveTaskStatus.Finished]: [],
    };
    let n = 0;
    for (const [status, actions] of Object.entries(expected)) {
      const id = `2099010100000000000${n++}`;
      await store.insert({
        id,
        name: `actions-${status}`,
        assignment: { type: PredictiveAssignmentType.Queue, assignee: queue },
        pacing: { agents: 1, calls: 1 },
        callerNumbers: [],
        status: status as PredictiveTaskStatus,
      });
      gw.sim.stats.reset();
      const read = await gw.gql(`query($id: ID!) { task(id: $id) { status availableActions } }`, { id: encodeGlobalID('PredictiveTask', id) });
      expect(read.data?.task).toEqual({ status, availableActions: actions });
      expect(gw.sim.stats.total()).toBe(0);
    }

    const state = gw.sim.aicall.state;
    const paused = state.createTask(simAiTaskFields(gw.sim, 'ai-paused'));
    const running = state.createTask(simAiTaskFields(gw.sim, 'ai-running'));
    state.setRunning(running.uuid, true);
    const read = async (uuid: string) =>
      (await gw.gql(`query($id: ID!) { task(id: $id) { status availableActions } }`, { id: encodeGlobalID('AiTask', uuid) })).data?.task;
    expect(await read(paused.uuid)).toEqual({ status: 'PAUSED', availableActions: ['START', 'DELETE', 'ADD_NUMBERS', 'UPDATE'] });
    expect(await read(running.uuid)).toEqual({ status: 'RUNNING', availableActions: ['PAUSE', 'DELETE', 'ADD_NUMBERS', 'UPDATE'] });

    // An AI task the platform gives no creation time: createdAt is null (not 1970), and it still sorts last.
    const undated = state.createTask(simAiTaskFields(gw.sim, 'ai-undated'), null);
    const undatedRead = await gw.gql(`query($id: ID!) { task(id: $id) { createdAt } }`, { id: encodeGlobalID('AiTask', undated.uuid) });
    expect(undatedRead.data?.task).toEqual({ createdAt: null });
    const list = await gw.gql(`{ tasks(first: 500) { edges { node { name createdAt } } } }`);
    const edges = list.data?.tasks.edges as Array<{ node: { name: string; createdAt: string | null } }>;
    expect(edges.at(-1)?.node).toEqual({ name: 'ai-undated', createdAt: null });
    expect(edges.slice(0, -1).every((e) => e.node.createdAt !== null)).toBe(true);
  });

  it('answers a duplicate queue name with QueueAlreadyExistsError', async () => {
    gw.sim.stats.reset();
    const result = await gw.gql(
      `mutation($input: CreateQueueInput!) { createQueue(input: $input) { __typename ... on QueueAlreadyExistsError { code message name } } }`,
      { input: { name: queue, remark: 'dup' } },
      'operator',
    );
    expect(result.data?.createQueue).toEqual({ __typename: 'QueueAlreadyExistsError', code: 'CONFLICT', message: expect.stringContaining(queue), name: queue });
    expect(gw.sim.stats.count(SipService.AddQueue)).toBe(1);

    // A 1002 that is not a duplicate stays the PBX's refusal.
    gw.sim.control.failNext(1, { code: SipCode.AbnormalOperation }, SipService.AddQueue);
    const other = await gw.gql(
      `mutation($input: CreateQueueInput!) { createQueue(input: $input) { __typename ... on UpstreamRejectedError { upstreamCode } } }`,
      { input: { name: 'brand-new-queue', remark: 'new' } },
      'operator',
    );
    expect(other.data?.createQueue).toEqual({ __typename: 'UpstreamRejectedError', upstreamCode: '1002' });
  });

  it('keeps the deprecated platform-id fields resolving beside platformId', async () => {
    const task = await createTask('ids');
    const read = await gw.gql(`query($id: ID!) { task(id: $id) { id ... on PredictiveTask { platformId taskId } } }`, { id: task.id });
    expect(read.data?.task).toEqual({ id: task.id, platformId: task.platformId, taskId: task.platformId });
    const ai = await gw.gql(`{ tasks(filter: { kind: AI }, first: 1) { edges { node { ... on AiTask { platformId taskId name } } } } }`);
    const node = ai.data?.tasks.edges[0].node;
    // The platform id is the AI platform's task uuid: the simulator holds a task under it, with this name.
    const simTask = gw.sim.aicall.state.tasks.get(node?.platformId);
    if (!simTask) throw new Error(`no simulated AI task under platformId ${JSON.stringify(node?.platformId)}`);
    expect(node).toEqual({ platformId: simTask.uuid, taskId: simTask.uuid, name: simTask.name });
    const options = await gw.gql(`{ aiTaskOptions { callerLines { platformId lineId } } }`);
    const line = options.data?.aiTaskOptions.callerLines[0];
    expect(line.lineId).toBe(line.platformId);
  });
});
