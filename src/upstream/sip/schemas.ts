import { z } from 'zod';
import { code, count, integer, localTime, optionalCode, optionalInteger, optionalText, text } from '../coerce.ts';
import type { ZonedTime } from '../time.ts';
import {
  decodeAutoCallState,
  decodeCallDirection,
  decodeCallMethod,
  decodeExtGroupMemberState,
  decodeExtensionCallEvent,
  decodeQueueStrategy,
  decodeRegistration,
  decodeSipCode,
  ExtGroupStatus,
  ExtGroupStatusFilter,
  SipCode,
} from './codes.ts';
import type {
  Bill,
  BillPage,
  ExtensionCallStatus,
  ExtensionInfo,
  ExtensionRegistration,
  ExtensionValidity,
  ExtGroup,
  ExtGroupMember,
  Queue,
  QueueSeat,
  RecordingLink,
  RefusedNumber,
  SipLogin,
  TaskCreated,
  TaskNumbersAdded,
} from './types.ts';

/** `"Expiration time:2020-02-11 17:27:23"`: the only documented form; a bare time is accepted too. */
const EXPIRY_PREFIX = /^\s*expiration\s*time\s*[:：]\s*/i;

/**
 * GetQueueSipStatus has no `crmid` field, but names each seat `<crmid>_<extnumber>_<queuename>` (the shape of the
 * manual's example `9026004_9026004_autocall-9026`, whose row otherwise names another extension and queue; the
 * simulator does the same). The employee id is read from it only when the name has
 * exactly that form for the row's own extension and queue, so a name of another shape never yields a wrong id.
 */
export function employeeIdOfSeat(seatName: string | null, extension: string, queue: string): number | null {
  if (!seatName) return null;
  const suffix = `_${extension}_${queue}`;
  if (!seatName.endsWith(suffix)) return null;
  const id = seatName.slice(0, -suffix.length);
  if (!/^\d{1,15}$/.test(id)) return null;
  return Number(id);
}

/** Result schemas of every SIP service. Built per zone, because the platform's times carry none. */
export function createSipSchemas(time: ZonedTime) {
  const at = localTime(time);

  const list = <T extends z.ZodType>(item: T) => z.preprocess((value) => value ?? [], z.array(item));

  const login = z
    .object({ companycode: text, companyname: text, token: z.string().min(1), authtime: at.optional(), authmodel: text.optional() })
    .transform(
      (r): SipLogin => ({
        companyCode: r.companycode,
        companyName: r.companyname,
        token: r.token,
        authTime: r.authtime ?? null,
        authModel: r.authmodel ?? '',
      }),
    );

  const bill = z
    .object({
      id: integer,
      extnumber: optionalText,
      destnumber: optionalText,
      displaynumber: optionalText,
      starttime: at,
      answertime: at,
      endtime: at,
      duration: count,
      billsec: count,
      direction: optionalText,
      callmethod: optionalCode,
      userid: optionalText,
      memberid: optionalText,
      chengshudu: optionalText,
      customuuid: optionalText,
      recordfilename: optionalText,
      downloadip: optionalText,
      hangupdirection: optionalCode,
      hangupcause: optionalCode,
      userkey: optionalText,
    })
    .transform(
      (b): Bill => ({
        id: b.id,
        extension: b.extnumber,
        destinationNumber: b.destnumber,
        displayNumber: b.displaynumber,
        startedAt: b.starttime,
        answeredAt: b.answertime,
        endedAt: b.endtime,
        waitSeconds: b.duration,
        talkSeconds: b.billsec,
        direction: decodeCallDirection(b.direction),
        callMethod: decodeCallMethod(b.callmethod),
        userId: b.userid,
        memberId: b.memberid,
        maturity: b.chengshudu,
        customerId: b.customuuid,
        recordFileName: b.recordfilename,
        downloadIp: b.downloadip,
        hangupDirection: b.hangupdirection === null ? null : decodeSipCode(b.hangupdirection),
        hangupCause: b.hangupcause === null ? null : decodeSipCode(b.hangupcause),
        keysPressed: b.userkey,
      }),
    );

  const billPage = z
    .object({ totalitems: count, currentpage: count, itemsperpage: count, bills: list(bill) })
    .transform((p): BillPage => ({ total: p.totalitems, page: p.currentpage, pageSize: p.itemsperpage, bills: p.bills }));

  const recordingLink = z
    .object({ downurl: z.string().min(1), expiredtime: optionalText })
    .transform((r, ctx): RecordingLink => {
      if (r.expiredtime === null) return { url: r.downurl, expiresAt: null };
      const expiresAt = time.parse(r.expiredtime.replace(EXPIRY_PREFIX, ''));
      if (!expiresAt) {
        ctx.addIssue({ code: 'custom', message: `unreadable expiredtime ${JSON.stringify(r.expiredtime)}` });
        return z.NEVER;
      }
      return { url: r.downurl, expiresAt };
    });

  // `password` is deliberately absent: zod drops unknown keys, so the SIP secret never leaves this schema.
  const extensionInfo = z
    .object({ extnumber: text, status: code, register: optionalText })
    .transform((e): ExtensionInfo => {
      const status = decodeSipCode(e.status);
      return {
        extension: e.extnumber,
        status,
        enabled: status.value === SipCode.ExtensionEnabled,
        registration: decodeRegistration(e.register),
      };
    });

  const callStatus = z
    .object({
      extnumber: text,
      status: code,
      caller: optionalText,
      callee: optionalText,
      disnumber: optionalText,
      direction: optionalText,
      channel: optionalText,
      idleduration: optionalInteger,
      callduration: optionalInteger,
    })
    .transform(
      (s): ExtensionCallStatus => ({
        extension: s.extnumber,
        status: decodeSipCode(s.status),
        caller: s.caller,
        callee: s.callee,
        displayNumber: s.disnumber,
        direction: s.direction === null ? null : decodeCallDirection(s.direction),
        channel: s.channel,
        idleSeconds: s.idleduration,
        talkSeconds: s.callduration,
      }),
    );

  const validity = z
    .object({ extnumber: text, code })
    .transform((v): ExtensionValidity => ({ extension: v.extnumber, status: decodeSipCode(v.code) }));

  const registration = z
    .object({ extnumber: text, code, clientip: optionalText, serverip: optionalText })
    .transform(
      (r): ExtensionRegistration => ({
        extension: r.extnumber,
        status: decodeSipCode(r.code),
        clientIp: r.clientip,
        serverIp: r.serverip,
      }),
    );

  const queue = z
    .object({
      queuename: text,
      remark: optionalText,
      strategy: optionalCode,
      announce: optionalText,
      announcefreq: optionalInteger,
      ringdelay: optionalInteger,
      maxwaittime: optionalInteger,
      withnoagenttime: optionalInteger,
      noagentrejoiningtime: optionalInteger,
      discardtime: optionalInteger,
      autocall: optionalText,
    })
    .transform(
      (q): Queue => ({
        name: q.queuename,
        remark: q.remark,
        strategy: decodeQueueStrategy(q.strategy),
        announcement: q.announce,
        announceFrequencySeconds: q.announcefreq,
        ringDelaySeconds: q.ringdelay,
        maxWaitSeconds: q.maxwaittime,
        noAgentTimeoutSeconds: q.withnoagenttime,
        noAgentRejoinSeconds: q.noagentrejoiningtime,
        discardSeconds: q.discardtime,
        autoCall: decodeAutoCallState(q.autocall),
      }),
    );

  const seat = z
    .object({
      queuename: text,
      seatsname: optionalText,
      extnumber: text,
      status: optionalCode,
      state: optionalCode,
      lastanswertime: at,
      lastassigntime: at,
      seatschangetime: at,
      noanswercount: count,
      callsanswered: count,
      externalcallscount: count,
      wrapuptime: count,
      maxnoanswer: count,
    })
    .transform(
      (s): QueueSeat => ({
        queue: s.queuename,
        seatName: s.seatsname,
        extension: s.extnumber,
        employeeId: employeeIdOfSeat(s.seatsname, s.extnumber, s.queuename),
        status: decodeSipCode(s.status),
        state: decodeSipCode(s.state),
        lastAnsweredAt: s.lastanswertime,
        lastAssignedAt: s.lastassigntime,
        changedAt: s.seatschangetime,
        missedCount: s.noanswercount,
        answeredCount: s.callsanswered,
        externalCallCount: s.externalcallscount,
        wrapUpSeconds: s.wrapuptime,
        maxNoAnswer: s.maxnoanswer,
      }),
    );

  // GetExtgroupInfo: the documented 1 and the observed 1042 both mean enabled (ExtGroupStatus).
  const ENABLED_GROUP_STATUS = new Set([String(ExtGroupStatusFilter.Enabled), String(ExtGroupStatus.Enabled)]);
  const extGroup = z
    .object({ id: integer, name: text, status: optionalCode })
    .transform(
      (g): ExtGroup => ({ id: g.id, name: g.name, enabled: ENABLED_GROUP_STATUS.has(String(g.status)), status: decodeSipCode(g.status) }),
    );

  const extGroupMember = z
    .object({ name: text, extnumber: text, status: optionalText, state: optionalText })
    .transform(
      (m): ExtGroupMember => ({
        group: m.name,
        extension: m.extnumber,
        callStatus: decodeExtensionCallEvent(m.status),
        state: decodeExtGroupMemberState(m.state),
      }),
    );

  const refused = list(z.unknown()).transform((entries): RefusedNumber[] => entries.map(toRefused));

  const taskCreated = z
    .object({ taskid: text.pipe(z.string().min(1)), invaliddata: refused.optional() })
    .transform((t): TaskCreated => ({ taskId: t.taskid, refused: t.invaliddata ?? [] }));

  const taskNumbersAdded = z
    .object({ success: count, invaliddata: refused.optional() })
    .transform((t): TaskNumbersAdded => ({ accepted: t.success, refused: t.invaliddata ?? [] }));

  return {
    login,
    billPage,
    recordingLink,
    extensionInfos: list(extensionInfo),
    callStatuses: list(callStatus),
    validities: list(validity),
    registrations: list(registration),
    queues: list(queue),
    seats: list(seat),
    extGroups: list(extGroup),
    extGroupMembers: list(extGroupMember),
    taskCreated,
    taskNumbersAdded,
    /** Operations documented with no result: whatever comes is ignored. */
    none: z.unknown().transform(() => undefined),
  };
}

export type SipSchemas = ReturnType<typeof createSipSchemas>;

/** The platform's invaliddata entries have no documented shape: the submitted object, or just the number. */
function toRefused(entry: unknown): RefusedNumber {
  if (typeof entry === 'string' || typeof entry === 'number') return { phone: String(entry), raw: entry };
  if (entry && typeof entry === 'object' && 'phone' in entry) {
    const phone = (entry as { phone: unknown }).phone;
    if (typeof phone === 'string' || typeof phone === 'number') return { phone: String(phone), raw: entry };
  }
  return { phone: null, raw: entry };
}
