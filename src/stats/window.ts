import type { ZonedTime } from '../upstream/time.ts';

/**
 * Statistics windows. Counters are kept twice, per minute and per hour (both in UTC epoch buckets); a window is read as
 * its whole hours from the hour rows and its ragged ends from the minute rows, so a day costs at most 24 + 118 rows per
 * subject whatever its bounds, and any window is exact to the minute.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

export enum Grain {
  /** A task's totals over its whole life (bucket 0): what `remaining` reads, without adding up its hours. */
  AllTime = 0,
  Minute = 1,
  Hour = 60,
}

export const GRAINS: readonly Grain[] = [Grain.Minute, Grain.Hour];

export const bucketOf = (at: number, grain: Grain): number => Math.floor(at / (grain * MINUTE_MS)) * grain * MINUTE_MS;

/** A window resolved to whole minutes: `from` inclusive, `to` exclusive. */
export interface StatsWindow {
  from: number;
  to: number;
}

/** Longest window a query may ask for (a month: the hour rows stay few). */
export const MAX_WINDOW_MS = 31 * 24 * HOUR_MS;

/** `from` down to its minute, `to` up to the end of its minute: the window covers every minute it touches. */
export function resolveWindow(from: number, to: number): StatsWindow {
  const start = bucketOf(from, Grain.Minute);
  const end = bucketOf(to, Grain.Minute) + (to % MINUTE_MS === 0 ? 0 : MINUTE_MS);
  return { from: start, to: Math.max(end, start + MINUTE_MS) };
}

/** Which rows make up a window: hour buckets in [hours.from, hours.to), minute buckets in each of `minutes`. */
export interface WindowRows {
  hours: { from: number; to: number } | null;
  minutes: Array<{ from: number; to: number }>;
}

export function rowsOf(window: StatsWindow): WindowRows {
  const firstHour = Math.ceil(window.from / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(window.to / HOUR_MS) * HOUR_MS;
  if (firstHour >= lastHour) return { hours: null, minutes: [{ from: window.from, to: window.to }] };
  const minutes: Array<{ from: number; to: number }> = [];
  if (window.from < firstHour) minutes.push({ from: window.from, to: firstHour });
  if (lastHour < window.to) minutes.push({ from: lastHour, to: window.to });
  return { hours: { from: firstHour, to: lastHour }, minutes };
}

/** The midnight that ends `now`'s day on the zone's wall clock (a day of 23 or 25 hours where clocks change). */
export function endOfDay(now: number, time: ZonedTime): number {
  return startOfDay(startOfDay(now, time) + 36 * HOUR_MS, time);
}

/** Midnight of `now`'s day on the zone's wall clock. */
export function startOfDay(now: number, time: ZonedTime): number {
  const day = time.format(new Date(now)).slice(0, 10);
  return time.parse(`${day} 00:00:00`)?.getTime() ?? bucketOf(now, Grain.Hour);
}
