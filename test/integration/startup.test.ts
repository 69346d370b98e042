import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Disposer, createDisposer } from '../utils/disposer.ts';
import { buildDist, runGatewayToExit, spawnGateway } from '../utils/spawn-gateway.ts';

/**
 * The production process (`node dist/main.js`, built here if dist/ is missing or older than src/) when it cannot
 * start: one line on stderr naming the setting to change, nothing on stdout, exit code 1. It runs the compiled output
 * on purpose: this is the one test that proves the build (`.ts` imports rewritten, the simulator imported lazily) runs.
 */

let holder: Server;
let takenPort: number;
const suite = createDisposer();
let disposer: Disposer;

beforeAll(async () => {
  await buildDist();
  holder = await new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
  takenPort = (holder.address() as { port: number }).port;
  suite.add(() => new Promise((resolve) => holder.close(resolve)));
}, 120_000);
afterAll(() => suite.dispose());
beforeEach(() => {
  disposer = createDisposer();
});
afterEach(() => disposer.dispose());

const base = () => ({ DATABASE_URL: 'file::memory:', HOST: '127.0.0.1', SIMULATOR_PORT: '0', LOG_LEVEL: 'info' });
const live = { SIP_API_URL: 'http://127.0.0.1:9/', SIP_APPID: 'app', SIP_ACCESSKEY: 'key-0123456789', GATEWAY_AUTH: 'off' };

describe('a gateway that cannot start', () => {
  it('demo mode on a taken PORT: one line on stderr, exit code 1', async () => {
    const result = await runGatewayToExit(disposer, { ...base(), PORT: String(takenPort) }, { dist: true });
    expect(result.stderr).toBe(`Gateway failed to start: port ${takenPort} on 127.0.0.1 is already in use (set PORT to another port)\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
  });

  it('with an upstream configured, the same', async () => {
    const result = await runGatewayToExit(disposer, { ...base(), ...live, PORT: String(takenPort) }, { dist: true });
    expect(result.stderr.split('\n')).toEqual([`Gateway failed to start: port ${takenPort} on 127.0.0.1 is already in use (set PORT to another port)`, '']);
    expect(result.code).toBe(1);
  });

  it('LOG_LEVEL=debug adds the stack after the same line', async () => {
    const result = await runGatewayToExit(disposer, { ...base(), ...live, PORT: String(takenPort), LOG_LEVEL: 'debug' }, { dist: true });
    const [first, ...rest] = result.stderr.trimEnd().split('\n');
    expect(first).toBe(`Gateway failed to start: port ${takenPort} on 127.0.0.1 is already in use (set PORT to another port)`);
    expect(rest.join('\n')).toMatch(/^ {4}Error: listen EADDRINUSE/);
    expect(result.code).toBe(1);
  });

  it('a DATABASE_URL it cannot write: one line naming the setting, not its value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-startup-'));
    disposer.add(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'a-file'), '');
    const result = await runGatewayToExit(disposer, { ...base(), ...live, PORT: '0', DATABASE_URL: `file:${dir}/a-file/data/gateway.db` }, { dist: true });
    expect(result.stderr).toMatch(/^Gateway failed to start: the directory of the SQLite file in DATABASE_URL cannot be created \((ENOTDIR|EEXIST)\);[^\n]*\n$/);
    expect(result.stderr).not.toContain(dir);
    expect(result.code).toBe(1);
  });
});

describe('the compiled gateway', () => {
  it('starts in demo mode and stops on SIGTERM', async () => {
    const { child, url, exited } = await spawnGateway(disposer, { ...base(), PORT: '0', LOG_LEVEL: 'warn' }, { dist: true });
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    await health.body?.cancel();
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
