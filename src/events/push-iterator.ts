/**
 * An AsyncIterator fed by pushes, for subscriptions. Unlike an async generator, `return()` (a client unsubscribing)
 * ends it at once even while nothing is pending, and runs the clean-up.
 */
export interface PushIterator<T> extends AsyncIterableIterator<T> {
  push(value: T): void;
  /** Ends the stream after what is queued; with an error, the consumer gets it after the queue. */
  end(error?: unknown): void;
  /** Resolves when few enough values wait to be taken: a producer waits on it before replaying more. */
  drained(): Promise<void>;
}

export function createPushIterator<T>(onClose: () => void, lowWater = 100): PushIterator<T> {
  const values: T[] = [];
  const takers: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  let drainWaiters: Array<() => void> = [];
  let finished = false;
  let failure: unknown;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    onClose();
  };
  const notifyDrain = () => {
    if (values.length <= lowWater && drainWaiters.length > 0) {
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const wake of waiters) wake();
    }
  };
  const settleTakers = () => {
    while (takers.length > 0 && finished && values.length === 0) {
      const taker = takers.shift();
      if (failure !== undefined) taker?.reject(failure);
      else taker?.resolve({ value: undefined, done: true });
    }
  };

  const iterator: PushIterator<T> = {
    push(value) {
      if (finished) return;
      const taker = takers.shift();
      if (taker) taker.resolve({ value, done: false });
      else values.push(value);
    },
    end(error) {
      if (finished) return;
      finished = true;
      failure = error;
      settleTakers();
      if (values.length === 0) close();
      notifyDrain();
    },
    drained() {
      if (values.length <= lowWater || finished) return Promise.resolve();
      return new Promise((resolve) => drainWaiters.push(resolve));
    },
    next() {
      if (values.length > 0) {
        const value = values.shift() as T;
        notifyDrain();
        if (finished && values.length === 0) close();
        return Promise.resolve({ value, done: false });
      }
      if (finished) {
        close();
        return failure !== undefined ? Promise.reject(failure) : Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve, reject) => takers.push({ resolve, reject }));
    },
    return() {
      finished = true;
      values.length = 0;
      failure = undefined;
      settleTakers();
      for (const wake of drainWaiters) wake();
      drainWaiters = [];
      close();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
