import { CallDirection, CallMethod, SipCode } from '../../upstream/sip/codes.ts';
import type { Rng } from '../rng.ts';
import type { SimContext } from '../types.ts';
import { ObservedCode } from './model.ts';
import { crmidOf, mobileNumber } from './seed-util.ts';
import type { SipState } from './state.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Bills of this age and older have already been pulled by someone (syncflag 2). */
export const FETCHED_AFTER_MS = 2 * DAY;
/** The latest a seeded call may start: the longest call (45 s + 30 min) has ended by now. */
const LATEST_START_MS = 35 * 60_000;
const DOWNLOAD_IP = '10.90.24.1';

/** Office hours in the zone: 09:00–12:00 and 13:30–18:00, as [start, end) hours. */
const SHIFTS = [
  [9, 12],
  [13.5, 18],
] as const;

function weighted<T>(rng: Rng, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = rng.next() * total;
  for (const [value, weight] of table) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return (table[table.length - 1] as readonly [T, number])[0];
}

const METHODS = [
  [CallMethod.Predictive, 50],
  [CallMethod.ManualDial, 22],
  [CallMethod.IvrGroupCall, 14],
  [CallMethod.ApiCall, 8],
  [CallMethod.ApiDoubleCall, 3],
  [CallMethod.ExtensionToExtension, 3],
] as const;

const UNANSWERED_CAUSES = [
  [SipCode.CallTimeout, 30],
  [SipCode.CallBusy, 15],
  [SipCode.CallRefused, 15],
  [SipCode.CallCancelled, 12],
  [SipCode.CallLineFailure, 5],
  [ObservedCode.HangupCauseUnlisted, 23],
] as const;

/** Call starts inside office hours over the 7 days before `now`, ascending. */
function callStarts(ctx: SimContext, count: number): number[] {
  const now = ctx.now();
  const midnights: number[] = [];
  for (let d = 7; d >= 0; d--) {
    const day = ctx.time.format(new Date(now - d * DAY)).slice(0, 10);
    const midnight = ctx.time.parse(`${day} 00:00:00`)?.getTime();
    if (midnight !== undefined) midnights.push(midnight);
  }
  const starts: number[] = [];
  let guard = 0;
  while (starts.length < count && guard++ < count * 50) {
    const [from, to] = ctx.rng.pick(SHIFTS);
    const start = ctx.rng.pick(midnights) + Math.floor((from + ctx.rng.next() * (to - from)) * HOUR);
    if (start >= now - 7 * DAY && start <= now - LATEST_START_MS) starts.push(start);
  }
  return starts.sort((a, b) => a - b);
}

/** Talk seconds: most calls short, a long tail of a quarter hour and more. */
function talkSeconds(rng: Rng): number {
  return Math.min(1_800, 3 + Math.round(-Math.log(1 - rng.next()) * 95));
}

export function seedBills(state: SipState, ctx: SimContext, count: number): void {
  const { rng } = ctx;
  const now = ctx.now();
  const extensions = [...state.extensions.values()].filter((e) => e.enabled).map((e) => e.number);
  const seated = [...new Set([...state.queues.values()].flatMap((q) => [...q.seats.keys()]))];
  const grouped = [...new Set([...state.extGroups.values()].flatMap((g) => [...g.members.keys()]))];
  const callerNumbers = [...state.callerNumbers.keys()];

  for (const start of callStarts(ctx, count)) {
    const method = weighted<CallMethod>(rng, METHODS);
    const inbound = method === CallMethod.IvrGroupCall && rng.chance(0.5);
    const answered = rng.chance(method === CallMethod.ExtensionToExtension ? 0.85 : 0.58);
    const customer = mobileNumber(rng);
    const company = rng.pick(callerNumbers);

    let extnumber = '';
    if (method === CallMethod.Predictive) extnumber = answered ? rng.pick(seated) : '';
    else if (method === CallMethod.IvrGroupCall) extnumber = answered ? rng.pick(grouped) : '';
    else extnumber = rng.pick(extensions);
    const internal = method === CallMethod.ExtensionToExtension;
    const destnumber = internal ? rng.pick(extensions.filter((e) => e !== extnumber)) : inbound ? company : customer;
    const displaynumber = internal ? extnumber : inbound ? customer : company;

    const wait = answered ? rng.int(3, 25) : rng.int(5, 45);
    const talk = answered ? talkSeconds(rng) : 0;
    const answertime = answered ? start + wait * 1000 : null;
    const endtime = start + (wait + talk) * 1000;
    const predictive = method === CallMethod.Predictive;
    const uuid = rng.uuid();

    state.addBill({
      uuid,
      extnumber,
      destnumber,
      displaynumber,
      starttime: start,
      answertime,
      endtime,
      duration: wait,
      billsec: talk,
      direction: inbound ? CallDirection.In : CallDirection.Out,
      callmethod: method,
      crmid: extnumber && method !== CallMethod.ExtensionToExtension ? crmidOf(extnumber) : '0',
      userid: predictive ? String(rng.int(10_000, 99_999)) : '0',
      memberid: predictive ? String(rng.int(100_000_000, 999_999_999)) : '0',
      chengshudu: predictive ? String(rng.int(1, 5)) : '0',
      customuuid: predictive ? String(rng.int(100_000_000, 999_999_999)) : '0',
      recordfilename: answered ? `${uuid}.wav` : '',
      downloadip: answered ? DOWNLOAD_IP : '',
      hangupdirection: answered
        ? weighted<number>(rng, [
            [SipCode.CallerHungUp, 45],
            [SipCode.CalleeHungUp, 50],
            [ObservedCode.HangupDirectionUnlisted, 5],
          ])
        : weighted<number>(rng, [
            [SipCode.CalleeHungUp, 60],
            [SipCode.CallerHungUp, 30],
            [ObservedCode.HangupDirectionUnlisted, 10],
          ]),
      hangupcause: answered ? SipCode.CallNormalHangup : weighted<number>(rng, UNANSWERED_CAUSES),
      userkey:
        method === CallMethod.IvrGroupCall
          ? rng.pick(['1', '2', '#', ''])
          : answered && predictive && rng.chance(0.1)
            ? '1'
            : '',
      fetched: start < now - FETCHED_AFTER_MS,
    });
  }
}
