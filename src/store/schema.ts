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

export interface Database {
  predictive_tasks: PredictiveTaskTable;
  predictive_task_status_history: PredictiveTaskStatusHistoryTable;
  idempotency_keys: IdempotencyKeyTable;
}
