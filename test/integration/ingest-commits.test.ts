import { type Socket, connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackIngestor, type IngestResult } from '../../src/callbacks/ingest.ts';
import { normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { createMemoryPubSub } from '../../src/events/pubsub.ts';
import { type AgentStatusRepository, type Store, createDatabase } from '../../src/store/index.ts';
import { sqliteCommits } from '../../src/store/sqlite-statements.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDisposer } from '../utils/disposer.ts';
import { eventCount } from '../utils/event-count.ts';
import { startGateway, type TestGateway } from '../utils/gateway.ts';
import { recordingLogger } from '../utils/recording-logger.ts';
import { withRepository } from '../utils/store-spy.ts';
import { tempDatabaseUrl } from '../utils/temp-db.ts';

/**
 * The commit budget of callback ingestion (src/callbacks/ingest.ts, issue 13) on SQLite, counted, not timed: every
 * SQLite commit (a COMMIT, or a write outside a transaction: each one WAL sync under synchronous=FULL) goes through
 * the cached-statement wrapper, which counts it. One callback at a time costs exactly one commit (append, projection
 * and settle in one transaction, not three autocommits); callbacks arriving together share commits (group commit),
 * each still answered only once its commit is done; duplicates in one group stay duplicates; a projection failing in
 * a group keeps its event stored (pending) and leaves the others alone.
 */

const SECRET = 'cb-commits-secret-0123456789';

const payload = (extension: string, uuid: string) => ({ ...EXTENSION_STATUS_COMMON, extnumber: extension, uuid, status: 'ring' });

interface Reply {
  status: number;
  body: { ok?: boolean; id?: number; duplicate?: boolean };
}

/**
 * A keep-alive connection to the gateway, already accepted and read by the server (it has answered one health check
 * on it), so that requests written on several of these at once reach the server in the same poll phase.
 */
async function connected(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const opened = connect({ host: hostname, port: Number(port) }, () => resolve(opened));
    opened.once('error', reject);
  });
  const health = await exchange(socket, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  expect(health.status).toBe(200);
  return socket;
}

/** Writes one request and reads one whole answer (the gateway always sends Content-Length). */
function exchange(socket: Socket, request: string): Promise<Reply> {
  let buffered = Buffer.alloc(0);
  const answered = new Promise<Reply>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const split = buffered.indexOf('\r\n\r\n');
      if (split < 0) return;
      const head = buffered.subarray(0, split).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? Number.NaN);
      if (!(buffered.length >= split + 4 + length)) return;
      socket.off('data', onData);
      socket.off('error', reject);
      const body = buffered.subarray(split + 4, split + 4 + length).toString('utf8');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), body: JSON.parse(body) as Reply['body'] });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  socket.write(request);
  return answered;
}

function callbackRequest(payload: unknown): string {
  const body = JSON.stringify(payload);
  return (
    `POST /callbacks/${SECRET}/extension-status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

describe('commits per callback over HTTP (SQLite)', () => {
  const disposer = createDisposer();
  let gateway: TestGateway;
  let store: Store;

  beforeAll(async () => {
    gateway = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET } });
    store = gateway.app.services.store;
  });
  afterAll(() => disposer.dispose());

  async function post(body: unknown): Promise<{ status: number; body: { ok?: boolean; id?: number; duplicate?: boolean } }> {
    const response = await fetch(`${gateway.url}/callbacks/${SECRET}/extension-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { ok?: boolean; id?: number; duplicate?: boolean } };
  }

  it('stores one callback at a time with exactly one commit each', async () => {
    // The app's start-up work (migrations, catch-up, first prune) is done before counting.
    expect((await post(payload('8100', 'seq-warm'))).status).toBe(200);
    const before = sqliteCommits();
    const count = 20;
    for (let i = 0; i < count; i++) {
      const answer = await post(payload(String(8100 + (i % 5)), `seq-${i}`));
      expect(answer).toMatchObject({ status: 200, body: { ok: true, duplicate: false } });
    }
    expect(sqliteCommits() - before).toBe(count);
    expect(await store.events.pending(0, 10)).toEqual([]);
  });

  it('shares commits between callbacks that arrive together, and answers each only once stored', async () => {
    const count = 60;
    const eventsBefore = await eventCount(store);
    // Connected (and accepted) first, then every request written in one go: the gateway reads them in one poll phase,
    // as it would a burst from the platform on its open connections.
    const sockets = await Promise.all(Array.from({ length: count }, () => connected(gateway.url)));
    for (const socket of sockets) disposer.add(() => socket.destroy());
    const before = sqliteCommits();
    const answers = sockets.map((socket, i) => exchange(socket, callbackRequest(payload(String(8200 + (i % 20)), `burst-${i}`))));
    const replies = await Promise.all(answers);
    const commits = sqliteCommits() - before;
    for (const reply of replies) expect(reply).toMatchObject({ status: 200, body: { ok: true, duplicate: false } });
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThanOrEqual(count / 4);
    expect(new Set(replies.map((a) => a.body.id)).size).toBe(count);
    expect(await eventCount(store)).toBe(eventsBefore + count);
    expect(await store.events.pending(0, 10)).toEqual([]);
  });

  it('keeps a callback delivered several times at once one event: one new, the rest duplicates of it', async () => {
    const eventsBefore = await eventCount(store);
    const sockets = await Promise.all(Array.from({ length: 10 }, () => connected(gateway.url)));
    for (const socket of sockets) disposer.add(() => socket.destroy());
    // Written together: one group, so the duplicates meet the first delivery inside its transaction.
    const answers = await Promise.all(sockets.map((socket) => exchange(socket, callbackRequest(payload('8300', 'dup-burst')))));
    for (const answer of answers) expect(answer.status).toBe(200);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await eventCount(store)).toBe(eventsBefore + 1);
    expect(await store.agentStatus.get('8300')).toMatchObject({ extension: '8300', status: 'ring' });
  });
});

describe('a group commit with failing projections', () => {
  const disposer = createDisposer();
  afterEach(() => disposer.dispose());

  it('stores every callback of the group, settles those that projected, and leaves the failed ones pending', async () => {
    const store = disposer.use(await createDatabase(tempDatabaseUrl(disposer)), (s) => s.close());
    const pubsub = disposer.use(createMemoryPubSub(), (p) => p.close());
    const real = store.agentStatus;
    // Odd extensions fail their projection, as a locked or broken row would.
    const agentStatus: AgentStatusRepository = {
      ...real,
      apply: async (event) => {
        if (Number(event.payload.extension) % 2 === 1) throw new Error('projection failed on purpose');
        return real.apply(event);
      },
    };
    const log = recordingLogger();
    const ingestor = createCallbackIngestor({ store: withRepository(store, 'agentStatus', agentStatus), pubsub, logger: log.logger, retryDelayMs: 60_000 });
    disposer.add(() => ingestor.close());
    const count = 10;
    const before = sqliteCommits();
    // Called in one tick: one group.
    const results: IngestResult[] = await Promise.all(
      Array.from({ length: count }, (_, i) => ingestor.ingest(normaliseExtensionStatus(payload(String(8400 + i), `fail-${i}`)))),
    );
    expect(sqliteCommits() - before).toBe(1);
    results.forEach((result, i) => {
      expect(result.duplicate).toBe(false);
      if (i % 2 === 1) expect(result.event).toBeNull();
      else expect(result.event).toMatchObject({ id: result.id, applied: true });
    });
    expect(await eventCount(store)).toBe(count);
    const pending = await store.events.pending(0, 100);
    expect(pending.map((e) => e.subject)).toEqual(['8401', '8403', '8405', '8407', '8409']);
    expect(await store.agentStatus.get('8401')).toBeNull();
    expect(await store.agentStatus.get('8400')).toMatchObject({ status: 'ring' });
    expect(log.lines.filter((l) => l.includes('is stored but its projection failed'))).toHaveLength(5);
  });
});
