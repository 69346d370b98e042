import { describe, expect, it } from 'vitest';
import { aiTaskStatus, checkAiTaskInput, freeConcurrencyFor, issuesFromFieldErrors, toInputIssues } from '../../src/domain/ai-task.ts';
import type { AiTask, AiTaskInput, AiTaskOptions } from '../../src/upstream/aicall/types.ts';

const OPTIONS: AiTaskOptions = {
  callerLines: [
    { id: 'line-a', name: 'A', callerNumber: '02500000001', totalConcurrency: 10, freeConcurrency: 4, availableFrom: null },
    { id: 'line-full', name: 'Full', callerNumber: null, totalConcurrency: 1, freeConcurrency: 0, availableFrom: null },
  ],
  doNotCallWindows: [{ id: 'w', name: '午休时间' }],
  redialRules: [
    { id: 1, name: '默认', remark: null, enabled: true },
    { id: 2, name: '停用', remark: null, enabled: false },
  ],
  handoverGroups: [
    { id: 21, userId: null, name: '一组', callerLineId: 'line-a', enabled: true, createdAt: null, updatedAt: null },
    { id: 22, userId: null, name: '停用组', callerLineId: 'line-a', enabled: false, createdAt: null, updatedAt: null },
    { id: 23, userId: null, name: '无线路', callerLineId: null, enabled: true, createdAt: null, updatedAt: null },
  ],
  scriptGroups: [
    { id: 390, name: 'S', ttsDebug: true, default: false, linkWordGroupId: null, tagSceneId: null, createdAt: null, updatedAt: null, deletedAt: null },
  ],
};

const INPUT: AiTaskInput = {
  name: 't',
  callerLineId: 'line-a',
  scriptGroupId: 390,
  doNotCallWindowId: 'w',
  concurrency: 4,
  handoverGroupId: 21,
  redialRuleId: 1,
  pauseSeconds: 0,
  dialTimeoutSeconds: 60,
};

describe('checking an AI task input against the live options', () => {
  it('accepts a valid input, up to the free concurrency', () => {
    expect(checkAiTaskInput(INPUT, OPTIONS)).toEqual([]);
    expect(checkAiTaskInput({ ...INPUT, handoverGroupId: null }, OPTIONS)).toEqual([]);
  });

  it('reports each rule on its field', () => {
    expect(checkAiTaskInput({ ...INPUT, concurrency: 5 }, OPTIONS)).toEqual([{ field: 'concurrency', message: 'at most 4: the free concurrency of caller line "A"' }]);
    expect(checkAiTaskInput({ ...INPUT, callerLineId: 'line-full', concurrency: 1 }, OPTIONS).map((i) => i.field)).toEqual(['callerLineId']);
    expect(checkAiTaskInput({ ...INPUT, callerLineId: 'nope' }, OPTIONS).map((i) => i.field)).toEqual(['callerLineId']);
    const all = checkAiTaskInput({ ...INPUT, scriptGroupId: 1, doNotCallWindowId: 'x', redialRuleId: 2, handoverGroupId: 23 }, OPTIONS);
    expect(all.map((i) => i.field)).toEqual(['scriptGroupId', 'doNotCallWindowId', 'redialRuleId', 'handoverGroupId']);
    expect(checkAiTaskInput({ ...INPUT, handoverGroupId: 22 }, OPTIONS)[0]?.message).toBe('hand-over group "停用组" is disabled');
    expect(checkAiTaskInput({ ...INPUT, handoverGroupId: 99 }, OPTIONS)[0]?.field).toBe('handoverGroupId');
  });

  it('counts a running task\'s own concurrency as free on its own line only', () => {
    const line = OPTIONS.callerLines[0]!;
    const running = { running: true, callerLineId: 'line-a', concurrency: 3 } as AiTask;
    expect(freeConcurrencyFor(line, running)).toBe(7);
    expect(freeConcurrencyFor(line, { ...running, running: false })).toBe(4);
    expect(freeConcurrencyFor(line, { ...running, callerLineId: 'other' })).toBe(4);
    expect(checkAiTaskInput({ ...INPUT, concurrency: 7 }, OPTIONS, running)).toEqual([]);
    const onFull = { running: true, callerLineId: 'line-full', concurrency: 1 } as AiTask;
    expect(checkAiTaskInput({ ...INPUT, callerLineId: 'line-full', concurrency: 1 }, OPTIONS, onFull)).toEqual([]);
  });

  it("maps a 422's platform field names to the input's", () => {
    const issues = issuesFromFieldErrors({ maximumcall: ['too many'], customer_service_id: ['bad'], random_assignment_number: ['0 only'], mystery: ['?'] });
    expect(toInputIssues(issues)).toEqual([
      { path: ['input', 'concurrency'], message: 'too many' },
      { path: ['input', 'handoverGroupId'], message: 'bad' },
      { path: ['input'], message: 'random_assignment_number: 0 only' },
      { path: ['input'], message: 'mystery: ?' },
    ]);
  });

  it('maps the platform\'s two states onto TaskStatus', () => {
    expect(aiTaskStatus({ running: true })).toBe('RUNNING');
    expect(aiTaskStatus({ running: false })).toBe('PAUSED');
  });
});
