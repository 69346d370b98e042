/**
 * The SIP API's code tables as named enums, shared by the client and the simulator so that no code number appears
 * anywhere else. Upstream values that no table knows decode to UNKNOWN with the raw value kept: the platform sends
 * codes its own manual does not list (10015, 10020, 1042 in its examples), and a query must never fail on one.
 */

/** `ret` of the envelope. */
export enum SipRet {
  Ok = 200,
  IllegalRequest = 400,
  ServerError = 500,
  TokenInvalid = 600,
  AppIdNotAuthorized = 601,
  AppIdExpired = 602,
  ModuleNotLicensed = 603,
  IpNotAuthorized = 604,
}

/** `errors.code` of a business failure, and the status/code/state fields of many results. */
export enum SipCode {
  ServerConnectionFailed = 1001,
  AbnormalOperation = 1002,
  OperationFailed = 1003,
  ExtensionException = 1010,
  IllegalExtension = 1011,
  ExtensionNotFound = 1012,
  ExtensionDisabled = 1013,
  ExtensionNotRegistered = 1014,
  ExtensionNotInCall = 1015,
  ExtensionEnabled = 1016,
  ExtensionRegistered = 1017,
  CallerNumberEnabled = 1018,
  CallerNumberDisabled = 1019,
  CallerNumberNotFound = 1020,
  IllegalCallerNumber = 1021,
  TaskNotFound = 1024,
  TaskNotStarted = 1025,
  TaskInProgress = 1026,
  TaskPaused = 1027,
  TaskOver = 1028,
  ExtensionIdle = 1201,
  ExtensionRinging = 1202,
  ExtensionOffHook = 1203,
  ExtensionCalling = 1204,
  CalleeRejected = 1205,
  QueueException = 1210,
  IllegalQueue = 1211,
  SeatNoAnswer = 1212,
  SeatWaiting = 1213,
  SeatReceiving = 1214,
  SeatAnswered = 1215,
  SeatRejected = 1216,
  SeatPaused = 1217,
  SeatCheckedIn = 1218,
  CallNormalHangup = 10001,
  CallCancelled = 10002,
  CallRefused = 10003,
  CallLineFailure = 10004,
  CallTimeout = 10005,
  CallBusy = 10006,
  CallerHungUp = 10040,
  CalleeHungUp = 10041,
}

/** `hangupdirection` of GetBill and call records: which side hung up (a subset of the business codes). */
export enum HangupSide {
  CallerHungUp = SipCode.CallerHungUp,
  CalleeHungUp = SipCode.CalleeHungUp,
}

/** `hangupcause` of GetBill and call records: why the call ended (a subset of the business codes). */
export enum HangupCause {
  NormalHangup = SipCode.CallNormalHangup,
  Cancelled = SipCode.CallCancelled,
  Refused = SipCode.CallRefused,
  LineFailure = SipCode.CallLineFailure,
  Timeout = SipCode.CallTimeout,
  Busy = SipCode.CallBusy,
}

/** `callmethod` of GetBill and call records (0 is only meaningful as a filter). */
export enum CallMethod {
  Any = 0,
  ExtensionToExtension = 1,
  ManualDial = 2,
  ApiCall = 3,
  ApiDoubleCall = 4,
  Predictive = 5,
  IvrGroupCall = 6,
}

/** Queue ring strategy. */
export enum QueueStrategy {
  LongestIdle = 1,
  ShortestTalkTime = 2,
  RingAll = 3,
  RoundRobin = 4,
  Sequential = 5,
  Random = 6,
  FewestAnswered = 7,
  Priority = 8,
}

/** `syncflag` of GetBill. Reading with NotYetFetched marks the returned records as fetched. */
export enum BillSyncFlag {
  NotYetFetched = 1,
  AlreadyFetched = 2,
  All = 3,
}

/** `direction` filter of GetBill. */
export enum BillDirectionFilter {
  In = 1,
  Out = 2,
  All = 3,
}

/** `direction` of bills, call status and callbacks. */
export enum CallDirection {
  Out = 'callout',
  In = 'callin',
}

/** `assigntype` of TaskCreat. */
export enum AssignType {
  Extension = 1,
  Queue = 2,
  ExtGroup = 3,
}

/** `taskstatus` of TaskSet. */
export enum TaskCommand {
  Start = 1,
  Pause = 2,
  End = 3,
}

/** `status` of the predictive-task callback: the manual says only "finished" is ever sent. */
export enum TaskCallbackStatus {
  Finished = 3,
}

/** `settype` of SetSeatsStatus. */
export enum SeatSetting {
  ShowBusy = 1,
  ShowIdle = 2,
}

/** `status` filter of GetSipnumberInfo. */
export enum ExtensionStatusFilter {
  Enabled = 1,
  Disabled = 2,
  All = 3,
}

/** `status` of AddExtgroup and filter of GetExtgroupInfo. */
export enum ExtGroupStatusFilter {
  Disabled = 0,
  Enabled = 1,
  All = 2,
}

/**
 * `status` of a group in GetExtgroupInfo's result. The manual documents 1 / 0, but both groups of its example show
 * 1042 (a code it never lists); 1043 for a disabled group is the simulator's guess. The client accepts both spellings.
 */
export enum ExtGroupStatus {
  Enabled = 1042,
  Disabled = 1043,
}

/** `state` filter of GetQueueSipStatus. */
export enum SeatStateFilter {
  Any = 0,
  Idle = 1,
  Waiting = 2,
  Receiving = 3,
  Talking = 4,
}

/** `register` of GetSipnumberInfo. */
export enum Registration {
  Registered = 'reg',
  NotRegistered = 'nreg',
}

/** `autocall` of GetQueueList: the queue's predictive-dial state. */
export enum AutoCallState {
  Busy = 'busy',
  Idle = 'idle',
  Unavailable = 'unavailable',
}

/** `state` of an extension-group member (EditExtnumber, GetGroupExt). */
export enum ExtGroupMemberState {
  Idle = 'idle',
  Busy = 'busy',
}

/** `status` of the extension-status callback, and a group member's call status in GetGroupExt. */
export enum ExtensionCallEvent {
  Ring = 'ring',
  Answer = 'answer',
  Hangup = 'hangup',
}

export const UNKNOWN = 'UNKNOWN' as const;
export type Unknown = typeof UNKNOWN;

/** A decoded code: the enum member when known, UNKNOWN otherwise; `raw` is always what the platform sent. */
export interface Coded<E> {
  readonly value: E | Unknown;
  readonly raw: string;
}

type EnumObject = Record<string, string | number>;

/**
 * Builds a decoder for one enum. Numeric enums accept numbers and numeric strings ("1003"), string enums accept
 * their values case-insensitively; everything else is UNKNOWN with the raw text.
 */
export function createDecoder<E extends string | number>(table: EnumObject): (raw: unknown) => Coded<E> {
  const known = new Map<string, E>();
  for (const [name, value] of Object.entries(table)) {
    // Numeric TS enums carry a reverse mapping (value → name); skip those entries.
    if (typeof value === 'number') known.set(String(value), value as E);
    else if (!(Number.isInteger(Number(name)) && table[value] !== undefined)) known.set(value.toLowerCase(), value as E);
  }
  return (raw) => {
    const text = raw === null || raw === undefined ? '' : String(raw).trim();
    const value = known.get(text.toLowerCase());
    return { value: value ?? UNKNOWN, raw: text };
  };
}

export const decodeSipRet = createDecoder<SipRet>(SipRet);
export const decodeSipCode = createDecoder<SipCode>(SipCode);
/** A side code in `hangupcause` (or a cause in `hangupdirection`) decodes to UNKNOWN: the two fields have separate tables. */
export const decodeHangupSide = createDecoder<HangupSide>(HangupSide);
export const decodeHangupCause = createDecoder<HangupCause>(HangupCause);
export const decodeCallMethod = createDecoder<CallMethod>(CallMethod);
export const decodeQueueStrategy = createDecoder<QueueStrategy>(QueueStrategy);
export const decodeCallDirection = createDecoder<CallDirection>(CallDirection);
export const decodeRegistration = createDecoder<Registration>(Registration);
export const decodeAutoCallState = createDecoder<AutoCallState>(AutoCallState);
export const decodeExtGroupMemberState = createDecoder<ExtGroupMemberState>(ExtGroupMemberState);
export const decodeExtensionCallEvent = createDecoder<ExtensionCallEvent>(ExtensionCallEvent);
export const decodeTaskCallbackStatus = createDecoder<TaskCallbackStatus>(TaskCallbackStatus);

/** Every table with its decoder, so a test can prove each value of each table maps. */
export const codeTables = {
  SipRet: [SipRet, decodeSipRet],
  SipCode: [SipCode, decodeSipCode],
  HangupSide: [HangupSide, decodeHangupSide],
  HangupCause: [HangupCause, decodeHangupCause],
  CallMethod: [CallMethod, decodeCallMethod],
  QueueStrategy: [QueueStrategy, decodeQueueStrategy],
  CallDirection: [CallDirection, decodeCallDirection],
  Registration: [Registration, decodeRegistration],
  AutoCallState: [AutoCallState, decodeAutoCallState],
  ExtGroupMemberState: [ExtGroupMemberState, decodeExtGroupMemberState],
  ExtensionCallEvent: [ExtensionCallEvent, decodeExtensionCallEvent],
  TaskCallbackStatus: [TaskCallbackStatus, decodeTaskCallbackStatus],
} as const satisfies Record<string, readonly [EnumObject, (raw: unknown) => Coded<string | number>]>;

/** Every `service` of the SIP API (spelling as the platform has it: "Recode", "Creat", "taskDelPhone"). */
export enum SipService {
  Login = 'App.Sip_Auth.Login',
  Logout = 'App.Sip_Auth.Logout',
  GetBill = 'App.Sip_Cdr.GetBill',
  GetRecordFile = 'App.Sip_Cdr.GetRecodeFile',
  GetSipNumberInfo = 'App.Sip_Sipnum.GetSipnumberInfo',
  GetSipCallStatus = 'App.Sip_Status.GetSipCallStatus',
  GetSipValidStatus = 'App.Sip_Status.GetSipValidStatus',
  GetSipRegisterStatus = 'App.Sip_Status.GetSipRegisterStatus',
  GetQueueList = 'App.Sip_Queue.GetQueueList',
  AddQueue = 'App.Sip_Queue.AddQueue',
  EditQueue = 'App.Sip_Queue.EditQueue',
  DelQueue = 'App.Sip_Queue.DelQueue',
  SipSignIn = 'App.Sip_Queue.SipSignIn',
  SipSignOut = 'App.Sip_Queue.SipSignOut',
  SetSeatsStatus = 'App.Sip_Queue.SetSeatsStatus',
  GetQueueSipStatus = 'App.Sip_Queue.GetQueueSipStatus',
  AddExtgroup = 'App.Sip_Extgroup.AddExtgroup',
  GetExtgroupInfo = 'App.Sip_Extgroup.GetExtgroupInfo',
  AddExtnumber = 'App.Sip_Extgroup.AddExtnumber',
  DelExtnumber = 'App.Sip_Extgroup.DelExtnumber',
  EditExtnumber = 'App.Sip_Extgroup.EditExtnumber',
  GetGroupExt = 'App.Sip_Extgroup.GetGroupExt',
  TaskCreate = 'App.Sip_Yccall.TaskCreat',
  TaskAdd = 'App.Sip_Yccall.TaskAdd',
  TaskDelPhone = 'App.Sip_Yccall.taskDelPhone',
  TaskSet = 'App.Sip_Yccall.TaskSet',
}

/** The most numbers one TaskCreat or TaskAdd may carry. */
export const MAX_NUMBERS_PER_CALL = 10_000;

/** `IllegalQueue` → `illegal queue`: the gateway's own words for a code, used in error messages instead of upstream text. */
function words(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
}

/** What a `ret` means, from the code table (never the platform's text); `unknown ret` for codes it lacks. */
export function describeSipRet(ret: Coded<SipRet>): string {
  return ret.value === UNKNOWN ? 'unknown ret' : words(SipRet[ret.value]);
}

/** What a business code means, from the code table (never the platform's text); `unknown code` for codes it lacks. */
export function describeSipCode(code: Coded<SipCode>): string {
  return code.value === UNKNOWN ? 'unknown code' : words(SipCode[code.value]);
}
