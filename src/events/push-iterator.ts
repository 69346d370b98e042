/**
 * An AsyncIterator fed by pushes, for subscriptions. Unlike an async generator, `return()` (a client unsubscribing)
 * ends it at once even while nothing is pending, and runs the clean-up.
 *
 * The queue is bounded: a push that finds `limit` values already waiting means the consumer cannot keep up. The
 * queue is then dropped, `onOverflow` runs (a transport closes the connection), and the consumer gets `overflowError`
 * as soon as it asks for the next value. Nothing is buffered without end.
 */
export interface PushIterator<T> extends AsyncIterableIterator<T> {
  push(value: T): void;
  /** Ends the stream after what is queued; with an error, the consumer gets it after the queue. */
  end(error?: unknown): void;
  /** Resolves when few enough values wait to be taken: a producer waits on it before replaying more. */
  drained(): Promise<void>;
  /** Values waiting to be taken. */
  readonly size: number;
  /** Whether the stream has ended (by `end`, `return` or an overflow): pushes are ignored from then on. */
  readonly finished: boolean;
}

export interface PushIteratorOptions {
  /** `drained()` resolves once at most this many values wait. */
  lowWater?: number;
  /** Most values that may wait; one more ends the stream with `overflowError`. */
  limit?: number;
  /** What the consumer gets after an overflow. */
  overflowError?: () => unknown;
  /** Runs once, at the overflow. */
  onOverflow?: () => void;
}

export function createPushIterator<T>(onClose: () => void, options: PushIteratorOptions = {}): PushIterator<T> {
  const lowWater = options.lowWater ?? 100;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
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
    if ((values.length <= lowWater || finished) && drainWaiters.length > 0) {
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
      if (taker) {
        taker.resolve({ value, done: false });
        return;
      }
      if (values.length >= limit) {
        // The consumer is this far behind: drop what waits (the memory is the point) and end with the error.
        values.length = 0;
        finished = true;
        failure = options.overflowError?.() ?? new Error(`more than ${limit} values waiting`);
        notifyDrain();
        close();
        options.onOverflow?.();
        return;
      }
      values.push(value);
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
    get size() {
      return values.length;
    },
    get finished() {
      return finished;
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
      notifyDrain();
      close();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
