import { Pool } from 'undici';

/**
 * A closed-loop load generator: `concurrency` clients, each sending its next request as soon as the last one is
 * answered, until the duration is over (requests in flight then are finished and counted).
 */

export interface Target {
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** The body, or a function giving each request its own (every callback a new event). */
  body: string | (() => string);
  /** Each request's own path and body, instead of `path` and `body` (a mix of callback kinds, each to its own path). */
  request?: () => { path: string; body: string };
  /** True when the answer is right; a wrong answer counts as a failure, not as a latency sample. */
  check(status: number, body: string): boolean;
}

export interface LoadResult {
  requests: number;
  failures: number;
  firstFailure: string | null;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Nearest-rank percentile of a sorted array. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

const bodyOf = (target: Target): string => (typeof target.body === 'string' ? target.body : target.body());
const requestOf = (target: Target): { path: string; body: string } => target.request?.() ?? { path: target.path, body: bodyOf(target) };

/** Failures of one run: how many, and the first one's reason. */
function createFailures() {
  const failures = { count: 0, first: null as string | null };
  const fail = (why: string) => {
    failures.count += 1;
    failures.first ??= why.slice(0, 300);
  };
  return { failures, fail };
}

/** Sorts the latencies (in place) and sums a run up. */
function summary(latencies: number[], failures: number, firstFailure: string | null, seconds: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    failures,
    firstFailure,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
  };
}

export async function runLoad(target: Target, concurrency: number, durationMs: number): Promise<LoadResult> {
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  const { failures, fail } = createFailures();
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(durationMs) * 1_000_000n;

  async function client(): Promise<void> {
    while (process.hrtime.bigint() < deadline) {
      const sent = process.hrtime.bigint();
      try {
        const response = await pool.request({ ...requestOf(target), method: 'POST', headers: target.headers });
        const text = await response.body.text();
        const ms = Number(process.hrtime.bigint() - sent) / 1e6;
        if (target.check(response.statusCode, text)) latencies.push(ms);
        else fail(`HTTP ${response.statusCode}: ${text}`);
      } catch (error) {
        fail(error instanceof Error ? error.message : String(error));
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await pool.close();
  return summary(latencies, failures.count, failures.first, seconds);
}

/**
 * An open-loop load generator: requests leave at a fixed rate whatever the answers do, spread over `connections`
 * connections. Each latency is counted from the moment the request was due, not from when it left, so a stall
 * (a GC pause here or there) shows in the percentiles instead of silently lowering the rate (coordinated omission).
 */
export async function runOpenLoad(target: Target, ratePerSecond: number, durationMs: number, connections = 64): Promise<LoadResult> {
  const pool = new Pool(target.origin, { connections, pipelining: 1 });
  const latencies: number[] = [];
  const { failures, fail } = createFailures();
  const intervalNs = BigInt(Math.max(1, Math.round(1e9 / ratePerSecond)));
  const total = Math.max(1, Math.floor((ratePerSecond * durationMs) / 1000));
  const started = process.hrtime.bigint();
  const inFlight = new Set<Promise<void>>();

  const send = (due: bigint): Promise<void> =>
    pool
      .request({ ...requestOf(target), method: 'POST', headers: target.headers })
      .then(async (response) => {
        const text = await response.body.text();
        const ms = Number(process.hrtime.bigint() - due) / 1e6;
        if (target.check(response.statusCode, text)) latencies.push(ms);
        else fail(`HTTP ${response.statusCode}: ${text}`);
      })
      .catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));

  let sent = 0;
  while (sent < total) {
    const now = process.hrtime.bigint();
    // Everything due by now leaves now (bounded by `total`); then sleep until the next one is due.
    while (sent < total && started + BigInt(sent) * intervalNs <= now) {
      const request = send(started + BigInt(sent) * intervalNs);
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
      sent += 1;
    }
    if (sent < total) {
      const waitMs = Number(started + BigInt(sent) * intervalNs - process.hrtime.bigint()) / 1e6;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.floor(waitMs))));
    }
  }
  await Promise.all(inFlight);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await pool.close();
  return summary(latencies, failures.count, failures.first, seconds);
}
