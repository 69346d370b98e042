import { setMaxListeners } from 'node:events';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ServerDrainingError } from '../errors.ts';
import { asGraphQLError } from './graphql-errors.ts';

/**
 * The replica's shutdown state, in two steps (docs/deploy.md, "Deploys and drain"):
 * - **draining** (SIGTERM): readiness answers 503 so the load balancer stops sending new clients; everything else is
 *   served as before, and responses stop offering keep-alive.
 * - **closing** (SHUTDOWN_DELAY_SECONDS later): `signal` aborts, so SSE subscriptions end cleanly with
 *   SERVER_DRAINING, WebSockets are closed with 1001 and upgrades refused; the listener is closed and requests under
 *   way get until SHUTDOWN_TIMEOUT_SECONDS to finish.
 */
export interface Drain {
  readonly draining: boolean;
  readonly closing: boolean;
  /** Aborted when closing begins. */
  readonly signal: AbortSignal;
  begin(): void;
  close(): void;
}

export function createDrain(): Drain {
  const controller = new AbortController();
  // Every SSE subscription listens to it (and stops listening when it ends): no count of them is a leak.
  setMaxListeners(0, controller.signal);
  let draining = false;
  return {
    get draining() {
      return draining;
    },
    get closing() {
      return controller.signal.aborted;
    },
    signal: controller.signal,
    begin: () => {
      draining = true;
    },
    close: () => {
      draining = true;
      controller.abort();
    },
  };
}

/**
 * Ends `source` when `signal` aborts: one last result carrying SERVER_DRAINING, then done, and the source is returned
 * (its clean-up runs: the event stream stops listening). Until then it passes every result through unchanged.
 */
export function endOnDrain(source: AsyncIterable<ExecutionResult>, signal: AbortSignal): AsyncIterableIterator<ExecutionResult> {
  const inner = source[Symbol.asyncIterator]();
  let finished = false;
  let onAbort = () => {};
  const drained = new Promise<'drained'>((resolve) => {
    onAbort = () => resolve('drained');
    if (signal.aborted) resolve('drained');
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  const settle = () => {
    finished = true;
    signal.removeEventListener('abort', onAbort);
  };
  const finish = (): IteratorResult<ExecutionResult> => {
    if (finished) return { done: true, value: undefined };
    settle();
    // Not awaited: a source blocked in next() settles that call itself once returned.
    void inner.return?.();
    return { done: false, value: { errors: [asGraphQLError(new ServerDrainingError())] } };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (finished) return { done: true, value: undefined };
      if (signal.aborted) return finish();
      const result = await Promise.race([inner.next(), drained]);
      if (result === 'drained') return finish();
      if (result.done) settle();
      return result;
    },
    async return() {
      settle();
      await inner.return?.();
      return { done: true, value: undefined };
    },
  };
}

/**
 * Subscriptions over HTTP (SSE) end with SERVER_DRAINING when the replica closes, so the response finishes cleanly
 * and the client resubscribes elsewhere with `after`. graphql-ws operations are left alone: their socket is closed
 * with 1001 instead (the WebSocket context carries `socket`).
 */
export function useDrain(drain: Drain): Plugin {
  return {
    onSubscribe({ args }) {
      const overWebSocket = 'socket' in (args.contextValue as object);
      if (overWebSocket) return undefined;
      return {
        onSubscribeResult({ result, setResult }) {
          if (Symbol.asyncIterator in result) setResult(endOnDrain(result, drain.signal));
        },
      };
    },
  };
}
