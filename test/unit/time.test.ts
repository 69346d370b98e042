import { describe, expect, it } from 'vitest';
import { createZonedTime, isValidTimeZone } from '../../src/upstream/time.ts';

describe('zoned time (the platforms write wall-clock times with no zone)', () => {
  const shanghai = createZonedTime('Asia/Shanghai');

  it('reads a Shanghai time just after midnight as the previous day in UTC', () => {
    expect(shanghai.parse('2024-03-01 00:30:00')?.toISOString()).toBe('2024-02-29T16:30:00.000Z');
    expect(shanghai.parse('2024-01-01 07:59:59')?.toISOString()).toBe('2023-12-31T23:59:59.000Z');
    expect(shanghai.parse('2024-01-01 08:00:00')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it('writes an instant late in the UTC day as the next day in Shanghai', () => {
    expect(shanghai.format(new Date('2024-02-29T16:30:00Z'))).toBe('2024-03-01 00:30:00');
    expect(shanghai.format(new Date('2023-12-31T23:59:59Z'))).toBe('2024-01-01 07:59:59');
  });

  it('round-trips every quarter hour across a day and a year end', () => {
    for (let t = Date.UTC(2023, 11, 31, 0, 0, 0); t < Date.UTC(2024, 0, 2); t += 15 * 60_000) {
      const instant = new Date(t);
      expect(shanghai.parse(shanghai.format(instant))?.getTime()).toBe(t);
    }
  });

  it('follows daylight saving in zones that have it', () => {
    const newYork = createZonedTime('America/New_York');
    expect(newYork.parse('2024-07-01 00:15:00')?.toISOString()).toBe('2024-07-01T04:15:00.000Z');
    expect(newYork.parse('2024-01-01 00:15:00')?.toISOString()).toBe('2024-01-01T05:15:00.000Z');
    expect(newYork.format(new Date('2024-03-10T07:30:00Z'))).toBe('2024-03-10 03:30:00');
  });

  it('refuses text that is not a time', () => {
    for (const bad of ['', '2024-02-30 10:00:00', '2024-01-01 24:00:00', '2024-01-01', 'yesterday']) {
      expect(shanghai.parse(bad)).toBeNull();
    }
  });

  it('knows real zones from made-up ones', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
