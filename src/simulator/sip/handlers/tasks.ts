import { AssignType, MAX_NUMBERS_PER_CALL, SipCode, SipService, TaskCommand } from '../../../upstream/sip/codes.ts';
import { SipBusinessFailure, illegal } from '../envelope.ts';
import { type NewTaskNumber, type PredictiveTask, TaskStatus } from '../model.ts';
import { type Params, enumValues } from '../params.ts';
import type { SipState } from '../state.ts';
import type { ServiceDefinition } from './types.ts';

const ASSIGN_TYPES = enumValues<AssignType>(AssignType);
const COMMANDS = enumValues<TaskCommand>(TaskCommand);
const PHONE = /^\d{5,20}$/;
const CUSTOM_FIELDS = ['userid', 'memberid', 'chengshudu', 'customuuid'] as const;

interface ParsedNumbers {
  valid: NewTaskNumber[];
  /** Entries echoed back as the caller sent them. */
  invalid: unknown[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const scalarText = (value: unknown): string | null =>
  typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;

/**
 * `telphone`: a JSON array of `{phone, time, userid, memberid, chengshudu, customuuid}`. Not JSON or not an array →
 * ret 400; more than MAX_NUMBERS_PER_CALL entries → a business failure and nothing is kept; an entry whose phone is
 * not 5–20 digits (or whose time is not a unix timestamp) goes to `invaliddata`.
 */
function parseTelphone(params: Params, nowMs: number): ParsedNumbers {
  let parsed: unknown;
  try {
    parsed = JSON.parse(params.required('telphone'));
  } catch {
    throw illegal('telphone must be a JSON array');
  }
  if (!Array.isArray(parsed)) throw illegal('telphone must be a JSON array');
  if (parsed.length > MAX_NUMBERS_PER_CALL) {
    throw new SipBusinessFailure(
      SipCode.AbnormalOperation,
      `too many numbers: at most ${MAX_NUMBERS_PER_CALL} per call, got ${parsed.length}`,
    );
  }
  const nowSeconds = Math.floor(nowMs / 1000);
  const result: ParsedNumbers = { valid: [], invalid: [] };
  for (const entry of parsed) {
    const phone = isRecord(entry) ? scalarText(entry.phone) : null;
    const rawTime = isRecord(entry) ? entry.time : undefined;
    const timeAbsent = rawTime === undefined || rawTime === null || rawTime === '';
    const timeText = timeAbsent ? String(nowSeconds) : scalarText(rawTime);
    if (!isRecord(entry) || phone === null || !PHONE.test(phone) || timeText === null || !/^\d+$/.test(timeText)) {
      result.invalid.push(entry);
      continue;
    }
    const custom = Object.fromEntries(CUSTOM_FIELDS.map((field) => [field, scalarText(entry[field]) ?? '']));
    result.valid.push({
      phone,
      time: Number(timeText),
      userid: custom.userid ?? '',
      memberid: custom.memberid ?? '',
      chengshudu: custom.chengshudu ?? '',
      customuuid: custom.customuuid ?? '',
    });
  }
  return result;
}

function parseScale(params: Params): { agents: number; calls: number } {
  const match = /^(\d+)\s*:\s*(\d+)$/.exec(params.required('taskscale'));
  const agents = Number(match?.[1]);
  const calls = Number(match?.[2]);
  if (!match || agents < 1 || calls < 1) throw illegal('taskscale must read agents:calls, e.g. 1:3');
  return { agents, calls };
}

function checkAssignee(state: SipState, type: AssignType, agent: string): void {
  if (type === AssignType.Extension) {
    const extension = state.extensions.get(agent);
    if (!extension) throw new SipBusinessFailure(SipCode.ExtensionNotFound);
    if (!extension.enabled) throw new SipBusinessFailure(SipCode.ExtensionDisabled);
  } else if (type === AssignType.Queue) {
    if (!state.queues.has(agent)) throw new SipBusinessFailure(SipCode.IllegalQueue);
  } else if (!state.extGroups.has(agent)) {
    throw new SipBusinessFailure(SipCode.AbnormalOperation, 'extension group does not exist');
  }
}

function checkCallerNumbers(state: SipState, numbers: readonly string[]): void {
  for (const number of numbers) {
    const callerNumber = state.callerNumbers.get(number);
    if (!callerNumber) throw new SipBusinessFailure(SipCode.CallerNumberNotFound);
    if (!callerNumber.enabled) throw new SipBusinessFailure(SipCode.CallerNumberDisabled);
  }
}

/** An existing task that can still change: 1024 when unknown, 1028 when over. */
function openTask(state: SipState, id: string): PredictiveTask {
  const task = state.tasks.get(id);
  if (!task) throw new SipBusinessFailure(SipCode.TaskNotFound);
  if (task.status === TaskStatus.Over) throw new SipBusinessFailure(SipCode.TaskOver);
  return task;
}

export const taskServices = {
  [SipService.TaskCreate]: {
    ok: 'created successfully',
    fail: 'create fail',
    handle(params, { ctx, state }) {
      const assignType = params.choice('assigntype', ASSIGN_TYPES);
      const assignAgent = params.required('assignagent');
      const scale = parseScale(params);
      const callerNumbers = params.list('disnumber');
      const name = params.text('taskname');
      const numbers = parseTelphone(params, ctx.now());
      checkAssignee(state, assignType, assignAgent);
      checkCallerNumbers(state, callerNumbers);
      const task = state.createTask({ name, assignType, assignAgent, scale, callerNumbers, numbers: numbers.valid });
      return { result: { taskid: task.id, invaliddata: numbers.invalid } };
    },
  },
  [SipService.TaskAdd]: {
    ok: 'Additional success',
    fail: 'Additional fail',
    handle(params, { ctx, state }) {
      const id = params.required('taskid');
      const numbers = parseTelphone(params, ctx.now());
      const task = openTask(state, id);
      const success = state.addTaskNumbers(task.id, numbers.valid);
      return { result: { success, invaliddata: numbers.invalid } };
    },
  },
  [SipService.TaskDelPhone]: {
    ok: '删除成功',
    fail: '删除失败',
    handle(params, { state }) {
      const id = params.required('taskid');
      const phones = params.list('telphone');
      if (phones.length === 0) throw illegal('telphone is required');
      const task = openTask(state, id);
      state.removeTaskNumbers(task.id, phones);
      return {};
    },
  },
  [SipService.TaskSet]: {
    ok: 'successfully set',
    fail: 'set fail',
    handle(params, { state }) {
      const id = params.required('taskid');
      const command = params.choice('taskstatus', COMMANDS);
      const task = openTask(state, id);
      if (command === TaskCommand.Pause && task.status === TaskStatus.NotStarted) {
        throw new SipBusinessFailure(SipCode.TaskNotStarted);
      }
      const next =
        command === TaskCommand.Start
          ? TaskStatus.Running
          : command === TaskCommand.Pause
            ? TaskStatus.Paused
            : TaskStatus.Over;
      state.setTaskStatus(task.id, next);
      return {};
    },
  },
} satisfies Partial<Record<SipService, ServiceDefinition>>;
