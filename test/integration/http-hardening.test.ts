import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createDeferred } from '../utils/deferred.ts';
import { type RawAnswer, send } from '../utils/raw-http.ts';
import { createDisposer, type Disposer } from '../utils/disposer.ts';
import { KEYS, startGateway, type TestGateway, wsClient } from '../utils/gateway.ts';
import { tempDatabaseUrl } from '../utils/temp-db.ts';

/** Issue 9 "Safe to expose", the HTTP half: CSRF, CORS, GraphiQL, compression, introspection, slow clients, caps. */

const SECRET = 'hardening-callback-secret-01';
const LISTED = 'https://wallboard.example.com';
const FOREIGN = 'https://evil.example.net';
const MUTATION = 'mutation { addExtGroupMember(input: { group: "escalations", extension: "7002" }) { __typename } }';
const INTROSPECTION = '{ __schema { types { name kind description } } }';


const json = (answer: RawAnswer) => JSON.parse(answer.body.toString('utf8')) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  send(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** A gateway in front of an unreachable PBX (nothing here calls it), for limits that need their own configuration. */
async function startBare(disposer: Disposer, env: Record<string, string>): Promise<{ app: App; url: string }> {
  const config = loadConfig({
    SIP_API_URL: 'http://127.0.0.1:9/',
    SIP_APPID: 'app',
    SIP_ACCESSKEY: 'key',
    DATABASE_URL: tempDatabaseUrl(disposer),
    CALLBACK_SECRET: SECRET,
    RECONCILE_INTERVAL_SECONDS: '3600',
    ...env,
  });
  const app = disposer.use(await buildApp(config, createLogger('silent')), (a) => a.stop());
  return { app, url: await app.start(0, '127.0.0.1') };
}

/** A raw TCP connection to the gateway, with what it received and a promise of its close. */
function rawSocket(url: string): { socket: Socket; received: () => string; closed: Promise<void>; data: (match: RegExp) => Promise<string> } {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  let text = '';
  const closed = createDeferred();
  const waiters: Array<{ match: RegExp; resolve: (text: string) => void; reject: (error: unknown) => void }> = [];
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
    for (const waiter of [...waiters]) {
      if (waiter.match.test(text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(text);
      }
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed.resolve();
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`closed before ${waiter.match}; received ${JSON.stringify(text)}`));
  });
  return {
    socket,
    received: () => text,
    closed: closed.promise,
    data: (match) => (match.test(text) ? Promise.resolve(text) : new Promise((resolve, reject) => waiters.push({ match, resolve, reject }))),
  };
}

/** Writes one byte every 100 ms (a slow client, not a wait: the test awaits the server's reaction). */
function trickle(socket: Socket, bytes: string): () => void {
  let index = 0;
  const timer = setInterval(() => {
    if (index >= bytes.length || socket.destroyed) return;
    socket.write(bytes[index++]!);
  }, 100);
  socket.once('close', () => clearInterval(timer));
  return () => clearInterval(timer);
}

describe('CSRF and CORS with authentication off (demo-like)', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(disposer, { env: { GATEWAY_AUTH: 'off', ALLOWED_ORIGINS: LISTED, RECONCILE_INTERVAL_SECONDS: '3600' } });
  });
  afterAll(() => disposer.dispose());

  it('refuses simple requests a web page could send (form, multipart, text/plain POST; GET) and never reaches the PBX', async () => {
    const before = gw.sim.stats.total();
    const form = await send(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: FOREIGN },
      body: new URLSearchParams({ query: MUTATION }).toString(),
    });
    const boundary = 'csrf-boundary';
    const multipart = await send(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, origin: FOREIGN },
      body: [
        `--${boundary}`,
        'Content-Disposition: form-data; name="operations"',
        '',
        JSON.stringify({ query: MUTATION }),
        `--${boundary}`,
        'Content-Disposition: form-data; name="map"',
        '',
        '{}',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    });
    const text = await send(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: FOREIGN },
      body: JSON.stringify({ query: MUTATION }),
    });
    const get = await send(`${gw.url}/graphql?query=${encodeURIComponent(MUTATION)}`, { headers: { accept: 'application/json' } });
    for (const refused of [form, multipart, text, get]) {
      expect(refused.status).toBe(403);
      expect(json(refused).errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^Required CSRF header\(s\) not present: .*X-GraphQL-Yoga-CSRF/),
        extensions: { code: 'FORBIDDEN', reason: 'CSRF_HEADER_REQUIRED' },
      });
    }
    // With the header, a GET still cannot mutate (yoga: mutations only by POST).
    const getWithHeader = await send(`${gw.url}/graphql?query=${encodeURIComponent(MUTATION)}`, {
      headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
    });
    expect(getWithHeader.status).toBe(405);
    expect(gw.sim.stats.total()).toBe(before);
  });

  it('lets JSON POSTs through, and GET queries that carry X-GraphQL-Yoga-CSRF or Authorization', async () => {
    const post = await postJson(gw.url, { query: '{ gateway { demo } }' });
    expect(post.status).toBe(200);
    expect(json(post).data).toEqual({ gateway: { demo: false } });
    for (const header of [{ 'x-graphql-yoga-csrf': '1' }, { authorization: 'Bearer anything' }] as Array<Record<string, string>>) {
      const get = await send(`${gw.url}/graphql?query=${encodeURIComponent('{ gateway { demo } }')}`, { headers: { accept: 'application/json', ...header } });
      expect(get.status).toBe(200);
    }
  });

  it('gives a foreign origin no CORS headers, a listed or same origin its own, and never credentials', async () => {
    const foreign = await postJson(gw.url, { query: '{ gateway { demo } }' }, { origin: FOREIGN });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect(foreign.headers['access-control-allow-credentials']).toBeUndefined();

    const preflight = (origin: string) =>
      send(`${gw.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
      });
    const refused = await preflight(FOREIGN);
    expect(refused.status).toBe(204);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    expect(refused.headers['access-control-allow-headers']).toBeUndefined();

    const allowed = await preflight(LISTED);
    expect(allowed.headers['access-control-allow-origin']).toBe(LISTED);
    expect(allowed.headers['access-control-allow-headers']).toBe('content-type, authorization');
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
    const listed = await postJson(gw.url, { query: '{ gateway { demo } }' }, { origin: LISTED });
    expect(listed.headers['access-control-allow-origin']).toBe(LISTED);
    expect(String(listed.headers.vary)).toMatch(/\bOrigin\b/);

    const same = await postJson(gw.url, { query: '{ gateway { demo } }' }, { origin: gw.url });
    expect(same.headers['access-control-allow-origin']).toBe(gw.url);
  });
});

describe('GraphiQL page and response compression', () => {
  const disposer = createDisposer();
  let url: string;
  beforeAll(async () => {
    ({ url } = await startBare(disposer, { GATEWAY_AUTH: 'off' }));
  });
  afterAll(() => disposer.dispose());

  it('serves GraphiQL compressed (br, gzip), with an ETag, the same bytes for every ?query=, and 304 on revalidation', async () => {
    const br = await send(`${url}/graphql`, { headers: { accept: 'text/html', 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('no-cache');
    expect(br.headers['x-frame-options']).toBe('DENY');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    const html = brotliDecompressSync(br.body);
    expect(html.toString('utf8')).toContain('<title>Call-centre GraphQL gateway</title>');
    expect(br.body.length).toBeLessThan(html.length / 3);

    const gz = await send(`${url}/graphql?query=${encodeURIComponent('{ gateway { version } }')}`, { headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(html)).toBe(true);
    expect(gz.headers.etag).toBe(br.headers.etag);

    const identity = await send(`${url}/graphql`, { method: 'GET', headers: { accept: 'text/html' } });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.equals(html)).toBe(true);

    const revalidated = await send(`${url}/graphql`, {
      headers: { accept: 'text/html', 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
  });

  it('compresses JSON results from 1 KB, not small ones, and never an event stream', async () => {
    const big = await postJson(url, { query: INTROSPECTION }, { 'accept-encoding': 'gzip' });
    expect(big.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(big.body).toString('utf8')).data.__schema.types.length).toBeGreaterThan(50);
    const bigBr = await postJson(url, { query: INTROSPECTION }, { 'accept-encoding': 'br' });
    expect(bigBr.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(bigBr.body).length).toBeGreaterThan(bigBr.body.length * 3);

    const small = await postJson(url, { query: '{ gateway { demo } }' }, { 'accept-encoding': 'gzip, br' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(json(small).data).toEqual({ gateway: { demo: false } });

    // An SSE stream (first event replayed from the store) is sent as is.
    await fetch(`${url}/callbacks/${SECRET}/task-status`, {
      method: 'POST',
      body: new URLSearchParams({ detail: JSON.stringify({ taskid: 'gz-task-1', companycode: '9024', status: 3 }) }),
    });
    const stream = await new Promise<{ headers: Record<string, unknown>; first: string }>((resolve, reject) => {
      const req = request(
        `${url}/graphql`,
        { method: 'POST', agent: false, headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'accept-encoding': 'gzip, br' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if (text.includes('gz-task-1')) {
              resolve({ headers: res.headers, first: text });
              req.destroy();
            }
          });
          res.on('end', () => reject(new Error(`stream ended: ${text}`)));
        },
      );
      req.on('error', () => undefined);
      req.end(JSON.stringify({ query: 'subscription { taskStatusChanged(after: "0") { taskId } }' }));
    });
    expect(stream.headers['content-type']).toContain('text/event-stream');
    // yoga marks streams `Content-Encoding: none` (so proxies do not buffer them either).
    expect([undefined, 'none']).toContain(stream.headers['content-encoding']);
  });

  it('answers 404 for the page when GRAPHIQL=off', async () => {
    const off = await startBare(disposer, { GATEWAY_AUTH: 'off', GRAPHIQL: 'off' });
    const page = await send(`${off.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(JSON.parse(page.body.toString('utf8'))).toMatchObject({ reason: expect.stringContaining('GRAPHIQL=off') });
    // The API itself is unaffected.
    expect((await postJson(off.url, { query: '{ gateway { demo } }' })).status).toBe(200);
  });
});

describe('introspection policy', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());
  const keys = { GATEWAY_API_KEYS: `${KEYS.viewer}:viewer,${KEYS.admin}:admin` };
  const asRole = (url: string, role: 'viewer' | 'admin', query = INTROSPECTION) => postJson(url, { query }, { authorization: `Bearer ${KEYS[role]}` });

  it('admin (the default with keys): viewers are refused with a clear error, over HTTP and graphql-ws; admins allowed', async () => {
    const { url } = await startBare(disposer, keys);
    const viewer = await asRole(url, 'viewer');
    expect(viewer.status).toBe(200);
    expect(json(viewer).data).toBeUndefined();
    expect(json(viewer).errors).toHaveLength(1);
    expect(json(viewer).errors?.[0]).toMatchObject({
      message: expect.stringContaining('INTROSPECTION=admin'),
      extensions: { code: 'FORBIDDEN', reason: 'INTROSPECTION_DISABLED' },
    });
    expect(json(await asRole(url, 'viewer', '{ __typename gateway { demo } }')).data).toEqual({ __typename: 'Query', gateway: { demo: false } });
    expect(json(await asRole(url, 'admin')).data.__schema.types.length).toBeGreaterThan(50);
    // The validation cache must not hand the admin's "valid" to a viewer.
    expect(json(await asRole(url, 'viewer')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const client = wsClient(disposer, { url }, 'viewer');
    const done = createDeferred<unknown>();
    client.subscribe({ query: INTROSPECTION }, { next: done.resolve, error: done.resolve, complete: () => undefined });
    expect(JSON.stringify(await done.promise)).toContain('INTROSPECTION_DISABLED');
  });

  it('off refuses everyone, all allows everyone', async () => {
    const off = await startBare(disposer, { ...keys, INTROSPECTION: 'off' });
    expect(json(await asRole(off.url, 'admin')).errors?.[0]?.message).toContain('INTROSPECTION=off');
    const all = await startBare(disposer, { ...keys, INTROSPECTION: 'all' });
    expect(json(await asRole(all.url, 'viewer')).data.__schema.types.length).toBeGreaterThan(50);
  });
});

describe('slow clients and connection caps', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('drops a client sending its headers slowly after HTTP_HEADERS_TIMEOUT_SECONDS, and keeps an SSE stream open past the request timeout', async () => {
    const { url } = await startBare(disposer, { GATEWAY_AUTH: 'off', HTTP_HEADERS_TIMEOUT_SECONDS: '1', HTTP_REQUEST_TIMEOUT_SECONDS: '1' });
    // An SSE subscription, open before the slow client starts.
    const controller = new AbortController();
    disposer.add(() => controller.abort());
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { taskStatusChanged(after: "0") { taskId } }' }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();

    const started = Date.now();
    const slow = rawSocket(url);
    trickle(slow.socket, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ' + 'x'.repeat(200) + '\r\n\r\n');
    await slow.closed;
    const heldMs = Date.now() - started;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(heldMs).toBeGreaterThanOrEqual(900);
    expect(heldMs).toBeLessThan(5_000);

    // The SSE request has now been open longer than requestTimeout and headersTimeout: it still delivers.
    await fetch(`${url}/callbacks/${SECRET}/task-status`, {
      method: 'POST',
      body: new URLSearchParams({ detail: JSON.stringify({ taskid: 'after-timeout', companycode: '9024', status: 3 }) }),
    });
    const decoder = new TextDecoder();
    let text = '';
    for (let reads = 0; reads < 100 && !text.includes('after-timeout'); reads++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toContain('after-timeout');
  });

  it('cuts a callback whose body does not arrive within CALLBACK_BODY_TIMEOUT_SECONDS (408, nothing stored)', async () => {
    const { url } = await startBare(disposer, { GATEWAY_AUTH: 'off', CALLBACK_BODY_TIMEOUT_SECONDS: '1' });
    const body = new URLSearchParams({ detail: JSON.stringify({ taskid: 'slow-task', companycode: '9024', status: 3 }) }).toString();
    const slow = rawSocket(url);
    slow.socket.write(
      `POST /callbacks/${SECRET}/task-status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    const started = Date.now();
    trickle(slow.socket, body.slice(10));
    await slow.closed;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(slow.received()).toContain('the body did not arrive within 1000 ms');
    // Nothing was stored: the next callback is the log's first event.
    const next = await fetch(`${url}/callbacks/${SECRET}/task-status`, { method: 'POST', body });
    expect(await next.json()).toMatchObject({ ok: true, id: 1, duplicate: false });
  });

  it('refuses connections past HTTP_MAX_CONNECTIONS and accepts again once one closes', async () => {
    const { url } = await startBare(disposer, { GATEWAY_AUTH: 'off', HTTP_MAX_CONNECTIONS: '5' });
    const health = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    const held = Array.from({ length: 5 }, () => rawSocket(url));
    disposer.add(() => held.forEach((s) => s.socket.destroy()));
    for (const s of held) s.socket.write(health);
    // All five are served (and stay open: keep-alive).
    await Promise.all(held.map((s) => s.data(/"status":"ok"/)));

    const sixth = rawSocket(url);
    sixth.socket.on('connect', () => sixth.socket.write(health));
    await sixth.closed;
    expect(sixth.received()).toBe('');

    held[0]!.socket.destroy();
    await held[0]!.closed;
    // The server sees the close asynchronously: a bounded number of attempts, each waiting for an answer or a close.
    let served = false;
    for (let attempt = 0; attempt < 50 && !served; attempt++) {
      const again = rawSocket(url);
      again.socket.on('connect', () => again.socket.write(health));
      served = await again.data(/"status":"ok"/).then(
        () => true,
        () => false,
      );
      again.socket.destroy();
    }
    expect(served).toBe(true);
  });
});
