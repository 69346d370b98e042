import type { ExecutionArgs } from 'graphql';
import { describe, expect, it } from 'vitest';
import { onOperationAnswered } from '../../src/upstream/budget.ts';
import { wrapWithBudget } from '../utils/budget-plugin.ts';
import { createDeferred } from '../utils/deferred.ts';

describe('listening for an operation to answer', () => {
  it('calls every listener still listening once, when the operation answers, and none that stopped', async () => {
    const calls: string[] = [];
    const execute = wrapWithBudget(5, async () => {
      onOperationAnswered(() => calls.push('a'));
      const stop = onOperationAnswered(() => calls.push('b'));
      onOperationAnswered(() => calls.push('c'));
      stop?.();
      expect(calls).toEqual([]);
      return { data: {} };
    });
    await execute({} as ExecutionArgs);
    expect(calls).toEqual(['a', 'c']);
  });

  it('calls a listener at once when it starts listening after the operation answered', async () => {
    const late = createDeferred<number>();
    const execute = wrapWithBudget(5, async () => {
      // A sibling resolver that reaches upstream/http.ts only after the result went out.
      setImmediate(() => {
        let called = 0;
        onOperationAnswered(() => (called += 1));
        late.resolve(called);
      });
      return { data: {} };
    });
    await execute({} as ExecutionArgs);
    expect(await late.promise).toBe(1);
  });
});
