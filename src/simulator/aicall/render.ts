import type { ZonedTime } from '../../upstream/time.ts';
import type {
  AiCallSimState,
  SimAiTask,
  SimCallerLine,
  SimDoNotCallWindow,
  SimRedialRule,
  SimScriptGroup,
} from './state.ts';

/**
 * State → the platform's JSON, in the AI-call document's shapes and key order (docs/upstream.md, part C). Times are
 * `yyyy-mm-dd hh:mm:ss` in the simulator's zone. The task entity carries the dial-plan internals as the real
 * platform does.
 */

export function createRenderer(state: AiCallSimState, time: ZonedTime) {
  const fmt = (ms: number) => time.format(new Date(ms));
  const fmtOrNull = (ms: number | null) => (ms === null ? null : fmt(ms));

  function scriptGroup(group: SimScriptGroup) {
    return {
      id: group.id,
      name: group.name,
      user_id: group.userId,
      debug: group.debug,
      deleted_at: fmtOrNull(group.deletedAt),
      created_at: fmt(group.createdAt),
      updated_at: fmt(group.updatedAt),
      link_word_group_id: group.linkWordGroupId,
      tag_scene_id: group.tagSceneId,
      default: group.isDefault,
    };
  }

  function callerLine(line: SimCallerLine) {
    return {
      id: line.id,
      name: line.name,
      user_id: line.userId,
      description: null,
      deadline_at: fmt(line.deadlineAt),
      available_time: Math.round((line.deadlineAt - line.beginAt) / 1000),
      begin_at: fmt(line.beginAt),
      call_line: line.totalConcurrency,
      call_line_used: state.usedConcurrency(line.id),
      call_number_prefix: line.callerNumber,
      is_call_number_enable: 1,
      is_call_number_prefix_editable: 0,
      dial_string: 'user/admin',
      dial_string_mode: 1,
      db_public_id: null,
      db_private_id: null,
      node_ip: line.nodeIp,
      node_status: '1',
      created_at: fmt(line.createdAt),
      updated_at: fmt(line.updatedAt),
      feature: 7,
    };
  }

  function redialRule(rule: SimRedialRule) {
    return {
      id: rule.id,
      user_id: rule.userId,
      name: rule.name,
      remark: rule.remark,
      status: rule.enabled,
      created_at: fmt(rule.createdAt),
      updated_at: fmt(rule.updatedAt),
      is_default: rule.isDefault,
    };
  }

  function disableTimeGroup(window: SimDoNotCallWindow) {
    const { uuid, name, userId } = window;
    return { uuid, name, domain: '', user_id: userId, created_at: null, updated_at: null };
  }

  /**
   * The task entity. `full` adds what the seed's list shows and its create answer does not: `call_per_second`,
   * `scheduling_*`, `domain`, `sort` and the nested caller line, redial rule and do-not-call window.
   */
  function task(t: SimAiTask, full: boolean) {
    const group = state.scriptGroups.get(t.scriptGroupId);
    const base = {
      uuid: t.uuid,
      name: t.name,
      create_datetime: fmtOrNull(t.createdAt),
      alter_datetime: fmt(t.alteredAt),
      start: t.running ? 1 : 0,
      maximumcall: t.maximumcall,
      ...(full ? { call_per_second: t.callPerSecond } : {}),
      recycle_limit: t.recycleLimit,
      random_assignment_number: t.randomAssignmentNumber,
      disable_dial_timegroup: t.doNotCallWindowId,
      destination_extension: t.scriptGroupId,
      destination_dialplan: 'XML',
      destination_context: 'default',
      ...(full ? { scheduling_policy_ratio: null, scheduling_queue: null } : {}),
      dial_format: 'user/admin',
      ...(full ? { domain: null } : {}),
      remark: t.remark,
      ...(full ? { sort: t.sort } : {}),
      originate_variables: '{execute_on_media=start_da2}',
      _originate_timeout: t.originateTimeout,
      _origination_caller_id_number: t.callerNumber,
      user_id: t.userId,
      caller_line_id: t.callerLineId,
      customer_service_id: t.customerServiceId,
      auto_recycle_rule_id: t.redialRuleId,
      call_notify_url: t.notifyUrl,
      call_notify_type: t.notifyType,
      call_pause_second: t.callPauseSecond,
      start_str: t.running ? '开启' : '暂停',
      group_str: group?.name ?? '',
      progress_bar: state.progress(t),
    };
    if (!full) return { ...base, group: group ? scriptGroup(group) : null };
    const line = state.callerLines.get(t.callerLineId);
    const rule = state.redialRules.get(t.redialRuleId);
    const window = state.doNotCallWindows.get(t.doNotCallWindowId);
    return {
      ...base,
      caller_line: line ? callerLine(line) : null,
      auto_recycle_rule: rule ? redialRule(rule) : null,
      disable_time_group: window ? disableTimeGroup(window) : null,
      group: group ? scriptGroup(group) : null,
    };
  }

  /** `GET /v1/task/create`. */
  function taskOptions() {
    return {
      meta: {
        enum_disable_dial_timegroup: [...state.doNotCallWindows.values()].map((w) => ({ uuid: w.uuid, name: w.name })),
        caller_line_list: [...state.callerLines.values()].map((line) => ({
          name: line.name,
          value: line.id,
          residue: state.residue(line.id),
          call_line: line.totalConcurrency,
          available_at: fmt(line.beginAt),
          call_number: line.callerNumber,
        })),
        max_recycle_limit: '50',
        auto_recycle_rules: [...state.redialRules.values()].map((rule) => ({
          id: rule.id,
          name: rule.name,
          remark: rule.remark,
          status: rule.enabled,
        })),
        customer_service: [...state.customerServiceGroups.values()].map((group) => ({
          id: group.id,
          user_id: group.userId,
          name: group.name,
          created_at: fmt(group.createdAt),
          updated_at: fmt(group.updatedAt),
          caller_line_id: group.callerLineId,
          status: group.status,
        })),
        outbound_group: [...state.scriptGroups.values()].filter((g) => g.deletedAt === null).map(scriptGroup),
      },
    };
  }

  return { task, taskOptions, scriptGroup, callerLine, redialRule, disableTimeGroup };
}

export type AiCallRenderer = ReturnType<typeof createRenderer>;
