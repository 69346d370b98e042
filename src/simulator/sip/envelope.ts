import { SipCode, SipRet } from '../../upstream/sip/codes.ts';
import type { SimResponse } from '../types.ts';

/** The SIP API's `ret`/`data`/`msg` envelopes, as the manual shows them. */

/** `msg` of a request failure, per `ret` (the manual's table, in English). */
export const RET_MESSAGES: Readonly<Record<SipRet, string>> = {
  [SipRet.Ok]: '',
  [SipRet.IllegalRequest]: 'Illegal request: invalid parameter',
  [SipRet.ServerError]: 'Server error',
  [SipRet.TokenInvalid]: 'The token is invalid, please log in again to verify',
  [SipRet.AppIdNotAuthorized]: 'appid is not authorized',
  [SipRet.AppIdExpired]: 'appid authorization has expired',
  [SipRet.ModuleNotLicensed]: 'Module not licensed',
  [SipRet.IpNotAuthorized]: 'IP is not authorized',
};

/** `errors.codemsg` per code (the manual's table). */
export const CODE_MESSAGES: Readonly<Record<SipCode, string>> = {
  [SipCode.ServerConnectionFailed]: 'Server connection failed',
  [SipCode.AbnormalOperation]: 'Abnormal operation',
  [SipCode.OperationFailed]: 'operation failed',
  [SipCode.ExtensionException]: 'Extension exception',
  [SipCode.IllegalExtension]: 'illegal extension',
  [SipCode.ExtensionNotFound]: 'extension does not exist',
  [SipCode.ExtensionDisabled]: 'extension disabled',
  [SipCode.ExtensionNotRegistered]: 'extension not registered',
  [SipCode.ExtensionNotInCall]: 'The extension is not in a call',
  [SipCode.ExtensionEnabled]: 'extension enabled',
  [SipCode.ExtensionRegistered]: 'extension is registered',
  [SipCode.CallerNumberEnabled]: 'Number is enabled',
  [SipCode.CallerNumberDisabled]: 'number disabled',
  [SipCode.CallerNumberNotFound]: 'number does not exist',
  [SipCode.IllegalCallerNumber]: 'illegal number',
  [SipCode.TaskNotFound]: 'task does not exist',
  [SipCode.TaskNotStarted]: 'has not started',
  [SipCode.TaskInProgress]: 'in progress',
  [SipCode.TaskPaused]: 'pause',
  [SipCode.TaskOver]: 'over',
  [SipCode.ExtensionIdle]: 'idle',
  [SipCode.ExtensionRinging]: 'ringing',
  [SipCode.ExtensionOffHook]: 'off-hook',
  [SipCode.ExtensionCalling]: 'calling',
  [SipCode.CalleeRejected]: 'User rejects',
  [SipCode.QueueException]: 'Queue exception',
  [SipCode.IllegalQueue]: 'illegal queue',
  [SipCode.SeatNoAnswer]: 'did not answer',
  [SipCode.SeatWaiting]: 'Waiting',
  [SipCode.SeatReceiving]: 'receiving',
  [SipCode.SeatAnswered]: 'answered',
  [SipCode.SeatRejected]: 'Reject',
  [SipCode.SeatPaused]: 'pause',
  [SipCode.SeatCheckedIn]: 'checked in',
  [SipCode.CallNormalHangup]: 'hang up normally',
  [SipCode.CallCancelled]: 'call cancel',
  [SipCode.CallRefused]: 'refuse to answer',
  [SipCode.CallLineFailure]: 'Outbound channel line failure',
  [SipCode.CallTimeout]: 'User timed out',
  [SipCode.CallBusy]: 'User is busy',
  [SipCode.CallerHungUp]: 'caller hang up',
  [SipCode.CalleeHungUp]: 'Called hang up',
};

/** Thrown by a handler: the envelope's `ret` is not 200. */
export class SipRequestFailure extends Error {
  constructor(
    readonly ret: SipRet,
    message: string = RET_MESSAGES[ret],
  ) {
    super(message);
    this.name = 'SipRequestFailure';
  }
}

/** Thrown by a handler: ret 200 with `status` 1 and a business code. `code` may be one no table knows. */
export class SipBusinessFailure extends Error {
  constructor(
    readonly code: SipCode | number,
    readonly codemsg: string = CODE_MESSAGES[code as SipCode] ?? 'operation failed',
  ) {
    super(`${code}: ${codemsg}`);
    this.name = 'SipBusinessFailure';
  }
}

/** ret 400 "Illegal request: invalid parameter", with what was wrong appended. */
export function illegal(detail?: string): SipRequestFailure {
  const base = RET_MESSAGES[SipRet.IllegalRequest];
  return new SipRequestFailure(SipRet.IllegalRequest, detail ? `${base}: ${detail}` : base);
}

export function unixSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}

function json(body: unknown): SimResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json;charset=utf-8' },
    body: JSON.stringify(body),
  };
}

/** Success; `result` is left out when undefined (operations that return nothing, as in the manual). */
export function successEnvelope(desc: string, result: unknown, reqtime: number, rsptime: number): SimResponse {
  const data: Record<string, unknown> = { status: 0, desc };
  if (result !== undefined) data.result = result;
  data.reqtime = reqtime;
  data.rsptime = rsptime;
  return json({ ret: SipRet.Ok, data, msg: '' });
}

export function businessEnvelope(
  desc: string,
  code: number,
  codemsg: string,
  reqtime: number,
  rsptime: number,
): SimResponse {
  return json({
    ret: SipRet.Ok,
    data: { status: 1, desc, errors: { code: String(code), codemsg }, reqtime, rsptime },
    msg: '',
  });
}

export function requestEnvelope(ret: number, msg: string): SimResponse {
  return json({ ret, data: [], msg });
}

/** GetGroupExt: `data` is the array itself, no status wrapper. */
export function bareEnvelope(data: unknown): SimResponse {
  return json({ ret: SipRet.Ok, data, msg: '' });
}
