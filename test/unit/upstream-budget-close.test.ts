import type { ExecutionArgs } from 'graphql';
import { describe, expect, it } from 'vitest';
import { chargeUpstreamBudget, OperationAnsweredError, onOperationAnswered, outsideOperation } from '../../src/upstream/budget.ts';
import { UpstreamBudgetError } from '../../src/errors.ts';
import { wrapWithBudget } from '../utils/budget-plugin.ts';
import { createDeferred } from '../utils/deferred.ts';


const context = { upstream: 'sip' as const, operation: 'App.Sip_Queue.GetQueueList' };

describe('the per-operation upstream budget', () => {
  it('refuses past its maximum, then refuses anything a resolver starts after the operation answered', async () => {
    const late = createDeferred<unknown>();
    let answered = 0;
    const execute = wrapWithBudget(2, async () => {
      // What upstream/http.ts links every request of the operation to.
      expect(onOperationAnswered(() => (answered += 1))).toBeTypeOf('function');
      expect(answered).toBe(0);
      chargeUpstreamBudget(context);
      chargeUpstreamBudget(context);
      expect(() => chargeUpstreamBudget(context)).toThrow(UpstreamBudgetError);
      // A sibling resolver that goes on after the result (as after a failed non-null field) and asks upstream.
      setImmediate(() => {
        try {
          chargeUpstreamBudget(context);
          late.resolve('sent');
        } catch (error) {
          late.resolve(error);
        }
      });
      return { data: null };
    });
    await execute({} as ExecutionArgs);
    // Requests still queued or in flight are dropped once the operation has answered.
    expect(answered).toBe(1);
    expect(await late.promise).toBeInstanceOf(OperationAnsweredError);
  });

  it('leaves shared work outside any operation: neither charged nor refused', async () => {
    const shared = createDeferred<unknown>();
    const execute = wrapWithBudget(1, async () => {
      chargeUpstreamBudget(context);
      setImmediate(() => shared.resolve(outsideOperation(() => (chargeUpstreamBudget(context), onOperationAnswered(() => undefined) ?? 'sent'))));
      return { data: {} };
    });
    await execute({} as ExecutionArgs);
    expect(await shared.promise).toBe('sent');
  });
});
