import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CallbackIngestor, createCallbackIngestor } from '../../src/callbacks/ingest.ts';
import { type CallbackHandler, createCallbackHandler } from '../../src/callbacks/route.ts';
import { createMemoryPubSub } from '../../src/events/pubsub.ts';
import { createLogger } from '../../src/logger.ts';
import { type EventRepository, type Store, createDatabase } from '../../src/store/index.ts';
import { createZonedTime } from '../../src/upstream/time.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startLoopbackServer } from '../utils/loopback-server.ts';
import { recordingLogger } from '../utils/recording-logger.ts';
import { withEvents } from '../utils/store-spy.ts';

/**
 * The callback route's failure paths (src/callbacks/route.ts and the body decoding in parse.ts) over a real loopback
 * server: a store that cannot append answers 500 "send it again" and stores nothing (the resend then succeeds); a body
 * that stops arriving gets 408 and the connection is cut; a client that goes away mid-body is refused without an
 * answer; a refusal while the body is still coming closes the connection; malformed multipart forms are 400 with the
 * reason; a file part carries `detail` as well as a field; a handler with no secret configured, or a path of the wrong
 * shape, is not a callback (the app's 404).
 */

const SECRET = 'route-secret-0123456789';
const MAX_BYTES = 4_096;
const BODY_TIMEOUT_MS = 300;
const EXTENSION = JSON.stringify({ ...EXTENSION_STATUS_COMMON, uuid: 'route-1' });

describe('the callback route when things fail', () => {
  const disposer = createDisposer();
  let base: string;
  let port: number;
  let store: Store;
  let appendFails = false;
  const log = recordingLogger();
  const { lines } = log;
  let handler: CallbackHandler;
  let ingestor: CallbackIngestor;

  beforeAll(async () => {
    store = disposer.use(await createDatabase('file::memory:'), (s) => s.close());
    const wrapped = withEvents(store, (real) => ({
      append: (async (...args: Parameters<EventRepository['append']>) => {
        if (appendFails) throw new Error('SQLITE_BUSY: database is locked');
        return real.append(...args);
      }) as EventRepository['append'],
    }));
    const { logger } = log;
    const pubsub = disposer.use(createMemoryPubSub(), (p) => p.close());
    ingestor = createCallbackIngestor({ store: wrapped, pubsub, logger });
    handler = disposer.use(
      createCallbackHandler({
        config: { callback: { secret: SECRET, generated: false }, callbackMaxBodyBytes: MAX_BYTES, connectionLimits: { callbackBodyTimeoutMs: BODY_TIMEOUT_MS } },
        logger,
        time: createZonedTime('Asia/Shanghai'),
        ingestor,
      }),
      (h) => h.close(),
    );
    base = await startLoopbackServer(disposer, (req, res) => {
      if (!handler.handle(req, res)) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('app 404');
      }
    });
    port = Number(new URL(base).port);
  });
  afterAll(() => disposer.dispose());
  beforeEach(() => {
    appendFails = false;
    lines.length = 0;
  });

  const post = (kind: string, body: string, contentType = 'application/json') =>
    fetch(`${base}/callbacks/${SECRET}/${kind}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  /** Sends raw bytes on a fresh connection; resolves with everything the server wrote before it closed. */
  function raw(head: string, body: string, options: { destroyAfterWrite?: boolean } = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.write(head + body, () => {
        if (options.destroyAfterWrite) socket.destroy();
      });
    });
  }

  it('a store that cannot append answers 500 "send it again" and stores nothing; the resend is stored', async () => {
    const body = JSON.stringify({ ...EXTENSION_STATUS_COMMON, uuid: 'route-500' });
    const storedUuids = async () => (await store.events.eventsAfter('agent-status', 0)).map((e) => e.payload.callUuid);
    appendFails = true;
    const refused = await post('extension-status', body);
    expect(refused.status).toBe(500);
    expect(await refused.json()).toEqual({ error: 'internal error', reason: 'the callback could not be stored; send it again' });
    expect(await log.line('not stored')).toContain('ERROR callback extension-status: not stored');
    expect(await storedUuids()).not.toContain('route-500');

    appendFails = false;
    const stored = await post('extension-status', body);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({ ok: true, duplicate: false });
    expect(await storedUuids()).toContain('route-500');
  });

  it('a body that stops arriving is answered 408 and the connection is cut; nothing is stored', async () => {
    const head = `POST /callbacks/${SECRET}/call-record HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n`;
    const answer = await raw(head, '{"id": 1,');
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer).toContain('connection: close');
    expect(answer.endsWith(JSON.stringify({ error: 'request timeout', reason: `the body did not arrive within ${BODY_TIMEOUT_MS} ms` }))).toBe(true);
    expect(await log.line('408')).toContain(`WARN  callback call-record: 408 the body did not arrive within ${BODY_TIMEOUT_MS} ms; connection cut`);
    expect(await store.events.eventsAfter('call-record', 0)).toEqual([]);
  });

  it('a client that goes away mid-body is refused as an aborted request, with a warning and no error', async () => {
    const head = `POST /callbacks/${SECRET}/task-status HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n`;
    await raw(head, '{"taskid": "T1", ', { destroyAfterWrite: true });
    expect(await log.line('task-status: 400')).toContain('WARN  callback task-status: 400 the request was aborted before its body ended');
    expect(lines.filter((l) => l.includes('ERROR'))).toEqual([]);
  });

  it('a chunked body that passes the cap is refused 413 while it still streams, and the connection is closed', async () => {
    const head = `POST /callbacks/${SECRET}/aicall-notify HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`;
    const big = 'a'.repeat(MAX_BYTES + 1);
    // One chunk over the cap and no terminating chunk: the body is still "coming" when the answer goes.
    const answer = await raw(head, `${big.length.toString(16)}\r\n${big}\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(answer).toContain('connection: close');
    expect(answer.endsWith(JSON.stringify({ error: 'payload too large', reason: `body over ${MAX_BYTES} bytes` }))).toBe(true);
  });

  it('malformed multipart forms are 400 with the reason; a detail sent as a file part is read like a field', async () => {
    const noBoundary = await post('extension-status', '--x\r\n', 'multipart/form-data');
    expect(noBoundary.status).toBe(400);
    expect(((await noBoundary.json()) as { reason: string }).reason).toMatch(/^unreadable multipart form \(/);

    const unterminated = await post('extension-status', `--b\r\ncontent-disposition: form-data; name="detail"\r\n\r\n${EXTENSION}`, 'multipart/form-data; boundary=b');
    expect(unterminated.status).toBe(400);
    expect(((await unterminated.json()) as { reason: string }).reason).toBe('unreadable multipart form (Unexpected end of form)');

    const detail = JSON.stringify({ ...EXTENSION_STATUS_COMMON, uuid: 'route-file-1' });
    const asFile = await post(
      'extension-status',
      `--b\r\ncontent-disposition: form-data; name="detail"; filename="detail.json"\r\ncontent-type: application/json\r\n\r\n${detail}\r\n--b--\r\n`,
      'multipart/form-data; boundary=b',
    );
    expect(asFile.status).toBe(200);
    expect(await asFile.json()).toMatchObject({ ok: true, duplicate: false });
    const stored = await store.events.eventsAfter('agent-status', 0);
    expect(stored.map((e) => e.payload.callUuid)).toContain('route-file-1');
  });

  it('is not a callback without a configured secret, nor on a path of another shape', async () => {
    const unconfigured = createCallbackHandler({
      config: { callback: null, callbackMaxBodyBytes: MAX_BYTES, connectionLimits: { callbackBodyTimeoutMs: BODY_TIMEOUT_MS } },
      logger: createLogger('silent'),
      time: createZonedTime('Asia/Shanghai'),
      ingestor,
    });
    const request = (url: string) => ({ url, method: 'POST' }) as never;
    expect(unconfigured.handle(request(`/callbacks/${SECRET}/call-record`), {} as never)).toBe(false);
    expect(unconfigured.handle(request('/callbacks/'), {} as never)).toBe(false);
    for (const path of [`/callbacks/${SECRET}/call-record/extra`, `/callbacks/${SECRET}`, '/graphql']) {
      const response = await fetch(`${base}${path}`, { method: 'POST', body: '{}' });
      expect([path, response.status, await response.text()]).toEqual([path, 404, 'app 404']);
    }
    expect(await unconfigured.catchUp()).toBe(0);
  });
});
