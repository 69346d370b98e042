import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { AnyGatewayEvent, EventTopic, GatewayEvent } from '../../src/events/types.ts';
import { createLogger } from '../../src/logger.ts';
import { PredictiveTaskStatus, type Store } from '../../src/store/index.ts';
import {
  CALL_RECORD_COMMON,
  CALL_RECORD_COMMON_AS_PRINTED,
  CALL_RECORD_PREDICTIVE,
  EXTENSION_STATUS_COMMON,
  EXTENSION_STATUS_PREDICTIVE,
  TASK_STATUS,
} from '../utils/callback-seeds.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway } from '../utils/gateway.ts';
import { tempDatabaseUrl } from '../utils/temp-db.ts';
import { newTask } from '../store/fixtures.ts';
import { eventCount } from '../utils/event-count.ts';

const SECRET = 'cb-secret-0123456789abcdef';
const MAX_BODY = 2048;

type Encoding = 'multipart' | 'urlencoded' | 'json';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function post(base: string, kind: string, payload: unknown, encoding: Encoding = 'multipart', secret = SECRET): Promise<Answer> {
  let body: FormData | URLSearchParams | string;
  const headers: Record<string, string> = {};
  if (encoding === 'multipart') {
    body = new FormData();
    body.set('detail', JSON.stringify(payload));
  } else if (encoding === 'urlencoded') {
    body = new URLSearchParams({ detail: JSON.stringify(payload) });
  } else {
    body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${base}/callbacks/${secret}/${kind}`, { method: 'POST', body, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A body sent with Transfer-Encoding: chunked (no Content-Length), `chunks` × `size` bytes. */
function postChunked(base: string, kind: string, chunks: number, size: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/callbacks/${SECRET}/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    let sent = 0;
    const next = () => {
      if (sent === chunks) {
        req.end();
        return;
      }
      sent++;
      // Stop writing once the answer is in; the server may close the connection.
      if (req.writable) req.write('x'.repeat(size), next);
    };
    next();
  });
}

describe('callbacks over HTTP', () => {
  const disposer = createDisposer();
  let gateway: TestGateway;
  let store: Store;
  const published: AnyGatewayEvent[] = [];

  beforeAll(async () => {
    gateway = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET, CALLBACK_MAX_BODY_BYTES: String(MAX_BODY) } });
    store = gateway.app.services.store;
    const { pubsub } = gateway.app.services;
    for (const topic of ['agent-status', 'call-record', 'task-status', 'aicall-notify'] as const) {
      disposer.add(pubsub.subscribe(topic, (event) => published.push(event as AnyGatewayEvent)));
    }
  });
  afterAll(() => disposer.dispose());

  /** Resolves with the next published event that matches. */
  function nextPublished<T extends EventTopic>(topic: T, match: (event: GatewayEvent<T>) => boolean = () => true): Promise<GatewayEvent<T>> {
    const seen = createDeferred<GatewayEvent<T>>();
    const off = gateway.app.services.pubsub.subscribe(topic, (event) => {
      if (!match(event)) return;
      off();
      seen.resolve(event);
    });
    return seen.promise;
  }

  it.each<Encoding>(['multipart', 'urlencoded', 'json'])('stores the manual examples sent as %s, answers 200 with the event id, then publishes', async (encoding) => {
    const ext = { multipart: '7101', urlencoded: '7102', json: '7103' }[encoding];
    const uuid = `seed-${encoding}`;
    const arrived = nextPublished('agent-status', (e) => e.payload.callUuid === uuid);
    const answer = await post(gateway.url, 'extension-status', { ...EXTENSION_STATUS_COMMON, extnumber: ext, uuid }, encoding);
    expect(answer).toEqual({ status: 200, body: { ok: true, id: expect.any(Number), duplicate: false } });
    const stored = await store.events.get(answer.body.id as number);
    expect(stored).toMatchObject({ topic: 'agent-status', subject: ext, applied: true, payload: { extension: ext, status: 'ring', leg: 'agent' } });
    expect(await store.agentStatus.get(ext)).toMatchObject({ status: 'ring', call: { uuid } });
    const event = await arrived;
    expect(event).toMatchObject({ id: answer.body.id, applied: true, effect: { previous: null, current: { status: 'ring' } } });

    const record = await post(gateway.url, 'call-record', { ...CALL_RECORD_COMMON, id: 982_000 + ext.length + encoding.length, uuid: `rec-${encoding}` }, encoding);
    expect(record.status).toBe(200);
    const task = await post(gateway.url, 'task-status', { ...TASK_STATUS, taskid: `unknown-${encoding}` }, encoding);
    expect(task.status).toBe(200);
  });

  it('stores both call-record examples (with and without an id) and the predictive extension example', async () => {
    const common = await post(gateway.url, 'call-record', CALL_RECORD_COMMON);
    const predictive = await post(gateway.url, 'call-record', CALL_RECORD_PREDICTIVE, 'json');
    const bleg = await post(gateway.url, 'extension-status', EXTENSION_STATUS_PREDICTIVE, 'urlencoded');
    expect([common.status, predictive.status, bleg.status]).toEqual([200, 200, 200]);
    const [byId] = await store.callRecords.findByRecordIds([982]);
    expect(byId).toMatchObject({ uuid: CALL_RECORD_COMMON.uuid, employeeId: '2001', keysPressed: '1', sources: { callback: true, bill: false } });
    const [byUuid] = await store.callRecords.findByUuids([CALL_RECORD_PREDICTIVE.uuid]);
    expect(byUuid).toMatchObject({ recordId: null, extension: '000000', customerId: '110001475' });
    expect(await store.agentStatus.get('20280005')).toMatchObject({ status: 'ring', leg: 'customer' });
  });

  it('answers 404 to a wrong or missing secret, exactly like any unknown path, and stores nothing', async () => {
    const before = await eventCount(store);
    const wrong = await post(gateway.url, 'extension-status', EXTENSION_STATUS_COMMON, 'json', 'cb-secret-0123456789abcdeX');
    const short = await post(gateway.url, 'extension-status', EXTENSION_STATUS_COMMON, 'json', 'x');
    const missing = await fetch(`${gateway.url}/callbacks/extension-status`, { method: 'POST', body: JSON.stringify(EXTENSION_STATUS_COMMON) });
    const unknownPath = await fetch(`${gateway.url}/nowhere`);
    const expected = await unknownPath.json();
    expect([wrong.status, short.status, missing.status]).toEqual([404, 404, 404]);
    expect(wrong.body).toEqual(expected);
    expect(short.body).toEqual(expected);
    expect(await missing.json()).toEqual(expected);
    expect(await eventCount(store)).toBe(before);
  });

  it('answers 404 to an unknown kind and 405 to a GET, with the right secret', async () => {
    const unknown = await post(gateway.url, 'bill', CALL_RECORD_COMMON);
    expect(unknown).toMatchObject({ status: 404, body: { reason: expect.stringContaining('extension-status') } });
    const get = await fetch(`${gateway.url}/callbacks/${SECRET}/call-record`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('answers 400 with a reason to malformed or invalid payloads, and stores nothing', async () => {
    const before = await eventCount(store);
    const printed = await post(gateway.url, 'call-record', CALL_RECORD_COMMON_AS_PRINTED, 'json');
    expect(printed).toEqual({ status: 400, body: { error: 'invalid callback', reason: expect.stringContaining('not valid JSON') } });
    const badDetail = await fetch(`${gateway.url}/callbacks/${SECRET}/call-record`, {
      method: 'POST',
      body: new URLSearchParams({ detail: '{"id": 1,' }),
    });
    expect(badDetail.status).toBe(400);
    expect(await badDetail.json()).toMatchObject({ reason: expect.stringContaining('the detail field is not valid JSON') });
    const noDetail = await fetch(`${gateway.url}/callbacks/${SECRET}/task-status`, { method: 'POST', body: new URLSearchParams({ taskid: '1' }) });
    expect(noDetail.status).toBe(400);
    const { starttime: _s, ...noStart } = EXTENSION_STATUS_COMMON;
    const invalid = await post(gateway.url, 'extension-status', { ...noStart, extnumber: '' });
    expect(invalid).toEqual({
      status: 400,
      body: { error: 'invalid callback', reason: 'invalid extension-status callback: extnumber: is required; starttime: is required' },
    });
    const anonymous = await post(gateway.url, 'call-record', { ...CALL_RECORD_PREDICTIVE, uuid: '' });
    expect(anonymous.body.reason).toContain('needs an id or a uuid');
    const xml = await fetch(`${gateway.url}/callbacks/${SECRET}/task-status`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    expect(xml.status).toBe(415);
    expect(await eventCount(store)).toBe(before);
  });

  it('answers 413 to a body over the cap: a declared length at once, a chunked one while it streams', async () => {
    const before = await eventCount(store);
    const big = await post(gateway.url, 'aicall-notify', { pad: 'x'.repeat(MAX_BODY) }, 'json');
    expect(big).toEqual({ status: 413, body: { error: 'payload too large', reason: `body over ${MAX_BODY} bytes` } });
    const chunked = await postChunked(gateway.url, 'aicall-notify', 64, 512);
    expect(chunked.status).toBe(413);
    // Just under the cap is fine.
    const fits = await post(gateway.url, 'aicall-notify', { pad: 'x'.repeat(MAX_BODY - 20) }, 'json');
    expect(fits.status).toBe(200);
    expect(await eventCount(store)).toBe(before + 1);
  });

  it('absorbs a duplicate: one row, one published event, and the second answer says so', async () => {
    const callback = { ...EXTENSION_STATUS_COMMON, extnumber: '7200', uuid: 'dup-1', status: 'answer' };
    const first = await post(gateway.url, 'extension-status', callback);
    const second = await post(gateway.url, 'extension-status', callback, 'json');
    expect(second).toEqual({ status: 200, body: { ok: true, id: first.body.id, duplicate: true } });
    // A later callback's event is a barrier: in-process, publishing happens before the answer is read.
    const barrier = nextPublished('agent-status', (e) => e.payload.callUuid === 'dup-barrier');
    await post(gateway.url, 'extension-status', { ...callback, uuid: 'dup-barrier' });
    await barrier;
    expect(published.filter((e) => e.id === first.body.id)).toHaveLength(1);
    const rows = await store.db.selectFrom('events').select('id').where('subject', '=', '7200').where('topic', '=', 'agent-status').execute();
    expect(rows.map((r) => r.id)).toEqual([first.body.id, expect.any(Number)]);
  });

  it('ends at the latest state when ring, answer and hangup arrive out of order; stale events are stored, not applied', async () => {
    const base = { ...EXTENSION_STATUS_COMMON, extnumber: '7300', uuid: 'ooo-1' };
    const hangup = await post(gateway.url, 'extension-status', { ...base, status: 'hangup' });
    const ring = await post(gateway.url, 'extension-status', { ...base, status: 'ring' }, 'json');
    const answer = await post(gateway.url, 'extension-status', { ...base, status: 'answer' }, 'urlencoded');
    expect(await store.agentStatus.get('7300')).toMatchObject({ status: 'hangup', eventId: hangup.body.id });
    expect(await store.events.get(ring.body.id as number)).toMatchObject({ applied: false, effect: { current: { status: 'hangup' } } });
    expect(await store.events.get(answer.body.id as number)).toMatchObject({ applied: false });
    const replay = await store.events.eventsAfter('agent-status', 0, { subjects: ['7300'] });
    expect(replay.map((e) => [e.payload.status, e.applied])).toEqual([
      ['hangup', true],
      ['ring', false],
      ['answer', false],
    ]);
    // A later call moves it again.
    const next = await post(gateway.url, 'extension-status', { ...base, uuid: 'ooo-2', starttime: String(Number(base.starttime) + 120) });
    expect(await store.agentStatus.get('7300')).toMatchObject({ status: 'ring', eventId: next.body.id, previous: { status: 'hangup' } });
  });

  it('a task-status callback marks the stored predictive task FINISHED', async () => {
    const taskId = '20210222110030244314';
    await store.tasks.insert(newTask({ id: taskId, status: PredictiveTaskStatus.Running }));
    const arrived = nextPublished('task-status');
    const answer = await post(gateway.url, 'task-status', TASK_STATUS, 'json');
    expect(answer.status).toBe(200);
    expect(await store.tasks.get(taskId)).toMatchObject({ status: PredictiveTaskStatus.Finished });
    expect((await store.tasks.history(taskId)).at(-1)).toMatchObject({ from: 'RUNNING', to: 'FINISHED', source: 'callback' });
    expect(await arrived).toMatchObject({ id: answer.body.id, applied: true, effect: { known: true, status: 'FINISHED' } });
  });

  it('keeps AI-call notifications raw with what can be recognised, from JSON or a bare form', async () => {
    const json = await post(gateway.url, 'aicall-notify', { task_uuid: 'ai-1', phone: '13800000000', hangup_cause: 'NORMAL_CLEARING', billsec: 12 }, 'json');
    expect(await store.events.get(json.body.id as number)).toMatchObject({
      subject: 'ai-1',
      applied: true,
      payload: { taskId: 'ai-1', phone: '13800000000', talkSeconds: 12, hangupCause: 'NORMAL_CLEARING', raw: { task_uuid: 'ai-1' } },
    });
    const form = await fetch(`${gateway.url}/callbacks/${SECRET}/aicall-notify`, { method: 'POST', body: new URLSearchParams({ task_id: 'ai-2', status: 'done' }) });
    const formAnswer = (await form.json()) as { id: number };
    expect(await store.events.get(formAnswer.id)).toMatchObject({ payload: { taskId: 'ai-2', raw: { task_id: 'ai-2', status: 'done' } } });
  });
});

describe('callback logging', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('never writes the secret or the path that holds it, whatever the outcome', async () => {
    const lines: string[] = [];
    const config = loadConfig({
      SIP_API_URL: 'http://127.0.0.1:9/',
      SIP_APPID: 'app',
      SIP_ACCESSKEY: 'key',
      GATEWAY_AUTH: 'off',
      CALLBACK_SECRET: SECRET,
      CALLBACK_MAX_BODY_BYTES: '512',
      DATABASE_URL: tempDatabaseUrl(disposer),
    });
    const app = disposer.use(await buildApp(config, createLogger('debug', (line) => lines.push(line))), (a) => a.stop());
    const url = await app.start(0, '127.0.0.1');
    expect((await post(url, 'extension-status', EXTENSION_STATUS_COMMON)).status).toBe(200);
    expect((await post(url, 'extension-status', { status: 'ring' })).status).toBe(400);
    expect((await post(url, 'aicall-notify', { pad: 'x'.repeat(600) }, 'json')).status).toBe(413);
    expect((await post(url, 'extension-status', EXTENSION_STATUS_COMMON, 'json', `${SECRET}x`)).status).toBe(404);
    expect(lines.some((line) => line.includes('callback extension-status'))).toBe(true);
    expect(lines.filter((line) => line.includes(SECRET.slice(0, 12)))).toEqual([]);
    // The access lines name the path with its secret segment replaced, whatever the outcome.
    const paths = lines.map((line) => JSON.parse(line) as { path?: string }).flatMap((record) => (record.path ? [record.path] : []));
    expect(paths).toEqual([
      '/callbacks/[redacted]/extension-status',
      '/callbacks/[redacted]/extension-status',
      '/callbacks/[redacted]/aicall-notify',
      '/callbacks/[redacted]/[unknown]',
    ]);
  });
});

describe.runIf(process.env.REDIS_URL)('callbacks across two replicas sharing a database and Redis', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('a callback taken by one replica reaches the other replica’s subscribers once; its resend to the other is a duplicate', async () => {
    const env = {
      SIP_API_URL: 'http://127.0.0.1:9/',
      SIP_APPID: 'app',
      SIP_ACCESSKEY: 'key',
      GATEWAY_AUTH: 'off',
      CALLBACK_SECRET: SECRET,
      DATABASE_URL: tempDatabaseUrl(disposer),
      REDIS_URL: process.env.REDIS_URL ?? '',
      REDIS_CHANNEL_PREFIX: `test-replicas-${process.pid}-${Date.now()}`,
    };
    // One after the other: the first start migrates the fresh file (SQLite migrations take no cross-process lock).
    const a = disposer.use(await buildApp(loadConfig(env), createLogger('silent')), (app) => app.stop());
    const b = disposer.use(await buildApp(loadConfig(env), createLogger('silent')), (app) => app.stop());
    expect(b.services.pubsub.kind).toBe('redis');
    const [urlA, urlB] = await Promise.all([a.start(0, '127.0.0.1'), b.start(0, '127.0.0.1')]);

    const seen: number[] = [];
    const barrier = createDeferred();
    b.services.pubsub.subscribe('agent-status', (event) => {
      seen.push(event.id);
      if (event.payload.callUuid === 'replica-barrier') barrier.resolve();
    });
    const callback = { ...EXTENSION_STATUS_COMMON, extnumber: '7400', uuid: 'replica-1' };
    const first = await post(urlA, 'extension-status', callback);
    const again = await post(urlB, 'extension-status', callback, 'json');
    expect(again.body).toEqual({ ok: true, id: first.body.id, duplicate: true });
    const last = await post(urlA, 'extension-status', { ...callback, uuid: 'replica-barrier', starttime: String(Number(callback.starttime) + 1) });
    await barrier.promise;
    // Redis keeps one publisher's order: the barrier comes after everything A published before it.
    expect(seen).toEqual([first.body.id, last.body.id]);
    expect(await b.services.store.agentStatus.get('7400')).toMatchObject({ call: { uuid: 'replica-barrier' } });
  });
});
