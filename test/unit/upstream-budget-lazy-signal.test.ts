import type { ExecutionArgs } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationAnsweredSignal } from '../../src/upstream/budget.ts';
import { wrapWithBudget } from '../utils/budget-plugin.ts';
import { createDeferred } from '../utils/deferred.ts';


describe('the answered signal of an operation (made on first use)', () => {
  it('is one signal per operation, aborted when the operation answers', async () => {
    const signals: Array<AbortSignal | undefined> = [];
    const execute = wrapWithBudget(5, async () => {
      signals.push(operationAnsweredSignal(), operationAnsweredSignal());
      return { data: {} };
    });
    await execute({} as ExecutionArgs);
    expect(signals[0]).toBeDefined();
    expect(signals[0]).toBe(signals[1]);
    expect(signals[0]?.aborted).toBe(true);
  });

  it('is already aborted when first asked for after the operation answered', async () => {
    const late = createDeferred<AbortSignal | undefined>();
    const execute = wrapWithBudget(5, async () => {
      // A sibling resolver that reaches upstream/http.ts only after the result went out.
      setImmediate(() => late.resolve(operationAnsweredSignal()));
      return { data: {} };
    });
    await execute({} as ExecutionArgs);
    const signal = await late.promise;
    expect(signal?.aborted).toBe(true);
  });
});
