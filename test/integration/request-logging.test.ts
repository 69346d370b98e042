import { connect } from 'node:net';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REQUEST_ID_HEADER } from '../../src/observability/request-scope.ts';
import { createSimulator, type Simulator } from '../../src/simulator/server.ts';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startApp } from '../utils/gateway.ts';
import { type LogRecord, recordingLogger } from '../utils/recording-logger.ts';

/**
 * The access line (src/observability/access-log.ts): one per HTTP request, callback and graphql-ws operation, with
 * the request id a client sent (when acceptable) or the gateway made, also on the error lines of that request.
 */

const SECRET = 'cb-secret-request-logging-0123';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const disposer = createDisposer();
const log = recordingLogger();
let sim: Simulator;
let url: string;

beforeAll(async () => {
  sim = disposer.use(createSimulator(), (s) => s.stop());
  const simUrl = await sim.start();
  const app = await startApp(disposer, sim, simUrl, { CALLBACK_SECRET: SECRET }, { logger: log.logger });
  url = await app.start(0, '127.0.0.1');
  // Start-up work (the SIP login, the first reconciliation) settled, so no request below shares an upstream call
  // made for someone else (shared calls are charged to nobody).
  await app.reconcile();
  await gql('{ queues { name } }');
});
afterAll(() => disposer.dispose());

const record = (match: (r: LogRecord) => boolean) => log.record(match);
const accessOf = (requestId: string) => record((r) => r.msg === 'request' && r.requestId === requestId);

async function gql(query: string, headers: Record<string, string> = {}, key: keyof typeof KEYS = 'admin') {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS[key]}`, ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, requestId: response.headers.get(REQUEST_ID_HEADER), body: (await response.json()) as any };
}

/** A raw request, for header values fetch would refuse to send. */
function rawGet(path: string, headerLines: string[]): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nhost: ${hostname}\r\n${headerLines.map((l) => `${l}\r\n`).join('')}connection: close\r\n\r\n`);
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('the access line', () => {
  it('is written per request with its fields, the client id kept and returned', async () => {
    const answer = await gql('query QueueNames { queues { name } }', { [REQUEST_ID_HEADER]: 'client-req-0001' }, 'viewer');
    expect(answer.status).toBe(200);
    expect(answer.requestId).toBe('client-req-0001');
    const line = await accessOf('client-req-0001');
    expect(line).toMatchObject({
      level: 'info',
      module: 'http',
      transport: 'http',
      method: 'POST',
      path: '/graphql',
      status: 200,
      upstreamCalls: 1,
      operationName: 'QueueNames',
      operationType: 'query',
      role: 'viewer',
    });
    expect(typeof line.durationMs).toBe('number');
    expect(line.aborted).toBeUndefined();
  });

  it('lets a page of an allowed origin read the request id (fast path and yoga alike)', async () => {
    const headers = { origin: url, 'x-graphql-yoga-csrf': '1', authorization: `Bearer ${KEYS.admin}` };
    const post = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ gateway { version } }' }),
    });
    const get = await fetch(`${url}/graphql?query=${encodeURIComponent('{ gateway { version } }')}`, { headers: { ...headers, accept: 'application/json' } });
    for (const response of [post, get]) {
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-expose-headers')).toBe(REQUEST_ID_HEADER);
      expect(response.headers.get(REQUEST_ID_HEADER)).toMatch(UUID);
    }
    const other = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { ...headers, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ gateway { version } }' }),
    });
    expect(other.headers.get('access-control-expose-headers')).toBeNull();
  });

  it('replaces an unacceptable client id (too long, spaces, control characters, line breaks)', async () => {
    for (const bad of ['x'.repeat(129), 'two words', 'abc%0D%0Aforged', 'quote"d', 'tab\there']) {
      const answer = await gql('{ gateway { version } }', { [REQUEST_ID_HEADER]: bad });
      expect(answer.requestId).toMatch(UUID);
      const line = await accessOf(answer.requestId ?? '');
      expect(line.path).toBe('/graphql');
    }
    // A header line broken in two: node refuses the request, or the id is not taken.
    const raw = await rawGet('/healthz', [`${REQUEST_ID_HEADER}: abc\r\n forged`]);
    expect(raw).not.toContain('forged');
    expect(log.raw.some((line) => line.includes('forged'))).toBe(false);
  });

  it('carries the request id on the error lines logged inside that request', async () => {
    sim.control.failNext(1, { httpStatus: 500, body: 'down for maintenance' }, SipService.GetQueueList);
    const answer = await gql('query Failing { queues { name } }', { [REQUEST_ID_HEADER]: 'client-req-failing' });
    expect(answer.body.errors[0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    const error = await record((r) => r.module === 'upstream' && r.requestId === 'client-req-failing');
    expect(error.level).toBe('warn');
    expect(error.err?.type).toBeTruthy();
    expect(await accessOf('client-req-failing')).toMatchObject({ operationName: 'Failing', status: 200 });
    // yoga's own line of the masked error does not quote the query (client text), nor repeat the upstream failure.
    expect(log.raw.filter((line) => line.includes('queues { name }'))).toEqual([]);
  });

  it('logs probes at debug and the path without its query string, redacted', async () => {
    const health = await fetch(`${url}/healthz?token=abcdef123456`, { headers: { [REQUEST_ID_HEADER]: 'probe-1' } });
    expect(health.status).toBe(200);
    expect(await accessOf('probe-1')).toMatchObject({ level: 'debug', path: '/healthz', status: 200 });
    const missing = await fetch(`${url}/nowhere/13812345678?password=hunter2`, { headers: { [REQUEST_ID_HEADER]: 'missing-1' } });
    expect(missing.status).toBe(404);
    expect(await accessOf('missing-1')).toMatchObject({ level: 'info', path: '/nowhere/138****5678', status: 404 });
    expect(log.raw.filter((line) => line.includes('hunter2') || line.includes('abcdef123456'))).toEqual([]);
  });

  it('caps and cleans operation names (client text)', async () => {
    const long = `Q${'a'.repeat(150)}`;
    const answer = await gql(`query ${long} { gateway { version } }`, { [REQUEST_ID_HEADER]: 'long-name' });
    expect(answer.status).toBe(200);
    expect((await accessOf('long-name')).operationName).toBe(long.slice(0, 100));
  });

  it('says when the client went away before the answer', async () => {
    // The simulator tells when it holds the upstream request.
    const control = sim.control as unknown as { hold(drop: () => void): () => void };
    const hold = control.hold.bind(control);
    const held = createDeferred<void>();
    control.hold = (drop) => {
      held.resolve();
      return hold(drop);
    };
    disposer.add(() => void (control.hold = hold));
    sim.control.hang(true);
    try {
      const controller = new AbortController();
      const pending = fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.admin}`, [REQUEST_ID_HEADER]: 'gone-1' },
        body: JSON.stringify({ query: 'query Hanging { queues { name } }' }),
        signal: controller.signal,
      }).catch(() => null);
      // The upstream request is held (the operation is under way); then the client leaves.
      await held.promise;
      controller.abort();
      await pending;
      expect(await accessOf('gone-1')).toMatchObject({ aborted: true, status: null });
    } finally {
      sim.control.hang(false);
    }
  });
});

describe('the callback access line', () => {
  async function callback(kind: string, body: string, requestId: string, secret = SECRET): Promise<number> {
    const form = new FormData();
    form.set('detail', body);
    const response = await fetch(`${url}/callbacks/${secret}/${kind}`, { method: 'POST', body: form, headers: { [REQUEST_ID_HEADER]: requestId } });
    await response.arrayBuffer();
    return response.status;
  }

  it('names the kind, outcome and event, never the secret', async () => {
    const body = JSON.stringify({ ...EXTENSION_STATUS_COMMON, uuid: 'log-test-uuid-1' });
    expect(await callback('extension-status', body, 'cb-1')).toBe(200);
    expect(await callback('extension-status', body, 'cb-2')).toBe(200);
    expect(await callback('extension-status', '{"status": ', 'cb-3')).toBe(400);
    expect(await callback('extension-status', body, 'cb-4', `${SECRET}-wrong`)).toBe(404);
    const stored = await accessOf('cb-1');
    expect(stored).toMatchObject({
      transport: 'callback',
      path: '/callbacks/[redacted]/extension-status',
      callbackKind: 'extension-status',
      callbackOutcome: 'stored',
      status: 200,
    });
    expect(typeof stored.eventId).toBe('number');
    expect(await accessOf('cb-2')).toMatchObject({ callbackOutcome: 'duplicate', eventId: stored.eventId });
    expect(await accessOf('cb-3')).toMatchObject({ callbackOutcome: 'rejected', status: 400, eventId: null });
    expect(await accessOf('cb-4')).toMatchObject({ path: '/callbacks/[redacted]/[unknown]', status: 404 });
    // The refusal's own warning carries the request id too.
    await record((r) => r.level === 'warn' && r.requestId === 'cb-3');
    expect(log.raw.filter((line) => line.includes(SECRET))).toEqual([]);
  });
});

describe('graphql-ws operations', () => {
  it('get one line each when they complete, with the socket id the upgrade request gave', async () => {
    class WithRequestId extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { [REQUEST_ID_HEADER]: 'socket-0001' } });
      }
    }
    const client = createClient({
      url: `${url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WithRequestId,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${KEYS.admin}` },
    });
    disposer.add(() => client.dispose());
    const result = await new Promise<unknown>((resolve, reject) => {
      let value: unknown;
      client.subscribe({ query: 'query OverSocket { queues { name } }' }, { next: (v) => (value = v), error: reject, complete: () => resolve(value) });
    });
    expect(result).toMatchObject({ data: { queues: expect.any(Array) } });
    const line = await record((r) => r.msg === 'request' && r.connectionId === 'socket-0001');
    expect(line).toMatchObject({
      module: 'ws',
      transport: 'ws',
      outcome: 'completed',
      operationName: 'OverSocket',
      operationType: 'query',
      role: 'admin',
      upstreamCalls: 1,
    });
    expect(line.requestId).toMatch(UUID);
  });
});
