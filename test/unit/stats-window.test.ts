import { describe, expect, it } from 'vitest';
import { Grain, bucketOf, resolveWindow, rowsOf, endOfDay, startOfDay } from '../../src/stats/window.ts';
import { createZonedTime } from '../../src/upstream/time.ts';

/** Statistics windows (src/stats/window.ts): whole minutes, read as whole hours plus ragged minute ends. */

const at = (iso: string) => Date.parse(iso);

describe('bucketOf', () => {
  it('floors to the minute and to the hour', () => {
    expect(bucketOf(at('2025-06-02T10:17:42.500Z'), Grain.Minute)).toBe(at('2025-06-02T10:17:00Z'));
    expect(bucketOf(at('2025-06-02T10:17:42.500Z'), Grain.Hour)).toBe(at('2025-06-02T10:00:00Z'));
    expect(bucketOf(at('2025-06-02T10:00:00Z'), Grain.Hour)).toBe(at('2025-06-02T10:00:00Z'));
  });
});

describe('resolveWindow', () => {
  it('floors `from` to its minute and takes `to` up to the end of its minute', () => {
    expect(resolveWindow(at('2025-06-02T10:17:42.500Z'), at('2025-06-02T11:05:00.001Z'))).toEqual({
      from: at('2025-06-02T10:17:00Z'),
      to: at('2025-06-02T11:06:00Z'),
    });
  });

  it('keeps bounds already on a minute', () => {
    expect(resolveWindow(at('2025-06-02T10:17:00Z'), at('2025-06-02T11:05:00Z'))).toEqual({
      from: at('2025-06-02T10:17:00Z'),
      to: at('2025-06-02T11:05:00Z'),
    });
  });

  it('covers at least one minute', () => {
    // Both ends in the same minute.
    expect(resolveWindow(at('2025-06-02T10:17:10Z'), at('2025-06-02T10:17:20Z'))).toEqual({
      from: at('2025-06-02T10:17:00Z'),
      to: at('2025-06-02T10:18:00Z'),
    });
    // An empty window on a minute boundary.
    expect(resolveWindow(at('2025-06-02T10:17:00Z'), at('2025-06-02T10:17:00Z'))).toEqual({
      from: at('2025-06-02T10:17:00Z'),
      to: at('2025-06-02T10:18:00Z'),
    });
    // `to` one millisecond after a boundary `from`.
    expect(resolveWindow(at('2025-06-02T10:17:00Z'), at('2025-06-02T10:17:00.001Z'))).toEqual({
      from: at('2025-06-02T10:17:00Z'),
      to: at('2025-06-02T10:18:00Z'),
    });
  });
});

describe('rowsOf', () => {
  it('a window inside one hour: minute rows only', () => {
    expect(rowsOf({ from: at('2025-06-02T10:17:00Z'), to: at('2025-06-02T10:43:00Z') })).toEqual({
      hours: null,
      minutes: [{ from: at('2025-06-02T10:17:00Z'), to: at('2025-06-02T10:43:00Z') }],
    });
  });

  it('crossing one hour boundary without a whole hour: minute rows only, one range', () => {
    expect(rowsOf({ from: at('2025-06-02T10:50:00Z'), to: at('2025-06-02T11:10:00Z') })).toEqual({
      hours: null,
      minutes: [{ from: at('2025-06-02T10:50:00Z'), to: at('2025-06-02T11:10:00Z') }],
    });
  });

  it('crossing hours: the whole hours from hour rows, the ragged ends from minute rows', () => {
    expect(rowsOf({ from: at('2025-06-02T10:17:00Z'), to: at('2025-06-02T13:05:00Z') })).toEqual({
      hours: { from: at('2025-06-02T11:00:00Z'), to: at('2025-06-02T13:00:00Z') },
      minutes: [
        { from: at('2025-06-02T10:17:00Z'), to: at('2025-06-02T11:00:00Z') },
        { from: at('2025-06-02T13:00:00Z'), to: at('2025-06-02T13:05:00Z') },
      ],
    });
  });

  it('exactly on hour boundaries: hour rows only', () => {
    expect(rowsOf({ from: at('2025-06-02T10:00:00Z'), to: at('2025-06-02T13:00:00Z') })).toEqual({
      hours: { from: at('2025-06-02T10:00:00Z'), to: at('2025-06-02T13:00:00Z') },
      minutes: [],
    });
    expect(rowsOf({ from: at('2025-06-02T10:00:00Z'), to: at('2025-06-02T11:00:00Z') })).toEqual({
      hours: { from: at('2025-06-02T10:00:00Z'), to: at('2025-06-02T11:00:00Z') },
      minutes: [],
    });
  });

  it('one end on an hour boundary: one ragged end only', () => {
    expect(rowsOf({ from: at('2025-06-02T10:00:00Z'), to: at('2025-06-02T12:30:00Z') })).toEqual({
      hours: { from: at('2025-06-02T10:00:00Z'), to: at('2025-06-02T12:00:00Z') },
      minutes: [{ from: at('2025-06-02T12:00:00Z'), to: at('2025-06-02T12:30:00Z') }],
    });
    expect(rowsOf({ from: at('2025-06-02T09:45:00Z'), to: at('2025-06-02T12:00:00Z') })).toEqual({
      hours: { from: at('2025-06-02T10:00:00Z'), to: at('2025-06-02T12:00:00Z') },
      minutes: [{ from: at('2025-06-02T09:45:00Z'), to: at('2025-06-02T10:00:00Z') }],
    });
  });

  it('a day from a half-hour zone\'s midnight: 23 whole hours and two half hours', () => {
    // Midnight in Kolkata (+05:30) is hh:30 in UTC.
    expect(rowsOf({ from: at('2025-06-01T18:30:00Z'), to: at('2025-06-02T18:30:00Z') })).toEqual({
      hours: { from: at('2025-06-01T19:00:00Z'), to: at('2025-06-02T18:00:00Z') },
      minutes: [
        { from: at('2025-06-01T18:30:00Z'), to: at('2025-06-01T19:00:00Z') },
        { from: at('2025-06-02T18:00:00Z'), to: at('2025-06-02T18:30:00Z') },
      ],
    });
  });
});

describe('startOfDay', () => {
  const shanghai = createZonedTime('Asia/Shanghai');
  const kolkata = createZonedTime('Asia/Kolkata');

  it('Asia/Shanghai (+08:00): midnight is 16:00 UTC of the day before', () => {
    expect(startOfDay(at('2025-06-02T10:17:42Z'), shanghai)).toBe(at('2025-06-01T16:00:00Z'));
    // 17:00 UTC is already the next day in Shanghai.
    expect(startOfDay(at('2025-06-02T17:00:00Z'), shanghai)).toBe(at('2025-06-02T16:00:00Z'));
    // Midnight itself, and the millisecond before it.
    expect(startOfDay(at('2025-06-02T16:00:00Z'), shanghai)).toBe(at('2025-06-02T16:00:00Z'));
    expect(startOfDay(at('2025-06-02T15:59:59.999Z'), shanghai)).toBe(at('2025-06-01T16:00:00Z'));
  });

  it('Asia/Kolkata (+05:30): midnight is 18:30 UTC of the day before', () => {
    expect(startOfDay(at('2025-06-02T10:17:42Z'), kolkata)).toBe(at('2025-06-01T18:30:00Z'));
    expect(startOfDay(at('2025-06-02T18:30:00Z'), kolkata)).toBe(at('2025-06-02T18:30:00Z'));
    expect(startOfDay(at('2025-06-02T18:29:59Z'), kolkata)).toBe(at('2025-06-01T18:30:00Z'));
    // 19:00 UTC is 00:30 the next day in Kolkata.
    expect(startOfDay(at('2025-06-02T19:00:00Z'), kolkata)).toBe(at('2025-06-02T18:30:00Z'));
  });

  it('across a month and a year end', () => {
    expect(startOfDay(at('2024-12-31T16:30:00Z'), shanghai)).toBe(at('2024-12-31T16:00:00Z'));
    expect(startOfDay(at('2024-03-01T00:00:00Z'), kolkata)).toBe(at('2024-02-29T18:30:00Z'));
  });
});

describe('endOfDay', () => {
  const shanghai = createZonedTime('Asia/Shanghai');
  const kolkata = createZonedTime('Asia/Kolkata');
  const berlin = createZonedTime('Europe/Berlin');
  const at = (iso: string) => Date.parse(iso);

  it("is the midnight that ends the instant's day in the zone", () => {
    expect(endOfDay(at('2025-06-02T10:17:42Z'), shanghai)).toBe(at('2025-06-02T16:00:00Z'));
    expect(endOfDay(at('2025-06-01T16:00:00Z'), shanghai)).toBe(at('2025-06-02T16:00:00Z'));
    expect(endOfDay(at('2025-12-31T20:00:00Z'), kolkata)).toBe(at('2026-01-01T18:30:00Z'));
  });

  it('spans 23 or 25 hours where the clocks change', () => {
    expect(endOfDay(at('2025-03-30T08:00:00Z'), berlin) - at('2025-03-29T23:00:00Z')).toBe(23 * 3_600_000);
    expect(endOfDay(at('2025-10-26T08:00:00Z'), berlin) - at('2025-10-25T22:00:00Z')).toBe(25 * 3_600_000);
  });
});
