import { createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDeferred } from '../utils/deferred.ts';
import { type Disposer, createDisposer } from '../utils/disposer.ts';
import { wsClient } from '../utils/gateway.ts';
import { BACKEND, type Balancer, haproxyOnPath, startHaproxy } from '../utils/haproxy.ts';
import {
  type Acknowledged,
  REPLICA_SECRET,
  callRecord,
  collectCallRecords,
  exactlyOnceInOrder,
  postCallRecord,
  postCallRecordAnswer,
  replicaEnv,
  resumingCallRecords,
  sseCallRecords,
  within,
} from '../utils/replicas.ts';
import { type SpawnedGateway, spawnGateway } from '../utils/spawn-gateway.ts';

/**
 * The tested load-balancer recipe (docs/deploy.md, "Load balancer"): HAProxy with deploy/haproxy.cfg in front of two
 * gateway processes sharing one database (PostgreSQL + Redis when the environment has them, else a shared SQLite
 * file). Queries, graphql-ws, SSE and the platforms' callbacks go through the balancer; then one replica is drained
 * with SIGTERM while a reconnecting graphql-ws client is subscribed and callbacks keep arriving. Runs only where
 * `haproxy` is on PATH (.ci/run installs Debian's).
 */

const BOUND_MS = 20_000;
/**
 * SIGTERM's delay before the replica stops listening: above the balancer's detection time (two failed checks 500 ms
 * apart: 0.6–1.6 s measured under the callback burst). With 0 or 1 s, 1–2 callbacks per run got no answer at all.
 */
const SHUTDOWN_DELAY_SECONDS = 3;
const CONCURRENCY = 8;
/** SIGTERM once this many callbacks of the burst were acknowledged; stop once as many more were after the exit. */
const ACKS_BEFORE_SIGTERM = 30;
const ACKS_AFTER_EXIT = 30;
/** Times a callback refused by the balancer is sent again (the platform would), before it counts as lost. */
const RESENDS = 3;

const hostPort = (url: string) => new URL(url).host;
const wsUrlOf = (url: string) => `${url.replace(/^http/, 'ws')}/graphql`;

/** Two replicas on one fresh database, and HAProxy in front of them; all stopped by the disposer. */
async function startCluster(disposer: Disposer): Promise<{ a: SpawnedGateway; lb: Balancer }> {
  const env = await replicaEnv(disposer, {
    SHUTDOWN_DELAY_SECONDS: String(SHUTDOWN_DELAY_SECONDS),
    SHUTDOWN_TIMEOUT_SECONDS: '10',
    EVENT_SETTLE_LEASE_SECONDS: '1',
  });
  // One after the other: the first start migrates the fresh database.
  const a = await spawnGateway(disposer, env);
  const b = await spawnGateway(disposer, env);
  const lb = await startHaproxy(disposer, [hostPort(a.url), hostPort(b.url)]);
  // HAProxy starts with its servers up (their first checks pass: the PBX is a closed port, so /readyz answers
  // `degraded`, still 200).
  return { a, lb };
}

describe.runIf(haproxyOnPath())('load balancer: HAProxy (deploy/haproxy.cfg) in front of two replicas', () => {
  // (a)–(d) share one deployment and leave it as it was (both replicas up); (e) drains a replica, so it has its own.
  describe('both replicas up', () => {
    const disposer = createDisposer();
    /** What one test opens (clients, streams): closed after it, so the next finds no connection of it on a replica. */
    const opened = createDisposer();
    let lb: Balancer;
    /**
     * The newest event id acknowledged so far, whichever test posted it: a test subscribes after the value it finds when
     * it starts, so it sees only its own events.
     */
    let latest = 0;
    const post = async (n: number): Promise<Acknowledged> => {
      const ack = await postCallRecord(lb.url, n);
      latest = Math.max(latest, ack.id);
      return ack;
    };

    beforeAll(async () => {
      ({ lb } = await startCluster(disposer));
    }, 60_000);
    afterEach(() => opened.dispose());
    afterAll(() => disposer.dispose());

    it('(a) answers a GraphQL query through the balancer', async () => {
      const response = await fetch(`${lb.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ gateway { version upstreams { kind configured } } }' }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ data: { gateway: { version: expect.any(String), upstreams: expect.any(Array) } } });
    });

    it("(d) acknowledges the platforms' callbacks posted to the balancer, on either replica, and absorbs a resend", async () => {
      const before = await lb.servers();
      const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => post(1 + i)));
      expect(new Set(acks.map((ack) => ack.id)).size).toBe(20);
      const after = await lb.servers();
      // leastconn spread the concurrent callbacks over both replicas: either one stores a callback.
      expect(after.map((server, i) => server.total - (before[i]?.total ?? 0)).every((taken) => taken > 0)).toBe(true);

      // The platform sends one again (it did not see the answer): whichever replica takes it answers with the same id.
      const body = new FormData();
      body.set('detail', JSON.stringify(callRecord(1)));
      const resend = await fetch(`${lb.url}/callbacks/${REPLICA_SECRET}/call-record`, { method: 'POST', body });
      expect(resend.status).toBe(200);
      expect(await resend.json()).toMatchObject({ ok: true, id: acks[0]?.id, duplicate: true });
    });

    it('(b) serves a graphql-ws subscription through the balancer (WebSocket upgrade in HTTP mode)', async () => {
      const live = collectCallRecords(wsClient(opened, { url: lb.url }, null), latest);
      const ack = await post(1_000);
      await within(BOUND_MS, 'event over graphql-ws through the balancer', live.seen(ack.uuid));
      expect(live.events).toEqual([{ eventId: ack.id, uuid: ack.uuid }]);
    });

    it('(c) streams an SSE subscription through the balancer: events arrive while the response is still open', async () => {
      const sse = sseCallRecords(lb.url, latest);
      opened.add(() => sse.close());
      const { status, headers } = await within(BOUND_MS, 'SSE response headers', sse.response);
      expect(status).toBe(200);
      expect(headers['content-type']).toMatch(/^text\/event-stream/);
      // Not compressed on the way (yoga marks the stream `Content-Encoding: none`; HAProxy compresses nothing here).
      expect(headers['content-encoding'] ?? 'none').toMatch(/^(none|identity)$/);
      for (const n of [2_000, 2_001]) {
        const ack = await post(n);
        await within(BOUND_MS, `SSE event ${n} through the balancer`, sse.seen(ack.uuid));
        // Not held back until the response ends: it is still open.
        expect(sse.finished()).toBe(false);
      }
      expect(sse.events.map((event) => event.uuid)).toEqual(['replica-call-2000', 'replica-call-2001']);
      sse.close();
    });
  });

  describe('draining a replica', () => {
    const disposer = createDisposer();
    let a: SpawnedGateway;
    let lb: Balancer;
    /** A fresh database: no event before this test's own. */
    const latest = 0;

    beforeAll(async () => {
      ({ a, lb } = await startCluster(disposer));
    }, 60_000);
    afterAll(() => disposer.dispose());

    it(
      '(e) SIGTERM on a replica: it leaves the pool, its WebSocket closes with 1001 and its SSE stream ends with ' +
        'SERVER_DRAINING, both resume on the other replica with `after`, no callback is refused, and every acknowledged ' +
        'callback arrives exactly once, in order',
      { timeout: 90_000 },
      async () => {
        // The reconnecting client lands on gw1 (replica A): gw2 is held in maintenance while it connects.
        await lb.command(`disable server ${BACKEND}/gw2`);
        const client = createClient({
          url: wsUrlOf(lb.url),
          webSocketImpl: WebSocket,
          lazy: true,
          retryAttempts: 20,
          // The client's own back-off between reconnects (short, so the test is quick).
          retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
        });
        disposer.add(() => client.dispose());
        const live = resumingCallRecords(client, latest);
        // An SSE subscriber on A as well: its stream ends with SERVER_DRAINING, then it resumes through the balancer.
        const sse = sseCallRecords(lb.url, latest);
        disposer.add(() => sse.close());
        const closed = createDeferred<{ code: number; lastSeen: number; at: number }>();
        client.on('closed', (event) =>
          closed.resolve({ code: (event as { code: number }).code, lastSeen: live.events.at(-1)?.eventId ?? latest, at: Date.now() }),
        );
        const reconnected = createDeferred();
        client.on('connected', (_socket, _payload, wasRetry) => {
          if (wasRetry) reconnected.resolve();
        });

        const barrier = await postCallRecord(lb.url, 10_000);
        await within(BOUND_MS, 'barrier on the reconnecting client', live.seen(barrier.uuid));
        await within(BOUND_MS, 'barrier on the SSE subscriber', sse.seen(barrier.uuid));
        expect((await lb.servers()).find((server) => server.name === 'gw1')?.current).toBeGreaterThanOrEqual(1);
        const gw2Up = lb.nextReport('gw2', 'UP');
        await lb.command(`enable server ${BACKEND}/gw2`);
        await within(BOUND_MS, 'gw2 back in the pool', gw2Up);

        // The burst through the balancer; SIGTERM to A once ACKS_BEFORE_SIGTERM are acknowledged; callbacks go on until
        // A has exited and ACKS_AFTER_EXIT more were acknowledged.
        const acknowledged: Acknowledged[] = [barrier];
        const refusals = new Map<number, number>();
        let lost = 0;
        let next = 10_001;
        let exitedAt: number | null = null;
        let ackedAfterExit = 0;
        const termed = createDeferred<{ at: number; down: Promise<number> }>();
        let termSent = false;
        void a.exited.then(() => (exitedAt = Date.now()));
        // A failed wait below must not leave the workers posting until the process ends.
        let stopped = false;
        disposer.add(() => (stopped = true));
        const worker = async () => {
          while (!stopped && (exitedAt === null || ackedAfterExit < ACKS_AFTER_EXIT)) {
            const n = next++;
            let ack: Acknowledged | null = null;
            for (let attempt = 0; attempt <= RESENDS && !ack; attempt++) {
              const answer = await postCallRecordAnswer(lb.url, n);
              ack = answer.ack;
              if (!ack) refusals.set(answer.status, (refusals.get(answer.status) ?? 0) + 1);
            }
            if (!ack) {
              lost += 1;
              continue;
            }
            acknowledged.push(ack);
            if (exitedAt !== null) ackedAfterExit += 1;
            if (!termSent && acknowledged.length > ACKS_BEFORE_SIGTERM) {
              termSent = true;
              const down = lb.nextReport('gw1', 'DOWN').then(() => Date.now());
              a.child.kill('SIGTERM');
              termed.resolve({ at: Date.now(), down });
            }
          }
        };
        const burst = Promise.all(Array.from({ length: CONCURRENCY }, worker));

        const sigterm = await within(BOUND_MS, 'SIGTERM sent', termed.promise);
        const outOfPoolMs = (await within(BOUND_MS, 'gw1 marked DOWN by the health check', sigterm.down)) - sigterm.at;
        const close = await within(BOUND_MS, 'the socket on A closed', closed.promise);
        const closedMs = close.at - sigterm.at;
        expect(close.code).toBe(1001);
        await within(BOUND_MS, 'the client reconnected through the balancer', reconnected.promise);
        expect(await within(BOUND_MS, 'the SSE stream on A ended', sse.ended)).toBe('end');
        expect(sse.errorCodes).toEqual(['SERVER_DRAINING']);
        expect(sse.names.at(-1)).toBe('complete');
        const sseResumed = sseCallRecords(lb.url, sse.events.at(-1)?.eventId ?? latest);
        disposer.add(() => sseResumed.close());
        expect(await within(BOUND_MS, 'A exited', a.exited)).toEqual({ code: 0, signal: null });
        await within(BOUND_MS, 'the burst', burst);

        const last = await postCallRecord(lb.url, 99_999);
        await within(BOUND_MS, 'the last event on the resumed subscription', live.seen(last.uuid));
        await within(BOUND_MS, 'the last event on the resumed SSE stream', sseResumed.seen(last.uuid));
        const refused = [...refusals].map(([status, count]) => `${count}× ${status === 0 ? 'no answer' : status}`).join(', ') || 'none';
        console.info(
          `load balancer: gw1 out of the pool ${outOfPoolMs} ms after SIGTERM, its WebSocket closed (${close.code}) after ` +
            `${closedMs} ms; ${acknowledged.length + 1} callbacks acknowledged through the balancer (${ackedAfterExit} after ` +
            `A exited); refused answers: ${refused}; lost: ${lost}; resubscribed after ${live.resumedAfter.join(', ')}`,
        );

        // The client lost one socket, with 1001, and resubscribed after exactly the last event it had seen.
        expect(live.closes).toEqual([1001]);
        expect(live.resumedAfter).toEqual([close.lastSeen]);
        // No callback was refused: a replica leaves the pool before it stops listening, and a refused connection is
        // retried on the other one. (Non-2xx answers would never be counted as acknowledged: see the worker.)
        expect(refusals).toEqual(new Map());
        expect(lost).toBe(0);
        // Every acknowledged callback, exactly once, in order, no gap: across the drain and the reconnect.
        expect(exactlyOnceInOrder(live.events, [...acknowledged, last])).toEqual({ missing: [], duplicated: [], outOfOrder: false });
        expect(live.events.length).toBe(acknowledged.length + 1);
        // The same over SSE: the stream A ended, then the one resumed after its last eventId.
        expect(exactlyOnceInOrder([...sse.events, ...sseResumed.events], [...acknowledged, last])).toEqual({
          missing: [],
          duplicated: [],
          outOfOrder: false,
        });
      },
    );
  });
});
