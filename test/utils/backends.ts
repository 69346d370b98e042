import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * What the suite can cover on this machine beyond SQLite and loopback HTTP, decided from the environment alone so
 * every test file and the global setup agree. A backend that is not available makes its tests *skipped* (they show in
 * the summary), never absent; `TEST_REQUIRE` turns a missing one into a failed run (see test/setup/backends.ts).
 */

export enum Backend {
  Postgres = 'postgres',
  Redis = 'redis',
  Chromium = 'chromium',
  Haproxy = 'haproxy',
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

export function postgresUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.DATABASE_URL;
  return url && POSTGRES_URL.test(url) ? url : undefined;
}

export function redisUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.REDIS_URL || undefined;
}

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function haproxyOnPath(): boolean {
  const probe = spawnSync('haproxy', ['-v'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/** Whether the suite will run the tests of each backend, and how it learnt where the backend is. */
export function configuredBackends(env: NodeJS.ProcessEnv = process.env): Record<Backend, { on: boolean; how: string }> {
  return {
    [Backend.Postgres]: postgresUrl(env) ? { on: true, how: 'DATABASE_URL' } : { on: false, how: 'DATABASE_URL is not a postgres:// URL' },
    [Backend.Redis]: redisUrl(env) ? { on: true, how: 'REDIS_URL' } : { on: false, how: 'REDIS_URL is not set' },
    [Backend.Chromium]: chromiumInstalled() ? { on: true, how: CHROMIUM_PATH } : { on: false, how: `${CHROMIUM_PATH} is missing` },
    [Backend.Haproxy]: haproxyOnPath() ? { on: true, how: 'haproxy on PATH' } : { on: false, how: 'no haproxy on PATH' },
  };
}

/** `TEST_REQUIRE`: a comma-separated list of backends, or `all`; unknown names are an error, not a silent pass. */
export function requiredBackends(env: NodeJS.ProcessEnv = process.env): Backend[] {
  const raw = (env.TEST_REQUIRE ?? '').trim();
  if (raw === '') return [];
  const all = Object.values(Backend);
  if (raw === 'all') return all;
  return raw.split(',').map((name) => {
    const backend = all.find((b) => b === name.trim());
    if (!backend) throw new Error(`TEST_REQUIRE names "${name.trim()}"; known: ${all.join(', ')}, or all`);
    return backend;
  });
}
