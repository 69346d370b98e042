import { CallDirection, CallMethod, HangupCause, HangupSide, QueueStrategy, SipCode } from '../upstream/sip/codes.ts';
import { defineCodeEnum } from './codes.ts';

/** Code tables shared by several domains (agents, call records, queues). */

export const CallDirectionEnum = defineCodeEnum('CallDirection', 'Which way a call went, seen from the call centre.', [
  ['OUTBOUND', CallDirection.Out, 'Dialled out to a customer.'],
  ['INBOUND', CallDirection.In, 'Came in from a customer.'],
] as const);

export const CallMethodEnum = defineCodeEnum('CallMethod', 'How a call was made.', [
  ['EXTENSION_TO_EXTENSION', CallMethod.ExtensionToExtension, 'Between two extensions.'],
  ['MANUAL_DIAL', CallMethod.ManualDial, 'Dialled by hand on a phone.'],
  ['API_CALL', CallMethod.ApiCall, 'Started through the API (click-to-call).'],
  ['API_DOUBLE_CALL', CallMethod.ApiDoubleCall, 'Callback style: both sides called by the platform.'],
  ['PREDICTIVE', CallMethod.Predictive, 'Dialled by a predictive task.'],
  ['IVR_GROUP_CALL', CallMethod.IvrGroupCall, 'IVR or group call.'],
] as const);

export const QueueStrategyEnum = defineCodeEnum('QueueStrategy', 'Which waiting agent a queue rings first.', [
  ['LONGEST_IDLE', QueueStrategy.LongestIdle, 'The agent idle the longest.'],
  ['SHORTEST_TALK_TIME', QueueStrategy.ShortestTalkTime, 'The agent with the least talk time.'],
  ['RING_ALL', QueueStrategy.RingAll, 'Every waiting agent at once.'],
  ['ROUND_ROBIN', QueueStrategy.RoundRobin, 'Each agent in turn.'],
  ['SEQUENTIAL', QueueStrategy.Sequential, 'Always in the same order.'],
  ['RANDOM', QueueStrategy.Random, 'Any waiting agent.'],
  ['FEWEST_ANSWERED', QueueStrategy.FewestAnswered, 'The agent who answered the fewest calls.'],
  ['PRIORITY', QueueStrategy.Priority, 'By agent priority.'],
] as const);

export const AgentCallStateEnum = defineCodeEnum('AgentCallState', "An agent's phone, right now.", [
  ['IDLE', SipCode.ExtensionIdle, 'Registered, enabled and free.'],
  ['RINGING', SipCode.ExtensionRinging, 'Ringing.'],
  ['OFF_HOOK', SipCode.ExtensionOffHook, 'Off hook (dialling or talking).'],
  ['CALLING', SipCode.ExtensionCalling, 'In a call.'],
  ['NOT_REGISTERED', SipCode.ExtensionNotRegistered, 'No phone registered on the extension.'],
  ['DISABLED', SipCode.ExtensionDisabled, 'The extension is disabled.'],
  ['NOT_FOUND', SipCode.ExtensionNotFound, 'No such extension on the switch.'],
] as const);

export const SeatStateEnum = defineCodeEnum('SeatState', "An agent's state inside one queue.", [
  ['WAITING', SipCode.SeatWaiting, 'Checked in and waiting for a call.'],
  ['RINGING', SipCode.SeatReceiving, 'A queue call is ringing this agent.'],
  ['TALKING', SipCode.SeatAnswered, 'Talking on a queue call.'],
  ['MISSED', SipCode.SeatNoAnswer, 'Was offered a call and did not answer.'],
  ['REJECTED', SipCode.SeatRejected, 'Rejected the offered call.'],
  ['PAUSED', SipCode.SeatPaused, 'Shows busy: no calls offered.'],
  ['CHECKED_IN', SipCode.SeatCheckedIn, 'Checked in (no finer state reported).'],
] as const);

/** `hangupdirection`: who hung up. A cause code sent in this field is UNKNOWN, with the raw code beside it. */
export const HangupSideEnum = defineCodeEnum('HangupSide', 'Which side of a call hung up.', [
  ['CALLER_HUNG_UP', HangupSide.CallerHungUp, 'The caller hung up.'],
  ['CALLEE_HUNG_UP', HangupSide.CalleeHungUp, 'The callee hung up.'],
] as const);

/** `hangupcause`: why the call ended. A side code sent in this field is UNKNOWN, with the raw code beside it. */
export const HangupCauseEnum = defineCodeEnum('HangupCause', 'Why a call ended.', [
  ['NORMAL', HangupCause.NormalHangup, 'Normal hang-up.'],
  ['CANCELLED', HangupCause.Cancelled, 'Cancelled before answer.'],
  ['REFUSED', HangupCause.Refused, 'Refused by the callee.'],
  ['LINE_FAILURE', HangupCause.LineFailure, 'Outbound line failure.'],
  ['TIMEOUT', HangupCause.Timeout, 'The callee did not answer in time.'],
  ['BUSY', HangupCause.Busy, 'The callee was busy.'],
] as const);
