import { describe, expect, it } from 'vitest';
import { ErrorCode, UnavailableReason, UpstreamInvalidResponseError, UpstreamUnavailableError } from '../../src/errors.ts';
import { createUpstreamHealth } from '../../src/observability/upstream-health.ts';
import { UpstreamCallOutcome } from '../../src/upstream/http.ts';

/** The tracker behind the operator view's upstream health (src/observability/upstream-health.ts), on a test clock. */
describe('upstream health tracker', () => {
  function tracker() {
    let clock = 1_000;
    return { health: createUpstreamHealth(() => clock), setClock: (ms: number) => (clock = ms) };
  }
  const sipCall = { upstream: 'sip' as const, operation: 'App.Sip_Queue.GetQueueList', method: 'POST' as const };
  const aiCall = { upstream: 'aicall' as const, operation: 'GET /v1/task', method: 'GET' as const };

  it('knows nothing of a platform never called', () => {
    expect(tracker().health.snapshot('sip')).toEqual({ lastSuccessAt: null, lastFailure: null, inFlight: 0 });
  });

  it('counts requests in flight per platform and stamps an answer below 400 as a success', () => {
    const { health, setClock } = tracker();
    const first = health.started(sipCall);
    const second = health.started(sipCall);
    const ai = health.started(aiCall);
    expect(health.snapshot('sip').inFlight).toBe(2);
    expect(health.snapshot('aicall').inFlight).toBe(1);
    setClock(2_000);
    first?.({ outcome: UpstreamCallOutcome.Answered, status: 200 });
    // A 4xx/5xx answer is for the client to report (rejected): no success, no failure here.
    second?.({ outcome: UpstreamCallOutcome.Answered, status: 503 });
    ai?.({ outcome: UpstreamCallOutcome.Answered, status: 422 });
    expect(health.snapshot('sip')).toEqual({ lastSuccessAt: 2_000, lastFailure: null, inFlight: 0 });
    expect(health.snapshot('aicall')).toEqual({ lastSuccessAt: null, lastFailure: null, inFlight: 0 });
  });

  it('records a request that was not answered with its code, reason and operation', () => {
    const { health, setClock } = tracker();
    setClock(3_000);
    health.started(sipCall)?.({
      outcome: UpstreamCallOutcome.Timeout,
      status: null,
      error: new UpstreamUnavailableError(sipCall, UnavailableReason.Timeout, 'no answer within 10000 ms from 10.0.0.1'),
    });
    expect(health.snapshot('sip').lastFailure).toEqual({ at: 3_000, code: ErrorCode.UpstreamUnavailable, upstreamCode: 'TIMEOUT', operation: sipCall.operation });
    health.started(sipCall)?.({
      outcome: UpstreamCallOutcome.InvalidResponse,
      status: null,
      error: new UpstreamInvalidResponseError(sipCall, 'response exceeds 10 bytes'),
    });
    expect(health.snapshot('sip').lastFailure).toEqual({ at: 3_000, code: ErrorCode.UpstreamInvalidResponse, upstreamCode: null, operation: sipCall.operation });
  });

  it('records a refusal reported by a client, UPSTREAM_REJECTED unless told otherwise', () => {
    const { health, setClock } = tracker();
    setClock(4_000);
    health.rejected?.(aiCall, 'http:422');
    expect(health.snapshot('aicall').lastFailure).toEqual({ at: 4_000, code: ErrorCode.UpstreamRejected, upstreamCode: 'http:422', operation: aiCall.operation });
    health.rejected?.(sipCall, 'ret:500', ErrorCode.UpstreamUnavailable);
    expect(health.snapshot('sip').lastFailure).toEqual({ at: 4_000, code: ErrorCode.UpstreamUnavailable, upstreamCode: 'ret:500', operation: sipCall.operation });
  });

  it('hands out copies: a snapshot does not move with later calls', () => {
    const { health } = tracker();
    const before = health.snapshot('sip');
    health.started(sipCall);
    expect(before.inFlight).toBe(0);
    expect(health.snapshot('sip').inFlight).toBe(1);
  });
});
