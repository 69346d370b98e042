/**
 * The AI-call platform in the gateway's own words. Nothing here carries a platform field name, a `yyyy-mm-dd hh:mm:ss`
 * string or a 0/1 flag: `mapping.ts` is the only place that knows both sides.
 *
 * Ids keep the platform's kinds: uuids are strings (tasks, caller lines, do-not-call windows), the rest are integers
 * (script groups, redial rules, hand-over groups).
 */

/** A telephone line the bot dials out on (`caller_line_list[]`). */
export interface AiCallerLine {
  id: string;
  name: string;
  /** The number shown to the called party; null when the platform leaves it out. */
  callerNumber: string | null;
  totalConcurrency: number;
  /** Concurrency not taken by running tasks: a task's concurrency may not exceed it. */
  freeConcurrency: number;
  availableFrom: Date | null;
}

/** A window of the day in which tasks do not dial (`enum_disable_dial_timegroup[]`). */
export interface AiDoNotCallWindow {
  id: string;
  name: string;
}

/** How failed calls are dialled again (`auto_recycle_rules[]`). */
export interface AiRedialRule {
  id: number;
  name: string;
  remark: string | null;
  enabled: boolean;
}

/**
 * A group of human agents the bot can hand a call over to (`customer_service[]`). Only groups that are enabled and
 * have a caller line may be put on a task: see {@link isUsableHandoverGroup}.
 */
export interface AiHandoverGroup {
  id: number;
  userId: string | null;
  name: string;
  callerLineId: string | null;
  enabled: boolean;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** A group of scripts the bot follows (`outbound_group[]`, and `group` on a task). */
export interface AiScriptGroup {
  id: number;
  name: string;
  /** Debug mode: every utterance goes through text-to-speech instead of recordings. */
  ttsDebug: boolean;
  default: boolean;
  linkWordGroupId: number | null;
  tagSceneId: number | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  deletedAt: Date | null;
}

/** What a new task may use (`GET /v1/task/create`). */
export interface AiTaskOptions {
  callerLines: AiCallerLine[];
  doNotCallWindows: AiDoNotCallWindow[];
  redialRules: AiRedialRule[];
  handoverGroups: AiHandoverGroup[];
  scriptGroups: AiScriptGroup[];
}

/** The caller line nested in a task (`caller_line`): a different, richer shape than the options' list. */
export interface AiTaskCallerLine {
  id: string;
  name: string | null;
  callerNumber: string | null;
  totalConcurrency: number | null;
  usedConcurrency: number | null;
  availableFrom: Date | null;
  availableUntil: Date | null;
}

/** The redial rule nested in a task (`auto_recycle_rule`). */
export interface AiTaskRedialRule {
  id: number;
  name: string | null;
  remark: string | null;
  enabled: boolean | null;
  isDefault: boolean | null;
}

export interface AiTaskProgress {
  /** Numbers imported into the task. */
  total: number;
  /** Numbers dialled so far. */
  dialled: number;
  /** 0–100 as the platform computes it. */
  percent: number;
}

/** An AI outbound task. */
export interface AiTask {
  id: string;
  name: string;
  remark: string | null;
  running: boolean;
  /** Calls the task may have up at once (`maximumcall`). */
  concurrency: number;
  /** Null when the platform leaves it out (its create response does). */
  callsPerSecond: number | null;
  callerLineId: string;
  callerNumber: string | null;
  scriptGroupId: number;
  doNotCallWindowId: string | null;
  handoverGroupId: number | null;
  redialRuleId: number | null;
  /** Pause between two calls on one channel. */
  pauseSeconds: number;
  /** How long a number may ring before the attempt is given up. */
  dialTimeoutSeconds: number;
  progress: AiTaskProgress;
  createdAt: Date | null;
  changedAt: Date | null;
  /** The nested entities, when the platform includes them (its list does, its create response mostly not). */
  callerLine: AiTaskCallerLine | null;
  redialRule: AiTaskRedialRule | null;
  doNotCallWindow: AiDoNotCallWindow | null;
  scriptGroup: AiScriptGroup | null;
}

/** What creating or replacing a task takes (`PUT` replaces the whole task, so it takes the same). */
export interface AiTaskInput {
  name: string;
  remark?: string | null;
  callerLineId: string;
  scriptGroupId: number;
  doNotCallWindowId: string;
  /** Must not exceed the caller line's free concurrency. */
  concurrency: number;
  /** Omitted or null: no hand-over. The group must be enabled and have a caller line. */
  handoverGroupId?: number | null;
  redialRuleId: number;
  /** The platform advises 10 for concurrency 1; 0 is fine above. */
  pauseSeconds: number;
  /** For example 60. */
  dialTimeoutSeconds: number;
}

/** One number to import into a task, with the custom fields the script may speak (name, amount due, …). */
export interface AiCustomerInput {
  phone: string;
  fields?: Readonly<Record<string, string | number | boolean | null>>;
}

/** A number the platform refused on import, as far as its answer says. */
export interface AiRefusedCustomer {
  phone: string | null;
  reason: string | null;
  /** The entry as the platform wrote it. */
  raw: unknown;
}

/**
 * The platform's answer to an import, recognised leniently (its format is undocumented): counts are null when the
 * answer does not state them; `raw` keeps the whole parsed body (or the text, when it is not JSON).
 */
export interface AiImportResult {
  accepted: number | null;
  refused: AiRefusedCustomer[];
  message: string | null;
  raw: unknown;
}

/** True when a hand-over group may be put on a task: enabled and with a caller line. */
export function isUsableHandoverGroup(group: Pick<AiHandoverGroup, 'enabled' | 'callerLineId'>): boolean {
  return group.enabled && group.callerLineId !== null;
}
