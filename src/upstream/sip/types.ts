import type {
  AssignType,
  AutoCallState,
  BillDirectionFilter,
  BillSyncFlag,
  CallDirection,
  CallMethod,
  Coded,
  ExtGroupMemberState,
  ExtensionCallEvent,
  ExtensionStatusFilter,
  ExtGroupStatusFilter,
  QueueStrategy,
  Registration,
  SeatSetting,
  SeatStateFilter,
  SipCode,
  TaskCommand,
} from './codes.ts';

/**
 * What the SIP client's functions take and return: the platform's data in plain English names, codes decoded,
 * times as Dates. Nothing above the client sees `App.Sip_*`, pinyin, or a password.
 */

export interface SipLogin {
  companyCode: string;
  companyName: string;
  token: string;
  authTime: Date | null;
  authModel: string;
}

export interface BillQuery {
  /** Dial-time window, inclusive. */
  from: Date;
  to: Date;
  /** Which records by the platform's "already fetched" flag. Defaults to All: reading must not consume the flag. */
  sync?: BillSyncFlag;
  direction?: BillDirectionFilter;
  /** Defaults to Any (the platform's own default when the field is absent is ApiCall). */
  callMethod?: CallMethod;
  /** 1-based. */
  page?: number;
  /** 1…1000. */
  pageSize?: number;
  extensions?: readonly string[];
  destinationNumber?: string;
  userId?: string;
  memberId?: string;
  maturity?: string;
  customerId?: string;
}

export interface Bill {
  id: number;
  extension: string | null;
  destinationNumber: string | null;
  displayNumber: string | null;
  startedAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  /** The platform's `duration`: seconds spent waiting for an answer. */
  waitSeconds: number;
  /** The platform's `billsec`: seconds of conversation. */
  talkSeconds: number;
  direction: Coded<CallDirection>;
  callMethod: Coded<CallMethod>;
  userId: string | null;
  memberId: string | null;
  /** The platform's `chengshudu`. */
  maturity: string | null;
  /** The platform's `customuuid`. */
  customerId: string | null;
  recordFileName: string | null;
  downloadIp: string | null;
  hangupDirection: Coded<SipCode> | null;
  hangupCause: Coded<SipCode> | null;
  /** Keys the callee pressed. */
  keysPressed: string | null;
}

export interface BillPage {
  total: number;
  page: number;
  pageSize: number;
  bills: Bill[];
}

export interface RecordingLink {
  url: string;
  expiresAt: Date | null;
}

export interface ExtensionQuery {
  status?: ExtensionStatusFilter;
  extensions?: readonly string[];
}

/** GetSipnumberInfo without the SIP password, which is dropped at the boundary. */
export interface ExtensionInfo {
  extension: string;
  status: Coded<SipCode>;
  enabled: boolean;
  registration: Coded<Registration>;
}

export interface ExtensionCallStatus {
  extension: string;
  status: Coded<SipCode>;
  caller: string | null;
  callee: string | null;
  displayNumber: string | null;
  direction: Coded<CallDirection> | null;
  channel: string | null;
  idleSeconds: number | null;
  talkSeconds: number | null;
}

export interface ExtensionValidity {
  extension: string;
  status: Coded<SipCode>;
}

export interface ExtensionRegistration {
  extension: string;
  status: Coded<SipCode>;
  clientIp: string | null;
  serverIp: string | null;
}

export interface Queue {
  name: string;
  remark: string | null;
  strategy: Coded<QueueStrategy>;
  announcement: string | null;
  announceFrequencySeconds: number | null;
  ringDelaySeconds: number | null;
  maxWaitSeconds: number | null;
  noAgentTimeoutSeconds: number | null;
  noAgentRejoinSeconds: number | null;
  discardSeconds: number | null;
  autoCall: Coded<AutoCallState>;
}

export interface QueueCreate {
  name: string;
  /** Whether the queue takes predictive (auto) calls. */
  autoCall: boolean;
  remark: string;
  strategy?: QueueStrategy;
}

/** EditQueue: the platform resets a timing that is not sent to its default, so callers should send all of them. */
export interface QueueUpdate {
  name: string;
  remark: string;
  strategy?: QueueStrategy;
  announceFrequencySeconds?: number;
  ringDelaySeconds?: number;
  maxWaitSeconds?: number;
  noAgentTimeoutSeconds?: number;
  noAgentRejoinSeconds?: number;
  discardSeconds?: number;
}

export interface SeatCommand {
  queue: string;
  extension: string;
  /** The agent's employee id (`crmid`). */
  employeeId: number;
}

export interface SeatAvailability extends SeatCommand {
  setting: SeatSetting;
}

export interface SeatQuery {
  queue?: string;
  extensions?: readonly string[];
  state?: SeatStateFilter;
}

export interface QueueSeat {
  queue: string;
  seatName: string | null;
  extension: string;
  /**
   * The agent's employee id (`crmid`) given at check-in, read from `seatsname` when it has the form
   * `<crmid>_<extnumber>_<queuename>` of this very row; null otherwise (GetQueueSipStatus has no `crmid` field).
   */
  employeeId: number | null;
  status: Coded<SipCode>;
  state: Coded<SipCode>;
  lastAnsweredAt: Date | null;
  lastAssignedAt: Date | null;
  changedAt: Date | null;
  missedCount: number;
  answeredCount: number;
  externalCallCount: number;
  wrapUpSeconds: number;
  maxNoAnswer: number;
}

export interface ExtGroup {
  id: number;
  name: string;
  /** From `status`: 1 or 1042 (see ExtGroupStatus). */
  enabled: boolean;
  status: Coded<SipCode>;
}

export interface ExtGroupMember {
  group: string;
  extension: string;
  callStatus: Coded<ExtensionCallEvent>;
  state: Coded<ExtGroupMemberState>;
}

export interface ExtGroupQuery {
  name?: string;
  status?: ExtGroupStatusFilter;
}

/** One number of a predictive task, with the custom fields the platform echoes into call records. */
export interface TaskNumber {
  phone: string;
  /** Not dialled before this instant (the platform's `time`); default now. */
  dialAfter?: Date;
  userId?: string;
  memberId?: string;
  maturity?: string;
  customerId?: string;
}

export interface TaskCreate {
  assignType: AssignType;
  /** The extension, queue name or group name the calls go to. */
  assignee: string;
  numbers: readonly TaskNumber[];
  /** Idle agents : simultaneous calls, e.g. {agents: 1, calls: 3} → "1:3". */
  pacing: { agents: number; calls: number };
  /** Caller numbers to display; empty lets the platform pick at random. */
  callerNumbers?: readonly string[];
  name?: string;
}

/** An entry the platform refused; `phone` when it could be recognised in the entry. */
export interface RefusedNumber {
  phone: string | null;
  raw: unknown;
}

export interface TaskCreated {
  taskId: string;
  refused: RefusedNumber[];
}

export interface TaskNumbersAdded {
  accepted: number;
  refused: RefusedNumber[];
}

export interface TaskStatusChange {
  taskId: string;
  command: TaskCommand;
}
