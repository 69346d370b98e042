import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createDisposer } from '../utils/disposer.ts';
import { wsClient } from '../utils/gateway.ts';
import {
  type Acknowledged,
  callRecord,
  collectCallRecords,
  exactlyOnceInOrder,
  postCallRecord,
  replicaEnv,
  within,
} from '../utils/replicas.ts';
import { spawnGateway } from '../utils/spawn-gateway.ts';
import { createDatabase } from '../../src/store/index.ts';

/**
 * Replicas that survive each other (docs/deploy.md): work a dead replica left pending is taken over by the living
 * ones, so live delivery and resume never wait on a process that is gone. PostgreSQL + Redis when the environment
 * has them (as CI does), else a shared SQLite file with the feed's store poll.
 */

/** The bound on waits that must end by themselves; the target (events delivered within 5 s) is logged, not timed. */
const BOUND_MS = 20_000;
const BURST = 400;
const KILL_AFTER_ACKS = 100;
const CONCURRENCY = 32;

describe('replicas: one is SIGKILLed mid-burst', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('the survivor delivers new events and resumes every acknowledged event exactly once', { timeout: 90_000 }, async () => {
    const env = await replicaEnv(disposer, { EVENT_SETTLE_LEASE_SECONDS: '1' });
    // One after the other: the first start migrates the fresh database.
    const a = await spawnGateway(disposer, env);
    const b = await spawnGateway(disposer, env);
    const dbUrl = env.DATABASE_URL ?? '';

    // A live subscriber on the survivor-to-be, known to be listening once the barrier arrives.
    // From the first event on (a fresh database): nothing is missed while the socket connects.
    const live = collectCallRecords(wsClient(disposer, { url: b.url }, null), 0);
    const barrier = await postCallRecord(b.url, 0);
    await within(BOUND_MS, 'barrier on B', live.seen(barrier.uuid));

    // The burst to A, SIGKILLed once KILL_AFTER_ACKS callbacks were acknowledged: some are in flight, some stored
    // but not settled.
    const acknowledged: Acknowledged[] = [barrier];
    let next = 1;
    let killed = false;
    const worker = async () => {
      while (next <= BURST) {
        const n = next++;
        try {
          acknowledged.push(await postCallRecord(a.url, n));
        } catch {
          // Refused or cut by the kill: not acknowledged, so the platform would resend it.
        }
        if (!killed && acknowledged.length > KILL_AFTER_ACKS) {
          killed = true;
          a.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(killed).toBe(true);
    await a.exited;

    const store = await createDatabase(dbUrl);
    disposer.add(() => store.close());
    const left = await store.events.pending(0, 1000);
    console.info(`replicas: ${acknowledged.length - 1} callbacks acknowledged by A before SIGKILL; ${left.length} left pending`);

    // New callbacks to the survivor reach its subscriber.
    const started = Date.now();
    const fresh: Acknowledged[] = [];
    for (let n = BURST + 1; n <= BURST + 10; n++) fresh.push(await postCallRecord(b.url, n));
    await within(BOUND_MS, 'new events on the survivor', Promise.all(fresh.map((ack) => live.seen(ack.uuid))));
    console.info(`replicas: the survivor delivered new events ${Date.now() - started} ms after they were posted (target 5000 ms)`);
    expect(await store.events.pending(0, 1000)).toEqual([]);

    const all = [...acknowledged, ...fresh];
    const liveCheck = exactlyOnceInOrder(live.events, all);
    expect(liveCheck).toEqual({ missing: [], duplicated: [], outOfOrder: false });

    // A client that resumes on the survivor from before the burst gets every acknowledged event exactly once.
    const resumed = collectCallRecords(wsClient(disposer, { url: b.url }, null), barrier.id - 1);
    await within(BOUND_MS, 'resume on the survivor', resumed.seen(fresh.at(-1)?.uuid ?? ''));
    expect(exactlyOnceInOrder(resumed.events, all)).toEqual({ missing: [], duplicated: [], outOfOrder: false });
    // The resumed stream and the live one agree: the same events, the same order.
    expect(resumed.events.map((e) => e.eventId)).toEqual(live.events.map((e) => e.eventId));
  });
});

describe('replicas: an event another replica stored but never settled', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('is taken over after the lease, so it and the events after it are delivered', async () => {
    const env = await replicaEnv(disposer, { EVENT_SETTLE_LEASE_SECONDS: '1' });
    const app = disposer.use(await buildApp(loadConfig(env), createLogger('silent')), (gateway) => gateway.stop());
    const url = await app.start(0, '127.0.0.1');
    const live = collectCallRecords(wsClient(disposer, { url }, null), 0);
    const barrier = await postCallRecord(url, 0);
    await within(BOUND_MS, 'barrier', live.seen(barrier.uuid));

    // What a replica that died between its insert and its settle leaves: a pending row, nobody to settle it.
    const { event: orphan } = await app.services.store.events.append({
      topic: 'call-record',
      dedupeKey: 'orphan-1',
      subject: '7003',
      occurredAt: null,
      payload: { ...payloadOf(1), uuid: 'replica-call-orphan' },
    });
    expect(orphan.applied).toBeNull();
    // Events after it wait behind it (replay stops before the first pending event of a topic) until it is taken over.
    const after = await postCallRecord(url, 2);
    await within(BOUND_MS, 'the orphan and the event after it', Promise.all([live.seen('replica-call-orphan'), live.seen(after.uuid)]));
    expect(live.events.map((e) => e.uuid)).toEqual([barrier.uuid, 'replica-call-orphan', after.uuid]);
    expect((await app.services.store.events.get(orphan.id))?.applied).toBe(true);
  });
});

/** A call-record payload as the callback parser produces it. */
function payloadOf(n: number) {
  const raw = callRecord(n);
  return {
    recordId: raw.id as number,
    uuid: raw.uuid as string,
    extension: '7003',
    destinationNumber: null,
    displayNumber: null,
    direction: 'callout',
    callMethod: '3',
    startedAt: null,
    answeredAt: null,
    endedAt: null,
    waitSeconds: null,
    talkSeconds: null,
    employeeId: null,
    memberId: null,
    maturity: null,
    customerId: null,
    recordFileName: null,
    downloadIp: null,
    hangupDirection: null,
    hangupCause: null,
    keysPressed: null,
    companyCode: null,
  };
}
