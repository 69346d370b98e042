import { AsyncLocalStorage } from 'node:async_hooks';
import type { Plugin } from 'graphql-yoga';
import { UpstreamBudgetError, type UpstreamErrorContext } from '../errors.ts';

/**
 * Per-operation upstream budget: a second line of defence behind the static cost limit. However a document got past
 * the cost estimate (a resolver the estimate does not know, a list longer than assumed), one GraphQL operation makes
 * at most `max` upstream HTTP requests (PBX and AI-call together, a SIP token login included); the rest fail with
 * UPSTREAM_BUDGET_EXCEEDED without being sent.
 *
 * Mechanism: an AsyncLocalStorage holds the running operation's budget. useUpstreamBudget() enters it around
 * execute and subscribe (so HTTP, SSE and graphql-ws alike), and upstream/http.ts `request()`, the one choke point of
 * both clients, charges it before sending. Work outside any operation (the reconciler, callback ingestion, the
 * demo) finds no budget and is not charged. Shared work is charged to the operation that starts it: a SIP login or
 * an AI options-cache refresh that several operations wait for counts once, for the one that sent it.
 *
 * Subscriptions: the subscribe phase (source stream set-up) has one budget, and each event's resolution gets a fresh
 * budget of its own, so a long-lived subscription is bounded per event rather than slowly starved.
 */

export interface UpstreamBudget {
  readonly max: number;
  /** Requests charged so far (refused ones not included). */
  readonly used: number;
}

class Budget implements UpstreamBudget {
  used = 0;
  constructor(readonly max: number) {}
}

const storage = new AsyncLocalStorage<Budget>();

/** Runs `fn` with a fresh budget of `max` upstream requests for everything it starts. */
export function withUpstreamBudget<T>(max: number, fn: () => T): T {
  return storage.run(new Budget(max), fn);
}

/** The budget of the operation running here, if any. */
export function currentUpstreamBudget(): UpstreamBudget | undefined {
  return storage.getStore();
}

/** Charges one request to the current operation; throws UpstreamBudgetError (nothing sent) when it is used up. */
export function chargeUpstreamBudget(context: UpstreamErrorContext): void {
  const budget = storage.getStore();
  if (!budget) return;
  if (budget.used >= budget.max) throw new UpstreamBudgetError(budget.max, context.upstream, context.operation);
  budget.used += 1;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** Each `next()` (one event's resolution) runs with a fresh budget. */
function perEvent<T>(max: number, iterable: AsyncIterable<T>): AsyncIterableIterator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  const wrapped: AsyncIterableIterator<T> = {
    next: (...args: [] | [unknown]) => withUpstreamBudget(max, () => iterator.next(...args)),
    return: (value?: unknown) =>
      iterator.return ? iterator.return(value) : Promise.resolve({ done: true, value: value as T }),
    throw: (error?: unknown) => (iterator.throw ? iterator.throw(error) : Promise.reject(error)),
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  return wrapped;
}

/** The yoga/envelop plugin: one budget per execute, per subscribe phase and per subscription event. */
export function useUpstreamBudget(max: number): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn((args) => withUpstreamBudget(max, () => executeFn(args)));
    },
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(async (args) => {
        const result = await withUpstreamBudget(max, () => subscribeFn(args));
        return isAsyncIterable(result) ? (perEvent(max, result) as typeof result) : result;
      });
    },
  };
}
