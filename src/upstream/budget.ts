import { AsyncLocalStorage } from 'node:async_hooks';
import type { Plugin } from 'graphql-yoga';
import { UpstreamBudgetError, type UpstreamErrorContext } from '../errors.ts';
import { type RequestScope, scopeIn } from '../observability/request-scope.ts';

/**
 * Per-operation upstream budget: a second line of defence behind the static cost limit. However a document got past
 * the cost estimate (a resolver the estimate does not know, a list longer than assumed), one GraphQL operation makes
 * at most `max` upstream HTTP requests (PBX and AI-call together); the rest fail with UPSTREAM_BUDGET_EXCEEDED without
 * being sent. Once the operation has answered, its resolvers that still run (siblings of a failed non-null field)
 * send nothing more.
 *
 * Mechanism: an AsyncLocalStorage holds the running operation's budget. useUpstreamBudget() enters it around
 * execute and subscribe (so HTTP, SSE and graphql-ws alike), and upstream/http.ts `request()`, the one choke point of
 * both clients, charges it before sending. Work outside any operation (the reconciler, callback ingestion, the
 * demo) finds no budget and is not charged. Neither is shared single-flight work that other operations may wait for
 * (a SIP login, an AI options-cache refresh: outsideOperation): refusing it for the operation that happened to start
 * it would fail the others too; it is bounded by the token's life and the cache's 5 seconds instead.
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
  /** False once the operation has answered: resolvers still running then (siblings of a failed non-null field) send nothing more. */
  open = true;
  /**
   * Called when the operation answers: its requests still queued or in flight are dropped, nobody reads them. A plain
   * set made on the first upstream request, not an AbortController: Node's AbortSignals outlive scavenges (the
   * sampling heap profiler counts them among what survives one), old-generation garbage on every operation that reads
   * upstream. Bounded: every listener is a request the budget let through.
   */
  #onAnswered: Set<() => void> | null = null;
  constructor(
    readonly max: number,
    /** The request this operation belongs to: its access line counts the requests charged here. */
    readonly scope?: RequestScope,
  ) {}
  onAnswered(listener: () => void): () => void {
    if (!this.open) {
      listener();
      return () => undefined;
    }
    const listeners = (this.#onAnswered ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }
  close(): void {
    this.open = false;
    const listeners = this.#onAnswered;
    this.#onAnswered = null;
    if (listeners) for (const listener of listeners) listener();
  }
}

/**
 * A request started after its operation answered: nobody will read what it brings, so it is not sent. Not a
 * GatewayError: graphql-js drops errors that come after the result, and nothing shows it to a client or a log.
 */
export class OperationAnsweredError extends Error {
  constructor(context: UpstreamErrorContext) {
    super(`${context.upstream} ${context.operation}: not sent, the operation has already answered`);
    this.name = 'OperationAnsweredError';
  }
}

const storage = new AsyncLocalStorage<Budget>();

/** Runs `fn` with a fresh budget of `max` upstream requests for everything it starts. */
export function withUpstreamBudget<T>(max: number, fn: () => T): T {
  return storage.run(new Budget(max), fn);
}

/**
 * Like withUpstreamBudget, and closes the budget once `fn`'s promise settles with a plain result, so that work its
 * resolvers still start afterwards sends nothing upstream. A streamed result (an async iterable) keeps it open.
 */
function withClosingBudget<T>(max: number, fn: () => T, scope?: RequestScope): T {
  const budget = new Budget(max, scope);
  const result = storage.run(budget, fn);
  const close = (value: unknown) => {
    if (!isAsyncIterable(value)) budget.close();
  };
  if (result instanceof Promise) result.then(close, () => budget.close());
  else close(result);
  return result;
}

/** Runs shared work (awaited by several operations) outside the current operation's budget. */
export function outsideOperation<T>(fn: () => T): T {
  return storage.exit(fn);
}

/**
 * Calls `listener` once the operation running here has answered (at once if it has); returns what stops listening.
 * Undefined outside operations (and for shared work), which never answer.
 */
export function onOperationAnswered(listener: () => void): (() => void) | undefined {
  return storage.getStore()?.onAnswered(listener);
}

/** The budget of the operation running here, if any. */
export function currentUpstreamBudget(): UpstreamBudget | undefined {
  return storage.getStore();
}

/** The request scope of the operation running here, if any: log lines written inside an operation carry its id. */
export function currentScope(): RequestScope | undefined {
  return storage.getStore()?.scope;
}

/** Charges one request to the current operation; throws UpstreamBudgetError (nothing sent) when it is used up. */
export function chargeUpstreamBudget(context: UpstreamErrorContext): void {
  const budget = storage.getStore();
  if (!budget) return;
  if (!budget.open) throw new OperationAnsweredError(context);
  if (budget.used >= budget.max) throw new UpstreamBudgetError(budget.max, context.upstream, context.operation);
  budget.used += 1;
  if (budget.scope) budget.scope.upstreamCalls += 1;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** Each `next()` (one event's resolution) runs with a fresh budget. */
function perEvent<T>(max: number, iterable: AsyncIterable<T>, scope: RequestScope | undefined): AsyncIterableIterator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  const wrapped: AsyncIterableIterator<T> = {
    next: (...args: [] | [unknown]) => withClosingBudget(max, () => iterator.next(...args), scope),
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
      setExecuteFn((args) => withClosingBudget(max, () => executeFn(args), scopeIn(args.contextValue)));
    },
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(async (args) => {
        const scope = scopeIn(args.contextValue);
        const result = await storage.run(new Budget(max, scope), () => subscribeFn(args));
        return isAsyncIterable(result) ? (perEvent(max, result, scope) as typeof result) : result;
      });
    },
  };
}
