import type { Client } from 'graphql-ws';
import { createDeferred } from './deferred.ts';

export interface Collected<T> {
  /** The root field's value of each result, in order. */
  events: T[];
  stop: () => void;
  /** Rejects with the errors of the first result that carried any (or the socket's error). */
  failed: Promise<never>;
  /** Resolves once `n` events have arrived; rejects if the subscription fails first. */
  until(n: number): Promise<T[]>;
}

/** Subscribes over graphql-ws and collects the root field's values. */
export function collectSubscription<T>(client: Client, query: string, variables: Record<string, unknown>): Collected<T> {
  const events: T[] = [];
  const waiters: Array<{ n: number; done: (events: T[]) => void }> = [];
  const failed = createDeferred<never>();
  failed.promise.catch(() => undefined);
  const stop = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) return failed.reject(result.errors);
        events.push(Object.values(result.data ?? {})[0] as T);
        for (const waiter of [...waiters]) if (events.length >= waiter.n) waiter.done(events);
      },
      error: failed.reject,
      complete: () => undefined,
    },
  );
  return {
    events,
    stop,
    failed: failed.promise,
    until(n) {
      if (events.length >= n) return Promise.resolve(events);
      const d = createDeferred<T[]>();
      waiters.push({ n, done: d.resolve });
      return Promise.race([d.promise, failed.promise]);
    },
  };
}
