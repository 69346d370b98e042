import type {
  AssignType,
  AutoCallState,
  CallDirection,
  CallMethod,
  ExtGroupMemberState,
  QueueStrategy,
  SipCode,
} from '../../upstream/sip/codes.ts';

/**
 * The simulated PBX's entities. Plain data: SipState (state.ts) owns them and is the only thing that changes them,
 * so that every change emits its event. All instants are epoch ms on the simulator clock.
 */

export interface Company {
  code: string;
  name: string;
}

/** What an extension is doing; GetSipCallStatus maps these onto 1201…1204. */
export enum ExtensionCallState {
  Idle = 'idle',
  Ringing = 'ringing',
  OffHook = 'offhook',
  Calling = 'calling',
}

export interface ActiveCall {
  caller: string;
  callee: string;
  /** The caller number shown to the callee. */
  disnumber: string;
  direction: CallDirection;
  method: CallMethod;
  channel: string;
  uuid: string;
  since: number;
  /** The predictive task this call dials for, if any. */
  taskId?: string;
}

export interface Registration {
  clientIp: string;
  serverIp: string;
  since: number;
}

export interface Extension {
  readonly number: string;
  password: string;
  enabled: boolean;
  registration: Registration | null;
  callState: ExtensionCallState;
  call: ActiveCall | null;
  /** When the extension last became idle (for `idleduration`). */
  idleSince: number;
}

/** A seat's own state in a queue; `paused` (SetSeatsStatus "show busy") is kept apart and wins when shown. */
export type SeatState =
  | SipCode.SeatWaiting
  | SipCode.SeatReceiving
  | SipCode.SeatAnswered
  | SipCode.SeatNoAnswer
  | SipCode.SeatRejected;

export interface Seat {
  readonly queueName: string;
  readonly extnumber: string;
  crmid: string;
  paused: boolean;
  state: SeatState;
  lastAnswerTime: number | null;
  lastAssignTime: number | null;
  changeTime: number;
  noAnswerCount: number;
  callsAnswered: number;
  externalCallsCount: number;
  wrapupTime: number;
  maxNoAnswer: number;
}

export interface QueueSettings {
  remark: string;
  strategy: QueueStrategy;
  announce: string;
  announcefreq: number;
  ringdelay: number;
  maxwaittime: number;
  withnoagenttime: number;
  noagentrejoiningtime: number;
  discardtime: number;
}

/** EditQueue's documented defaults (also used by AddQueue). */
export const QUEUE_DEFAULTS = {
  announcefreq: 30,
  ringdelay: 30,
  maxwaittime: 0,
  withnoagenttime: 0,
  noagentrejoiningtime: 5,
  discardtime: 90,
} as const;

export interface Queue extends QueueSettings {
  readonly name: string;
  /** AddQueue `autocall` yes/no; GetQueueList derives busy/idle/unavailable from it and the running tasks. */
  autocallEnabled: boolean;
  /** Set to force `autocall` (e.g. a dialer marking a queue busy); null derives it. */
  autocallOverride: AutoCallState | null;
  readonly seats: Map<string, Seat>;
}

export interface ExtGroupMember {
  readonly extnumber: string;
  state: ExtGroupMemberState;
}

export interface ExtGroup {
  readonly id: number;
  readonly name: string;
  enabled: boolean;
  readonly members: Map<string, ExtGroupMember>;
}

export interface CallerNumber {
  readonly number: string;
  enabled: boolean;
}

export enum TaskStatus {
  NotStarted = 'notstarted',
  Running = 'running',
  Paused = 'paused',
  Over = 'over',
}

/** Where one number of a task stands; the dialer of a later issue moves numbers along. */
export enum TaskNumberState {
  Pending = 'pending',
  Dialling = 'dialling',
  Answered = 'answered',
  Unanswered = 'unanswered',
}

export interface TaskNumber {
  readonly seq: number;
  readonly phone: string;
  /** Unix seconds: not dialled before this. */
  readonly time: number;
  readonly userid: string;
  readonly memberid: string;
  readonly chengshudu: string;
  readonly customuuid: string;
  state: TaskNumberState;
  billId: number | null;
}

export type NewTaskNumber = Omit<TaskNumber, 'seq' | 'state' | 'billId'>;

export interface PredictiveTask {
  readonly id: string;
  readonly name: string;
  readonly assignType: AssignType;
  readonly assignAgent: string;
  /** `taskscale` "agents:calls". */
  readonly scale: { agents: number; calls: number };
  /** Chosen caller numbers; empty means a random enabled one per call. */
  readonly callerNumbers: readonly string[];
  status: TaskStatus;
  readonly createdAt: number;
  updatedAt: number;
  readonly numbers: TaskNumber[];
}

export interface Bill {
  readonly id: number;
  readonly uuid: string;
  extnumber: string;
  destnumber: string;
  displaynumber: string;
  starttime: number;
  answertime: number | null;
  endtime: number;
  /** Seconds waiting (start → answer, or start → end when unanswered). */
  duration: number;
  /** Seconds talking. */
  billsec: number;
  direction: CallDirection;
  callmethod: CallMethod;
  crmid: string;
  userid: string;
  memberid: string;
  chengshudu: string;
  customuuid: string;
  recordfilename: string;
  downloadip: string;
  hangupdirection: number;
  hangupcause: number;
  userkey: string;
  taskId: string | null;
  /** Returned once by GetBill with syncflag 1. */
  fetched: boolean;
}

export type NewBill = Omit<Bill, 'id' | 'fetched' | 'taskId'> & { fetched?: boolean; taskId?: string | null };

/**
 * Codes the manual's examples show but its tables do not list (the client decodes them as UNKNOWN). Kept here so
 * that no number appears literally in the handlers.
 */
export enum ObservedCode {
  /** `hangupcause` of the manual's unanswered IVR/group-call examples. */
  HangupCauseUnlisted = 10020,
  /** `hangupdirection` of the manual's call-record callback example. */
  HangupDirectionUnlisted = 10015,
}
