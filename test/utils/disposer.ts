/** Collects clean-ups as a test sets things up, and runs them in reverse order in afterAll/afterEach. */
export interface Disposer {
  add(dispose: () => unknown): void;
  /** Registers a value's clean-up and hands the value back, so set-up reads as one line. */
  use<T>(value: T, dispose: (value: T) => unknown): T;
  dispose(): Promise<void>;
}

export function createDisposer(): Disposer {
  const stack: Array<() => unknown> = [];
  return {
    add(dispose) {
      stack.push(dispose);
    },
    use(value, dispose) {
      stack.push(() => dispose(value));
      return value;
    },
    async dispose() {
      const errors: unknown[] = [];
      while (stack.length > 0) {
        const next = stack.pop();
        try {
          await next?.();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw new AggregateError(errors, 'clean-up failed');
    },
  };
}
