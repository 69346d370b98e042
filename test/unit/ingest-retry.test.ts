import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CallbackIngestor, createCallbackIngestor } from '../../src/callbacks/ingest.ts';
import { normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { createMemoryPubSub, type PubSub } from '../../src/events/pubsub.ts';
import type { GatewayEvent } from '../../src/events/types.ts';
import { createLogger } from '../../src/logger.ts';
import { type AgentStatusRepository, type Store, createDatabase } from '../../src/store/index.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { withRepository } from '../utils/store-spy.ts';

/**
 * Ingestion after a transient projection failure (src/callbacks/ingest.ts): the event is stored pending, the callback
 * answered, and catch-up retries it (after retryDelayMs, here 1 ms) until the projection takes it; the event is then
 * settled as applied and published. The projection is failed through the store, as a locked database would fail it.
 */

describe('ingestion retries a failed projection', () => {
  const disposer = createDisposer();
  let store: Store;
  let pubsub: PubSub;

  beforeEach(async () => {
    store = disposer.use(await createDatabase('file::memory:'), (s) => s.close());
    pubsub = disposer.use(createMemoryPubSub(), (p) => p.close());
  });
  afterEach(() => disposer.dispose());

  /** The store with agentStatus.apply failing its first `failures` calls. */
  function failingProjection(failures: number): { store: Store; attempts: () => number } {
    const real = store.agentStatus;
    let attempts = 0;
    const agentStatus = new Proxy(real, {
      get(target, key, receiver) {
        if (key === 'apply') {
          return (async (event) => {
            attempts += 1;
            if (attempts <= failures) throw new Error('SQLITE_BUSY: database is locked');
            return real.apply(event);
          }) satisfies AgentStatusRepository['apply'];
        }
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return { store: withRepository(store, 'agentStatus', agentStatus), attempts: () => attempts };
  }

  function ingestorOver(wrapped: Store): CallbackIngestor {
    const ingestor = createCallbackIngestor({ store: wrapped, pubsub, logger: createLogger('silent'), retryDelayMs: 1 });
    disposer.add(() => ingestor.close());
    return ingestor;
  }

  const callback = () =>
    normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: '8001', uuid: 'retry-call-1', status: 'answer', starttime: '1700000000' });

  for (const failures of [1, 2]) {
    it(`the projection fails ${failures === 1 ? 'once (at ingest)' : 'twice (at ingest and at the first retry)'}: the event is applied and published`, { timeout: 5_000 }, async () => {
      const { store: wrapped, attempts } = failingProjection(failures);
      const published = createDeferred<GatewayEvent>();
      disposer.add(pubsub.subscribe('agent-status', (event) => published.resolve(event as GatewayEvent)));
      const ingestor = ingestorOver(wrapped);

      const result = await ingestor.ingest(callback());
      expect(result).toEqual({ id: 1, duplicate: false, event: null });
      expect((await store.events.get(1))?.applied).toBeNull();

      const event = await published.promise;
      expect(event).toMatchObject({ id: 1, topic: 'agent-status', subject: '8001', applied: true });
      expect(attempts()).toBe(failures + 1);
      expect((await store.events.get(1))?.applied).toBe(true);
      expect(await store.agentStatus.get('8001')).toMatchObject({ extension: '8001', status: 'answer', eventId: 1 });
    });
  }
});
