/**
 * The SIP and AI-call APIs write times as `yyyy-mm-dd hh:mm:ss` with no zone: wall-clock time in the platform's
 * zone (UPSTREAM_TIME_ZONE). This converts both ways with the zone rules from Intl, so zones with daylight saving
 * work too, not just Asia/Shanghai's fixed +08:00.
 */

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
// Every zone in use changes its offset on a quarter hour of UTC, so one offset holds for a whole bucket.
const BUCKET_MS = 15 * 60_000;
const OFFSET_CACHE_LIMIT = 10_000;

export interface ZonedTime {
  readonly zone: string;
  /** `2024-01-01 00:30:00` → the instant it names in the zone; null when the text is not such a time. */
  parse(local: string): Date | null;
  /** An instant → `yyyy-mm-dd hh:mm:ss` on the zone's wall clock. */
  format(instant: Date): string;
}

/** True when Intl knows the zone name (the config check uses this). */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function createZonedTime(zone: string): ZonedTime {
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  // Caching the offset per quarter hour keeps the Intl call (a few µs) off the path of a 1 000-row GetBill page;
  // the cache is reset before it can grow unbounded.
  const offsetByBucket = new Map<number, number>();

  function wallClock(epochMs: number): number[] {
    const parts = formatter.formatToParts(new Date(epochMs));
    const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
    return [get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second')];
  }

  /** Milliseconds to add to UTC to read the zone's wall clock at that instant. */
  function offsetAt(epochMs: number): number {
    const bucket = Math.floor(epochMs / BUCKET_MS);
    const cached = offsetByBucket.get(bucket);
    if (cached !== undefined) return cached;
    const [y, mo, d, h, mi, s] = wallClock(bucket * BUCKET_MS) as [number, number, number, number, number, number];
    const offset = Date.UTC(y, mo - 1, d, h, mi, s) - bucket * BUCKET_MS;
    if (offsetByBucket.size >= OFFSET_CACHE_LIMIT) offsetByBucket.clear();
    offsetByBucket.set(bucket, offset);
    return offset;
  }

  return {
    zone,
    parse(local) {
      const m = LOCAL_TIME.exec(local.trim());
      if (!m) return null;
      const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
      const naive = Date.UTC(y, mo - 1, d, h, mi, s);
      const check = new Date(naive);
      // Date.UTC rolls 2024-02-30 over into March; such a text is not a time.
      if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
      // Two passes settle the offset on both sides of a daylight-saving change.
      let guess = naive - offsetAt(naive);
      guess = naive - offsetAt(guess);
      return new Date(guess);
    },
    format(instant) {
      const epochMs = instant.getTime();
      const wall = new Date(epochMs + offsetAt(epochMs));
      return wall.toISOString().slice(0, 19).replace('T', ' ');
    },
  };
}
