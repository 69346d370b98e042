import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Disposer, createDisposer } from '../utils/disposer.ts';
import { buildDist, spawnGateway } from '../utils/spawn-gateway.ts';

/**
 * What the production process (`node dist/main.js`) loads before its banner, recorded by a module loader hook
 * (NODE_OPTIONS=--import of a file that registers it; the hook appends every URL it loads to a file, synchronously,
 * so the file is complete when the banner is out). It guards the two mechanisms behind the start-up time and memory
 * (bench/README.md, "Cold start and memory"): dist/main.js is one bundle (scripts/bundle.ts), not the ~1,300 module
 * files Node used to resolve and compile one by one, and what a configuration does not use is never loaded (the
 * PostgreSQL driver, ioredis, the simulator). Demo mode is the positive control: there the simulator chunk must show.
 */

const HOOKS = `
import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function load(url, context, next) {
  appendFileSync(out, url + '\\n');
  return next(url, context);
}
`;
const REGISTER = `
import { register } from 'node:module';
register(new URL('./hooks.mjs', import.meta.url), { data: { out: process.env.LOADED_MODULES_FILE } });
`;

const suite = createDisposer();
let dir: string;

beforeAll(async () => {
  await buildDist();
  dir = mkdtempSync(join(tmpdir(), 'gateway-modules-'));
  suite.add(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
  writeFileSync(join(dir, 'register.mjs'), REGISTER);
}, 180_000);
afterAll(() => suite.dispose());
let disposer: Disposer;
beforeEach(() => {
  disposer = createDisposer();
});
afterEach(() => disposer.dispose());

const base = { DATABASE_URL: 'file::memory:', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn' };
const configured = { SIP_API_URL: 'http://127.0.0.1:9/', SIP_APPID: 'app', SIP_ACCESSKEY: 'key-0123456789', GATEWAY_AUTH: 'off' };

/** Starts the compiled gateway with the recorder, waits for its banner, stops it; returns the file: URLs it loaded. */
async function loadedBy(name: string, env: Record<string, string>): Promise<string[]> {
  const file = join(dir, `${name}.txt`);
  writeFileSync(file, '');
  const register = pathToFileURL(join(dir, 'register.mjs')).href;
  const { child, exited } = await spawnGateway(
    disposer,
    { ...base, ...env, LOADED_MODULES_FILE: file, NODE_OPTIONS: `--import=${register}` },
    { dist: true },
  );
  const loaded = readFileSync(file, 'utf8').split('\n').filter((url) => url.startsWith('file:'));
  child.kill('SIGTERM');
  await exited;
  return loaded;
}

/** The OpenTelemetry SDK and the span makers: loaded only when tracing is on (src/observability/tracing.ts). */
const TRACING_CHUNK = /\/dist\/chunks\/tracing-sdk-[^/]+\.js$/;
const NOT_LOADED_WHEN_UNUSED = [/\/node_modules\/pg\//, /\/node_modules\/ioredis\//, /\/simulator\//, /\/chunks\/server-/, TRACING_CHUNK];

describe('what the production process loads', () => {
  it('with an upstream configured, SQLite and no Redis: a handful of files, none of pg, ioredis or the simulator', async () => {
    const loaded = await loadedBy('configured', configured);
    const ours = loaded.filter((url) => url.includes('/dist/'));
    expect(ours.some((url) => url.endsWith('/dist/main.js'))).toBe(true);
    // One bundle plus its shared chunks; the unbundled output was ~100 of ours and ~1,200 package files.
    expect(ours.length).toBeLessThanOrEqual(6);
    expect(loaded.length).toBeLessThanOrEqual(20);
    for (const pattern of NOT_LOADED_WHEN_UNUSED) expect(loaded.filter((url) => pattern.test(url))).toEqual([]);
  }, 60_000);

  it("the bundle's source map points into src/ only (decoding package mappings at the first stack trace cost ~0.4 s)", () => {
    const map = JSON.parse(readFileSync(new URL('../../dist/main.js.map', import.meta.url), 'utf8')) as { sources: string[] };
    expect(map.sources.filter((source) => source.includes('node_modules/'))).toEqual([]);
    expect(map.sources).toContain('../src/domain/phone-numbers.ts');
  });

  it('in demo mode the simulator chunk is loaded (the recorder sees lazy chunks)', async () => {
    const loaded = await loadedBy('demo', { SIMULATOR_PORT: '0' });
    expect(loaded.filter((url) => /\/dist\/chunks\/server-[^/]+\.js$/.test(url))).toHaveLength(1);
    expect(loaded.filter((url) => /\/node_modules\/(pg|ioredis)\//.test(url))).toEqual([]);
  }, 60_000);

  it('with an OTLP endpoint the tracing chunk is loaded (the control for its absence above)', async () => {
    const loaded = await loadedBy('tracing', { ...configured, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(loaded.filter((url) => TRACING_CHUNK.test(url))).toHaveLength(1);
  }, 60_000);
});
