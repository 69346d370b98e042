import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationAnsweredSignal, useUpstreamBudget } from '../../src/upstream/budget.ts';
import { createDeferred } from '../utils/deferred.ts';

type Execute = (args: ExecutionArgs) => Promise<ExecutionResult>;

function wrap(max: number, inner: Execute): Execute {
  let wrapped: Execute | null = null;
  const hook = useUpstreamBudget(max).onExecute as (payload: { executeFn: Execute; setExecuteFn: (fn: Execute) => void }) => void;
  hook({ executeFn: inner, setExecuteFn: (fn) => (wrapped = fn) });
  if (!wrapped) throw new Error('the plugin did not wrap execute');
  return wrapped;
}

describe('the answered signal of an operation (made on first use)', () => {
  it('is one signal per operation, aborted when the operation answers', async () => {
    const signals: Array<AbortSignal | undefined> = [];
    const execute = wrap(5, async () => {
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
    const execute = wrap(5, async () => {
      // A sibling resolver that reaches upstream/http.ts only after the result went out.
      setImmediate(() => late.resolve(operationAnsweredSignal()));
      return { data: {} };
    });
    await execute({} as ExecutionArgs);
    const signal = await late.promise;
    expect(signal?.aborted).toBe(true);
  });
});
