/**
 * The simulator's clock: the configured base clock (`options.now`, default Date.now) plus an offset that only the
 * dialer moves forward. Every part of the simulator reads time through `now()` (SimContext.now), so a dialer that
 * runs faster than real time (`speed`), or a test that steps it (`advance`), moves tokens, links, GetBill windows and
 * call times alike. The offset never goes back: simulated time is monotonic even when the base clock stands still.
 */
export interface SimClock {
  now(): number;
  /** Moves the clock to `at` if it is behind it (never backwards). */
  moveTo(at: number): void;
  /** Milliseconds the clock runs ahead of its base. */
  readonly offset: number;
}

export function createSimClock(base: () => number): SimClock {
  let offset = 0;
  return {
    now: () => base() + offset,
    moveTo(at) {
      const current = base() + offset;
      if (at > current) offset += at - current;
    },
    get offset() {
      return offset;
    },
  };
}
