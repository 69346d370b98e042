import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AiCallHttpError, ErrorCode, UpstreamInvalidResponseError } from '../../src/errors.ts';
import type { AiCallSimulatorModule } from '../../src/simulator/aicall/index.ts';
import { type Simulator, createSimulator } from '../../src/simulator/server.ts';
import { type AiCallClient, createAiCallClient } from '../../src/upstream/aicall/client.ts';
import type { AiTaskInput, AiTaskOptions } from '../../src/upstream/aicall/types.ts';
import { type UpstreamHttp, createUpstreamHttp } from '../../src/upstream/http.ts';
import { createZonedTime } from '../../src/upstream/time.ts';
import { createDisposer } from '../utils/disposer.ts';

/** 2024-03-15 14:00:00 in Shanghai. */
const START = Date.parse('2024-03-15T06:00:00Z');
const SHANGHAI = createZonedTime('Asia/Shanghai');

// Every test gets its own simulator (and clock), so no test sees the tasks, call counts or failure switches of another.
const disposer = createDisposer();
let clock = START;
let sim: Simulator;
let aicall: AiCallSimulatorModule;
let http: UpstreamHttp;
let client: AiCallClient;
let options: AiTaskOptions;

beforeEach(async () => {
  clock = START;
  sim = disposer.use(createSimulator({ seed: 11, now: () => clock }), (s) => s.stop());
  const url = await sim.start(0, '127.0.0.1');
  // The server types its module by the contract; the module itself also exposes its state and events.
  aicall = sim.aicall as AiCallSimulatorModule;
  http = disposer.use(createUpstreamHttp({ connectTimeoutMs: 2_000, requestTimeoutMs: 5_000, maxConnections: 4 }), (h) =>
    h.close(),
  );
  client = createAiCallClient({ http, baseUrl: url, token: sim.credentials.aicallToken, time: SHANGHAI });
  options = await client.getTaskOptions();
});

afterEach(() => disposer.dispose());

/** Rejects with the error a call throws (fails the test when it does not throw). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

function lineNamed(name: string) {
  const line = options.callerLines.find((l) => l.name === name);
  if (!line) throw new Error(`no line ${name}`);
  return line;
}

function input(overrides: Partial<AiTaskInput> = {}): AiTaskInput {
  const rule = options.redialRules.find((r) => r.enabled);
  const script = options.scriptGroups[0];
  const window = options.doNotCallWindows[0];
  if (!rule || !script || !window) throw new Error('the simulator has no demo resources');
  return {
    name: '集成测试任务',
    remark: '由测试创建',
    callerLineId: lineNamed('南京-电信-01').id,
    scriptGroupId: script.id,
    doNotCallWindowId: window.id,
    concurrency: 1,
    redialRuleId: rule.id,
    pauseSeconds: 10,
    dialTimeoutSeconds: 60,
    ...overrides,
  };
}

describe('GET /v1/task/create', () => {
  it('returns the resources a task may use, in domain shapes', () => {
    expect(options.callerLines.map((l) => l.name)).toEqual(['南京-电信-01', '南京-移动-02', '上海-联通-03', '杭州-电信-04']);
    const nanjing = lineNamed('南京-电信-01');
    expect(nanjing).toMatchObject({ totalConcurrency: 10, freeConcurrency: 7 });
    expect(nanjing.callerNumber).toMatch(/^025\d{8}$/);
    // The Hangzhou line is fully taken by a running demo task.
    expect(lineNamed('杭州-电信-04')).toMatchObject({ totalConcurrency: 1, freeConcurrency: 0 });
    expect(options.doNotCallWindows.map((w) => w.name)).toEqual(['休息时间', '午休时间', '早会时间']);
    expect(options.doNotCallWindows[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(options.redialRules.some((r) => !r.enabled)).toBe(true);
    expect(options.handoverGroups.filter((g) => !g.enabled).map((g) => g.id)).toEqual([22]);
    expect(options.handoverGroups.filter((g) => g.enabled && g.callerLineId === null).map((g) => g.id)).toEqual([23]);
    expect(options.scriptGroups.some((g) => g.ttsDebug)).toBe(true);
    expect(options.scriptGroups.some((g) => g.default)).toBe(true);
    expect(sim.stats.count('GET /v1/task/create')).toBe(1);
  });

  it('reads the platform times in Asia/Shanghai', () => {
    const nanjing = lineNamed('南京-电信-01');
    const line = aicall.state.callerLines.get(nanjing.id);
    expect(line?.beginAt).toEqual(expect.any(Number));
    expect(nanjing.availableFrom?.getTime()).toBe(line?.beginAt);
    const group = options.handoverGroups[0];
    const stored = aicall.state.customerServiceGroups.get(group?.id ?? -1);
    expect(stored?.createdAt).toEqual(expect.any(Number));
    expect(group?.createdAt?.getTime()).toBe(stored?.createdAt);
  });
});

describe('tasks', () => {
  it('lists the demo tasks with progress and the nested entities', async () => {
    const tasks = await client.listTasks();
    expect(tasks).toHaveLength(3);
    const renewals = tasks.find((t) => t.name === '三月续保回访');
    expect(renewals).toMatchObject({
      running: true,
      concurrency: 3,
      handoverGroupId: 21,
      progress: { total: 20, dialled: 12, percent: 60 },
    });
    expect(renewals?.callerLine).toMatchObject({ id: renewals?.callerLineId, name: '南京-电信-01', usedConcurrency: 3 });
    expect(renewals?.redialRule).toMatchObject({ id: renewals?.redialRuleId, isDefault: true });
    expect(renewals?.doNotCallWindow).toMatchObject({ id: renewals?.doNotCallWindowId, name: '午休时间' });
    expect(renewals?.scriptGroup).toMatchObject({ id: renewals?.scriptGroupId, ttsDebug: true });
    expect(renewals?.callsPerSecond).toBe(10);
    const state = aicall.state.getTask(renewals?.id ?? '');
    expect(renewals?.createdAt?.getTime()).toBe(state?.createdAt);
    expect(renewals?.changedAt?.getTime()).toBe(state?.alteredAt);
    expect(tasks.find((t) => t.name === '信用卡分期意向筛选')?.progress).toEqual({ total: 8, dialled: 8, percent: 100 });
  });

  it('creates, replaces and deletes a task', async () => {
    clock = START + 60_000;
    const created = await client.createTask(input({ handoverGroupId: 21 }));
    expect(created).toMatchObject({
      name: '集成测试任务',
      remark: '由测试创建',
      running: false,
      concurrency: 1,
      handoverGroupId: 21,
      pauseSeconds: 10,
      dialTimeoutSeconds: 60,
      progress: { total: 0, dialled: 0, percent: 0 },
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.callerNumber).toBe(lineNamed('南京-电信-01').callerNumber);
    // 2024-03-15 14:01:00 in Shanghai.
    expect(created.createdAt?.toISOString()).toBe('2024-03-15T06:01:00.000Z');
    // The create answer carries the script group but not the other nested entities (as in the seed).
    expect(created.scriptGroup?.id).toBe(created.scriptGroupId);
    expect(created.callerLine).toBeNull();
    expect(aicall.state.getTask(created.id)).toMatchObject({ recycleLimit: 0, randomAssignmentNumber: 0 });

    clock = START + 120_000;
    const updated = await client.updateTask(created.id, input({ name: '改过的名字', concurrency: 2, remark: null }));
    expect(updated).toMatchObject({ name: '改过的名字', concurrency: 2, remark: null, handoverGroupId: null });
    expect(updated.id).toBe(created.id);
    expect(updated.changedAt?.toISOString()).toBe('2024-03-15T06:02:00.000Z');
    expect(updated.createdAt?.toISOString()).toBe('2024-03-15T06:01:00.000Z');

    await client.deleteTask(created.id);
    expect(aicall.state.getTask(created.id)).toBeUndefined();
    expect((await client.listTasks()).some((t) => t.id === created.id)).toBe(false);
    expect(sim.stats.count('GET /v1/task/destroy/{id}')).toBe(1);
  });

  it('answers 404 for an unknown task, under the route it called', async () => {
    for (const call of [
      () => client.startTask('00000000-0000-4000-8000-000000000000'),
      () => client.deleteTask('no-such-task'),
      () => client.updateTask('no-such-task', input()),
      () => client.importCustomers('no-such-task', [{ phone: '13800000000' }]),
    ]) {
      const error = await failure(call());
      expect(error).toBeInstanceOf(AiCallHttpError);
      expect((error as AiCallHttpError).status).toBe(404);
    }
    const error = (await failure(client.stopTask('nope'))) as AiCallHttpError;
    expect(error.operation).toBe('GET /v1/task/stop/{id}');
    expect(error.upstream).toBe('aicall');
    expect(error.code).toBe(ErrorCode.UpstreamRejected);
  });
});

describe('validation (422)', () => {
  it('refuses a concurrency above the line residue, per field', async () => {
    const error = await failure(client.createTask(input({ concurrency: 8 })));
    expect(error).toBeInstanceOf(AiCallHttpError);
    const http422 = error as AiCallHttpError;
    expect(http422.status).toBe(422);
    expect(http422.operation).toBe('POST /v1/task');
    expect(http422.upstreamMessage).toBe('The given data was invalid.');
    expect(Object.keys(http422.fieldErrors)).toEqual(['maximumcall']);
    expect(http422.fieldErrors.maximumcall?.[0]).toContain('7');
    expect(http422.extensions()).toMatchObject({ fieldErrors: { maximumcall: http422.fieldErrors.maximumcall } });
  });

  it('refuses a disabled hand-over group and one without a caller line', async () => {
    const disabled = options.handoverGroups.find((g) => !g.enabled);
    const lineless = options.handoverGroups.find((g) => g.enabled && g.callerLineId === null);
    for (const group of [disabled, lineless]) {
      const error = (await failure(client.createTask(input({ handoverGroupId: group?.id })))) as AiCallHttpError;
      expect(error.status).toBe(422);
      expect(Object.keys(error.fieldErrors)).toEqual(['customer_service_id']);
    }
  });

  it('reports unknown references together', async () => {
    const error = (await failure(
      client.createTask(
        input({ callerLineId: 'no', scriptGroupId: 1, doNotCallWindowId: 'no', redialRuleId: 1, handoverGroupId: 9 }),
      ),
    )) as AiCallHttpError;
    expect(error.status).toBe(422);
    expect(Object.keys(error.fieldErrors).sort()).toEqual([
      'auto_recycle_rule_id',
      'caller_line_id',
      'customer_service_id',
      'destination_extension',
      'disable_dial_timegroup',
    ]);
  });
});

describe('start and stop', () => {
  it('toggle running and the line residue', async () => {
    const shanghai = lineNamed('上海-联通-03');
    const task = await client.createTask(input({ callerLineId: shanghai.id, concurrency: 2 }));

    clock = START + 5_000;
    const started = await client.startTask(task.id);
    expect(started).toMatchObject({ id: task.id, running: true });
    expect(started?.changedAt?.toISOString()).toBe('2024-03-15T06:00:05.000Z');
    expect(aicall.state.getTask(task.id)?.running).toBe(true);
    expect((await client.getTaskOptions()).callerLines.find((l) => l.id === shanghai.id)?.freeConcurrency).toBe(0);

    const stopped = await client.stopTask(task.id);
    expect(stopped?.running).toBe(false);
    expect((await client.getTaskOptions()).callerLines.find((l) => l.id === shanghai.id)?.freeConcurrency).toBe(2);
  });

  it('refuses to start a task whose line lacks free concurrency', async () => {
    const shanghai = lineNamed('上海-联通-03');
    const small = await client.createTask(input({ callerLineId: shanghai.id, concurrency: 1, name: '小任务' }));
    const big = await client.createTask(input({ callerLineId: shanghai.id, concurrency: 2, name: '大任务' }));
    await client.startTask(big.id);
    const error = (await failure(client.startTask(small.id))) as AiCallHttpError;
    expect(error.status).toBe(422);
    expect(error.operation).toBe('GET /v1/task/start/{id}');
    expect(error.fieldErrors.maximumcall).toHaveLength(1);
    expect(aicall.state.getTask(small.id)?.running).toBe(false);
    await client.stopTask(big.id);
    expect((await client.startTask(small.id))?.running).toBe(true);
    await client.stopTask(small.id);
  });

  it('emits task events from the state', async () => {
    const task = await client.createTask(input({ name: '事件任务' }));
    const started = aicall.events.next('taskStarted', (e) => e.task.uuid === task.id);
    await client.startTask(task.id);
    expect((await started).task.running).toBe(true);
    const deleted = aicall.events.next('taskDeleted', (e) => e.task.uuid === task.id);
    await client.deleteTask(task.id);
    await deleted;
  });
});

describe('importing customers', () => {
  it('appends accepted numbers to the task and reports the refused ones', async () => {
    const task = await client.createTask(input({ name: '导入测试' }));
    const result = await client.importCustomers(task.id, [
      { phone: '13800000001', fields: { name: '张三', amount: 120.5 } },
      { phone: '13800000002', fields: { name: '李四' } },
      { phone: '021-1234' },
      { phone: '13800000001' },
      { phone: '02512345678', fields: { phone: 'ignored' } },
    ]);
    expect(result.accepted).toBe(3);
    expect(result.refused.map((r) => r.phone)).toEqual(['021-1234', '13800000001']);
    expect(result.refused.every((r) => typeof r.reason === 'string' && r.reason !== '')).toBe(true);
    expect(result.message).toBe('导入完成');
    expect(result.raw).toMatchObject({ data: { success: 3, fail: 2 } });

    const customers = aicall.state.getTask(task.id)?.customers ?? [];
    expect(customers.map((c) => c.phone)).toEqual(['13800000001', '13800000002', '02512345678']);
    expect(customers[0]?.fields).toEqual({ name: '张三', amount: 120.5 });
    expect(customers[2]?.fields).toEqual({});

    const listed = (await client.listTasks()).find((t) => t.id === task.id);
    expect(listed?.progress).toEqual({ total: 3, dialled: 0, percent: 0 });

    // The dialer's hook moves progress.
    aicall.state.takeNextCustomer(task.id);
    expect((await client.listTasks()).find((t) => t.id === task.id)?.progress).toEqual({
      total: 3,
      dialled: 1,
      percent: 33,
    });
  });
});

describe('authentication and failures', () => {
  it('answers 401 to a wrong token', async () => {
    const wrong = createAiCallClient({ http, baseUrl: sim.url, token: 'wrong', time: SHANGHAI });
    const error = (await failure(wrong.listTasks())) as AiCallHttpError;
    expect(error).toBeInstanceOf(AiCallHttpError);
    expect(error.status).toBe(401);
    expect(error.upstreamMessage).toBe('Unauthenticated.');
    expect(error.operation).toBe('GET /v1/task');
  });

  it('sends the token in a configured header, bare', async () => {
    const custom = createSimulator({ seed: 11, now: () => clock, aicallToken: 'k-123', aicallAuthHeader: 'X-Api-Key' });
    const url = await custom.start(0, '127.0.0.1');
    disposer.add(() => custom.stop());
    const bare = createAiCallClient({
      http,
      baseUrl: `${url}/`,
      token: 'k-123',
      authHeader: 'X-Api-Key',
      authScheme: '',
      time: SHANGHAI,
    });
    expect((await bare.listTasks()).length).toBe(3);
    const bearer = createAiCallClient({ http, baseUrl: url, token: 'k-123', time: SHANGHAI });
    expect(((await failure(bearer.listTasks())) as AiCallHttpError).status).toBe(401);
  });

  it('keeps the text of a non-JSON error body and reports 5xx as unavailable', async () => {
    sim.control.failNext(1, { httpStatus: 502, body: '<html><body>502 Bad Gateway</body></html>' }, 'GET /v1/task');
    const error = (await failure(client.listTasks())) as AiCallHttpError;
    expect(error.status).toBe(502);
    expect(error.upstreamMessage).toContain('502 Bad Gateway');
    expect(error.code).toBe(ErrorCode.UpstreamUnavailable);
  });

  it('refuses a 2xx body the schemas do not accept', async () => {
    sim.control.failNext(1, { httpStatus: 200, body: { data: [{ name: 'no id' }] } }, 'GET /v1/task');
    const error = await failure(client.listTasks());
    expect(error).toBeInstanceOf(UpstreamInvalidResponseError);
    expect((error as UpstreamInvalidResponseError).operation).toBe('GET /v1/task');
    sim.control.failNext(1, { httpStatus: 200, body: 'not json' }, 'GET /v1/task/create');
    expect(await failure(client.getTaskOptions())).toBeInstanceOf(UpstreamInvalidResponseError);
  });
});

describe('the simulated platform', () => {
  it('seeds the same data for the same seed', () => {
    const snapshot = (seed: number) => {
      const module = createSimulator({ seed, now: () => START }).aicall as AiCallSimulatorModule;
      return JSON.stringify({
        lines: [...module.state.callerLines.values()],
        tasks: module.state.listTasks(),
        groups: [...module.state.customerServiceGroups.values()],
      });
    };
    expect(snapshot(5)).toBe(snapshot(5));
    expect(snapshot(5)).not.toBe(snapshot(6));
  });
});
