import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CallbackIngestor, type IngestorOptions, createCallbackIngestor } from '../../src/callbacks/ingest.ts';
import { normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { type PubSub, createMemoryPubSub } from '../../src/events/pubsub.ts';
import type { GatewayEvent } from '../../src/events/types.ts';
import { type AgentStatusRepository, type EventRepository, type Store, createDatabase } from '../../src/store/index.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { recordingLogger } from '../utils/recording-logger.ts';
import { replacing } from '../utils/store-spy.ts';

/**
 * Callback ingestion (src/callbacks/ingest.ts) at its edges, over a real SQLite store with vitest's fake timers (only
 * setTimeout/setInterval: the store's I/O is real) and the injectable clock: the exact minute after which a failing
 * projection is given up, no retry after a clean or given-up run, the sweep interval, and close() clearing timers.
 */

const extensionStatus = (extension: string, uuid: string) =>
  normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: extension, uuid, status: 'answer', starttime: '1700000000' });

describe('callback ingestion edges', () => {
  const disposer = createDisposer();
  let store: Store;
  let pubsub: PubSub;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    store = disposer.use(await createDatabase('file::memory:'), (s) => s.close());
    pubsub = disposer.use(createMemoryPubSub(), (p) => p.close());
  });
  afterEach(async () => {
    vi.useRealTimers();
    await disposer.dispose();
  });

  function ingestor(options: Partial<IngestorOptions> & Pick<IngestorOptions, 'logger'>): CallbackIngestor {
    const created = createCallbackIngestor({ store, pubsub, retryDelayMs: 60_000, ...options });
    disposer.add(() => created.close());
    return created;
  }

  /** agentStatus.apply failing while `failing()` says so; counts the attempts. */
  function failingProjection(base: Store, failing: () => boolean) {
    let attempts = 0;
    const real = base.agentStatus;
    const agentStatus = replacing<AgentStatusRepository>(real, {
      apply: async (event) => {
        attempts += 1;
        if (failing()) throw new Error('SQLITE_BUSY: database is locked');
        return real.apply(event);
      },
    });
    return { store: replacing<Store>(base, { agentStatus }), attempts: () => attempts };
  }

  /** Counts pending() reads, with the receivedBefore each was given. */
  function countingPending() {
    const calls: Array<number | undefined> = [];
    const real = store.events;
    const events = replacing<EventRepository>(real, {
      pending: async (...args: Parameters<EventRepository['pending']>) => {
        calls.push(args[2]);
        return real.pending(...args);
      },
    });
    return { store: replacing<Store>(store, { events }), calls };
  }

  async function receivedAt(id: number): Promise<number> {
    const event = await store.events.get(id);
    return Date.parse(event?.receivedAt as string);
  }

  it('gives a failing projection up at exactly 60 s of age after three failures, not 1 ms before', async () => {
    const log = recordingLogger();
    const { store: wrapped, attempts } = failingProjection(store, () => true);
    let clock = 0;
    const ingest = ingestor({ store: wrapped, logger: log.logger, now: () => clock });
    expect(await ingest.ingest(extensionStatus('8101', 'edge-age-1'))).toEqual({ id: 1, duplicate: false, event: null });
    const received = await receivedAt(1);
    clock = received + 59_999;
    expect(await ingest.catchUp()).toBe(0);
    expect(await ingest.catchUp()).toBe(0);
    // Three failures counted here, but 1 ms short of a minute: still pending.
    expect(await ingest.catchUp()).toBe(0);
    expect(attempts()).toBe(4);
    expect((await store.events.get(1))?.applied).toBeNull();
    clock = received + 60_000;
    expect(await ingest.catchUp()).toBe(1);
    expect(attempts()).toBe(5);
    expect(await store.events.get(1)).toMatchObject({ id: 1, applied: false });
  });

  it('a run that gives the last failing event up schedules no further retry', async () => {
    const log = recordingLogger();
    const { store: wrapped } = failingProjection(store, () => true);
    let clock = 0;
    const ingest = ingestor({ store: wrapped, logger: log.logger, retryDelayMs: 1_000, now: () => clock });
    await ingest.ingest(extensionStatus('8102', 'edge-giveup-1'));
    clock = (await receivedAt(1)) + 60_000;
    // Failures 1 and 2 (the ingest's own failure is not counted); the ingest's retry timer is still pending.
    expect(await ingest.catchUp()).toBe(0);
    expect(await ingest.catchUp()).toBe(0);
    expect(vi.getTimerCount()).toBe(1);
    const published = createDeferred<GatewayEvent>();
    disposer.add(pubsub.subscribe('agent-status', (event) => published.resolve(event as GatewayEvent)));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await published.promise).toMatchObject({ id: 1, applied: false });
    expect(await log.line('catch-up settled')).toContain('catch-up settled 1 stored event(s)');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a clean catch-up schedules no retry and logs nothing; a failed one schedules exactly one', async () => {
    const log = recordingLogger();
    let failing = false;
    const { store: wrapped } = failingProjection(store, () => failing);
    const ingest = ingestor({ store: wrapped, logger: log.logger, retryDelayMs: 1_000 });
    expect(await ingest.catchUp()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    // A pending event that settles cleanly at catch-up: stored pending directly, as a crash between insert and settle leaves it.
    await store.events.append({ ...extensionStatus('8103', 'edge-clean-1') });
    expect(await ingest.catchUp()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(log.lines.filter((l) => l.includes('catch-up settled'))).toEqual([expect.stringContaining('catch-up settled 1 stored event(s)')]);
    expect(await ingest.catchUp()).toBe(0);
    expect(log.lines.filter((l) => l.includes('catch-up settled'))).toHaveLength(1);
    failing = true;
    await store.events.append({ ...extensionStatus('8104', 'edge-clean-2') });
    expect(await ingest.catchUp()).toBe(0);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('sweeps every half lease (2 s lease: every 1 s), and at least every 250 ms', async () => {
    const log = recordingLogger();
    const { store: counted, calls } = countingPending();
    const clock = 1_000_000;
    const ingest = ingestor({ store: counted, logger: log.logger, settleLeaseMs: 2_000, now: () => clock });
    ingest.startSweeping();
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([clock - 2_000]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toEqual([clock - 2_000, clock - 2_000]);

    const short = countingPending();
    const fast = ingestor({ store: short.store, logger: log.logger, settleLeaseMs: 100, now: () => clock });
    fast.startSweeping();
    await vi.advanceTimersByTimeAsync(249);
    expect(short.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(short.calls).toEqual([clock - 100]);
  });

  it('close() clears the pending retry and the sweep', async () => {
    const log = recordingLogger();
    const { store: wrapped } = failingProjection(store, () => true);
    const ingest = createCallbackIngestor({ store: wrapped, pubsub, logger: log.logger, retryDelayMs: 1_000, settleLeaseMs: 2_000 });
    ingest.startSweeping();
    expect(vi.getTimerCount()).toBe(1);
    expect(await ingest.ingest(extensionStatus('8105', 'edge-close-1'))).toEqual({ id: 1, duplicate: false, event: null });
    expect(vi.getTimerCount()).toBe(2);
    ingest.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
