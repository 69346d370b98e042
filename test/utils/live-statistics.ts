import type { LiveStatistics } from '../../src/stats/live.ts';
import { createDeferred } from './deferred.ts';

export interface LiveWatchTracker {
  /** Subscribers whose stream was ended (its `return()` called) since tracking began. */
  closed(): number;
  /** Resolves once `n` streams in all have been ended; the channel's bookkeeping is done by then. */
  untilClosed(n: number): Promise<void>;
}

/**
 * Wraps `live.watch` (src/stats/live.ts) so a test can wait for the server to end a subscriber's stream after the client
 * unsubscribed, instead of sleeping: the stream's `return()` releases its channel synchronously, so once
 * `untilClosed(n)` resolves, `live.stats()` already counts without it.
 */
export function trackLiveWatches(live: LiveStatistics): LiveWatchTracker {
  const original = live.watch.bind(live);
  let closed = 0;
  const waiters: Array<{ n: number; done: () => void }> = [];
  live.watch = ((key, topics, compute) => {
    const stream = original(key, topics, compute);
    const end = stream.return?.bind(stream);
    let counted = false;
    stream.return = (value?: unknown) => {
      const result = end ? end(value) : Promise.resolve({ value: undefined, done: true as const });
      if (!counted) {
        counted = true;
        closed += 1;
        for (const waiter of [...waiters]) {
          if (closed >= waiter.n) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.done();
          }
        }
      }
      return result;
    };
    return stream;
  }) as LiveStatistics['watch'];
  return {
    closed: () => closed,
    untilClosed(n) {
      if (closed >= n) return Promise.resolve();
      const d = createDeferred();
      waiters.push({ n, done: () => d.resolve() });
      return d.promise;
    },
  };
}
