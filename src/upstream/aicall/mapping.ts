import type { ZonedTime } from '../time.ts';
import type { WireScriptGroup, WireTask, WireTaskOptions } from './schemas.ts';
import type { AiScriptGroup, AiTask, AiTaskInput, AiTaskOptions } from './types.ts';

/**
 * The one place that knows both the platform's field names and the domain's. Pure functions: the client feeds them
 * bodies its schemas accepted, the unit tests feed them literals.
 */

/** The platform's task body (`POST /v1/task`, `PUT /v1/task/{id}`). */
export interface AiTaskBody {
  name: string;
  remark?: string;
  caller_line_id: string;
  destination_extension: number;
  disable_dial_timegroup: string;
  maximumcall: number;
  customer_service_id?: number;
  auto_recycle_rule_id: number;
  call_pause_second: number;
  _originate_timeout: number;
  /** Deprecated by the platform ("有且只能为0"), still required: always 0. */
  recycle_limit: 0;
  /** "固定为0", required: always 0. */
  random_assignment_number: 0;
}

/**
 * The platform's body fields → the domain input's, for reading its per-field validation errors (a 422's `errors`).
 * The deprecated fields the gateway always fills itself map to null: an error on them is not the caller's field.
 */
export const TASK_BODY_FIELDS: Readonly<Record<keyof AiTaskBody, keyof AiTaskInput | null>> = {
  name: 'name',
  remark: 'remark',
  caller_line_id: 'callerLineId',
  destination_extension: 'scriptGroupId',
  disable_dial_timegroup: 'doNotCallWindowId',
  maximumcall: 'concurrency',
  customer_service_id: 'handoverGroupId',
  auto_recycle_rule_id: 'redialRuleId',
  call_pause_second: 'pauseSeconds',
  _originate_timeout: 'dialTimeoutSeconds',
  recycle_limit: null,
  random_assignment_number: null,
};

/** The domain field a platform body field stands for; null for fields that are not the caller's (or unknown ones). */
export function taskInputFieldOf(bodyField: string): keyof AiTaskInput | null {
  return Object.hasOwn(TASK_BODY_FIELDS, bodyField) ? TASK_BODY_FIELDS[bodyField as keyof AiTaskBody] : null;
}

/**
 * Domain input → the platform's body. Optional fields that are null or absent are left out rather than sent as null
 * (the platform types them as int/string, and `PUT` replaces the whole task, so leaving one out clears it).
 */
export function toTaskBody(input: AiTaskInput): AiTaskBody {
  const body: AiTaskBody = {
    name: input.name,
    caller_line_id: input.callerLineId,
    destination_extension: input.scriptGroupId,
    disable_dial_timegroup: input.doNotCallWindowId,
    maximumcall: input.concurrency,
    auto_recycle_rule_id: input.redialRuleId,
    call_pause_second: input.pauseSeconds,
    _originate_timeout: input.dialTimeoutSeconds,
    recycle_limit: 0,
    random_assignment_number: 0,
  };
  if (input.remark !== undefined && input.remark !== null) body.remark = input.remark;
  if (input.handoverGroupId !== undefined && input.handoverGroupId !== null) {
    body.customer_service_id = input.handoverGroupId;
  }
  return body;
}

function at(time: ZonedTime, local: string | null): Date | null {
  return local === null ? null : time.parse(local);
}

export function toScriptGroup(wire: WireScriptGroup, time: ZonedTime): AiScriptGroup {
  return {
    id: wire.id,
    name: wire.name,
    ttsDebug: wire.debug,
    default: wire.default,
    linkWordGroupId: wire.link_word_group_id,
    tagSceneId: wire.tag_scene_id,
    createdAt: at(time, wire.created_at),
    updatedAt: at(time, wire.updated_at),
    deletedAt: at(time, wire.deleted_at),
  };
}

export function toTaskOptions(wire: WireTaskOptions, time: ZonedTime): AiTaskOptions {
  return {
    callerLines: wire.caller_line_list.map((line) => ({
      id: line.value,
      name: line.name,
      callerNumber: line.call_number,
      totalConcurrency: line.call_line,
      freeConcurrency: line.residue,
      availableFrom: at(time, line.available_at),
    })),
    doNotCallWindows: wire.enum_disable_dial_timegroup.map((w) => ({ id: w.uuid, name: w.name })),
    redialRules: wire.auto_recycle_rules.map((rule) => ({
      id: rule.id,
      name: rule.name,
      remark: rule.remark,
      enabled: rule.status,
    })),
    handoverGroups: wire.customer_service.map((group) => ({
      id: group.id,
      userId: group.user_id,
      name: group.name,
      callerLineId: group.caller_line_id,
      enabled: group.status,
      createdAt: at(time, group.created_at),
      updatedAt: at(time, group.updated_at),
    })),
    scriptGroups: wire.outbound_group.map((group) => toScriptGroup(group, time)),
  };
}

export function toTask(wire: WireTask, time: ZonedTime): AiTask {
  const line = wire.caller_line;
  const rule = wire.auto_recycle_rule;
  const window = wire.disable_time_group;
  return {
    id: wire.uuid,
    name: wire.name,
    remark: wire.remark,
    running: wire.start,
    concurrency: wire.maximumcall,
    callsPerSecond: wire.call_per_second,
    callerLineId: wire.caller_line_id,
    callerNumber: wire._origination_caller_id_number,
    scriptGroupId: wire.destination_extension,
    doNotCallWindowId: wire.disable_dial_timegroup,
    handoverGroupId: wire.customer_service_id,
    redialRuleId: wire.auto_recycle_rule_id,
    pauseSeconds: wire.call_pause_second,
    dialTimeoutSeconds: wire._originate_timeout,
    progress: {
      total: wire.progress_bar?.total ?? 0,
      dialled: wire.progress_bar?.progress ?? 0,
      percent: wire.progress_bar?.percent ?? 0,
    },
    createdAt: at(time, wire.create_datetime),
    changedAt: at(time, wire.alter_datetime),
    callerLine: line
      ? {
          id: line.id,
          name: line.name,
          callerNumber: line.call_number_prefix,
          totalConcurrency: line.call_line,
          usedConcurrency: line.call_line_used,
          availableFrom: at(time, line.begin_at),
          availableUntil: at(time, line.deadline_at),
        }
      : null,
    redialRule: rule
      ? { id: rule.id, name: rule.name, remark: rule.remark, enabled: rule.status, isDefault: rule.is_default }
      : null,
    doNotCallWindow: window ? { id: window.uuid, name: window.name } : null,
    scriptGroup: wire.group ? toScriptGroup(wire.group, time) : null,
  };
}
