import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway, demoQueue } from '../utils/gateway.ts';

/**
 * Issue 11 items 10 and 12, over HTTP with the simulator: creates are safe to retry with an idempotencyKey (one
 * platform create), a key reused for another input is a ConflictError, agents / queues / groups are referenced by
 * global id or by name (exactly one), mutations take `input:` (bare arguments deprecated), and delete payloads share
 * one shape.
 */
describe('mutation conventions', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let queue: string;

  beforeAll(async () => {
    gw = await startGateway(disposer);
    queue = demoQueue(gw.sim);
  });
  afterAll(() => disposer.dispose());
  beforeEach(() => gw.sim.stats.reset());

  const mutate = async (field: string, variables: Record<string, unknown> = {}, signature = '') => {
    const result = await gw.gql(`mutation${signature} { m: ${field} }`, variables, 'operator');
    expect(result.errors).toBeUndefined();
    return (result.data as { m: Record<string, any> }).m;
  };

  describe('idempotency keys on creates', () => {
    it('createQueue: a retry makes one AddQueue and returns the first result; another input under the key is a ConflictError', async () => {
      const doc = (name: string) =>
        `createQueue(input: { name: "${name}", idempotencyKey: "queue-key-0001" }) { __typename ... on QueuePayload { name queue { name remark } } ... on Error { code message } }`;
      const first = await mutate(doc('conv-q1'));
      const again = await mutate(doc('conv-q1'));
      expect(first).toMatchObject({ __typename: 'QueuePayload', name: 'conv-q1', queue: { name: 'conv-q1' } });
      expect(again).toEqual(first);
      expect(gw.sim.stats.count(SipService.AddQueue)).toBe(1);
      const other = await mutate(doc('conv-q2'));
      expect(other).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
      expect(gw.sim.stats.count(SipService.AddQueue)).toBe(1);
    });

    it('createQueue without remark sends the queue name (the PBX requires one); a blank remark is refused', async () => {
      const created = await mutate('createQueue(input: { name: "conv-no-remark" }) { __typename ... on QueuePayload { queue { remark } } ... on Error { code message } }');
      expect(created).toEqual({ __typename: 'QueuePayload', queue: { remark: 'conv-no-remark' } });
      const blank = await mutate('createQueue(input: { name: "conv-blank", remark: "  " }) { __typename ... on InvalidInputError { issues { path } } }');
      expect(blank).toEqual({ __typename: 'InvalidInputError', issues: [{ path: ['input', 'remark'] }] });
    });

    it('createExtGroup: a retry makes one AddExtgroup; another input under the key is a ConflictError', async () => {
      const doc = (name: string) =>
        `createExtGroup(input: { name: "${name}", idempotencyKey: "group-key-0001" }) { __typename ... on ExtGroupPayload { name } ... on Error { code } }`;
      expect(await mutate(doc('conv-g1'))).toEqual({ __typename: 'ExtGroupPayload', name: 'conv-g1' });
      expect(await mutate(doc('conv-g1'))).toEqual({ __typename: 'ExtGroupPayload', name: 'conv-g1' });
      expect(gw.sim.stats.count(SipService.AddExtgroup)).toBe(1);
      expect(await mutate(doc('conv-g2'))).toEqual({ __typename: 'ConflictError', code: 'CONFLICT' });
      expect(gw.sim.stats.count(SipService.AddExtgroup)).toBe(1);
    });

    it('createAiTask: a retried request makes one campaign (one POST /v1/task), and returns the same task', async () => {
      const options = await gw.gql(
        '{ aiTaskOptions { callerLines { id name freeConcurrency } scriptGroups { id } doNotCallWindows { id } redialRules { id enabled } } }',
        {},
        'operator',
      );
      const o = (options.data as any).aiTaskOptions;
      const line = o.callerLines.find((l: { freeConcurrency: number }) => l.freeConcurrency >= 1);
      const input = {
        name: 'conv 重试',
        callerLineId: line.id,
        concurrency: 1,
        scriptGroupId: o.scriptGroups[0].id,
        doNotCallWindowId: o.doNotCallWindows[0].id,
        redialRuleId: o.redialRules.find((r: { enabled: boolean }) => r.enabled).id,
        idempotencyKey: 'ai-task-key-0001',
      };
      const doc = 'createAiTask(input: $input) { __typename ... on AiTaskPayload { task { id name } } ... on Error { code message } }';
      const before = gw.sim.aicall.state.tasks.size;
      const first = await mutate(doc, { input }, '($input: CreateAiTaskInput!)');
      const again = await mutate(doc, { input }, '($input: CreateAiTaskInput!)');
      expect(first).toMatchObject({ __typename: 'AiTaskPayload', task: { name: 'conv 重试' } });
      expect(again).toEqual(first);
      expect(gw.sim.stats.count('POST /v1/task')).toBe(1);
      expect(gw.sim.aicall.state.tasks.size).toBe(before + 1);
      const other = await mutate(doc, { input: { ...input, name: 'conv 另一个' } }, '($input: CreateAiTaskInput!)');
      expect(other).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
      expect(gw.sim.stats.count('POST /v1/task')).toBe(1);
    });

    it('createPredictiveTask: a retry is marked `replayed` and sends nothing', async () => {
      const doc = `createPredictiveTask(input: { name: "conv-p", assignment: { type: QUEUE, assignee: "${queue}" }, numbers: [{ phone: "13800138000" }], idempotencyKey: "pred-key-0001" }) { __typename ... on CreatePredictiveTaskPayload { replayed task { id } } }`;
      const first = await mutate(doc);
      const again = await mutate(doc);
      expect(first).toMatchObject({ replayed: false });
      expect(again).toEqual({ ...first, replayed: true });
      expect(gw.sim.stats.count(SipService.TaskCreate)).toBe(1);
    });
  });

  describe('references by global id or name', () => {
    let agent = '';
    const seatQueue = 'conv-seats';
    beforeAll(async () => {
      agent = [...gw.sim.sip.extensions.keys()].sort()[0] ?? '';
      await mutate(`createQueue(input: { name: "${seatQueue}" }) { __typename }`);
    });
    const seat = (fields: string) =>
      `checkInAgent(input: { ${fields}, employeeId: 7 }) { __typename ... on AgentSeatPayload { extension queueName } ... on InvalidInputError { issues { path message } } ... on Error { code } }`;

    it('checkInAgent takes the queue and the agent by global id or by name', async () => {
      const byName = await mutate(seat(`queue: "${seatQueue}", extension: "${agent}"`));
      expect(byName).toMatchObject({ extension: agent, queueName: seatQueue });
      expect(await mutate(`checkOutAgent(input: { queue: "${seatQueue}", extension: "${agent}", employeeId: 7 }) { __typename }`)).toEqual({ __typename: 'AgentSeatPayload' });
      const byId = await mutate(seat(`queueId: "${encodeGlobalID('Queue', seatQueue)}", agentId: "${encodeGlobalID('Agent', agent)}"`));
      expect(byId).toEqual(byName);
    });

    it('both forms, or neither, is INVALID_INPUT with nothing sent; so is an id of another type', async () => {
      gw.sim.stats.reset();
      const both = await mutate(seat(`queue: "${queue}", queueId: "${encodeGlobalID('Queue', queue)}", extension: "${agent}"`));
      expect(both).toMatchObject({ __typename: 'InvalidInputError', issues: [{ path: ['input', 'queueId'] }] });
      const neither = await mutate(seat(`extension: "${agent}"`));
      expect(neither).toMatchObject({ __typename: 'InvalidInputError', issues: [{ path: ['input', 'queue'] }] });
      const wrongType = await mutate(seat(`queueId: "${encodeGlobalID('Agent', agent)}", extension: "${agent}"`));
      expect(wrongType).toMatchObject({ __typename: 'InvalidInputError', issues: [{ path: ['input', 'queueId'], message: 'not a Queue id: use Queue.id' }] });
      expect(gw.sim.stats.total()).toBe(0);
    });

    it('extension-group members take the group and the agent by global id or by name', async () => {
      await mutate('createExtGroup(input: { name: "conv-members" }) { __typename }');
      const added = await mutate(
        `addExtGroupMember(input: { groupId: "${encodeGlobalID('ExtGroup', 'conv-members')}", agentId: "${encodeGlobalID('Agent', agent)}" }) { __typename ... on ExtGroupPayload { name extension } ... on Error { code message } }`,
      );
      expect(added).toEqual({ __typename: 'ExtGroupPayload', name: 'conv-members', extension: agent });
      const neither = await mutate(`removeExtGroupMember(input: { extension: "${agent}" }) { __typename ... on InvalidInputError { issues { path } } }`);
      expect(neither).toEqual({ __typename: 'InvalidInputError', issues: [{ path: ['input', 'group'] }] });
    });
  });

  describe('input: and delete payloads', () => {
    it('deleteQueue takes input (by name or global id) and answers deletedId + name; the bare `name` still works', async () => {
      for (const name of ['conv-del-1', 'conv-del-2', 'conv-del-3']) await mutate(`createQueue(input: { name: "${name}" }) { __typename }`);
      const fields = '{ __typename ... on DeleteQueuePayload { deletedId name } ... on Error { code message } }';
      expect(await mutate(`deleteQueue(input: { name: "conv-del-1" }) ${fields}`)).toEqual({
        __typename: 'DeleteQueuePayload',
        deletedId: encodeGlobalID('Queue', 'conv-del-1'),
        name: 'conv-del-1',
      });
      expect(await mutate(`deleteQueue(input: { queueId: "${encodeGlobalID('Queue', 'conv-del-2')}" }) ${fields}`)).toMatchObject({ name: 'conv-del-2' });
      expect(await mutate(`deleteQueue(name: "conv-del-3") ${fields}`)).toMatchObject({ name: 'conv-del-3' });
      gw.sim.stats.reset();
      expect(await mutate(`deleteQueue(name: "x", input: { name: "x" }) ${fields}`)).toMatchObject({ __typename: 'InvalidInputError' });
      expect(await mutate(`deleteQueue ${fields}`)).toMatchObject({ __typename: 'InvalidInputError' });
      expect(gw.sim.stats.total()).toBe(0);
    });

    it('task commands take input: { taskId }; the bare `id` still works; both or neither is INVALID_INPUT', async () => {
      const created = await mutate(
        `createPredictiveTask(input: { name: "conv-cmd", assignment: { type: QUEUE, assignee: "${queue}" }, numbers: [{ phone: "13800138009" }] }) { ... on CreatePredictiveTaskPayload { task { id } } }`,
      );
      const id = created.task.id as string;
      const fields = '{ __typename ... on TaskPayload { taskId task { status } } ... on Error { code } }';
      expect(await mutate(`startTask(input: { taskId: "${id}" }) ${fields}`)).toEqual({ __typename: 'TaskPayload', taskId: id, task: { status: 'RUNNING' } });
      expect(await mutate(`pauseTask(id: "${id}") ${fields}`)).toMatchObject({ task: { status: 'PAUSED' } });
      expect(await mutate(`endTask(id: "${id}", input: { taskId: "${id}" }) ${fields}`)).toEqual({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
      expect(await mutate(`endTask ${fields}`)).toEqual({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
    });
  });
});
