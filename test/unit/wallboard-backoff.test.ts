import { describe, expect, it } from 'vitest';
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoffDelayMs } from '../../src/wallboard/lib/backoff.ts';

describe('wallboard backoffDelayMs', () => {
  it('doubles per retry within the upper half of its window', () => {
    for (let retries = 0; retries < 5; retries++) {
      const window = BACKOFF_BASE_MS * 2 ** retries;
      expect(backoffDelayMs(retries, () => 0)).toBe(window / 2);
      expect(backoffDelayMs(retries, () => 1)).toBe(window);
    }
  });

  it('is capped at 10 s however many retries', () => {
    for (const retries of [5, 6, 10, 100, 1e6, Infinity]) {
      expect(backoffDelayMs(retries, () => 1)).toBe(BACKOFF_CAP_MS);
      expect(backoffDelayMs(retries, () => 0)).toBe(BACKOFF_CAP_MS / 2);
    }
  });

  it('spreads attempts (jitter) and stays in range with any random source', () => {
    const delays = new Set(Array.from({ length: 20 }, (_, i) => backoffDelayMs(3, () => i / 20)));
    expect(delays.size).toBeGreaterThan(10);
    for (const random of [() => -1, () => 2, () => Number.NaN]) {
      const delay = backoffDelayMs(2, random);
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(2000);
    }
    expect(backoffDelayMs(-3, () => 1)).toBe(BACKOFF_BASE_MS);
  });
});
