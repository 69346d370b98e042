/** The gateway's storage: a Kysely database (SQLite file or PostgreSQL) and its repositories. */
export { type DatabaseLocation, type Store, type StoreOptions, createDatabase, parseDatabaseUrl } from './database.ts';
export {
  type ClaimResult,
  DEFAULT_IDEMPOTENCY_LEASE_MS,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type IdempotencyRepository,
} from './idempotency.ts';
export { type DialectName, migrateToLatest } from './migrations.ts';
export { type AgentCall, type AgentCallState, type AgentStatusRepository, type ApplyResult, statusRank } from './agent-status.ts';
export {
  type CallRecordInput,
  type CallRecordRepository,
  type CallRecordSource,
  type StoredCallRecord,
  billToCallRecordInput,
  callRecordKey,
} from './call-records.ts';
export { type AppendResult, type EventFilter, type EventRepository, type NewEvent, type StoredEvent } from './events.ts';
export { type Projected, callRecordInputOf, projectEvent } from './projections.ts';
export {
  type NewPredictiveTask,
  type NumberCounts,
  type Pacing,
  PredictiveAssignmentType,
  type PredictiveTask,
  type PredictiveTaskAssignment,
  PredictiveTaskStatus,
  type StatusChange,
  type StatusChangeSource,
  canChangeStatus,
  isTerminalStatus,
} from './model.ts';
export type { Database } from './schema.ts';
export { type AgentStateTimes, type AgentTimeState, type StatisticsRepository } from './statistics.ts';
export { type GuardRow, type TaskGuardRepository } from './task-guards.ts';
export { type PageArgs, type PredictiveTaskRepository, type SetStatusResult, type TaskFilter, type TaskPage, foldName, taskCursor } from './tasks.ts';
