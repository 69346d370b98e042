/**
 * How long to wait before reconnect attempt `retries` (0 for the first retry): exponential from 500 ms, capped at
 * 10 s so a wallboard is back within seconds of the gateway, with jitter (the upper half of the window, "equal
 * jitter") so a room full of wallboards does not reconnect in lockstep after a restart. `random` is injectable for tests.
 */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 10_000;

export function backoffDelayMs(retries: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(retries)), 16);
  const window = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** exponent);
  const r = random();
  const jitter = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 1;
  return Math.round(window / 2 + (window / 2) * jitter);
}
