import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { toHttpError } from '../../src/upstream/aicall/client.ts';
import { parseImportResult, toImportBody } from '../../src/upstream/aicall/import-body.ts';
import { parseCallNotification } from '../../src/upstream/aicall/notification.ts';
import { toTask, toTaskBody, toTaskOptions } from '../../src/upstream/aicall/mapping.ts';
import {
  unwrapEntity,
  unwrapList,
  unwrapTaskOptions,
  wireTask,
  wireTaskOptions,
} from '../../src/upstream/aicall/schemas.ts';
import type { AiTaskInput } from '../../src/upstream/aicall/types.ts';
import { createZonedTime } from '../../src/upstream/time.ts';

const time = createZonedTime('Asia/Shanghai');
const parseTask = (body: unknown) => toTask(wireTask.parse(unwrapEntity(body, 'uuid')), time);

const INPUT: AiTaskInput = {
  name: '测试任务',
  remark: '第一个任务',
  callerLineId: '37d73edf-4628-4cf1-8beb-758433fd0aab',
  scriptGroupId: 297,
  doNotCallWindowId: '146979fe-3864-4817-ad76-13b37f43bb1c',
  concurrency: 1,
  handoverGroupId: 21,
  redialRuleId: 103,
  pauseSeconds: 10,
  dialTimeoutSeconds: 60,
};

/** The list entry of seed 004, as the platform writes it. */
const SEED_LIST_TASK = {
  uuid: 'dfc36b34-b398-4f6b-b263-cd64c53e5185',
  name: '测试任务',
  create_datetime: '2019-05-07 15:15:40',
  alter_datetime: '2019-05-17 10:58:58',
  start: 0,
  maximumcall: 1,
  call_per_second: 10,
  recycle_limit: 1,
  random_assignment_number: 0,
  disable_dial_timegroup: '146979fe-3864-4817-ad76-13b37f43bb1c',
  destination_extension: 447,
  destination_dialplan: 'XML',
  destination_context: 'default',
  scheduling_policy_ratio: null,
  scheduling_queue: null,
  dial_format: 'user/admin',
  domain: null,
  remark: null,
  sort: 1,
  originate_variables: '{execute_on_media=start_da2}',
  _originate_timeout: 60,
  _origination_caller_id_number: '13530525008',
  user_id: '4d99d91c-f5d9-49da-88da-758977cc58a9',
  caller_line_id: '37d73edf-4628-4cf1-8beb-758433fd0aab',
  customer_service_id: null,
  auto_recycle_rule_id: 103,
  call_notify_url: 'http://127.0.0.1:81/api/hangup_notify',
  call_notify_type: 2,
  call_pause_second: 10,
  start_str: '暂停',
  group_str: 'test',
  progress_bar: { total: 2, progress: 2, percent: 100 },
  caller_line: {
    id: 'af69c544-a170-4a2d-b740-20bf66cc7ff4',
    name: '南京-云蝠智能-17361984317',
    user_id: '4d99d91c-f5d9-49da-88da-758977cc58a9',
    description: null,
    deadline_at: '2020-11-20 00:00:00',
    available_time: 31536000,
    begin_at: '2020-02-28 22:23:24',
    call_line: 1,
    call_line_used: 1,
    call_number_prefix: '17361984317',
    is_call_number_enable: 1,
    node_ip: '59.111.104.155',
    node_status: '1',
    created_at: '2020-02-28 22:24:48',
    updated_at: '2020-03-04 20:51:03',
    feature: 7,
  },
  auto_recycle_rule: {
    id: 103,
    user_id: '4d99d91c-f5d9-49da-88da-758977cc58a9',
    name: '默认',
    remark: '默认',
    status: true,
    created_at: '2020-02-13 10:35:05',
    updated_at: '2020-02-13 10:35:05',
    is_default: true,
  },
  disable_time_group: {
    uuid: 'cf44b8fc-a60f-499e-a5c8-5340963a56a3',
    name: '午休时间',
    domain: '',
    user_id: '4d99d91c-f5d9-49da-88da-758977cc58a9',
    created_at: null,
    updated_at: null,
  },
  group: {
    id: 447,
    name: 'test',
    user_id: '4d99d91c-f5d9-49da-88da-758977cc58a9',
    debug: true,
    deleted_at: null,
    created_at: '2019-03-17 13:14:55',
    updated_at: '2019-03-17 13:14:55',
    default: false,
  },
};

describe('toTaskBody', () => {
  it('maps every domain field to the platform name and always sends the deprecated fields as 0', () => {
    expect(toTaskBody(INPUT)).toEqual({
      name: '测试任务',
      remark: '第一个任务',
      caller_line_id: '37d73edf-4628-4cf1-8beb-758433fd0aab',
      destination_extension: 297,
      disable_dial_timegroup: '146979fe-3864-4817-ad76-13b37f43bb1c',
      maximumcall: 1,
      customer_service_id: 21,
      auto_recycle_rule_id: 103,
      call_pause_second: 10,
      _originate_timeout: 60,
      recycle_limit: 0,
      random_assignment_number: 0,
    });
  });

  it('leaves out the optional fields when null or absent', () => {
    const body = toTaskBody({ ...INPUT, remark: null, handoverGroupId: undefined });
    expect(body).not.toHaveProperty('remark');
    expect(body).not.toHaveProperty('customer_service_id');
    expect(toTaskBody({ ...INPUT, handoverGroupId: null })).not.toHaveProperty('customer_service_id');
  });
});

describe('task entity → AiTask', () => {
  it('maps the seed list entry, with its nested entities and times in Asia/Shanghai', () => {
    const task = parseTask(SEED_LIST_TASK);
    expect(task).toMatchObject({
      id: 'dfc36b34-b398-4f6b-b263-cd64c53e5185',
      name: '测试任务',
      remark: null,
      running: false,
      concurrency: 1,
      callsPerSecond: 10,
      callerLineId: '37d73edf-4628-4cf1-8beb-758433fd0aab',
      callerNumber: '13530525008',
      scriptGroupId: 447,
      doNotCallWindowId: '146979fe-3864-4817-ad76-13b37f43bb1c',
      handoverGroupId: null,
      redialRuleId: 103,
      pauseSeconds: 10,
      dialTimeoutSeconds: 60,
      progress: { total: 2, dialled: 2, percent: 100 },
    });
    expect(task.createdAt?.toISOString()).toBe('2019-05-07T07:15:40.000Z');
    expect(task.changedAt?.toISOString()).toBe('2019-05-17T02:58:58.000Z');
    expect(task.callerLine).toEqual({
      id: 'af69c544-a170-4a2d-b740-20bf66cc7ff4',
      name: '南京-云蝠智能-17361984317',
      callerNumber: '17361984317',
      totalConcurrency: 1,
      usedConcurrency: 1,
      availableFrom: new Date('2020-02-28T14:23:24Z'),
      availableUntil: new Date('2020-11-19T16:00:00Z'),
    });
    expect(task.redialRule).toEqual({ id: 103, name: '默认', remark: '默认', enabled: true, isDefault: true });
    expect(task.doNotCallWindow).toEqual({ id: 'cf44b8fc-a60f-499e-a5c8-5340963a56a3', name: '午休时间' });
    expect(task.scriptGroup).toMatchObject({ id: 447, ttsDebug: true, default: false, linkWordGroupId: null });
    // No platform name leaks into the domain object.
    expect(Object.keys(task).some((key) => key.includes('_'))).toBe(false);
  });

  it('coerces loose types: numbers as strings, "" for null, flags as strings', () => {
    const task = parseTask({
      ...SEED_LIST_TASK,
      start: '1',
      maximumcall: '3',
      call_per_second: '',
      destination_extension: '447',
      customer_service_id: '21',
      auto_recycle_rule_id: '',
      remark: '',
      _originate_timeout: '45',
      _origination_caller_id_number: 13530525008,
      alter_datetime: '',
      progress_bar: { total: '10', progress: '4', percent: '40' },
      group: { ...SEED_LIST_TASK.group, debug: 0, default: '1', link_word_group_id: '', deleted_at: '' },
    });
    expect(task).toMatchObject({
      running: true,
      concurrency: 3,
      callsPerSecond: null,
      scriptGroupId: 447,
      handoverGroupId: 21,
      redialRuleId: null,
      remark: null,
      dialTimeoutSeconds: 45,
      callerNumber: '13530525008',
      changedAt: null,
      progress: { total: 10, dialled: 4, percent: 40 },
    });
    expect(task.scriptGroup).toMatchObject({ ttsDebug: false, default: true, linkWordGroupId: null, deletedAt: null });
  });

  it('takes the create answer, which lacks the nested entities, bare or wrapped in data', () => {
    const { caller_line, auto_recycle_rule, disable_time_group, call_per_second, ...created } = SEED_LIST_TASK;
    for (const body of [created, { data: created }]) {
      const task = parseTask(body);
      expect(task.id).toBe('dfc36b34-b398-4f6b-b263-cd64c53e5185');
      expect(task.callerLine).toBeNull();
      expect(task.redialRule).toBeNull();
      expect(task.doNotCallWindow).toBeNull();
      expect(task.callsPerSecond).toBeNull();
      expect(task.scriptGroup?.id).toBe(447);
    }
  });

  it('turns an unparseable nested entity into null instead of refusing the task', () => {
    const task = parseTask({ ...SEED_LIST_TASK, caller_line: { name: 'no id' }, progress_bar: 'gone' });
    expect(task.callerLine).toBeNull();
    expect(task.progress).toEqual({ total: 0, dialled: 0, percent: 0 });
  });

  it('refuses a task without an id, a line or a concurrency, and a time that is not one', () => {
    const { uuid, ...noId } = SEED_LIST_TASK;
    expect(wireTask.safeParse(noId).success).toBe(false);
    expect(wireTask.safeParse({ ...SEED_LIST_TASK, caller_line_id: '' }).success).toBe(false);
    expect(wireTask.safeParse({ ...SEED_LIST_TASK, maximumcall: 'many' }).success).toBe(false);
    expect(wireTask.safeParse({ ...SEED_LIST_TASK, create_datetime: 'yesterday' }).success).toBe(false);
    expect(wireTask.safeParse({ ...SEED_LIST_TASK, create_datetime: '0000-00-00 00:00:00' }).success).toBe(true);
  });

  it('unwraps lists bare, in data, or in a paginator, ignoring pagination fields', () => {
    expect(unwrapList([1])).toEqual([1]);
    expect(unwrapList({ data: [1], links: {}, meta: { last_page: 1 } })).toEqual([1]);
    expect(unwrapList({ data: { current_page: 1, data: [1], total: 1 } })).toEqual([1]);
  });
});

describe('task options', () => {
  const META = {
    enum_disable_dial_timegroup: [{ uuid: '146979fe-3864-4817-ad76-13b37f43bb1c', name: '休息时间' }],
    caller_line_list: [
      {
        name: '尊享ai.zxycall.com一',
        value: '37d73edf-4628-4cf1-8beb-758433fd0aab',
        residue: 1,
        call_line: '2',
        available_at: '2019-12-18 00:00:00',
        call_number: '13530525008',
      },
    ],
    max_recycle_limit: '50',
    auto_recycle_rules: [{ id: 1, name: '测试重呼规则', remark: 'test', status: true }],
    customer_service: [
      {
        id: 21,
        user_id: '4d99d91c-f5d9-49da-88da-758977cc58a9',
        name: '组2',
        created_at: '2019-05-10 16:03:09',
        updated_at: '2019-05-15 18:01:40',
        caller_line_id: null,
        status: 0,
      },
    ],
    outbound_group: [
      {
        id: 390,
        name: '测试话术【复制】',
        user_id: '4d99d91c-f5d9-49da-88da-758977cc58a9',
        debug: true,
        deleted_at: null,
        created_at: '2019-02-24 14:24:23',
        updated_at: '2019-02-24 14:24:23',
        link_word_group_id: null,
        tag_scene_id: null,
        default: false,
      },
    ],
  };

  it('maps the seed create form, under meta or data', () => {
    for (const body of [{ meta: META }, { data: META }, { data: { meta: META } }]) {
      const options = toTaskOptions(wireTaskOptions.parse(unwrapTaskOptions(body)), time);
      expect(options.callerLines).toEqual([
        {
          id: '37d73edf-4628-4cf1-8beb-758433fd0aab',
          name: '尊享ai.zxycall.com一',
          callerNumber: '13530525008',
          totalConcurrency: 2,
          freeConcurrency: 1,
          availableFrom: new Date('2019-12-17T16:00:00Z'),
        },
      ]);
      expect(options.doNotCallWindows).toEqual([{ id: '146979fe-3864-4817-ad76-13b37f43bb1c', name: '休息时间' }]);
      expect(options.redialRules).toEqual([{ id: 1, name: '测试重呼规则', remark: 'test', enabled: true }]);
      expect(options.handoverGroups[0]).toMatchObject({ id: 21, enabled: false, callerLineId: null });
      expect(options.handoverGroups[0]?.createdAt?.toISOString()).toBe('2019-05-10T08:03:09.000Z');
      expect(options.scriptGroups[0]).toMatchObject({ id: 390, ttsDebug: true, default: false, deletedAt: null });
    }
  });

  it('treats missing lists other than the caller lines as empty, and refuses a body without caller lines', () => {
    const options = toTaskOptions(wireTaskOptions.parse({ caller_line_list: [] }), time);
    expect(options.scriptGroups).toEqual([]);
    expect(wireTaskOptions.safeParse(unwrapTaskOptions({ meta: {} })).success).toBe(false);
  });
});

describe('errors', () => {
  it('keeps the per-field messages of a Laravel 422', () => {
    const error = toHttpError('POST /v1/task', {
      status: 422,
      text: JSON.stringify({
        message: 'The given data was invalid.',
        errors: { maximumcall: ['并发数不得超过所选线路的剩余并发(1)。'], name: 'name 不能为空。' },
      }),
    });
    expect(error.status).toBe(422);
    expect(error.upstreamMessage).toBe('The given data was invalid.');
    expect(error.fieldErrors).toEqual({ maximumcall: ['并发数不得超过所选线路的剩余并发(1)。'], name: ['name 不能为空。'] });
    expect(error.code).toBe(ErrorCode.UpstreamRejected);
    expect(error.operation).toBe('POST /v1/task');
  });

  it('keeps a non-JSON body, truncated, as the message', () => {
    const error = toHttpError('GET /v1/task', { status: 500, text: `<html>${'x'.repeat(1000)}</html>` });
    expect(error.upstreamMessage.startsWith('<html>')).toBe(true);
    expect(error.upstreamMessage.length).toBeLessThanOrEqual(301);
    expect(error.code).toBe(ErrorCode.UpstreamUnavailable);
    const forbidden = toHttpError('GET /v1/task', { status: 403, text: '{"error":"forbidden"}' });
    expect(forbidden.upstreamMessage).toBe('forbidden');
  });
});

describe('import', () => {
  it('sends a JSON array of {phone, ...fields}, the number winning over a field named phone', () => {
    const { contentType, body } = toImportBody([
      { phone: '13800000000', fields: { name: '张三', phone: 'x' } },
      { phone: '13900000000' },
    ]);
    expect(contentType).toBe('application/json');
    expect(JSON.parse(body)).toEqual([{ name: '张三', phone: '13800000000' }, { phone: '13900000000' }]);
  });

  it('recognises counts and refused entries where it can, and keeps the raw answer', () => {
    const sim = parseImportResult(
      JSON.stringify({ message: '导入完成', data: { success: 2, fail: 1, fail_list: [{ phone: '1', reason: '格式错误' }] } }),
    );
    expect(sim).toMatchObject({ accepted: 2, message: '导入完成', refused: [{ phone: '1', reason: '格式错误' }] });
    expect(parseImportResult('{"success_count":"5","failed":["123"]}')).toMatchObject({
      accepted: 5,
      refused: [{ phone: '123', reason: null, raw: '123' }],
    });
    expect(parseImportResult('')).toEqual({ accepted: null, refused: [], message: null, raw: null });
    expect(parseImportResult('OK')).toEqual({ accepted: null, refused: [], message: 'OK', raw: 'OK' });
  });
});

describe('hang-up notification', () => {
  it('recognises CDR-style fields, reads times in the zone, and keeps the raw payload', () => {
    const payload = {
      data: {
        task_uuid: 'dfc36b34-b398-4f6b-b263-cd64c53e5185',
        call_uuid: 'c-1',
        destination_number: '13800000000',
        start_stamp: '2024-03-15 14:00:00',
        answer_stamp: '2024-03-15 14:00:07',
        end_stamp: 1710482467,
        billsec: '60',
        hangup_cause: 'NORMAL_CLEARING',
      },
    };
    expect(parseCallNotification(payload, time)).toEqual({
      taskId: 'dfc36b34-b398-4f6b-b263-cd64c53e5185',
      callId: 'c-1',
      phone: '13800000000',
      startedAt: new Date('2024-03-15T06:00:00Z'),
      answeredAt: new Date('2024-03-15T06:00:07Z'),
      endedAt: new Date('2024-03-15T06:01:07Z'),
      talkSeconds: 60,
      hangupCause: 'NORMAL_CLEARING',
      raw: payload,
    });
  });

  it('never refuses a payload for its shape', () => {
    expect(parseCallNotification('garbage', time)).toMatchObject({ taskId: null, phone: null, raw: 'garbage' });
  });
});
