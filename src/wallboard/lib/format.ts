/** Time in state: m:ss under an hour, h:mm:ss after; never negative (a clock a little ahead of the gateway's). */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

/** Seconds since `sinceMs` at `nowMs`, formatted; empty when the start is unknown. */
export function timeInState(sinceMs: number | null, nowMs: number): string {
  return sinceMs === null ? '' : formatDuration((nowMs - sinceMs) / 1000);
}
