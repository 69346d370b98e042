import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { printSortedSchema } from '../../src/schema.ts';
import { GatewayInfoDocument, type GatewayInfoQuery } from '../generated/graphql.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { spawnGateway } from '../utils/spawn-gateway.ts';
import { tempDatabaseUrl } from '../utils/temp-db.ts';

/** The version the gateway reports: package.json's. */
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const QUERY = print(GatewayInfoDocument);

/** Raw HTTP so the test controls Content-Length (fetch always sets it). */
function rawPost(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the gateway app', () => {
  const disposer = createDisposer();
  let app: App;
  let url: string;

  beforeAll(async () => {
    // A real (unreachable) PBX URL with auth explicitly off: the placeholder schema makes no upstream calls.
    const config = loadConfig({
      SIP_API_URL: 'http://127.0.0.1:9/',
      SIP_APPID: 'app',
      SIP_ACCESSKEY: 'key',
      GATEWAY_AUTH: 'off',
      MAX_REQUEST_BODY_BYTES: '2048',
      DATABASE_URL: tempDatabaseUrl(disposer),
    });
    app = disposer.use(await buildApp(config, createLogger('silent')), (a) => a.stop());
    url = await app.start(0, '127.0.0.1');
  });
  afterAll(() => disposer.dispose());

  it('answers a typed query through yoga.fetch', async () => {
    const response = await app.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
    });
    const { data } = (await response.json()) as { data: GatewayInfoQuery };
    expect(data.gateway).toEqual({
      version: PACKAGE_VERSION,
      demo: false,
      upstreamTimeZone: 'Asia/Shanghai',
      upstreams: [
        { kind: 'SIP', configured: true, simulated: false },
        { kind: 'AI_CALL', configured: false, simulated: false },
      ],
    });
  });

  it('answers the same query on a real port', async () => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY, operationName: 'GatewayInfo' }),
    });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: GatewayInfoQuery };
    expect(data.gateway.upstreams.map((u) => u.kind)).toEqual(['SIP', 'AI_CALL']);
  });

  it('answers over graphql-ws on the same path', async () => {
    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    disposer.add(() => client.dispose());
    const done = createDeferred<GatewayInfoQuery>();
    client.subscribe<GatewayInfoQuery>(
      { query: QUERY },
      { next: (result) => (result.data ? done.resolve(result.data) : done.reject(result.errors)), error: done.reject, complete: () => undefined },
    );
    const data = await done.promise;
    expect(data.gateway.upstreamTimeZone).toBe('Asia/Shanghai');
  });

  it('serves GraphiQL from the package and a health check', async () => {
    const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Call-centre GraphQL gateway');
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr/);
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', version: PACKAGE_VERSION, demo: false });
  });

  it('refuses bodies over the limit (413) and bodies without a length (411)', async () => {
    const big = JSON.stringify({ query: QUERY, variables: { pad: 'x'.repeat(4096) } });
    const tooLarge = await rawPost(`${url}/graphql`, { 'content-type': 'application/json', 'content-length': String(big.length) }, big);
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toMatchObject({ errors: [{ extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } }] });
    const chunked = await rawPost(`${url}/graphql`, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, '{}');
    expect(chunked.status).toBe(411);
  });

  it('keeps schema.graphql in step with the code (run `npm run schema`)', () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSortedSchema());
  });
});

describe('npm start in demo mode', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('starts the simulator and the gateway, and answers from the banner URL', async () => {
    // Port 0 for both so the test never collides with a running gateway or simulator.
    const { child, url: base, banner: out, exited } = await spawnGateway(disposer, {
      DATABASE_URL: tempDatabaseUrl(disposer),
      PORT: '0',
      HOST: '127.0.0.1',
      SIMULATOR_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    expect(out).toContain('DEMO MODE');
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
    });
    const { data } = (await response.json()) as { data: GatewayInfoQuery };
    expect(data.gateway.demo).toBe(true);
    expect(data.gateway.upstreams).toEqual([
      { kind: 'SIP', configured: true, simulated: true },
      { kind: 'AI_CALL', configured: true, simulated: true },
    ]);

    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });
});
