import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SipCode, SipService } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { demoQueue, startGateway, type TestGateway } from '../utils/gateway.ts';

/**
 * An idempotency key's claim is released when the first attempt fails (src/schema/task-numbers.ts `once`, and
 * src/schema/mutation-input.ts `idempotent`): the retry with the same key runs and succeeds, instead of meeting
 * ConflictError ("still running") for the lease's 5 minutes.
 */

const CREATE_PREDICTIVE = `mutation($input: CreatePredictiveTaskInput!) {
  createPredictiveTask(input: $input) {
    __typename
    ... on CreatePredictiveTaskPayload { outcome acceptedCount upstreamCalls task { ... on PredictiveTask { taskId name } } }
    ... on Error { code message }
  }
}`;
const CREATE_AI = `mutation($input: CreateAiTaskInput!) {
  createAiTask(input: $input) {
    __typename
    ... on AiTaskPayload { task { taskId name } }
    ... on Error { code message }
  }
}`;
const OPTIONS = `{ aiTaskOptions { callerLines { id name } scriptGroups { id name } doNotCallWindows { id name } redialRules { id name } } }`;

describe('idempotency keys after a failed first attempt', () => {
  const disposer = createDisposer();
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway(disposer, { simulator: { seed: 3, now: () => Date.parse('2024-03-15T06:00:00Z') } });
  });
  afterAll(() => disposer.dispose());
  afterEach(() => gw.sim.control.reset());

  it('createPredictiveTask: the platform refuses TaskCreat once; the retry with the same key creates the task', async () => {
    const input = {
      name: '重试建任务',
      assignment: { type: 'QUEUE', assignee: demoQueue(gw.sim) },
      numbers: [{ phone: '13900000001' }, { phone: '13900000002' }],
      idempotencyKey: 'release-after-failure-0001',
    };
    gw.sim.stats.reset();
    gw.sim.control.failNext(1, { code: SipCode.OperationFailed, msg: 'busy' }, SipService.TaskCreate);
    const first = await gw.gql(CREATE_PREDICTIVE, { input }, 'operator');
    expect(first.errors).toBeUndefined();
    expect(first.data?.createPredictiveTask).toMatchObject({ __typename: 'UpstreamRejectedError', code: 'UPSTREAM_REJECTED' });
    expect(gw.sim.stats.count(SipService.TaskCreate)).toBe(1);

    const retry = await gw.gql(CREATE_PREDICTIVE, { input }, 'operator');
    expect(retry.errors).toBeUndefined();
    expect(retry.data?.createPredictiveTask).toMatchObject({
      __typename: 'CreatePredictiveTaskPayload',
      outcome: 'COMPLETE',
      acceptedCount: 2,
      upstreamCalls: 1,
      task: { name: '重试建任务' },
    });
    expect(gw.sim.stats.count(SipService.TaskCreate)).toBe(2);
    const taskId = retry.data?.createPredictiveTask.task.taskId as string;
    expect(gw.sim.sip.tasks.get(taskId)?.numbers).toHaveLength(2);

    // And the key is now done: a third call replays the stored result without calling the platform.
    const replay = await gw.gql(CREATE_PREDICTIVE, { input }, 'operator');
    expect(replay.data?.createPredictiveTask).toMatchObject({ __typename: 'CreatePredictiveTaskPayload', upstreamCalls: 0, task: { taskId } });
    expect(gw.sim.stats.count(SipService.TaskCreate)).toBe(2);
  });

  it('createAiTask: the platform fails POST /v1/task once; the retry with the same key creates the task', async () => {
    const options = (await gw.gql(OPTIONS)).data?.aiTaskOptions;
    const byName = (list: Array<{ id: string; name: string }>, name: string) => list.find((item) => item.name === name)?.id;
    const input = {
      name: '重试AI任务',
      callerLineId: byName(options.callerLines, '南京-电信-01'),
      concurrency: 1,
      scriptGroupId: byName(options.scriptGroups, '保险续保回访'),
      doNotCallWindowId: byName(options.doNotCallWindows, '午休时间'),
      redialRuleId: byName(options.redialRules, '默认'),
      idempotencyKey: 'release-after-failure-0002',
    };
    const before = gw.sim.aicall.state.tasks.size;
    gw.sim.stats.reset();
    gw.sim.control.failNext(1, { httpStatus: 503 }, 'POST /v1/task');
    const first = await gw.gql(CREATE_AI, { input }, 'operator');
    const firstCode = first.data?.createAiTask?.code ?? first.errors?.[0]?.extensions?.code;
    expect(firstCode).toBe('UPSTREAM_UNAVAILABLE');
    expect(gw.sim.stats.count('POST /v1/task')).toBe(1);
    expect(gw.sim.aicall.state.tasks.size).toBe(before);

    const retry = await gw.gql(CREATE_AI, { input }, 'operator');
    expect(retry.errors).toBeUndefined();
    expect(retry.data?.createAiTask).toMatchObject({ __typename: 'AiTaskPayload', task: { name: '重试AI任务' } });
    expect(gw.sim.stats.count('POST /v1/task')).toBe(2);
    expect(gw.sim.aicall.state.tasks.size).toBe(before + 1);
  });
});
