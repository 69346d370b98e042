import type { Bill } from '../sip/model.ts';
import type { CallbackEvents } from './callbacks.ts';
import type { DialOutcome, OutcomeWeights } from './outcomes.ts';
import type { CallbackKind } from './payloads.ts';

/** How a predictive call ended: a dial outcome, or `abandoned` (answered, but no agent took it in time). */
export type CallEnd = DialOutcome | 'abandoned' | 'adopted';

/** What the dialer does, as events (`sim.dialer.events`), besides the callback sender's. */
export interface DialerCallEvents {
  /** A number is dialled. `inFlight` counts the target's calls not yet with an agent, this one included. */
  dialStarted: {
    taskId: string;
    uuid: string;
    seq: number;
    phone: string;
    at: number;
    idleAgents: number;
    inFlight: number;
    limit: number;
  };
  agentRinging: { taskId: string | null; uuid: string; extnumber: string; queue: string | null; at: number };
  agentAnswered: { taskId: string | null; uuid: string; extnumber: string; queue: string | null; at: number };
  /** The agent let the offer ring out (or another agent of a ring-all queue answered first: `cancelled`). */
  agentReleased: {
    taskId: string | null;
    uuid: string;
    extnumber: string;
    queue: string | null;
    at: number;
    reason: 'missed' | 'cancelled';
  };
  callEnded: { taskId: string | null; uuid: string; end: CallEnd; bill: Bill };
  /** A task finished by the dialer (every number done) or ended by TaskSet; posted as the task-status callback. */
  taskFinished: { taskId: string; at: number };
  aiCallEnded: { taskUuid: string; customerId: number; phone: string; outcome: DialOutcome; payload: Record<string, unknown> };
}

export type DialerEvents = DialerCallEvents & CallbackEvents;

/** Tuning of outcomes and callback sending (tests use it to make runs short or one-sided). */
export interface DialerTuning {
  /** Weights of a predictive dial's outcomes (default DEFAULT_OUTCOME_WEIGHTS). */
  outcomes?: Partial<OutcomeWeights>;
  /** Chance an agent answers an offer (default 0.93). */
  agentAnswerRate?: number;
  /** Weights of an AI call's outcomes (default: answered 0.55, no answer 0.3, busy 0.08, failed 0.07). */
  aiOutcomes?: Partial<OutcomeWeights>;
  /** Real milliseconds between timer steps (default 100). */
  tickMs?: number;
  /** Callback retries (default 5 tries, 500 ms doubling to at most 10 s). */
  callbackRetry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Deadline of one callback try (default 5 s). */
  callbackTimeoutMs?: number;
  /** Callback requests in flight at once (default 8). */
  callbackConcurrency?: number;
  /** `multipart` (default, the platform's way), `urlencoded` (`detail=` either way) or a bare `json` body. */
  callbackEncoding?: 'multipart' | 'urlencoded' | 'json';
  /** End the demo's seeded live calls (agents on calls when the simulator started) like any other (default true). */
  adoptLiveCalls?: boolean;
}

/** Where the engines post callbacks; a no-op without a callback URL. */
export interface CallbackPoster {
  /**
   * Queues one callback in a lane (deliveries of a lane keep their order). `taskId` ties a delivery to a predictive
   * task, so that the task's status callback goes out after all of them.
   */
  post(kind: CallbackKind, lane: string, payload: Record<string, unknown>, taskId?: string | null): void;
  /** The AI-call hang-up notification to an explicit URL, or to `<base>/aicall-notify`. */
  notify(url: string | null, lane: string, payload: Record<string, unknown>): void;
}
