import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimAiTaskFields } from '../../src/simulator/aicall/index.ts';
import { PredictiveAssignmentType, PredictiveTaskStatus } from '../../src/store/index.ts';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { TaskStatus as SipTaskStatus } from '../../src/simulator/sip/model.ts';
import {
  AddTaskNumbersDocument,
  AiTaskOptionsDocument,
  type AiTaskOptionsQuery,
  AiTasksWithResourcesDocument,
  CreateAiTaskDocument,
  type CreateAiTaskInput,
  CreatePredictiveTaskDocument,
  DeleteTaskDocument,
  EndTaskDocument,
  PauseTaskDocument,
  StartTaskDocument,
  TaskByIdDocument,
  UpdateAiTaskDocument,
} from '../generated/graphql.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway, simAiTaskFields } from '../utils/gateway.ts';

/** The simulator's clock: 2024-03-15 14:00:00 in Shanghai. The AI platform's times follow it. */
const CLOCK = Date.parse('2024-03-15T06:00:00Z');
const HOUR = 3_600_000;

const OPS = {
  options: 'GET /v1/task/create',
  list: 'GET /v1/task',
  create: 'POST /v1/task',
  update: 'PUT /v1/task/{id}',
  destroy: 'GET /v1/task/destroy/{id}',
  start: 'GET /v1/task/start/{id}',
  stop: 'GET /v1/task/stop/{id}',
  import: 'POST /v1/task/import_task_customer/{id}',
} as const;

type Options = NonNullable<AiTaskOptionsQuery['aiTaskOptions']>;

/** Unwraps a union result, failing the test on top-level errors. */
function ok<T>(result: { data?: T | null; errors?: unknown[] }): T {
  expect(result.errors).toBeUndefined();
  if (!result.data) throw new Error('no data');
  return result.data;
}

/** A nullable field that must be there (the fields read from a platform are nullable: docs/api.md, "Partial results"). */
function present<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('expected a value');
  return value;
}

describe('AI tasks through the schema', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let options: Options;

  const byName = <T extends { name: string }>(list: readonly T[], name: string): T => {
    const found = list.find((item) => item.name === name);
    if (!found) throw new Error(`no ${name}`);
    return found;
  };
  /** A valid input on 南京-电信-01 (10 lines, 7 free). */
  const validInput = (overrides: Partial<CreateAiTaskInput> = {}): CreateAiTaskInput => ({
    name: '四月续保回访',
    remark: '集成测试',
    callerLineId: byName(options.callerLines, '南京-电信-01').id,
    concurrency: 2,
    scriptGroupId: byName(options.scriptGroups, '保险续保回访').id,
    doNotCallWindowId: byName(options.doNotCallWindows, '午休时间').id,
    redialRuleId: byName(options.redialRules, '默认').id,
    handoverGroupId: byName(options.handoverGroups, '人工坐席一组').id,
    ...overrides,
  });
  /** The settable fields of a simulator task, for tasks put straight into its state. */
  const simFields = (name: string, overrides: Partial<SimAiTaskFields> = {}): SimAiTaskFields => simAiTaskFields(gw.sim, name, overrides);
  const createAi = async (input: CreateAiTaskInput) => ok(await gw.op(CreateAiTaskDocument, { input }, 'operator')).createAiTask;
  const aiGlobalId = (uuid: string) => encodeGlobalID('AiTask', uuid);

  beforeAll(async () => {
    gw = await startGateway(disposer, { simulator: { seed: 3, now: () => CLOCK } });
    options = present(ok(await gw.op(AiTaskOptionsDocument, {})).aiTaskOptions);
  });
  afterAll(() => disposer.dispose());

  describe('aiTaskOptions', () => {
    it('lists the resources a task may use, with free concurrency and usability', async () => {
      expect(options.callerLines.map((l) => [l.name, l.totalConcurrency, l.freeConcurrency, l.usable])).toEqual([
        ['南京-电信-01', 10, 7, true],
        ['南京-移动-02', 5, 5, true],
        ['上海-联通-03', 2, 2, true],
        ['杭州-电信-04', 1, 0, false],
      ]);
      expect(options.scriptGroups.map((g) => [g.name, g.ttsDebug])).toEqual([
        ['保险续保回访', true],
        ['信用卡分期营销', false],
        ['满意度调查【复制】', true],
      ]);
      expect(options.handoverGroups.map((g) => [g.name, g.usable, g.callerLine?.name ?? null])).toEqual([
        ['人工坐席一组', true, '南京-电信-01'],
        ['人工坐席二组(停用)', false, '南京-移动-02'],
        ['夜班组(未配线路)', false, null],
      ]);
      const usable = present(ok(await gw.op(AiTaskOptionsDocument, { usableOnly: true })).aiTaskOptions);
      expect(usable.callerLines.map((l) => l.name)).toEqual(['南京-电信-01', '南京-移动-02', '上海-联通-03']);
      expect(usable.redialRules.every((r) => r.enabled)).toBe(true);
      expect(usable.handoverGroups.map((g) => g.name)).toEqual(['人工坐席一组']);
    });

    it('serves a re-rendering form from a cache of seconds, with one fetch for concurrent requests', async () => {
      // Single-flight and expiry are unit-tested with a fake clock (test/unit/aicall-options-cache.test.ts).
      gw.app.services.aiTaskOptions?.invalidate();
      gw.sim.stats.reset();
      const results = await Promise.all([1, 2, 3].map(() => gw.op(AiTaskOptionsDocument, {})));
      for (const result of results) expect(present(ok(result).aiTaskOptions).callerLines).toHaveLength(4);
      expect(gw.sim.stats.count(OPS.options)).toBe(1);
      ok(await gw.op(AiTaskOptionsDocument, {}));
      expect(gw.sim.stats.count(OPS.options)).toBe(1);
    });

    it('resolves a resource by node id', async () => {
      const line = byName(options.callerLines, '南京-移动-02');
      const result = await gw.gql(`query($id: ID!) { node(id: $id) { __typename ... on CallerLine { name totalConcurrency } } }`, { id: line.id });
      expect(ok(result).node).toEqual({ __typename: 'CallerLine', name: '南京-移动-02', totalConcurrency: 5 });
    });
  });

  describe('one task list for both kinds', () => {
    // Times around T0, one hour before the clock: ties between kinds and within the AI kind on purpose.
    const T0 = CLOCK - HOUR;
    let aiUuids: Record<string, string>;

    beforeAll(async () => {
      const store = gw.app.services.store.tasks;
      const predictive = [
        { id: '20240315130000000001', name: '合并-P1', at: T0, status: PredictiveTaskStatus.NotStarted },
        { id: '20240315130000000002', name: '合并-P2', at: T0 - 1_000, status: PredictiveTaskStatus.Running },
        { id: '20240315130000000003', name: '合并-P3', at: T0 + 5_000, status: PredictiveTaskStatus.Paused },
        { id: '20240315130000000004', name: '合并-P4', at: T0, status: PredictiveTaskStatus.Ended },
      ];
      for (const p of predictive) {
        await store.insert({
          id: p.id,
          name: p.name,
          assignment: { type: PredictiveAssignmentType.Queue, assignee: 'sales' },
          pacing: { agents: 1, calls: 1 },
          callerNumbers: [],
          status: p.status,
          createdAt: new Date(p.at),
        });
      }
      const state = gw.sim.aicall.state;
      aiUuids = {};
      for (const [name, at, running] of [
        ['合并-A1', T0, false],
        ['合并-A2', T0, true],
        ['合并-A3', T0, false],
        ['合并-A4', T0 - 1_000, true],
        ['合并-A5', T0 - 2 * HOUR, false],
      ] as const) {
        const task = state.createTask(simFields(name), at);
        if (running) state.setRunning(task.uuid, true);
        aiUuids[name] = task.uuid;
      }
    });

    /** Newest first; on a tie predictive first, then id descending within the kind. */
    const expectedOrder = () => {
      const ai = (names: string[]) => names.sort((a, b) => ((aiUuids[a] ?? '') < (aiUuids[b] ?? '') ? 1 : -1));
      return ['合并-P3', '合并-P4', '合并-P1', ...ai(['合并-A1', '合并-A2', '合并-A3']), '合并-P2', '合并-A4', '合并-A5'];
    };

    const page = async (first: number, after: string | null, filter: Record<string, unknown>) =>
      present(ok(await gw.op(AiTasksWithResourcesDocument, { first, after, filter })).tasks);

    it('returns predictive and AI tasks together, newest first, each exactly once across pages, one GET /v1/task per page', async () => {
      for (const size of [1, 2, 3, 4, 100]) {
        const names: string[] = [];
        let after: string | null = null;
        for (let i = 0; i < 20; i += 1) {
          gw.sim.stats.reset();
          const result = await page(size, after, { nameContains: '合并' });
          expect(gw.sim.stats.count(OPS.list)).toBe(1);
          expect(result.edges.length).toBeLessThanOrEqual(size);
          names.push(...result.edges.map((e) => e.node.name));
          if (!result.pageInfo.hasNextPage) break;
          after = result.pageInfo.endCursor ?? null;
        }
        expect(names).toEqual(expectedOrder());
      }
      const all = await page(100, null, { nameContains: '合并' });
      expect(all.edges.map((e) => e.node.kind)).toEqual(['PREDICTIVE', 'PREDICTIVE', 'PREDICTIVE', 'AI', 'AI', 'AI', 'PREDICTIVE', 'AI', 'AI']);
      const a2 = all.edges.find((e) => e.node.name === '合并-A2')?.node;
      expect(a2).toMatchObject({
        id: aiGlobalId(aiUuids['合并-A2'] ?? ''),
        status: 'RUNNING',
        createdAt: new Date(T0).toISOString(),
        progress: { total: 0, dialled: 0, percent: 0 },
      });
      // The demo task with 12 of 20 numbers dialled.
      const demo = (await page(100, null, { nameContains: '三月续保回访' })).edges[0]?.node;
      expect(demo).toMatchObject({ kind: 'AI', status: 'RUNNING', progress: { total: 20, dialled: 12, percent: 60 } });
    });

    it('filters by kind without asking the other side', async () => {
      gw.sim.stats.reset();
      const predictive = await page(100, null, { nameContains: '合并', kind: 'PREDICTIVE' });
      expect(predictive.edges.map((e) => e.node.name)).toEqual(['合并-P3', '合并-P4', '合并-P1', '合并-P2']);
      expect(gw.sim.stats.total()).toBe(0);

      const ai = await page(2, null, { nameContains: '合并', kind: 'AI' });
      const rest = await page(100, ai.pageInfo.endCursor ?? null, { nameContains: '合并', kind: 'AI' });
      expect([...ai.edges, ...rest.edges].map((e) => e.node.name)).toEqual(expectedOrder().filter((n) => n.includes('-A')));
      expect(gw.sim.stats.count(OPS.list)).toBe(2);
    });

    it('filters by status on both kinds, and skips the AI platform for statuses it does not have', async () => {
      const running = await page(100, null, { nameContains: '合并', status: ['RUNNING'] });
      expect(running.edges.map((e) => [e.node.name, e.node.status])).toEqual([
        ['合并-A2', 'RUNNING'],
        ['合并-P2', 'RUNNING'],
        ['合并-A4', 'RUNNING'],
      ]);
      const paused = await page(100, null, { nameContains: '合并', status: ['PAUSED', 'NOT_STARTED'] });
      expect(paused.edges.map((e) => e.node.name)).toEqual(['合并-P3', '合并-P1', ...expectedOrder().filter((n) => ['合并-A1', '合并-A3'].includes(n)), '合并-A5']);
      gw.sim.stats.reset();
      const ended = await page(100, null, { status: ['ENDED'] });
      expect(ended.edges.map((e) => e.node.name)).toEqual(['合并-P4']);
      expect(gw.sim.stats.count(OPS.list)).toBe(0);
    });

    it('filters AI tasks by name like predictive ones (case-insensitive, full-width folded)', async () => {
      const result = await page(100, null, { nameContains: '合并-a4' });
      expect(result.edges.map((e) => e.node.name)).toEqual(['合并-A4']);
    });

    it('resolves either kind by task(id) and node(id)', async () => {
      const id = aiGlobalId(aiUuids['合并-A1'] ?? '');
      const result = ok(await gw.op(TaskByIdDocument, { id }));
      expect(result.task).toEqual({ id, name: '合并-A1', kind: 'AI', status: 'PAUSED' });
      expect(result.node).toEqual({ id, name: '合并-A1', kind: 'AI' });
      const missing = ok(await gw.op(TaskByIdDocument, { id: aiGlobalId('no-such-task') }));
      expect(missing).toEqual({ task: null, node: null });
      const predictive = ok(await gw.op(TaskByIdDocument, { id: encodeGlobalID('PredictiveTask', '20240315130000000003') }));
      expect(predictive.task).toMatchObject({ name: '合并-P3', kind: 'PREDICTIVE', status: 'PAUSED' });
    });

    it('refuses a cursor it did not make', async () => {
      const result = await gw.op(AiTasksWithResourcesDocument, { first: 2, after: 'not-a-cursor' });
      expect(result.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    });
  });

  describe('a page of 50 AI tasks with their resources', () => {
    beforeAll(() => {
      const state = gw.sim.aicall.state;
      const lines = [...state.callerLines.values()];
      const windows = [...state.doNotCallWindows.values()];
      for (let i = 0; i < 50; i += 1) {
        state.createTask(
          simFields(`批量-${String(i).padStart(2, '0')}`, {
            callerLineId: lines[i % lines.length]?.id,
            doNotCallWindowId: windows[i % windows.length]?.uuid,
            scriptGroupId: 390 + (i % 3),
            redialRuleId: i % 2 === 0 ? 103 : 104,
            customerServiceId: i % 5 === 0 ? 21 : null,
          }),
          CLOCK - 3 * HOUR - i * 1_000,
        );
      }
    });

    it('costs one GET /v1/task and at most one GET /v1/task/create, whatever the page size', async () => {
      gw.app.services.aiTaskOptions?.invalidate();
      gw.sim.stats.reset();
      const result = ok(await gw.op(AiTasksWithResourcesDocument, { first: 50, filter: { kind: 'AI', nameContains: '批量' } }));
      const tasks = present(result.tasks);
      expect(tasks.edges).toHaveLength(50);
      const nodes = tasks.edges.map((e) => e.node);
      // Newest first, so task i is 批量-i, with the resources the set-up gave it (the seed's names).
      const seedLines = ['南京-电信-01', '南京-移动-02', '上海-联通-03', '杭州-电信-04'];
      const seedWindows = ['休息时间', '午休时间', '早会时间'];
      const seedScripts = ['保险续保回访', '信用卡分期营销', '满意度调查【复制】'];
      const resources = nodes.map((node) => {
        if (node.__typename !== 'AiTask') throw new Error('expected AI tasks');
        return [node.name, node.callerLine?.name, node.scriptGroup?.name, node.redialRule?.name, node.doNotCallWindow?.name];
      });
      expect(resources).toEqual(
        Array.from({ length: 50 }, (_, i) => [
          `批量-${String(i).padStart(2, '0')}`,
          seedLines[i % seedLines.length],
          seedScripts[i % 3],
          i % 2 === 0 ? '默认' : '未接通重呼两次',
          seedWindows[i % seedWindows.length],
        ]),
      );
      const first = nodes[0];
      expect(first).toMatchObject({ name: '批量-00', handoverGroup: { name: '人工坐席一组', usable: true, callerLine: { name: '南京-电信-01' } } });
      // The bound: one task list and one options list, for 50 tasks × 5 nested resources.
      expect(gw.sim.stats.count(OPS.list)).toBe(1);
      expect(gw.sim.stats.count(OPS.options)).toBe(1);
      expect(gw.sim.stats.total()).toBe(2);

      // Within the options' few seconds, the same page costs the list alone.
      gw.sim.stats.reset();
      ok(await gw.op(AiTasksWithResourcesDocument, { first: 50, filter: { kind: 'AI', nameContains: '批量' } }));
      expect(gw.sim.stats.total()).toBe(1);
    });
  });

  describe('createAiTask and updateAiTask', () => {
    it('refuses concurrency above the line\'s free concurrency per field, without calling POST /v1/task', async () => {
      const line = byName(options.callerLines, '南京-电信-01');
      // Running tasks of the other tests take part of its 10: ask for one more than is free now.
      const free = gw.sim.aicall.state.residue(line.lineId);
      gw.sim.stats.reset();
      const result = await createAi(validInput({ concurrency: free + 1 }));
      expect(result).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
      if (result.__typename !== 'InvalidInputError') throw new Error('unreachable');
      expect(result.issues).toEqual([{ path: ['input', 'concurrency'], message: `at most ${free}: the free concurrency of caller line "南京-电信-01"` }]);
      expect(gw.sim.stats.count(OPS.create)).toBe(0);
      expect(gw.sim.stats.count(OPS.options)).toBe(1);
    });

    it('reports every violation on its own field', async () => {
      gw.sim.stats.reset();
      const result = await createAi(
        validInput({
          callerLineId: byName(options.callerLines, '杭州-电信-04').id,
          scriptGroupId: encodeGlobalID('ScriptGroup', '999'),
          redialRuleId: byName(options.redialRules, '停用的规则').id,
          handoverGroupId: byName(options.handoverGroups, '夜班组(未配线路)').id,
          doNotCallWindowId: byName(options.callerLines, '南京-移动-02').id,
        }),
      );
      if (result.__typename !== 'InvalidInputError') throw new Error(`expected InvalidInputError, got ${result.__typename}`);
      expect(result.issues.map((i) => i.path.join('.'))).toEqual([
        'input.doNotCallWindowId',
        'input.callerLineId',
        'input.scriptGroupId',
        'input.redialRuleId',
        'input.handoverGroupId',
      ]);
      expect(result.issues.find((i) => i.path[1] === 'callerLineId')?.message).toContain('no free concurrency');
      expect(result.issues.find((i) => i.path[1] === 'handoverGroupId')?.message).toContain('no caller line');
      expect(result.issues.find((i) => i.path[1] === 'doNotCallWindowId')?.message).toContain('not a DoNotCallWindow id');
      expect(gw.sim.stats.count(OPS.create)).toBe(0);

      const disabled = await createAi(validInput({ handoverGroupId: byName(options.handoverGroups, '人工坐席二组(停用)').id }));
      if (disabled.__typename !== 'InvalidInputError') throw new Error('expected InvalidInputError');
      expect(disabled.issues).toEqual([{ path: ['input', 'handoverGroupId'], message: 'hand-over group "人工坐席二组(停用)" is disabled' }]);
    });

    it('maps a 422 from the platform to per-field issues with the gateway\'s field names', async () => {
      gw.sim.control.failNext(
        1,
        {
          httpStatus: 422,
          body: { message: 'The given data was invalid.', errors: { maximumcall: ['并发数不得超过所选线路的剩余并发(1)。'], recycle_limit: ['recycle_limit 只能为 0。'] } },
        },
        OPS.create,
      );
      const result = await createAi(validInput());
      if (result.__typename !== 'InvalidInputError') throw new Error(`expected InvalidInputError, got ${result.__typename}`);
      expect(result.issues).toEqual([
        { path: ['input', 'concurrency'], message: '并发数不得超过所选线路的剩余并发(1)。' },
        { path: ['input'], message: 'recycle_limit: recycle_limit 只能为 0。' },
      ]);
    });

    it('creates a paused task with the deprecated fields filled as the platform requires', async () => {
      gw.sim.stats.reset();
      const result = await createAi(validInput({ name: '新建-AI', concurrency: 1, pauseSeconds: null }));
      if (result.__typename !== 'AiTaskPayload') throw new Error(`expected AiTaskPayload, got ${JSON.stringify(result)}`);
      expect(result.task).toMatchObject({
        name: '新建-AI',
        status: 'PAUSED',
        concurrency: 1,
        pauseSeconds: 10,
        dialTimeoutSeconds: 60,
        callerLine: { name: '南京-电信-01' },
        scriptGroup: { name: '保险续保回访' },
        handoverGroup: { name: '人工坐席一组' },
      });
      const stored = gw.sim.aicall.state.getTask(result.task.taskId);
      expect(stored).toMatchObject({ recycleLimit: 0, randomAssignmentNumber: 0, maximumcall: 1, customerServiceId: 21, remark: '集成测试' });
      expect(gw.sim.stats.count(OPS.create)).toBe(1);
      // One fresh options read to check the input, one write; the nested resources reuse the options.
      expect(gw.sim.stats.total()).toBe(2);
    });

    it('updates only the fields given, clears the hand-over group with null, and counts a running task\'s own concurrency as free', async () => {
      const created = await createAi(validInput({ name: '待修改', concurrency: 3 }));
      if (created.__typename !== 'AiTaskPayload') throw new Error('create failed');
      const id = created.task.id;
      const uuid = created.task.taskId;
      expect(ok(await gw.op(StartTaskDocument, { id }, 'operator')).startTask).toMatchObject({ task: { status: 'RUNNING' } });
      const free = gw.sim.aicall.state.residue(gw.sim.aicall.state.getTask(uuid)?.callerLineId ?? '');

      // The line's free concurrency plus the task's own 3 is the most it may take.
      const tooMuch = ok(await gw.op(UpdateAiTaskDocument, { input: { id, concurrency: free + 4 } }, 'operator')).updateAiTask;
      expect(tooMuch).toMatchObject({ __typename: 'InvalidInputError', issues: [{ path: ['input', 'concurrency'] }] });
      const updated = ok(await gw.op(UpdateAiTaskDocument, { input: { id, concurrency: free + 3, handoverGroupId: null, remark: '改过' } }, 'operator')).updateAiTask;
      expect(updated).toMatchObject({ __typename: 'AiTaskPayload', task: { name: '待修改', remark: '改过', concurrency: free + 3, handoverGroup: null, status: 'RUNNING' } });
      expect(gw.sim.aicall.state.getTask(uuid)).toMatchObject({ name: '待修改', maximumcall: free + 3, customerServiceId: null, scriptGroupId: 390 });

      const predictive = ok(await gw.op(UpdateAiTaskDocument, { input: { id: encodeGlobalID('PredictiveTask', '20240315130000000001'), name: 'x' } }, 'operator'));
      expect(predictive.updateAiTask).toMatchObject({ __typename: 'UnsupportedForTaskKindError', operation: 'updateAiTask', kind: 'PREDICTIVE' });
      const unknown = ok(await gw.op(UpdateAiTaskDocument, { input: { id: aiGlobalId('nope'), name: 'x' } }, 'operator'));
      expect(unknown.updateAiTask).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
      await gw.op(PauseTaskDocument, { id }, 'operator');
    });

    it('forbids a viewer to create AI tasks, before anything is sent', async () => {
      gw.sim.stats.reset();
      const result = await gw.op(CreateAiTaskDocument, { input: validInput() }, 'viewer');
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(gw.sim.stats.total()).toBe(0);
    });
  });

  describe('the shared task commands', () => {
    it('starts and pauses tasks of both kinds', async () => {
      // AI: a new paused task on 南京-移动-02.
      const created = await createAi(validInput({ name: '启停-AI', callerLineId: byName(options.callerLines, '南京-移动-02').id, concurrency: 2 }));
      if (created.__typename !== 'AiTaskPayload') throw new Error('create failed');
      const aiId = created.task.id;
      const uuid = created.task.taskId;
      gw.sim.stats.reset();
      expect(ok(await gw.op(StartTaskDocument, { id: aiId }, 'operator')).startTask).toEqual({
        __typename: 'TaskPayload',
        task: { id: aiId, kind: 'AI', status: 'RUNNING' },
      });
      expect(gw.sim.stats.count(OPS.start)).toBe(1);
      expect(gw.sim.aicall.state.getTask(uuid)?.running).toBe(true);
      // The start took 2 of the line's 5: the options cache was dropped, so the form sees it at once.
      const after = present(ok(await gw.op(AiTaskOptionsDocument, {})).aiTaskOptions);
      expect(byName(after.callerLines, '南京-移动-02').freeConcurrency).toBe(3);
      expect(ok(await gw.op(PauseTaskDocument, { id: aiId }, 'operator')).pauseTask).toEqual({
        __typename: 'TaskPayload',
        task: { id: aiId, kind: 'AI', status: 'PAUSED' },
      });
      expect(gw.sim.aicall.state.getTask(uuid)?.running).toBe(false);

      // Predictive.
      const queue = [...gw.sim.sip.queues.keys()][0] ?? 'sales';
      const predictive = ok(
        await gw.op(CreatePredictiveTaskDocument, { input: { name: '启停-P', assignment: { type: 'QUEUE', assignee: queue }, numbers: [{ phone: '13900000001' }] } }, 'operator'),
      ).createPredictiveTask;
      if (predictive.__typename !== 'CreatePredictiveTaskPayload' || !predictive.task) throw new Error('create failed');
      const pId = predictive.task.id;
      const taskId = (predictive.task as { taskId?: string }).taskId ?? '';
      expect(ok(await gw.op(StartTaskDocument, { id: pId }, 'operator')).startTask).toMatchObject({ task: { kind: 'PREDICTIVE', status: 'RUNNING' } });
      expect(gw.sim.sip.tasks.get(taskId)?.status).toBe(SipTaskStatus.Running);
      expect(ok(await gw.op(PauseTaskDocument, { id: pId }, 'operator')).pauseTask).toMatchObject({ task: { kind: 'PREDICTIVE', status: 'PAUSED' } });
      expect(gw.sim.sip.tasks.get(taskId)?.status).toBe(SipTaskStatus.Paused);
    });

    it('says why the platform refuses to start an AI task whose line is full', async () => {
      const state = gw.sim.aicall.state;
      const hangzhou = [...state.callerLines.values()].find((l) => l.name === '杭州-电信-04');
      const task = state.createTask(simFields('满线', { callerLineId: hangzhou?.id }));
      const result = ok(await gw.op(StartTaskDocument, { id: aiGlobalId(task.uuid) }, 'operator')).startTask;
      expect(result).toMatchObject({ __typename: 'UpstreamRejectedError', code: 'UPSTREAM_REJECTED', upstreamCode: '422' });
      if (result.__typename !== 'UpstreamRejectedError') throw new Error('unreachable');
      expect(result.upstreamMessage).toContain('线路剩余并发不足');
      expect(state.getTask(task.uuid)?.running).toBe(false);
    });

    it('adds numbers to an AI task: they arrive at the platform, and every refused entry comes back with its index', async () => {
      const state = gw.sim.aicall.state;
      const task = state.createTask(simFields('加号码'));
      state.importCustomers(task.uuid, [{ phone: '13800000002', fields: {} }]);
      gw.sim.stats.reset();
      const result = ok(
        await gw.op(
          AddTaskNumbersDocument,
          {
            input: {
              taskId: aiGlobalId(task.uuid),
              numbers: [
                { phone: '138 0000 0001', fields: [{ name: 'name', value: '张三' }], customerId: 'C-1' },
                { phone: '1380000' },
                { phone: '+86 13800000001' },
                { phone: '13800000002' },
                { phone: '010-88888888' },
              ],
            },
          },
          'operator',
        ),
      ).addTaskNumbers;
      if (result.__typename !== 'AddTaskNumbersPayload') throw new Error(`expected a payload, got ${JSON.stringify(result)}`);
      expect(result).toMatchObject({ outcome: 'COMPLETE', acceptedCount: 2, rejectedCount: 3, upstreamCalls: 1 });
      expect(result.rejected.map((r) => [r.index, r.reason, r.duplicateOf ?? null])).toEqual([
        [1, 'TOO_SHORT', null],
        [2, 'DUPLICATE_IN_REQUEST', 0],
        [3, 'REFUSED_BY_PLATFORM', null],
      ]);
      expect(result.rejected[2]?.message).toContain('号码重复');
      expect(result.task).toMatchObject({ kind: 'AI', progress: { total: 3, dialled: 0 } });
      expect(gw.sim.stats.count(OPS.import)).toBe(1);
      const customers = state.getTask(task.uuid)?.customers ?? [];
      expect(customers.map((c) => c.phone)).toEqual(['13800000002', '13800000001', '01088888888']);
      expect(customers[1]?.fields).toEqual({ name: '张三', customerId: 'C-1' });
    });

    it('refuses a dial time for AI tasks and custom fields for predictive tasks, per entry', async () => {
      const task = gw.sim.aicall.state.createTask(simFields('无拨打时间'));
      gw.sim.stats.reset();
      const ai = ok(
        await gw.op(AddTaskNumbersDocument, { input: { taskId: aiGlobalId(task.uuid), numbers: [{ phone: '13800000001' }, { phone: '13800000003', dialAfter: '2030-01-01T00:00:00Z' }] } }, 'operator'),
      ).addTaskNumbers;
      expect(ai).toMatchObject({ __typename: 'InvalidInputError', issues: [{ path: ['input', 'numbers', '1', 'dialAfter'] }] });
      expect(gw.sim.stats.total()).toBe(0);
      const predictive = ok(
        await gw.op(
          AddTaskNumbersDocument,
          { input: { taskId: encodeGlobalID('PredictiveTask', '20240315130000000001'), numbers: [{ phone: '13800000001', fields: [{ name: 'name', value: '李四' }] }] } },
          'operator',
        ),
      ).addTaskNumbers;
      expect(predictive).toMatchObject({ __typename: 'InvalidInputError', issues: [{ path: ['input', 'numbers', '0', 'fields'] }] });
    });

    it('answers an unknown AI task with NotFoundError when adding numbers', async () => {
      const result = ok(await gw.op(AddTaskNumbersDocument, { input: { taskId: aiGlobalId('missing'), numbers: [{ phone: '13800000001' }] } }, 'operator')).addTaskNumbers;
      expect(result).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    });

    it('answers endTask on an AI task and deleteTask on a predictive one with UnsupportedForTaskKindError, sending nothing', async () => {
      const task = gw.sim.aicall.state.createTask(simFields('不能结束'));
      gw.sim.stats.reset();
      const ended = ok(await gw.op(EndTaskDocument, { id: aiGlobalId(task.uuid) }, 'operator')).endTask;
      expect(ended).toMatchObject({ __typename: 'UnsupportedForTaskKindError', code: 'UNSUPPORTED_FOR_TASK_KIND', operation: 'endTask', kind: 'AI' });
      const predictiveId = encodeGlobalID('PredictiveTask', '20240315130000000001');
      const deleted = ok(await gw.op(DeleteTaskDocument, { id: predictiveId }, 'operator')).deleteTask;
      expect(deleted).toMatchObject({ __typename: 'UnsupportedForTaskKindError', operation: 'deleteTask', kind: 'PREDICTIVE' });
      const removed = await gw.gql(
        `mutation($input: RemoveTaskNumbersInput!) { removeTaskNumbers(input: $input) { __typename ... on UnsupportedForTaskKindError { kind } } }`,
        { input: { taskId: aiGlobalId(task.uuid), phones: ['13800000001'] } },
        'operator',
      );
      expect(ok(removed).removeTaskNumbers).toEqual({ __typename: 'UnsupportedForTaskKindError', kind: 'AI' });
      expect(gw.sim.stats.total()).toBe(0);
      // Still there and untouched: the same task, never started.
      expect(gw.sim.aicall.state.getTask(task.uuid)).toMatchObject({ uuid: task.uuid, name: '不能结束', running: false });
    });

    it('deletes an AI task', async () => {
      const task = gw.sim.aicall.state.createTask(simFields('要删除'));
      const id = aiGlobalId(task.uuid);
      expect(ok(await gw.op(DeleteTaskDocument, { id }, 'operator')).deleteTask).toEqual({ __typename: 'DeleteTaskPayload', deletedTaskId: id });
      expect(gw.sim.aicall.state.getTask(task.uuid)).toBeUndefined();
      expect(ok(await gw.op(DeleteTaskDocument, { id }, 'operator')).deleteTask).toMatchObject({ __typename: 'NotFoundError' });
      expect(ok(await gw.op(TaskByIdDocument, { id })).task).toBeNull();
    });

    it('keeps predictive commands free of AI-call calls', async () => {
      gw.sim.stats.reset();
      await gw.op(EndTaskDocument, { id: encodeGlobalID('PredictiveTask', 'unknown') }, 'operator');
      expect(gw.sim.stats.count(SipService.TaskSet)).toBe(0);
      expect(Object.keys(gw.sim.stats.snapshot()).filter((op) => op.includes('/v1/'))).toEqual([]);
    });
  });

  describe('a gateway without the AI-call platform', () => {
    it('lists predictive tasks only, and answers AI-only reads with UPSTREAM_NOT_CONFIGURED', async () => {
      const sipOnly = await startGateway(disposer, { env: { AICALL_API_URL: '' } });
      await sipOnly.app.services.store.tasks.insert({
        id: '20240315130000000099',
        name: '只有预测',
        assignment: { type: PredictiveAssignmentType.Queue, assignee: 'sales' },
        pacing: { agents: 1, calls: 1 },
        callerNumbers: [],
      });
      sipOnly.sim.stats.reset();
      const all = await sipOnly.op(AiTasksWithResourcesDocument, { first: 10 });
      expect(present(ok(all).tasks).edges.map((e) => [e.node.name, e.node.kind])).toEqual([['只有预测', 'PREDICTIVE']]);
      const ai = await sipOnly.op(AiTasksWithResourcesDocument, { first: 10, filter: { kind: 'AI' } });
      expect(ai.errors?.[0]?.extensions?.code).toBe('UPSTREAM_NOT_CONFIGURED');
      const options = await sipOnly.op(AiTaskOptionsDocument, {});
      expect(options.errors?.[0]?.extensions?.code).toBe('UPSTREAM_NOT_CONFIGURED');
      const byId = await sipOnly.op(TaskByIdDocument, { id: aiGlobalId('x') });
      expect(byId.data).toEqual({ task: null, node: null });
      expect(byId.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_NOT_CONFIGURED', 'UPSTREAM_NOT_CONFIGURED']);
      expect(sipOnly.sim.stats.total()).toBe(0);
    });
  });
});
