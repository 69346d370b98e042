import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { useUpstreamBudget } from '../../src/upstream/budget.ts';

export type Execute = (args: ExecutionArgs) => Promise<ExecutionResult>;

/** The upstream-budget plugin's execute wrapper around a stand-in executor (no yoga needed). */
export function wrapWithBudget(max: number, inner: Execute): Execute {
  let wrapped: Execute | null = null;
  const hook = useUpstreamBudget(max).onExecute as (payload: { executeFn: Execute; setExecuteFn: (fn: Execute) => void }) => void;
  hook({ executeFn: inner, setExecuteFn: (fn) => (wrapped = fn) });
  if (!wrapped) throw new Error('the plugin did not wrap execute');
  return wrapped;
}
