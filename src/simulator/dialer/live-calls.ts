import { CallMethod, ExtensionCallEvent, SipCode } from '../../upstream/sip/codes.ts';
import { type ActiveCall, type Bill, ExtensionCallState, type Queue } from '../sip/model.ts';
import { agentRingSeconds, talkHangupDirection, talkSeconds } from './outcomes.ts';
import { CallbackKind, extensionStatusPayload } from './payloads.ts';
import { type PredictiveEnv, RECORDING_DOWNLOAD_IP } from './predictive.ts';

const SECOND = 1000;

/**
 * The demo starts with agents already on calls (seeded straight into the state, with no dialer behind them). When
 * the dialer first runs it takes them over, so that they end like any call: a ringing agent answers, a talking
 * agent hangs up after a while, each with its extension callbacks, a bill and a call-record callback. Without this
 * those agents would stay busy for ever and the demo queues would never have them free.
 */
export function adoptLiveCalls(env: Omit<PredictiveEnv, 'agents' | 'outcomes' | 'agentAnswerRate'>): number {
  let adopted = 0;
  for (const extension of env.state.extensions.values()) {
    const call = extension.call;
    if (extension.callState === ExtensionCallState.Idle || !call) continue;
    adoptOne(env, extension.number, call, extension.callState);
    adopted += 1;
  }
  return adopted;
}

function adoptOne(
  env: Omit<PredictiveEnv, 'agents' | 'outcomes' | 'agentAnswerRate'>,
  extnumber: string,
  call: ActiveCall,
  callState: ExtensionCallState,
): void {
  const { state, rng, scheduler } = env;
  const queue = seatQueue(env, extnumber);
  const buuid = rng.uuid();
  const predictive = call.method === CallMethod.Predictive;
  const lane = `ext:${extnumber}`;
  const stillOn = () => state.extensions.get(extnumber)?.call?.uuid === call.uuid;
  const seatTo = (seatState: SipCode.SeatAnswered | SipCode.SeatWaiting) => {
    if (queue && state.queues.get(queue.name)?.seats.has(extnumber)) state.setSeatState(queue.name, extnumber, seatState);
  };
  const post = (status: ExtensionCallEvent, startedAt: number) =>
    env.poster.post(
      CallbackKind.ExtensionStatus,
      lane,
      extensionStatusPayload({
        companycode: state.company.code,
        uuid: call.uuid,
        buuid,
        extnumber,
        callee: call.callee,
        disnumber: call.disnumber,
        direction: call.direction,
        method: call.method,
        startedAt,
        customuuid: '',
        status,
      }),
    );

  const ringing = callState === ExtensionCallState.Ringing;
  const startedAt = call.since - rng.int(ringing || predictive ? 5 : 3, ringing || predictive ? 20 : 10) * SECOND;

  const hangUp = (answeredAt: number) => {
    if (!stillOn()) return;
    const at = env.now();
    state.setCallState(extnumber, ExtensionCallState.Idle);
    seatTo(SipCode.SeatWaiting);
    post(ExtensionCallEvent.Hangup, startedAt);
    const bill: Bill = state.addBill({
      uuid: call.uuid,
      extnumber,
      destnumber: call.callee,
      displaynumber: call.disnumber,
      starttime: startedAt,
      answertime: answeredAt,
      endtime: at,
      duration: Math.max(0, Math.round((answeredAt - startedAt) / SECOND)),
      billsec: Math.max(0, Math.round((at - answeredAt) / SECOND)),
      direction: call.direction,
      callmethod: call.method,
      crmid: queue?.seats.get(extnumber)?.crmid ?? '0',
      userid: predictive ? '' : '0',
      memberid: predictive ? '' : '0',
      chengshudu: predictive ? '' : '0',
      customuuid: predictive ? '' : '0',
      recordfilename: `${call.uuid}.wav`,
      downloadip: RECORDING_DOWNLOAD_IP,
      hangupdirection: talkHangupDirection(rng),
      hangupcause: SipCode.CallNormalHangup,
      userkey: '',
      taskId: call.taskId ?? null,
    });
    env.poster.post(CallbackKind.CallRecord, lane, env.recordPayload(bill));
    env.events.emit('callEnded', { taskId: call.taskId ?? null, uuid: call.uuid, end: 'adopted', bill });
  };

  if (ringing) {
    scheduler.at(env.now() + agentRingSeconds(rng) * SECOND, () => {
      if (!stillOn()) return;
      const at = env.now();
      state.setCallState(extnumber, ExtensionCallState.OffHook);
      seatTo(SipCode.SeatAnswered);
      post(ExtensionCallEvent.Answer, startedAt);
      scheduler.at(at + talkSeconds(rng) * SECOND, () => hangUp(at));
    });
  } else {
    scheduler.at(env.now() + talkSeconds(rng) * SECOND, () => hangUp(call.since));
  }
}

/** The queue whose seat is busy with this extension's call (offered or talking), if any. */
function seatQueue(env: Pick<PredictiveEnv, 'state'>, extnumber: string): Queue | null {
  for (const queue of env.state.queues.values()) {
    const seat = queue.seats.get(extnumber);
    if (seat && (seat.state === SipCode.SeatReceiving || seat.state === SipCode.SeatAnswered)) return queue;
  }
  return null;
}
