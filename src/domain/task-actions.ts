import { PredictiveTaskStatus } from '../store/model.ts';
import { SipCode } from '../upstream/sip/codes.ts';

/**
 * Which task commands a task's state allows (GraphQL `TaskAction`, `Task.availableActions`), from its kind and status
 * alone: no platform call. Pure.
 *
 * `availableActions` lists the commands that would do something now — what a UI shows as buttons. A command that is
 * not listed is one of two things: refused for the state (`refusedByState`: the gateway answers TaskStateConflictError
 * without calling the platform), or a repeat that changes nothing (startTask on a RUNNING task, pauseTask on a PAUSED
 * one), which is still accepted so that a retried command never fails. Commands the kind has no call for at all
 * (endTask on an AI task, …) are UnsupportedForTaskKindError, whatever the state.
 */

export enum TaskAction {
  Start = 'START',
  Pause = 'PAUSE',
  End = 'END',
  Delete = 'DELETE',
  AddNumbers = 'ADD_NUMBERS',
  RemoveNumbers = 'REMOVE_NUMBERS',
  Update = 'UPDATE',
}

export type TaskKindName = 'PREDICTIVE' | 'AI';

const { Start, Pause, End, Delete, AddNumbers, RemoveNumbers, Update } = TaskAction;

const PREDICTIVE_ACTIONS: Record<PredictiveTaskStatus, readonly TaskAction[]> = {
  [PredictiveTaskStatus.NotStarted]: [Start, End, AddNumbers, RemoveNumbers],
  [PredictiveTaskStatus.Running]: [Pause, End, AddNumbers, RemoveNumbers],
  [PredictiveTaskStatus.Paused]: [Start, End, AddNumbers, RemoveNumbers],
  [PredictiveTaskStatus.Ended]: [],
  [PredictiveTaskStatus.Finished]: [],
};

/** AI tasks are RUNNING or PAUSED only; any other status reads as PAUSED (their platform knows no other state). */
const AI_RUNNING: readonly TaskAction[] = [Pause, AddNumbers, Update, Delete];
const AI_PAUSED: readonly TaskAction[] = [Start, AddNumbers, Update, Delete];

/** The commands that would change something now, in the enum's order. */
export function availableActions(kind: TaskKindName, status: PredictiveTaskStatus): TaskAction[] {
  const actions = kind === 'AI' ? (status === PredictiveTaskStatus.Running ? AI_RUNNING : AI_PAUSED) : PREDICTIVE_ACTIONS[status];
  const order = Object.values(TaskAction);
  return [...actions].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

/** The commands a predictive task's platform refuses in each status (the PBX's 1025 and 1028): nothing is sent. */
const PREDICTIVE_REFUSED: Record<PredictiveTaskStatus, readonly TaskAction[]> = {
  [PredictiveTaskStatus.NotStarted]: [Pause],
  [PredictiveTaskStatus.Running]: [],
  [PredictiveTaskStatus.Paused]: [],
  [PredictiveTaskStatus.Ended]: [Start, Pause, End, AddNumbers, RemoveNumbers],
  [PredictiveTaskStatus.Finished]: [Start, Pause, End, AddNumbers, RemoveNumbers],
};

/**
 * Whether the task's known status forbids the command, so the gateway refuses it before calling the platform. AI
 * tasks: never (RUNNING and PAUSED allow every command their platform has).
 */
export function refusedByState(kind: TaskKindName, status: PredictiveTaskStatus, action: TaskAction): boolean {
  return kind === 'PREDICTIVE' && PREDICTIVE_REFUSED[status].includes(action);
}

/**
 * The status a PBX task-state refusal implies, or null when the code is not one: 1025 "not started", 1026 "in
 * progress", 1027 "paused", 1028 "over". "Over" does not say whether the task was ended or finished: a task the
 * gateway knows as ENDED or FINISHED keeps that status, any other reads as FINISHED (the PBX finished it and the
 * gateway missed the callback).
 */
export function statusOfSipTaskCode(code: SipCode | 'UNKNOWN', known: PredictiveTaskStatus): PredictiveTaskStatus | null {
  switch (code) {
    case SipCode.TaskNotStarted:
      return PredictiveTaskStatus.NotStarted;
    case SipCode.TaskInProgress:
      return PredictiveTaskStatus.Running;
    case SipCode.TaskPaused:
      return PredictiveTaskStatus.Paused;
    case SipCode.TaskOver:
      return known === PredictiveTaskStatus.Ended || known === PredictiveTaskStatus.Finished ? known : PredictiveTaskStatus.Finished;
    default:
      return null;
  }
}
