import { SipCode } from '../../upstream/sip/codes.ts';
import type { Rng } from '../rng.ts';

/**
 * What happens on the line, drawn from the dialer's seeded generator. Proportions are those of a consumer outbound
 * campaign on mobile numbers: a bit under half pick up; most of the rest let it ring out; a few are busy, reject
 * the call or cannot be reached. Every duration is a whole number of seconds, so a bill's
 * `endtime − starttime = duration + billsec` holds exactly on the wire.
 */

export enum DialOutcome {
  Answered = 'answered',
  NoAnswer = 'noAnswer',
  Busy = 'busy',
  Refused = 'refused',
  Failed = 'failed',
}

export type OutcomeWeights = Readonly<Record<DialOutcome, number>>;

/** Default proportions of a predictive dial's outcome (they need not sum to 1: they are weights). */
export const DEFAULT_OUTCOME_WEIGHTS: OutcomeWeights = {
  [DialOutcome.Answered]: 0.45,
  [DialOutcome.NoAnswer]: 0.3,
  [DialOutcome.Busy]: 0.1,
  [DialOutcome.Refused]: 0.07,
  [DialOutcome.Failed]: 0.08,
};

/** Default chance that an agent answers a ringing offer (the rest let it ring out: seat 1212, offered elsewhere). */
export const DEFAULT_AGENT_ANSWER_RATE = 0.93;

/** How an unanswered dial ends on the bill: cause, who hung up, and how long the line rang (s). */
const UNANSWERED: Readonly<
  Record<Exclude<DialOutcome, DialOutcome.Answered>, { cause: SipCode; direction: SipCode; ring: [number, number] }>
> = {
  // The platform gives up on a phone that rings out: the calling side hangs up.
  [DialOutcome.NoAnswer]: { cause: SipCode.CallTimeout, direction: SipCode.CallerHungUp, ring: [25, 45] },
  [DialOutcome.Busy]: { cause: SipCode.CallBusy, direction: SipCode.CalleeHungUp, ring: [1, 4] },
  [DialOutcome.Refused]: { cause: SipCode.CallRefused, direction: SipCode.CalleeHungUp, ring: [4, 15] },
  [DialOutcome.Failed]: { cause: SipCode.CallLineFailure, direction: SipCode.CallerHungUp, ring: [0, 2] },
};

export function drawOutcome(rng: Rng, weights: OutcomeWeights): DialOutcome {
  const entries = Object.entries(weights) as [DialOutcome, number][];
  const total = entries.reduce((sum, [, weight]) => sum + Math.max(0, weight), 0);
  if (total <= 0) return DialOutcome.Answered;
  let roll = rng.next() * total;
  for (const [outcome, weight] of entries) {
    roll -= Math.max(0, weight);
    if (roll < 0) return outcome;
  }
  return DialOutcome.Answered;
}

/** Seconds the customer's phone rings before it is picked up. */
export const customerRingSeconds = (rng: Rng): number => rng.int(3, 15);

/** Seconds an unanswered dial lasts, its hang-up cause and direction. */
export function unansweredEnd(rng: Rng, outcome: Exclude<DialOutcome, DialOutcome.Answered>) {
  const { cause, direction, ring } = UNANSWERED[outcome];
  return { seconds: rng.int(ring[0], ring[1]), cause, direction };
}

/** Seconds an agent's extension rings before the agent picks up. */
export const agentRingSeconds = (rng: Rng): number => rng.int(2, 7);

/** Seconds an offer rings before it counts as not answered (a queue's `ringdelay`, else this). */
export const DEFAULT_NO_ANSWER_SECONDS = 20;

/** Seconds a connected customer waits for a free agent before hanging up (capped by a queue's `maxwaittime`). */
export const patienceSeconds = (rng: Rng): number => rng.int(15, 60);

/** Talk seconds: most calls short, a long tail (the same shape as the demo's call records). */
export const talkSeconds = (rng: Rng): number => Math.min(1_800, 8 + Math.round(-Math.log(1 - rng.next()) * 90));

/** Who ends a talk: the agent (the calling side, 10040) or the customer (10041), about half each. */
export const talkHangupDirection = (rng: Rng): SipCode =>
  rng.chance(0.5) ? SipCode.CallerHungUp : SipCode.CalleeHungUp;

/** Keys a customer pressed during a predictive call: rarely any. */
export const userKey = (rng: Rng): string => (rng.chance(0.1) ? '1' : '');

/** Seconds a seat rests after letting an offer ring out before it is offered calls again (FreeSWITCH's no-answer delay). */
export const NO_ANSWER_REST_SECONDS = 30;
