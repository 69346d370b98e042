import type { AiCallSimState, SimAiTaskFields } from './state.ts';

/**
 * The checks the simulated platform makes on a task body (`POST /v1/task`, `PUT /v1/task/{id}`), with messages in
 * the style of Laravel's zh-CN validation lines, keyed by the platform's field names. Laravel's `integer` rule takes
 * numbers and integer strings alike, and treats null and `""` as absent; so does this.
 */

export type FieldErrors = Record<string, string[]>;

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

const isAbsent = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function asInt(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  return null;
}

/**
 * Validates a create/update body against the state. `taskId` is the task being replaced (its own concurrency counts as
 * free when it is running on the same line).
 */
export function validateTaskBody(
  body: unknown,
  state: AiCallSimState,
  taskId?: string,
): Validation<SimAiTaskFields> {
  const errors: FieldErrors = {};
  /** Records a message; returns null so a check can `return fail(…)`. */
  const fail = (field: string, message: string): null => {
    (errors[field] ??= []).push(message);
    return null;
  };
  // A body that is not an object has none of the fields: every required one is reported missing.
  const input: Record<string, unknown> =
    body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};

  const requiredString = (field: string, max = 255): string | null => {
    const v = input[field];
    if (isAbsent(v)) return fail(field, `${field} 不能为空。`);
    if (typeof v !== 'string') return fail(field, `${field} 必须是一个字符串。`);
    if (v.length > max) return fail(field, `${field} 不能大于 ${max} 个字符。`);
    return v;
  };
  const requiredInt = (field: string, min?: number, max?: number): number | null => {
    const v = input[field];
    if (isAbsent(v)) return fail(field, `${field} 不能为空。`);
    const n = asInt(v);
    if (n === null) return fail(field, `${field} 必须是整数。`);
    if (min !== undefined && n < min) return fail(field, `${field} 必须不小于 ${min}。`);
    if (max !== undefined && n > max) return fail(field, `${field} 不能大于 ${max}。`);
    return n;
  };
  /** Deprecated fields the platform still requires, with only 0 allowed. */
  const requiredZero = (field: string): number | null => {
    const v = input[field];
    if (isAbsent(v)) return fail(field, `${field} 不能为空。`);
    if (asInt(v) !== 0) return fail(field, `${field} 只能为 0。`);
    return 0;
  };

  const name = requiredString('name');
  let remark: string | null = null;
  if (!isAbsent(input.remark)) {
    if (typeof input.remark !== 'string') fail('remark', 'remark 必须是一个字符串。');
    else if (input.remark.length > 255) fail('remark', 'remark 不能大于 255 个字符。');
    else remark = input.remark;
  }

  const callerLineId = requiredString('caller_line_id');
  const line = callerLineId === null ? undefined : state.callerLines.get(callerLineId);
  if (callerLineId !== null && !line) fail('caller_line_id', '已选的属性 caller_line_id 非法。');

  const scriptGroupId = requiredInt('destination_extension');
  if (scriptGroupId !== null) {
    const group = state.scriptGroups.get(scriptGroupId);
    if (!group || group.deletedAt !== null) fail('destination_extension', '已选的属性 destination_extension 非法。');
  }

  const windowId = requiredString('disable_dial_timegroup');
  if (windowId !== null && !state.doNotCallWindows.has(windowId)) {
    fail('disable_dial_timegroup', '已选的属性 disable_dial_timegroup 非法。');
  }

  const maximumcall = requiredInt('maximumcall', 1);
  if (maximumcall !== null && line) {
    const residue = state.residue(line.id, taskId);
    if (maximumcall > residue) {
      fail('maximumcall', `并发数不得超过所选线路的剩余并发(${residue})。`);
    }
  }

  let customerServiceId: number | null = null;
  if (!isAbsent(input.customer_service_id)) {
    customerServiceId = asInt(input.customer_service_id);
    if (customerServiceId === null) {
      fail('customer_service_id', 'customer_service_id 必须是整数。');
    } else {
      const group = state.customerServiceGroups.get(customerServiceId);
      if (!group) fail('customer_service_id', '已选的属性 customer_service_id 非法。');
      else if (group.status !== 1) fail('customer_service_id', '所选客服组不可用(状态未启用)。');
      else if (group.callerLineId === null) fail('customer_service_id', '所选客服组未设置转接线路。');
    }
  }

  const redialRuleId = requiredInt('auto_recycle_rule_id');
  if (redialRuleId !== null) {
    const rule = state.redialRules.get(redialRuleId);
    if (!rule) fail('auto_recycle_rule_id', '已选的属性 auto_recycle_rule_id 非法。');
    else if (!rule.enabled) fail('auto_recycle_rule_id', '所选重呼规则已停用。');
  }

  const callPauseSecond = requiredInt('call_pause_second', 0, 3600);
  const originateTimeout = requiredInt('_originate_timeout', 1, 600);
  const recycleLimit = requiredZero('recycle_limit');
  const randomAssignmentNumber = requiredZero('random_assignment_number');

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name: name as string,
      remark,
      callerLineId: callerLineId as string,
      scriptGroupId: scriptGroupId as number,
      doNotCallWindowId: windowId as string,
      maximumcall: maximumcall as number,
      customerServiceId,
      redialRuleId: redialRuleId as number,
      callPauseSecond: callPauseSecond as number,
      originateTimeout: originateTimeout as number,
      recycleLimit: recycleLimit as number,
      randomAssignmentNumber: randomAssignmentNumber as number,
    },
  };
}

export interface ImportRow {
  phone: string;
  fields: Record<string, unknown>;
}

export interface RefusedRow {
  index: number;
  phone: string | null;
  reason: string;
}

/**
 * An import body as the gateway assumes it (docs/aicall-assumptions.md): a JSON array of `{phone, ...fields}`.
 * A `{data: [...]}` or `{customers: [...]}` wrapper is accepted too. Phones must be 5–20 digits and new to the task.
 * Returns null when the body is not such a list at all.
 */
export function validateImport(
  body: unknown,
  existingPhones: ReadonlySet<string>,
): { accepted: ImportRow[]; refused: RefusedRow[] } | null {
  let rows: unknown = body;
  if (rows !== null && typeof rows === 'object' && !Array.isArray(rows)) {
    const record = rows as Record<string, unknown>;
    rows = Array.isArray(record.data) ? record.data : record.customers;
  }
  if (!Array.isArray(rows)) return null;
  const seen = new Set(existingPhones);
  const accepted: ImportRow[] = [];
  const refused: RefusedRow[] = [];
  rows.forEach((row: unknown, index) => {
    const isObject = row !== null && typeof row === 'object' && !Array.isArray(row);
    const entry: Record<string, unknown> = isObject ? { ...(row as Record<string, unknown>) } : { phone: row };
    const raw = entry.phone;
    const phone = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : null;
    if (phone === null || phone === '') return refused.push({ index, phone: null, reason: '号码不能为空' });
    if (!/^\d{5,20}$/.test(phone)) return refused.push({ index, phone, reason: '号码格式错误(应为 5–20 位数字)' });
    if (seen.has(phone)) return refused.push({ index, phone, reason: '号码重复' });
    seen.add(phone);
    delete entry.phone;
    accepted.push({ phone, fields: entry });
  });
  return { accepted, refused };
}
