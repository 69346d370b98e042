import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CallbackIngestor, type IngestorOptions, createCallbackIngestor } from '../../src/callbacks/ingest.ts';
import { normaliseAiCallNotification, normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { type PubSub, createMemoryPubSub } from '../../src/events/pubsub.ts';
import type { GatewayEvent } from '../../src/events/types.ts';
import { type AgentStatusRepository, type EventRepository, type Store, createDatabase } from '../../src/store/index.ts';
import { createZonedTime } from '../../src/upstream/time.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { recordingLogger } from '../utils/recording-logger.ts';
import { replacing } from '../utils/store-spy.ts';

/**
 * The failure paths of callback ingestion (src/callbacks/ingest.ts) over a real SQLite store, with failures injected
 * into the store's repositories or the pub/sub: a publish that fails, a catch-up whose store read fails, a projection
 * that keeps failing (given up after three tries and a minute), a duplicate that settles what its first delivery left
 * pending, long catch-ups (more than one batch), the lease sweep (taking over, failing, waiting for a running
 * catch-up), and a closed ingestor scheduling nothing.
 */

const extensionStatus = (extension: string, uuid: string, status = 'answer') =>
  normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: extension, uuid, status, starttime: '1700000000' });

describe('callback ingestion when things fail', () => {
  const disposer = createDisposer();
  let store: Store;
  let pubsub: PubSub;

  beforeEach(async () => {
    store = disposer.use(await createDatabase('file::memory:'), (s) => s.close());
    pubsub = disposer.use(createMemoryPubSub(), (p) => p.close());
  });
  afterEach(() => disposer.dispose());

  function ingestor(options: Partial<IngestorOptions> & Pick<IngestorOptions, 'logger'>): CallbackIngestor {
    const created = createCallbackIngestor({ store, pubsub, retryDelayMs: 60_000, ...options });
    disposer.add(() => created.close());
    return created;
  }

  /** The store with agentStatus.apply failing while `failing()` says so; counts the attempts. */
  function failingProjection(failing: () => boolean) {
    let attempts = 0;
    const real = store.agentStatus;
    const agentStatus = replacing<AgentStatusRepository>(real, {
      apply: async (event) => {
        attempts += 1;
        if (failing()) throw new Error('SQLITE_BUSY: database is locked');
        return real.apply(event);
      },
    });
    return { store: replacing<Store>(store, { agentStatus }), attempts: () => attempts };
  }

  it('a publish that fails is logged with the event, and the event stays stored and settled', async () => {
    const log = recordingLogger();
    const broken = replacing<PubSub>(pubsub, {
      publish: async () => {
        throw new Error('Connection is closed.');
      },
    });
    const ingest = ingestor({ pubsub: broken, logger: log.logger });
    const result = await ingest.ingest(extensionStatus('8001', 'pub-fail-1'));
    expect(result.event).not.toBeNull();
    ingest.publish(result.event as GatewayEvent);
    const line = await log.line('could not be published');
    expect(line).toContain('WARN  event 1 (agent-status) is stored but could not be published');
    expect(line).toContain('Connection is closed.');
    expect((await store.events.get(1))?.applied).toBe(true);
  });

  it('an AI-call notification is stored settled: no projection, and a resend is a duplicate with nothing to publish', async () => {
    const log = recordingLogger();
    const { store: wrapped, attempts } = failingProjection(() => true);
    const ingest = ingestor({ store: wrapped, logger: log.logger });
    const body = { task_id: 'T1', call_id: 'C1', phone: '13800000000', hangup_cause: 'NORMAL_CLEARING' };
    const first = await ingest.ingest(normaliseAiCallNotification(body, createZonedTime('Asia/Shanghai')));
    expect(first).toMatchObject({ id: 1, duplicate: false, event: { id: 1, topic: 'aicall-notify', applied: true, effect: null } });
    const again = await ingest.ingest(normaliseAiCallNotification({ ...body }, createZonedTime('Asia/Shanghai')));
    expect(again).toEqual({ id: 1, duplicate: true, event: null });
    expect(attempts()).toBe(0);
    expect(log.lines.filter((l) => l.includes('ERROR'))).toEqual([]);
  });

  it('a resend of a callback whose projection failed settles it, and only that delivery publishes', async () => {
    const log = recordingLogger();
    let failing = true;
    const { store: wrapped } = failingProjection(() => failing);
    const ingest = ingestor({ store: wrapped, logger: log.logger });
    const callback = extensionStatus('8002', 'resend-1');
    expect(await ingest.ingest(callback)).toEqual({ id: 1, duplicate: false, event: null });
    expect(await log.line('is stored but its projection failed')).toContain('ERROR event 1 (agent-status) is stored but its projection failed; catch-up will retry');
    expect((await store.events.get(1))?.applied).toBeNull();

    failing = false;
    const resend = await ingest.ingest(callback);
    expect(resend).toMatchObject({ id: 1, duplicate: true, event: { id: 1, applied: true } });
    // Settled now: a third delivery is a plain duplicate.
    expect(await ingest.ingest(callback)).toEqual({ id: 1, duplicate: true, event: null });
    expect(await store.agentStatus.get('8002')).toMatchObject({ extension: '8002', status: 'answer', eventId: 1 });
  });

  it('a retry whose store read fails is logged and retried again, then settles and publishes', async () => {
    const log = recordingLogger();
    let failing = true;
    const { store: projectionFails } = failingProjection(() => failing);
    let pendingCalls = 0;
    const realEvents = store.events;
    const events = replacing<EventRepository>(realEvents, {
      pending: async (...args: Parameters<EventRepository['pending']>) => {
        pendingCalls += 1;
        // The first retry finds the database still down; the projection is back by the second.
        if (pendingCalls === 1) {
          failing = false;
          throw new Error('database is locked');
        }
        return realEvents.pending(...args);
      },
    });
    const wrapped = replacing<Store>(projectionFails, { events });
    const published = createDeferred<GatewayEvent>();
    disposer.add(pubsub.subscribe('agent-status', (event) => published.resolve(event as GatewayEvent)));
    const ingest = ingestor({ store: wrapped, logger: log.logger, retryDelayMs: 1 });

    expect(await ingest.ingest(extensionStatus('8003', 'retry-read-1'))).toEqual({ id: 1, duplicate: false, event: null });
    expect(await log.line('catch-up of stored events failed')).toContain('ERROR catch-up of stored events failed; will retry');
    expect(await published.promise).toMatchObject({ id: 1, subject: '8003', applied: true });
    expect(pendingCalls).toBe(2);
    expect(await log.line('catch-up settled')).toContain('INFO  catch-up settled 1 stored event(s) the projections had not taken in');
  });

  it('a projection that keeps failing stays pending and is retried at every catch-up while it is young', async () => {
    const log = recordingLogger();
    const { store: wrapped, attempts } = failingProjection(() => true);
    const ingest = ingestor({ store: wrapped, logger: log.logger });
    expect(await ingest.ingest(extensionStatus('8004', 'young-1'))).toEqual({ id: 1, duplicate: false, event: null });
    for (let i = 0; i < 4; i++) expect(await ingest.catchUp()).toBe(0);
    expect(attempts()).toBe(5);
    expect(log.lines.filter((l) => l.includes('ERROR event 1 (agent-status): projection failed again; will retry'))).toHaveLength(4);
    expect((await store.events.get(1))?.applied).toBeNull();
  });

  // Found by this test: the failure count used to be cleared before each attempt, so a poison event was never given up.
  it('after three failures here and a minute, a failing projection is settled as not applied (GIVE_UP)', async () => {
    const log = recordingLogger();
    const { store: wrapped, attempts } = failingProjection(() => true);
    let clock = Date.now();
    const ingest = ingestor({ store: wrapped, logger: log.logger, now: () => clock });
    const published: GatewayEvent[] = [];
    disposer.add(pubsub.subscribe('agent-status', (event) => published.push(event as GatewayEvent)));

    expect(await ingest.ingest(extensionStatus('8005', 'poison-1'))).toEqual({ id: 1, duplicate: false, event: null });
    // Young: catch-ups fail and keep it pending, whatever the count (ingest's own failure is not counted).
    expect(await ingest.catchUp()).toBe(0);
    expect(await ingest.catchUp()).toBe(0);
    expect((await store.events.get(1))?.applied).toBeNull();
    // A minute on (the store stamped receivedAt a moment after `clock` was read), the third failure gives up on it.
    clock += 61_000;
    expect(await ingest.catchUp()).toBe(1);
    expect(attempts()).toBe(4);
    expect(await log.line('settled as not applied')).toContain(
      'ERROR event 1 (agent-status): projection failed 3 times over 60 s; settled as not applied and skipped (the stored payload is kept)',
    );
    expect(await store.events.get(1)).toMatchObject({ id: 1, applied: false });
    expect(published.map((e) => [e.id, e.applied])).toEqual([[1, false]]);
    expect(await ingest.catchUp()).toBe(0);
    expect(attempts()).toBe(4);
  });

  it('catch-up works through more pending events than one batch (200), oldest first, and publishes each once', async () => {
    const log = recordingLogger();
    let failing = true;
    const { store: wrapped } = failingProjection(() => failing);
    const ingest = ingestor({ store: wrapped, logger: log.logger });
    const TOTAL = 205;
    for (let i = 0; i < TOTAL; i++) await ingest.ingest(extensionStatus(String(9000 + i), `batch-${i}`));
    const ids: number[] = [];
    disposer.add(pubsub.subscribe('agent-status', (event) => ids.push(event.id)));
    failing = false;
    expect(await ingest.catchUp()).toBe(TOTAL);
    expect(ids).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(await log.line('catch-up settled')).toContain(`catch-up settled ${TOTAL} stored event(s)`);
    expect(await store.events.pending(0, 10)).toEqual([]);
  });

  it('the sweep takes over events pending for longer than the lease, and a failed sweep is logged and retried', async () => {
    const log = recordingLogger();
    let failing = true;
    const { store: projectionFails } = failingProjection(() => failing);
    const realEvents = store.events;
    let sweeps = 0;
    const receivedBefore: Array<number | undefined> = [];
    const events = replacing<EventRepository>(realEvents, {
      pending: async (...args: Parameters<EventRepository['pending']>) => {
        sweeps += 1;
        receivedBefore.push(args[2]);
        if (sweeps === 1) throw new Error('connection terminated');
        return realEvents.pending(...args);
      },
    });
    const wrapped = replacing<Store>(projectionFails, { events });
    let clock = Date.now();
    const ingest = ingestor({ store: wrapped, logger: log.logger, settleLeaseMs: 100, now: () => clock });
    await ingest.ingest(extensionStatus('8006', 'sweep-1'));
    failing = false;
    const published = createDeferred<GatewayEvent>();
    disposer.add(pubsub.subscribe('agent-status', (event) => published.resolve(event as GatewayEvent)));
    clock += 10_000;
    ingest.startSweeping();
    ingest.startSweeping(); // a second call starts no second timer
    expect(await log.line('taking over pending events failed')).toContain('WARN  taking over pending events failed; will retry');
    expect(await published.promise).toMatchObject({ id: 1, subject: '8006', applied: true });
    expect(await log.line('took over')).toContain(
      'INFO  took over 1 pending event(s) older than the 100 ms lease (their replica stopped before settling them)',
    );
    // Each sweep asks only for events received before now − lease.
    expect(receivedBefore.slice(0, 2)).toEqual([clock - 100, clock - 100]);
  });

  it('a sweep tick while a catch-up runs leaves the work to it', async () => {
    const log = recordingLogger();
    const realEvents = store.events;
    const entered = createDeferred();
    const release = createDeferred();
    const calls: Array<number | undefined> = [];
    const events = replacing<EventRepository>(realEvents, {
      pending: async (...args: Parameters<EventRepository['pending']>) => {
        calls.push(args[2]);
        if (calls.length === 1) {
          entered.resolve();
          await release.promise;
        }
        return realEvents.pending(...args);
      },
    });
    const ingest = ingestor({ store: replacing<Store>(store, { events }), logger: log.logger, settleLeaseMs: 100 });
    const catchingUp = ingest.catchUp();
    await entered.promise;
    ingest.startSweeping();
    // Ticks come every 250 ms (the shortest sweep interval); wait for two of them with a timer of our own.
    await new Promise<void>((resolve) => setTimeout(resolve, 600));
    expect(calls).toEqual([undefined]);
    release.resolve();
    expect(await catchingUp).toBe(0);
  });

  it('a closed ingestor schedules no retry and starts no sweep', async () => {
    const log = recordingLogger();
    const { store: projectionFails } = failingProjection(() => true);
    let pendingCalls = 0;
    const realEvents = store.events;
    const events = replacing<EventRepository>(realEvents, {
      pending: async (...args: Parameters<EventRepository['pending']>) => {
        pendingCalls += 1;
        return realEvents.pending(...args);
      },
    });
    const ingest = ingestor({ store: replacing<Store>(projectionFails, { events }), logger: log.logger, retryDelayMs: 1, settleLeaseMs: 100 });
    ingest.startSweeping();
    ingest.close();
    ingest.startSweeping();
    expect(await ingest.ingest(extensionStatus('8007', 'closed-1'))).toEqual({ id: 1, duplicate: false, event: null });
    // A retry would have fired after 1 ms and a sweep after 250; this timer, set later and longer, fires after both.
    await new Promise<void>((resolve) => setTimeout(resolve, 400));
    expect(pendingCalls).toBe(0);
  });
});
