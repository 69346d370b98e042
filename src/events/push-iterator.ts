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
  /**
   * The next waiting value without a promise, or EMPTY when none waits (an ended stream's end or error is `next()`'s
   * to report). For a consumer that handles thousands of streams per event: each `next()` is a promise and a turn.
   */
  take(): T | typeof EMPTY;
  /**
   * Calls `reader.ready()` once, synchronously, when a value is pushed or the stream ends (by `end` or an overflow)
   * while no `next()` waits; one reader at a time. The reader then `take()`s: ready() must not throw.
   */
  whenReady(reader: PushReader): void;
  /** Ends the stream after what is queued; with an error, the consumer gets it after the queue. */
  end(error?: unknown): void;
  /** Resolves when few enough values wait to be taken: a producer waits on it before replaying more. */
  drained(): Promise<void>;
  /** Values waiting to be taken. */
  readonly size: number;
  /** Whether the stream has ended (by `end`, `return` or an overflow): pushes are ignored from then on. */
  readonly finished: boolean;
}

/** What `take()` gives when no value waits. */
export const EMPTY: unique symbol = Symbol('empty');

/** An object rather than a callback: a consumer waiting on thousands of streams makes no closure per wait. */
export interface PushReader {
  ready(): void;
}

export interface PushIteratorOptions {
  /** `drained()` resolves once at most this many values wait. */
  lowWater?: number;
  /** Most values that may wait; one more ends the stream with `overflowError`. */
  limit?: number;
  /** What the consumer gets after an overflow (given the limit, so one function can serve every stream). */
  overflowError?: (limit: number) => unknown;
  /** Runs once, at the overflow. */
  onOverflow?: () => void;
}

/**
 * A class rather than closures: a server holds one per subscription for the subscription's life, and methods on a
 * prototype cost nothing per instance (bench/idle-subscriptions.ts).
 */
class Pushed<T> implements PushIterator<T> {
  private readonly values: T[] = [];
  private readonly takers: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  private drainWaiters: Array<() => void> = [];
  private reader: PushReader | null = null;
  private ended = false;
  private failure: unknown;
  private closed = false;
  private readonly lowWater: number;
  private readonly limit: number;

  constructor(
    private readonly onClose: () => void,
    private readonly options: PushIteratorOptions,
  ) {
    this.lowWater = options.lowWater ?? 100;
    this.limit = options.limit ?? Number.POSITIVE_INFINITY;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  private notifyDrain(): void {
    if ((this.values.length <= this.lowWater || this.ended) && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private wakeReader(): void {
    const reader = this.reader;
    if (!reader) return;
    this.reader = null;
    reader.ready();
  }

  private settleTakers(): void {
    while (this.takers.length > 0 && this.ended && this.values.length === 0) {
      const taker = this.takers.shift();
      if (this.failure !== undefined) taker?.reject(this.failure);
      else taker?.resolve({ value: undefined, done: true });
    }
  }

  push(value: T): void {
    if (this.ended) return;
    const taker = this.takers.shift();
    if (taker) {
      taker.resolve({ value, done: false });
      return;
    }
    if (this.values.length >= this.limit) {
      // The consumer is this far behind: drop what waits (the memory is the point) and end with the error.
      this.values.length = 0;
      this.ended = true;
      this.failure = this.options.overflowError?.(this.limit) ?? new Error(`more than ${this.limit} values waiting`);
      this.notifyDrain();
      this.close();
      this.options.onOverflow?.();
      this.wakeReader();
      return;
    }
    this.values.push(value);
    // Last: the reader may run its whole delivery (and even end this stream) from here.
    this.wakeReader();
  }

  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.settleTakers();
    if (this.values.length === 0) this.close();
    this.notifyDrain();
    this.wakeReader();
  }

  take(): T | typeof EMPTY {
    if (this.values.length === 0) return EMPTY;
    const value = this.values.shift() as T;
    this.notifyDrain();
    if (this.ended && this.values.length === 0) this.close();
    return value;
  }

  whenReady(reader: PushReader): void {
    if (this.values.length > 0 || this.ended) {
      reader.ready();
      return;
    }
    this.reader = reader;
  }

  drained(): Promise<void> {
    if (this.values.length <= this.lowWater || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  get size(): number {
    return this.values.length;
  }

  get finished(): boolean {
    return this.ended;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.values.length > 0) {
      const value = this.values.shift() as T;
      this.notifyDrain();
      if (this.ended && this.values.length === 0) this.close();
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) {
      this.close();
      return this.failure !== undefined ? Promise.reject(this.failure) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.takers.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.ended = true;
    this.reader = null;
    this.values.length = 0;
    this.failure = undefined;
    this.settleTakers();
    this.notifyDrain();
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Whether a stream is one of these (and so can be read with `take` and `whenReady`). */
export function isPushIterator<T>(stream: AsyncIterator<T>): stream is PushIterator<T> {
  return stream instanceof Pushed;
}

export function createPushIterator<T>(onClose: () => void, options: PushIteratorOptions = {}): PushIterator<T> {
  return new Pushed<T>(onClose, options);
}
