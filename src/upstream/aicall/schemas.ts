import { z } from 'zod';

/**
 * The AI-call platform's bodies as it writes them, with its loose types coerced: numbers may come as strings, absent
 * values as `""`, null or a missing key, flags as 0/1, "0"/"1" or booleans. These schemas keep the platform's names;
 * `mapping.ts` turns their output into the domain shapes of `types.ts`.
 *
 * Strict where the gateway depends on a value (a task's id, line, script group, concurrency), lenient elsewhere, and
 * the nested entities of a task never sink it: one that does not parse becomes null.
 */

const isAbsent = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

const toNumber = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : v);

/** An integer, possibly written as a string. */
export const looseInt = z.preprocess(toNumber, z.number().int());

/** An integer, or null for `""`, null and a missing key. */
export const nullableInt = z.preprocess((v) => (isAbsent(v) ? null : toNumber(v)), z.number().int().nullable());

/** A finite number, possibly written as a string. */
export const looseNumber = z.preprocess(toNumber, z.number().finite());

/** A number, or null when absent. */
export const nullableNumber = z.preprocess((v) => (isAbsent(v) ? null : toNumber(v)), z.number().finite().nullable());

const TRUE = new Set<unknown>([true, 1, '1', 'true', 'TRUE', 'True']);
const FALSE = new Set<unknown>([false, 0, '0', 'false', 'FALSE', 'False']);
const toBool = (v: unknown) => (TRUE.has(v) ? true : FALSE.has(v) ? false : v);

/** A flag written as a boolean, 0/1 or their strings; absent reads as false. */
export const looseBool = z.preprocess((v) => (isAbsent(v) ? false : toBool(v)), z.boolean());

/** A flag, or null when absent. */
export const nullableBool = z.preprocess((v) => (isAbsent(v) ? null : toBool(v)), z.boolean().nullable());

/** A string; numbers are accepted and written out (ids and phone numbers sometimes come as numbers). */
export const looseString = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string());

/** A non-empty string (after trimming). */
export const requiredString = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : v),
  z.string().min(1),
);

/** A string, or null for `""`, null and a missing key. */
export const nullableString = z.preprocess(
  (v) => (isAbsent(v) ? null : typeof v === 'number' ? String(v) : v),
  z.string().nullable(),
);

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$/;
/** MySQL's "zero" date, which Laravel platforms sometimes write for "never". */
const ZERO_TIME = /^0000-00-00/;

/**
 * A `yyyy-mm-dd hh:mm:ss` wall-clock time, kept as text (the zone is applied in mapping); null when absent or the
 * zero date. Any other text is refused.
 */
export const localTime = z.preprocess(
  (v) => {
    if (isAbsent(v) || (typeof v === 'string' && ZERO_TIME.test(v.trim()))) return null;
    return typeof v === 'string' ? v.trim() : v;
  },
  z.string().regex(LOCAL_TIME, 'expected a yyyy-mm-dd hh:mm:ss time').nullable(),
);

/** Makes a nested object lenient: missing, null, or not parseable → null. */
function optionalNested<T extends z.ZodType>(schema: T) {
  const objectOrNull = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null);
  return z.preprocess(objectOrNull, schema.nullable()).catch(null);
}

// ---------------------------------------------------------------------------------------------------------------------
// GET /v1/task/create

export const wireCallerLineOption = z.object({
  name: requiredString,
  value: requiredString,
  residue: looseInt,
  call_line: looseInt,
  available_at: localTime,
  call_number: nullableString,
});

export const wireDoNotCallWindow = z.object({
  uuid: requiredString,
  name: looseString,
});

export const wireRedialRule = z.object({
  id: looseInt,
  name: looseString,
  remark: nullableString,
  status: looseBool,
});

export const wireCustomerService = z.object({
  id: looseInt,
  user_id: nullableString,
  name: looseString,
  created_at: localTime,
  updated_at: localTime,
  caller_line_id: nullableString,
  status: looseBool,
});

export const wireScriptGroup = z.object({
  id: looseInt,
  name: looseString,
  debug: looseBool,
  default: looseBool,
  link_word_group_id: nullableInt,
  tag_scene_id: nullableInt,
  created_at: localTime,
  updated_at: localTime,
  deleted_at: localTime,
});

const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => (isAbsent(v) ? [] : v), z.array(item));

export const wireTaskOptions = z.object({
  caller_line_list: z.array(wireCallerLineOption),
  enum_disable_dial_timegroup: list(wireDoNotCallWindow),
  auto_recycle_rules: list(wireRedialRule),
  customer_service: list(wireCustomerService),
  outbound_group: list(wireScriptGroup),
});

// ---------------------------------------------------------------------------------------------------------------------
// The task entity

export const wireTaskCallerLine = z.object({
  id: requiredString,
  name: nullableString.catch(null),
  call_number_prefix: nullableString.catch(null),
  call_line: nullableInt.catch(null),
  call_line_used: nullableInt.catch(null),
  begin_at: localTime.catch(null),
  deadline_at: localTime.catch(null),
});

export const wireTaskRedialRule = z.object({
  id: looseInt,
  name: nullableString.catch(null),
  remark: nullableString.catch(null),
  status: nullableBool.catch(null),
  is_default: nullableBool.catch(null),
});

export const wireTaskDisableTimeGroup = z.object({
  uuid: requiredString,
  name: looseString.catch(''),
});

export const wireProgressBar = z.object({
  total: looseInt.catch(0),
  progress: looseInt.catch(0),
  percent: looseNumber.catch(0),
});

export const wireTask = z.object({
  uuid: requiredString,
  name: looseString,
  remark: nullableString,
  create_datetime: localTime,
  alter_datetime: localTime,
  start: looseBool,
  maximumcall: looseInt,
  call_per_second: nullableNumber,
  disable_dial_timegroup: nullableString,
  destination_extension: looseInt,
  caller_line_id: requiredString,
  customer_service_id: nullableInt,
  auto_recycle_rule_id: nullableInt,
  call_pause_second: looseInt,
  _originate_timeout: looseInt,
  _origination_caller_id_number: nullableString,
  progress_bar: optionalNested(wireProgressBar),
  caller_line: optionalNested(wireTaskCallerLine),
  auto_recycle_rule: optionalNested(wireTaskRedialRule),
  disable_time_group: optionalNested(wireTaskDisableTimeGroup),
  group: optionalNested(wireScriptGroup),
});

export type WireTaskOptions = z.output<typeof wireTaskOptions>;
export type WireTask = z.output<typeof wireTask>;
export type WireScriptGroup = z.output<typeof wireScriptGroup>;

// ---------------------------------------------------------------------------------------------------------------------
// Wrappers: an entity may come bare or as `{data: …}`; a list as `{data: [...]}` (pagination fields ignored) or bare.

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `{data: {…}}` → the inner object, unless the outer one is itself the entity (it has `key`). */
export function unwrapEntity(body: unknown, key: string): unknown {
  if (isRecord(body) && !(key in body) && isRecord(body.data)) return body.data;
  return body;
}

/** `[...]`, `{data: [...]}` or a paginator `{data: {data: [...]}}` → the array; anything else as it is (refused). */
export function unwrapList(body: unknown): unknown {
  if (Array.isArray(body)) return body;
  if (isRecord(body)) {
    if (Array.isArray(body.data)) return body.data;
    if (isRecord(body.data) && Array.isArray(body.data.data)) return body.data.data;
  }
  return body;
}

/** `{meta: {…}}`, `{data: {meta: {…}}}`, `{data: {…}}` or bare → the object holding `caller_line_list`. */
export function unwrapTaskOptions(body: unknown): unknown {
  for (const candidate of [
    isRecord(body) ? body.meta : undefined,
    isRecord(body) && isRecord(body.data) ? body.data.meta : undefined,
    isRecord(body) ? body.data : undefined,
  ]) {
    if (isRecord(candidate) && 'caller_line_list' in candidate) return candidate;
  }
  return body;
}
