import type { Rng } from '../rng.ts';
import type { SimContext } from '../types.ts';
import type { AiCallSimState, SimAiTaskFields } from './state.ts';

/**
 * Demo data for the simulated AI-call platform, the same for the same seed: four caller lines (one fully taken by a
 * running task), the seed's three do-not-call windows, three redial rules (one disabled), three hand-over groups (one
 * usable, one disabled, one without a caller line — the cases the seed warns about), three script groups (two in TTS
 * debug mode), and three tasks with imported customers and progress.
 */

const DAY = 86_400_000;
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '艳', '杰', '娟', '涛'];

/** A mobile number drawn from the rng. */
export function demoPhone(rng: Rng): string {
  const prefix = rng.pick(['138', '139', '150', '158', '177', '186', '189']);
  return prefix + String(rng.int(0, 99_999_999)).padStart(8, '0');
}

function demoName(rng: Rng): string {
  return rng.pick(SURNAMES) + rng.pick(GIVEN) + (rng.chance(0.5) ? rng.pick(GIVEN) : '');
}

function nth<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`seed list has no item ${index}`);
  return item;
}

/** Whole seconds: the platform's times have no milliseconds. */
const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;

export function seedAiCallState(state: AiCallSimState, ctx: SimContext): void {
  const { rng } = ctx;
  const now = seconds(ctx.now());
  const ago = (days: number) => now - days * DAY - rng.int(0, 86_399) * 1000;
  const userId = state.userId;

  const lines = [
    { name: '南京-电信-01', total: 10, area: '025' },
    { name: '南京-移动-02', total: 5, area: '025' },
    { name: '上海-联通-03', total: 2, area: '021' },
    { name: '杭州-电信-04', total: 1, area: '0571' },
  ].map(({ name, total, area }) => {
    const beginAt = ago(rng.int(60, 300));
    const line = {
      id: rng.uuid(),
      name,
      userId,
      callerNumber: area + String(rng.int(0, 99_999_999)).padStart(8, '0'),
      totalConcurrency: total,
      beginAt,
      deadlineAt: beginAt + 365 * DAY,
      nodeIp: `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
      createdAt: beginAt,
      updatedAt: ago(rng.int(1, 30)),
    };
    state.callerLines.set(line.id, line);
    return line;
  });

  const windows = ['休息时间', '午休时间', '早会时间'].map((name) => {
    const window = { uuid: rng.uuid(), name, userId };
    state.doNotCallWindows.set(window.uuid, window);
    return window;
  });

  const rules = [
    { id: 103, name: '默认', remark: '默认', enabled: true, isDefault: true },
    { id: 104, name: '未接通重呼两次', remark: '未接通、忙线 30 分钟后重呼,最多两次', enabled: true, isDefault: false },
    { id: 105, name: '停用的规则', remark: '已停用', enabled: false, isDefault: false },
  ].map((rule) => {
    const createdAt = ago(rng.int(30, 200));
    const full = { ...rule, userId, createdAt, updatedAt: createdAt };
    state.redialRules.set(full.id, full);
    return full;
  });

  const [line1, line2, , line4] = [nth(lines, 0), nth(lines, 1), nth(lines, 2), nth(lines, 3)];

  const groups = [
    { id: 21, name: '人工坐席一组', callerLineId: line1.id as string | null, status: 1 as const },
    { id: 22, name: '人工坐席二组(停用)', callerLineId: line2.id as string | null, status: 0 as const },
    { id: 23, name: '夜班组(未配线路)', callerLineId: null, status: 1 as const },
  ];
  for (const group of groups) {
    const createdAt = ago(rng.int(30, 200));
    state.customerServiceGroups.set(group.id, { ...group, userId, createdAt, updatedAt: ago(rng.int(1, 29)) });
  }

  const scripts = [
    { id: 390, name: '保险续保回访', debug: true, isDefault: false },
    { id: 391, name: '信用卡分期营销', debug: false, isDefault: true },
    { id: 392, name: '满意度调查【复制】', debug: true, isDefault: false },
  ].map((group) => {
    const createdAt = ago(rng.int(30, 200));
    const full = {
      ...group,
      userId,
      linkWordGroupId: group.id === 391 ? 12 : null,
      tagSceneId: group.id === 391 ? 3 : null,
      createdAt,
      updatedAt: createdAt,
      deletedAt: null,
    };
    state.scriptGroups.set(full.id, full);
    return full;
  });

  const [window1, window2] = [nth(windows, 0), nth(windows, 1)];
  const [rule1, rule2] = [nth(rules, 0), nth(rules, 1)];
  const [script1, script2, script3] = [nth(scripts, 0), nth(scripts, 1), nth(scripts, 2)];

  const tasks: { fields: SimAiTaskFields; running: boolean; customers: number; dialled: number }[] = [
    {
      fields: {
        name: '三月续保回访',
        remark: '到期前 30 天的保单',
        callerLineId: line1.id,
        scriptGroupId: script1.id,
        doNotCallWindowId: window2.uuid,
        maximumcall: 3,
        customerServiceId: 21,
        redialRuleId: rule1.id,
        callPauseSecond: 0,
        originateTimeout: 60,
        recycleLimit: 0,
        randomAssignmentNumber: 0,
      },
      running: true,
      customers: 20,
      dialled: 12,
    },
    {
      fields: {
        name: '信用卡分期意向筛选',
        remark: null,
        callerLineId: line2.id,
        scriptGroupId: script2.id,
        doNotCallWindowId: window1.uuid,
        maximumcall: 2,
        customerServiceId: null,
        redialRuleId: rule2.id,
        callPauseSecond: 0,
        originateTimeout: 45,
        recycleLimit: 0,
        randomAssignmentNumber: 0,
      },
      running: false,
      customers: 8,
      dialled: 8,
    },
    {
      fields: {
        name: '杭州门店满意度调查',
        remark: '上周到店客户',
        callerLineId: line4.id,
        scriptGroupId: script3.id,
        doNotCallWindowId: window2.uuid,
        maximumcall: 1,
        customerServiceId: null,
        redialRuleId: rule1.id,
        callPauseSecond: 10,
        originateTimeout: 60,
        recycleLimit: 0,
        randomAssignmentNumber: 0,
      },
      running: true,
      customers: 5,
      dialled: 1,
    },
  ];

  for (const spec of tasks) {
    const createdAt = ago(rng.int(2, 20));
    const task = state.createTask(spec.fields, createdAt);
    task.alteredAt = createdAt + rng.int(60, 86_400) * 1000;
    task.running = spec.running;
    const imported = state.importCustomers(
      task.uuid,
      Array.from({ length: spec.customers }, () => ({ phone: demoPhone(rng), fields: { name: demoName(rng) } })),
    );
    for (const customer of imported) customer.importedAt = createdAt;
    for (let i = 0; i < spec.dialled; i++) {
      const customer = imported[i];
      if (customer) customer.dialledAt = createdAt + (i + 1) * 60_000;
    }
    task.dialled = spec.dialled;
  }
}
