import pg from 'pg';
import { Redis } from 'ioredis';
import { Backend, configuredBackends, postgresUrl, redisUrl, requiredBackends } from '../utils/backends.ts';

/**
 * Vitest global setup: says what this run covers (SQLite always; PostgreSQL, Redis, chromium and HAProxy when the
 * machine has them) at the start and again at the end of the output, and fails the run before any test when a backend
 * named in TEST_REQUIRE is missing or does not answer. Without TEST_REQUIRE (a laptop with only Node), the missing
 * backends' tests are reported as skipped.
 */

const PROBE_TIMEOUT_MS = 3_000;

async function answers(backend: Backend): Promise<string | null> {
  try {
    if (backend === Backend.Postgres) {
      const client = new pg.Client({ connectionString: postgresUrl(), connectionTimeoutMillis: PROBE_TIMEOUT_MS });
      await client.connect();
      try {
        await client.query('select 1');
      } finally {
        await client.end();
      }
    } else if (backend === Backend.Redis) {
      const redis = new Redis(redisUrl() ?? '', { lazyConnect: true, connectTimeout: PROBE_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await redis.connect();
        await redis.ping();
      } finally {
        redis.disconnect();
      }
    }
    return null;
  } catch (error) {
    // The code only: the URL (and any password in it) stays out of the output.
    return (error as { code?: string }).code ?? (error as Error).name;
  }
}

function summary(lines: string[]): string {
  return ['', 'Backends this run covers:', ...lines.map((l) => `  ${l}`), ''].join('\n');
}

export default async function setup(): Promise<() => void> {
  const configured = configuredBackends();
  const required = new Set(requiredBackends());
  const lines = ['sqlite      on   (always)'];
  const problems: string[] = [];
  for (const backend of Object.values(Backend)) {
    const { on, how } = configured[backend];
    let state = on ? 'on' : 'off';
    let detail = how;
    if (on) {
      const failure = await answers(backend);
      if (failure) {
        state = 'DOWN';
        detail = `${how} is set but the server does not answer (${failure})`;
        problems.push(`${backend}: ${detail}`);
      }
    } else if (required.has(backend)) {
      problems.push(`${backend}: required by TEST_REQUIRE, but ${how}`);
    }
    const note = !on ? ' — its tests are skipped' : '';
    lines.push(`${backend.padEnd(11)} ${state.padEnd(4)} (${detail})${required.has(backend) ? ' [required]' : ''}${note}`);
  }
  const text = summary(lines);
  console.log(text);
  if (problems.length > 0) {
    throw new Error(`the suite cannot cover what it is meant to:\n  ${problems.join('\n  ')}\n(set TEST_REQUIRE to the backends this machine has, or start the missing servers)`);
  }
  return () => console.log(text);
}
