/**
 * The stored domain model: what the gateway remembers about the predictive tasks it created. The SIP API has no call
 * to list or read tasks, so this record is the only place a task's name, assignment, pacing and status live.
 */

/** Lifecycle of a predictive task as the gateway knows it (from its own TaskSet calls and the status callback). */
export enum PredictiveTaskStatus {
  /** Created with TaskCreat and not started yet (the platform's 1025). */
  NotStarted = 'NOT_STARTED',
  Running = 'RUNNING',
  Paused = 'PAUSED',
  /** Ended on request (TaskSet 3): terminal. */
  Ended = 'ENDED',
  /** Every number dialled (the task-status callback, `status: 3`): terminal. */
  Finished = 'FINISHED',
}

const TERMINAL: ReadonlySet<PredictiveTaskStatus> = new Set([PredictiveTaskStatus.Ended, PredictiveTaskStatus.Finished]);

export function isTerminalStatus(status: PredictiveTaskStatus): boolean {
  return TERMINAL.has(status);
}

/**
 * Whether a task may move from one status to another. Terminal statuses are absorbing: callbacks arrive late and out
 * of order, so a "running" heard after "finished" is stale, and the first terminal status says how the task ended.
 * NOT_STARTED is only ever the initial status.
 */
export function canChangeStatus(from: PredictiveTaskStatus, to: PredictiveTaskStatus): boolean {
  return from !== to && !isTerminalStatus(from) && to !== PredictiveTaskStatus.NotStarted;
}

/** Who assigns the task's answered calls (TaskCreat `assigntype` 1, 2, 3). */
export enum PredictiveAssignmentType {
  Extension = 'EXTENSION',
  Queue = 'QUEUE',
  ExtGroup = 'EXT_GROUP',
}

/** What caused a status change, kept in the history. */
/** 'guard': the abandon-rate guard paused the task (src/stats/guard.ts). */
export type StatusChangeSource = 'mutation' | 'callback' | 'guard';

export interface PredictiveTaskAssignment {
  type: PredictiveAssignmentType;
  /** The extension number, queue name or extension-group name. */
  assignee: string;
}

/** TaskCreat `taskscale`, "agents:calls": calls placed per idle agent. */
export interface Pacing {
  agents: number;
  calls: number;
}

/** Numbers sent to the platform (TaskCreat + TaskAdd), how many it accepted, and how many it refused as invalid. */
export interface NumberCounts {
  submitted: number;
  accepted: number;
  refused: number;
}

export interface PredictiveTask {
  /** The platform's task id (e.g. "20200212163504393460"). */
  id: string;
  name: string;
  assignment: PredictiveTaskAssignment;
  pacing: Pacing;
  /** Caller numbers shown to callees; empty means the platform picks at random. */
  callerNumbers: string[];
  counts: NumberCounts;
  status: PredictiveTaskStatus;
  createdAt: Date;
  statusChangedAt: Date;
  updatedAt: Date;
}

export interface NewPredictiveTask {
  id: string;
  name: string;
  assignment: PredictiveTaskAssignment;
  pacing: Pacing;
  callerNumbers: readonly string[];
  /** Defaults to zeros. */
  counts?: NumberCounts;
  /** Defaults to NOT_STARTED. */
  status?: PredictiveTaskStatus;
  /** Defaults to the store's clock. */
  createdAt?: Date;
}

export interface StatusChange {
  taskId: string;
  /** Null for the row written when the task was created. */
  from: PredictiveTaskStatus | null;
  to: PredictiveTaskStatus;
  source: StatusChangeSource;
  at: Date;
}
