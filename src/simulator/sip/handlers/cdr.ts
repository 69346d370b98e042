import {
  BillDirectionFilter,
  BillSyncFlag,
  CallDirection,
  CallMethod,
  SipCode,
  SipService,
} from '../../../upstream/sip/codes.ts';
import type { ZonedTime } from '../../../upstream/time.ts';
import { SipBusinessFailure, illegal } from '../envelope.ts';
import type { Bill } from '../model.ts';
import { type Params, enumValues } from '../params.ts';
import { RECORDING_RETENTION_MS } from '../recordings.ts';
import type { ServiceDefinition } from './types.ts';

const SYNC_FLAGS = enumValues<BillSyncFlag>(BillSyncFlag);
const DIRECTIONS = enumValues<BillDirectionFilter>(BillDirectionFilter);
const CALL_METHODS = enumValues<CallMethod>(CallMethod);
const MAX_ITEMS_PER_PAGE = 1000;

function requiredTime(params: Params, name: string, time: ZonedTime): number {
  const parsed = time.parse(params.required(name));
  if (!parsed) throw illegal(`${name} must read yyyy-mm-dd hh:mm:ss`);
  return parsed.getTime();
}

/** A bill as GetBill shows it: ints as ints, times on the zone's wall clock, answertime null when unanswered. */
function toWire(bill: Bill, time: ZonedTime) {
  return {
    id: bill.id,
    extnumber: bill.extnumber,
    destnumber: bill.destnumber,
    displaynumber: bill.displaynumber,
    starttime: time.format(new Date(bill.starttime)),
    answertime: bill.answertime === null ? null : time.format(new Date(bill.answertime)),
    endtime: time.format(new Date(bill.endtime)),
    duration: bill.duration,
    billsec: bill.billsec,
    direction: bill.direction,
    callmethod: bill.callmethod,
    userid: bill.userid,
    memberid: bill.memberid,
    chengshudu: bill.chengshudu,
    customuuid: bill.customuuid,
    recordfilename: bill.recordfilename,
    downloadip: bill.downloadip,
    hangupdirection: bill.hangupdirection,
    hangupcause: bill.hangupcause,
    userkey: bill.userkey,
  };
}

export const cdrServices = {
  [SipService.GetBill]: {
    ok: 'get success',
    fail: 'get fail',
    handle(params, { ctx, state }) {
      const start = requiredTime(params, 'starttime', ctx.time);
      const end = requiredTime(params, 'endtime', ctx.time);
      const syncflag = params.choice('syncflag', SYNC_FLAGS, BillSyncFlag.NotYetFetched);
      const direction = params.choice('direction', DIRECTIONS, BillDirectionFilter.All);
      // The manual: "3, API call (default)" — so an absent callmethod filters on API calls, surprising as it is.
      const callmethod = params.choice('callmethod', CALL_METHODS, CallMethod.ApiCall);
      const currentpage = params.int('currentpage', { min: 1, fallback: 1 });
      const itemsperpage = params.int('itemsperpage', { min: 1, max: MAX_ITEMS_PER_PAGE, fallback: 10 });
      const extnumbers = new Set(params.list('extnumber'));
      const exact = (['destnumber', 'userid', 'memberid', 'chengshudu', 'customuuid'] as const)
        .map((field) => [field, params.text(field)] as const)
        .filter(([, value]) => value !== '');
      const wantDirection =
        direction === BillDirectionFilter.In
          ? CallDirection.In
          : direction === BillDirectionFilter.Out
            ? CallDirection.Out
            : null;

      const matching = state.bills.filter(
        (bill) =>
          bill.starttime >= start &&
          bill.starttime <= end &&
          (syncflag === BillSyncFlag.All || bill.fetched === (syncflag === BillSyncFlag.AlreadyFetched)) &&
          (wantDirection === null || bill.direction === wantDirection) &&
          (callmethod === CallMethod.Any || bill.callmethod === callmethod) &&
          (extnumbers.size === 0 || extnumbers.has(bill.extnumber)) &&
          exact.every(([field, value]) => bill[field] === value),
      );
      const page = matching.slice((currentpage - 1) * itemsperpage, currentpage * itemsperpage);
      if (syncflag === BillSyncFlag.NotYetFetched) for (const bill of page) bill.fetched = true;
      return {
        result: {
          totalitems: matching.length,
          currentpage,
          itemsperpage,
          bills: page.map((bill) => toWire(bill, ctx.time)),
        },
      };
    },
  },
  [SipService.GetRecordFile]: {
    ok: 'get success',
    fail: 'get fail',
    handle(params, { ctx, state, recordings }) {
      const filename = params.required('filename');
      const bill = state.billByRecording(filename);
      if (!bill) throw new SipBusinessFailure(SipCode.OperationFailed, 'recording file does not exist');
      if (bill.endtime + RECORDING_RETENTION_MS <= ctx.now()) {
        throw new SipBusinessFailure(SipCode.OperationFailed, 'recording has expired (recordings are kept 3 months)');
      }
      const { url, expiresAt } = recordings.link(filename);
      return { result: { downurl: url, expiredtime: `Expiration time:${ctx.time.format(new Date(expiresAt))}` } };
    },
  },
} satisfies Partial<Record<SipService, ServiceDefinition>>;
