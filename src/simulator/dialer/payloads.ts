import { type CallDirection, type CallMethod, type ExtensionCallEvent, TaskCallbackStatus } from '../../upstream/sip/codes.ts';
import type { ZonedTime } from '../../upstream/time.ts';
import type { Bill } from '../sip/model.ts';

/**
 * The callback bodies, field for field as the predictive manual's examples show them (vendor document 001,
 * "Predictive Outbound - Callback data description" and the task-status section; docs/upstream.md, part B). They
 * are sent as the JSON text of the form field `detail`. The AI-call hang-up notification is not documented: its body
 * follows docs/aicall-assumptions.md.
 */

/** The path under the callback base URL each kind is posted to. */
export enum CallbackKind {
  ExtensionStatus = 'extension-status',
  CallRecord = 'call-record',
  TaskStatus = 'task-status',
  AiCallNotify = 'aicall-notify',
}

export interface ExtensionStatusInput {
  companycode: string;
  /** The call's uuid: the same as its call record's and its bill's. */
  uuid: string;
  /** The customer leg's uuid (the manual: "the uuid of the called number on side b"). */
  buuid: string;
  extnumber: string;
  /** The customer's number. */
  callee: string;
  disnumber: string;
  direction: CallDirection;
  method: CallMethod;
  /** When the call started (dialling), ms. */
  startedAt: number;
  customuuid: string;
  status: ExtensionCallEvent;
}

/** Every value a string, keys in the manual's order; `customuuid` only when the number carries one. */
export function extensionStatusPayload(input: ExtensionStatusInput): Record<string, string> {
  return {
    buuid: input.buuid,
    callee: input.callee,
    caller: input.extnumber,
    companycode: input.companycode,
    ...(input.customuuid ? { customuuid: input.customuuid } : {}),
    direction: input.direction,
    disnumber: input.disnumber,
    extnumber: input.extnumber,
    // The event is about the agent's own leg (its extension rings, answers, hangs up), not the customer's phone.
    isbleg: 'false',
    method: String(input.method),
    starttime: String(Math.floor(input.startedAt / 1000)),
    status: input.status,
    type: 'call',
    uuid: input.uuid,
  };
}

/** The call record of a bill: the same values GetBill shows, under the callback's names. */
export function callRecordPayload(bill: Bill, companycode: string, time: ZonedTime): Record<string, string | number> {
  const format = (at: number) => time.format(new Date(at));
  return {
    id: bill.id,
    uuid: bill.uuid,
    type: bill.direction,
    callmethod: bill.callmethod,
    starttime: format(bill.starttime),
    answertime: bill.answertime === null ? '' : format(bill.answertime),
    endtime: format(bill.endtime),
    duration: bill.duration,
    billsec: bill.billsec,
    crmid: bill.crmid,
    memberid: bill.memberid,
    chengshudu: bill.chengshudu,
    customuuid: bill.customuuid,
    disnumber: bill.displaynumber,
    destnumber: bill.destnumber,
    extnumber: bill.extnumber,
    recordfilename: bill.recordfilename,
    downloadip: bill.downloadip,
    hangupdirection: bill.hangupdirection,
    hangupcause: bill.hangupcause,
    companycode,
    userkey: bill.userkey,
  };
}

export function taskStatusPayload(taskid: string, companycode: string) {
  return { taskid, companycode, status: TaskCallbackStatus.Finished };
}

export interface AiCallNotificationInput {
  taskUuid: string;
  taskName: string;
  callUuid: string;
  customerId: number;
  phone: string;
  callerNumber: string;
  fields: Record<string, unknown>;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number;
  /** FreeSWITCH hang-up cause, e.g. NORMAL_CLEARING, NO_ANSWER. */
  hangupCause: string;
}

/**
 * A hang-up notification for one AI call, in FreeSWITCH CDR names (the task entity shows a FreeSWITCH dial plan),
 * which `parseCallNotification` recognises; local `yyyy-mm-dd hh:mm:ss` times in the platform zone.
 */
export function aiCallNotificationPayload(input: AiCallNotificationInput, time: ZonedTime) {
  const format = (at: number | null) => (at === null ? '' : time.format(new Date(at)));
  return {
    task_uuid: input.taskUuid,
    task_name: input.taskName,
    call_uuid: input.callUuid,
    customer_id: input.customerId,
    phone: input.phone,
    caller_number: input.callerNumber,
    start_stamp: format(input.startedAt),
    answer_stamp: format(input.answeredAt),
    end_stamp: format(input.endedAt),
    duration: Math.round((input.endedAt - input.startedAt) / 1000),
    billsec: input.answeredAt === null ? 0 : Math.round((input.endedAt - input.answeredAt) / 1000),
    hangup_cause: input.hangupCause,
    fields: input.fields,
  };
}
