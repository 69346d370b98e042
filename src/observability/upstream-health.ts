import { ErrorCode, type UpstreamErrorContext, UpstreamError, UpstreamUnavailableError, type UpstreamName } from '../errors.ts';
import {
  UpstreamCallOutcome,
  type UpstreamCallEnd,
  type UpstreamCallObserver,
  type UpstreamRequest,
} from '../upstream/http.ts';

/**
 * The operator's view of each upstream platform (the `gateway { operator { upstreams } }` query): when it last
 * answered, the last failure and where, and what is in flight. Kept in memory per process, a few fields per platform:
 * the upstream HTTP layer tells it of every request (`started` / end) and the clients of every refusal inside an
 * answer (`rejected`). Nothing here holds upstream text: the platform's code and the gateway's operation name only.
 */

/** The last failure seen on a platform. */
export interface UpstreamFailure {
  /** Epoch ms. */
  at: number;
  /** The gateway's code the caller got (UPSTREAM_UNAVAILABLE, UPSTREAM_REJECTED, UPSTREAM_INVALID_RESPONSE). */
  code: ErrorCode;
  /**
   * What the platform or the connection said, as a code: `ret:600`, `code:1010`, `http:422` (upstream/http.ts,
   * UpstreamCodeKind), or the unavailable reason (TIMEOUT, CONNECT_FAILED, NETWORK); null for an unreadable answer.
   */
  upstreamCode: string | null;
  /** The SIP service or AI-call route (`GetSipCallStatus`, `GET /v1/task`): the gateway's name, never the platform's text. */
  operation: string;
}

export interface UpstreamHealthSnapshot {
  /** Epoch ms of the last request the platform answered with an HTTP status below 400; null when none yet. */
  lastSuccessAt: number | null;
  lastFailure: UpstreamFailure | null;
  /** Requests sent and not yet ended. */
  inFlight: number;
}

export interface UpstreamHealth extends UpstreamCallObserver {
  /** The platform's state now (a copy). */
  snapshot(upstream: UpstreamName): UpstreamHealthSnapshot;
}

/** Answers below this are the platform answering; 4xx and 5xx are reported by the clients as refusals or failures. */
const FIRST_HTTP_ERROR = 400;

interface PlatformState extends UpstreamHealthSnapshot {
  /** Bound once per platform, so no closure is made per request. */
  ended: (end: UpstreamCallEnd) => void;
}

type Call = UpstreamErrorContext & { method: UpstreamRequest['method'] };

/** The unavailable reason, or null for an unreadable answer (its detail is text, not a code). */
function upstreamCodeOf(error: UpstreamError): string | null {
  return error instanceof UpstreamUnavailableError ? error.reason : null;
}

export function createUpstreamHealth(now: () => number = Date.now): UpstreamHealth {
  const platforms = new Map<UpstreamName, PlatformState>();

  function stateOf(upstream: UpstreamName): PlatformState {
    let state = platforms.get(upstream);
    if (!state) {
      const created: PlatformState = { lastSuccessAt: null, lastFailure: null, inFlight: 0, ended: () => undefined };
      created.ended = (end) => ended(created, end);
      platforms.set(upstream, created);
      state = created;
    }
    return state;
  }

  function ended(state: PlatformState, end: UpstreamCallEnd): void {
    state.inFlight -= 1;
    if (end.outcome === UpstreamCallOutcome.Answered) {
      if ((end.status ?? FIRST_HTTP_ERROR) < FIRST_HTTP_ERROR) state.lastSuccessAt = now();
      return;
    }
    // Not answered: the HTTP layer made the caller's error (unavailable, or an answer too large or cut).
    const error = end.error;
    if (error instanceof UpstreamError) {
      state.lastFailure = { at: now(), code: error.code, upstreamCode: upstreamCodeOf(error), operation: error.operation };
    }
  }

  return {
    started(call) {
      const state = stateOf(call.upstream);
      state.inFlight += 1;
      return state.ended;
    },
    rejected(call: Call, upstreamCode: string, code: ErrorCode = ErrorCode.UpstreamRejected) {
      stateOf(call.upstream).lastFailure = { at: now(), code, upstreamCode, operation: call.operation };
    },
    snapshot(upstream) {
      const state = platforms.get(upstream);
      if (!state) return { lastSuccessAt: null, lastFailure: null, inFlight: 0 };
      return { lastSuccessAt: state.lastSuccessAt, lastFailure: state.lastFailure, inFlight: state.inFlight };
    },
  };
}
