import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { wsClient } from '../utils/gateway.ts';
import {
  type Acknowledged,
  collectCallRecords,
  exactlyOnceInOrder,
  postCallRecord,
  replicaEnv,
  sseCallRecords,
  within,
} from '../utils/replicas.ts';
import { spawnGateway } from '../utils/spawn-gateway.ts';

/**
 * SIGTERM drains a replica (docs/deploy.md, "Deploys and drain"): readiness fails first, then WebSockets are closed
 * with 1001 and SSE streams end with SERVER_DRAINING, callbacks under way are acknowledged only once stored, and the
 * process exits 0. Clients resume on another replica with `after` and miss nothing.
 */

const BOUND_MS = 20_000;
const CONCURRENCY = 16;

async function readiness(base: string): Promise<{ status: number; body: { status: string } }> {
  const response = await fetch(`${base}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string } };
}

describe('drain: SIGTERM during a burst of callbacks', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('loses no acknowledged callback; WebSockets close with 1001, SSE ends cleanly, and both resume elsewhere without a gap', { timeout: 90_000 }, async () => {
    const env = await replicaEnv(disposer, { SHUTDOWN_DELAY_SECONDS: '1', SHUTDOWN_TIMEOUT_SECONDS: '10' });
    const a = await spawnGateway(disposer, env);
    const b = await spawnGateway(disposer, env);
    // The PBX address is a closed port: the replica takes traffic, degraded (docs/deploy.md, "Probes").
    expect(await readiness(a.url)).toMatchObject({ status: 200, body: { status: 'degraded' } });

    // On A: a graphql-ws subscriber (its close code recorded) and an SSE subscriber, both from the first event.
    const closed = createDeferred<number>();
    const wsOnA = createClient({ url: `${a.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    disposer.add(() => wsOnA.dispose());
    wsOnA.on('closed', (event) => closed.resolve((event as { code: number }).code));
    const ws = collectCallRecords(wsOnA, 0);
    const sse = sseCallRecords(a.url, 0);
    const first = await postCallRecord(a.url, 0);
    await within(BOUND_MS, 'first event on A (WebSocket)', ws.seen(first.uuid));

    // The burst; SIGTERM once 50 callbacks are acknowledged. Callbacks keep coming while A drains.
    const acknowledged: Acknowledged[] = [first];
    let n = 1;
    let termed = false;
    const exited = a.exited;
    let stop = false;
    void exited.then(() => (stop = true));
    const worker = async () => {
      while (!stop && n < 2_000) {
        const mine = n++;
        try {
          acknowledged.push(await postCallRecord(a.url, mine));
        } catch {
          // Refused once A stopped accepting: not acknowledged (the platform resends, to another replica).
        }
        if (!termed && acknowledged.length > 50) {
          termed = true;
          a.child.kill('SIGTERM');
        }
      }
    };
    const burst = Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Readiness fails first, while A still serves (SHUTDOWN_DELAY_SECONDS).
    await within(BOUND_MS, 'SIGTERM sent', (async () => {
      while (!termed) await new Promise((resolve) => setImmediate(resolve));
    })());
    // The signal arrives on its own time: ask until readiness has changed (bounded), then check how.
    const during = await within(BOUND_MS, 'readiness fails', (async () => {
      for (;;) {
        const answer = await readiness(a.url);
        if (answer.status !== 200) return answer;
      }
    })());
    expect(during).toMatchObject({ status: 503, body: { status: 'draining' } });

    expect(await within(BOUND_MS, 'WebSocket closed', closed.promise)).toBe(1001);
    expect(await within(BOUND_MS, 'SSE ended', sse.ended)).toBe('end');
    expect(sse.errorCodes).toEqual(['SERVER_DRAINING']);
    expect(sse.names.at(-1)).toBe('complete');
    expect(await within(BOUND_MS, 'A exited', exited)).toEqual({ code: 0, signal: null });
    await burst;
    console.info(`drain: ${acknowledged.length} callbacks acknowledged by A, the last ones while it drained`);

    // Both clients resume on B after the last eventId they saw, and between them every acknowledged event arrives
    // exactly once.
    const last = await postCallRecord(b.url, 100_000);
    for (const seen of [ws.events, sse.events]) {
      const lastSeen = seen.at(-1)?.eventId ?? 0;
      const resumed = collectCallRecords(wsClient(disposer, { url: b.url }, null), lastSeen);
      await within(BOUND_MS, 'resume on B', resumed.seen(last.uuid));
      const whole = [...seen, ...resumed.events];
      expect(exactlyOnceInOrder(whole, [...acknowledged, last])).toEqual({ missing: [], duplicated: [], outOfOrder: false });
    }
  });
});
