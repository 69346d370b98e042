import type { Generated } from 'kysely';
import type { PredictiveAssignmentType, PredictiveTaskStatus, StatusChangeSource } from './model.ts';

/**
 * Table types for Kysely. Every time column is **epoch milliseconds** in a `bigint` column (see database.ts for why);
 * lists and JSON results are `text` holding JSON, so both dialects store and return the same strings.
 */

export interface PredictiveTaskTable {
  id: string;
  name: string;
  /** `name` case-folded in JS, so a case-insensitive search behaves the same on SQLite and PostgreSQL. */
  name_folded: string;
  assignment_type: PredictiveAssignmentType;
  assignee: string;
  pacing_agents: number;
  pacing_calls: number;
  /** JSON array of strings. */
  caller_numbers: string;
  submitted_count: number;
  accepted_count: number;
  refused_count: number;
  status: PredictiveTaskStatus;
  /** Who set the current status; the history triggers copy it into the history row. */
  status_source: StatusChangeSource;
  created_at: number;
  status_changed_at: number;
  updated_at: number;
}

/** Written only by the triggers of migration 0001, never by the repository. */
export interface PredictiveTaskStatusHistoryTable {
  id: Generated<number>;
  task_id: string;
  from_status: PredictiveTaskStatus | null;
  to_status: PredictiveTaskStatus;
  source: StatusChangeSource;
  at: number;
}

export type IdempotencyState = 'in-progress' | 'done';

export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  request_hash: string;
  state: IdempotencyState;
  /** JSON of the stored result; null while in progress. */
  result: string | null;
  claimed_at: number;
  expires_at: number;
}

/** The append-only log of callbacks (migration 0002). Only `applied` and `effect` are ever written after the insert. */
export interface EventTable {
  id: Generated<number>;
  topic: string;
  dedupe_key: string;
  subject: string | null;
  /** JSON of the normalised event (events/types.ts `EventPayloads`). */
  payload: string;
  occurred_at: number | null;
  received_at: number;
  /** Null until the projections took the event in; then 1 (it changed state) or 0. */
  applied: number | null;
  /** JSON of the projection's answer (`EventEffects`); null while pending. */
  effect: string | null;
}

/** The latest known call state of each extension, from extension-status callbacks. */
export interface AgentStatusTable {
  extension: string;
  status: string;
  /** ring 1 < answer 2 < hangup 3: the order of the states within one call. */
  status_rank: number;
  leg: string;
  call_uuid: string;
  b_uuid: string | null;
  direction: string | null;
  caller: string | null;
  callee: string | null;
  display_number: string | null;
  call_method: string | null;
  customer_id: string | null;
  company_code: string | null;
  call_started_at: number;
  last_event_id: number;
  changed_at: number;
  prev_status: string | null;
  prev_leg: string | null;
  prev_call_uuid: string | null;
  prev_call_started_at: number | null;
  prev_event_id: number | null;
  prev_changed_at: number | null;
}

/** Call records from callbacks and GetBill, one row per call (see call-records.ts for the merge key). */
export interface CallRecordTable {
  key: string;
  record_id: number | null;
  uuid: string | null;
  extension: string | null;
  destination_number: string | null;
  display_number: string | null;
  direction: string | null;
  call_method: string | null;
  started_at: number | null;
  answered_at: number | null;
  ended_at: number | null;
  wait_seconds: number | null;
  talk_seconds: number | null;
  user_id: string | null;
  employee_id: string | null;
  member_id: string | null;
  maturity: string | null;
  customer_id: string | null;
  record_file_name: string | null;
  download_ip: string | null;
  hangup_direction: string | null;
  hangup_cause: string | null;
  keys_pressed: string | null;
  company_code: string | null;
  from_callback: Generated<number>;
  from_bill: Generated<number>;
  callback_event_id: number | null;
  created_at: number;
  updated_at: number;
}

/** The numbers each predictive upload sent (migration 0004): how call records are joined to their task. */
export interface TaskNumberTable {
  task_id: string;
  phone: string;
  customer_id: string | null;
  added_at: number;
}

/** One row per call record (by its key): how the statistics classified it (src/stats/classify.ts). */
export interface StatCallTable {
  key: string;
  task_id: string | null;
  queue: string | null;
  extension: string | null;
  started_at: number;
  ended_at: number | null;
  dialled: number;
  customer_answered: number;
  connected: number;
  abandoned: number;
  wait_s: number | null;
  talk_s: number;
}

/** Counters per (dimension, subject, grain in minutes, bucket start): what the statistics queries add up. */
export interface StatCountTable {
  dim: string;
  subject: string;
  grain: number;
  bucket: number;
  dialled: number;
  customer_answered: number;
  connected: number;
  abandoned: number;
  talk_s: number;
  wait_s: number;
}

/** Connected calls per queue, bucket and whole seconds of waiting (the service level's histogram). */
export interface StatWaitTable {
  queue: string;
  grain: number;
  bucket: number;
  wait_s: number;
  calls: number;
}

/**
 * An agent's state from `at`, with its cumulative time in each state before `at`, and its cumulative offers (rings),
 * offers answered and offers missed up to and including this transition.
 */
export interface StatAgentStateTable {
  extension: string;
  at: number;
  event_id: number;
  state: string;
  idle_ms: number;
  ringing_ms: number;
  talking_ms: number;
  rung: number;
  rung_answered: number;
  rung_missed: number;
}

/** AI calls per task and outcome label (the platform's word for the call's result), all time. */
export interface StatAiOutcomeTable {
  task_id: string;
  outcome: string;
  calls: number;
}

/** A predictive task's abandon-rate guard (src/stats/guard.ts). */
export interface TaskGuardTable {
  task_id: string;
  target_percent: number;
  last_calls: number;
  pause_task: number;
  armed_at: number;
  tripped_at: number | null;
  tripped_calls: number | null;
  tripped_abandoned: number | null;
  claimed_at: number | null;
  reported_at: number | null;
}

export interface Database {
  predictive_tasks: PredictiveTaskTable;
  predictive_task_status_history: PredictiveTaskStatusHistoryTable;
  idempotency_keys: IdempotencyKeyTable;
  events: EventTable;
  agent_status: AgentStatusTable;
  call_records: CallRecordTable;
  task_numbers: TaskNumberTable;
  stat_calls: StatCallTable;
  stat_counts: StatCountTable;
  stat_waits: StatWaitTable;
  stat_agent_states: StatAgentStateTable;
  stat_ai_outcomes: StatAiOutcomeTable;
  task_guards: TaskGuardTable;
}
