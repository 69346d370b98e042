import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { createEventFeed } from '../../src/events/feed.ts';
import { createMemoryPubSub, type PubSub } from '../../src/events/pubsub.ts';
import { createLogger } from '../../src/logger.ts';
import { type Store, createDatabase } from '../../src/store/index.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { withEvents } from '../utils/store-spy.ts';

/**
 * The event feed reads pages of 1 000 (PAGE in src/events/feed.ts) and, on one wake, keeps reading until a page comes
 * back short: a burst of 1 500 events stored before a single wake all reach a live listener from that one wake, not
 * 1 000 now and the rest at the next poll. The poll is set to 10 minutes, so only the wake can deliver.
 */

const BURST = 1_500;
const PAGE = 1_000;

describe('event feed after a burst larger than a page', () => {
  const disposer = createDisposer();
  let store: Store;
  let pubsub: PubSub;

  beforeEach(async () => {
    // In memory: the burst is appended quickly (the file store syncs each append).
    store = disposer.use(await createDatabase('file::memory:'), (s) => s.close());
    pubsub = disposer.use(createMemoryPubSub(), (p) => p.close());
  });
  afterEach(() => disposer.dispose());

  it('delivers all 1 500 events of one wake, in order, reading 1 000 then 500', { timeout: 60_000 }, async () => {
    const reads: Array<{ after: number; limit: number | undefined; rows: number }> = [];
    let calls = 0;
    // 'drained': a page came back short; 'stopped': the feed went idle after a full page without asking for the next.
    const outcome = createDeferred<'drained' | 'stopped after a full page'>();
    const spied = withEvents(store, (real) => ({
      async eventsAfter(topic, after, filter, limit) {
        const call = ++calls;
        const page = await real.eventsAfter(topic, after, filter, limit);
        reads.push({ after, limit, rows: page.length });
        if (page.length < (limit ?? PAGE)) setImmediate(() => outcome.resolve('drained'));
        // The feed delivers a page, and asks for the next, in the microtasks that follow this read: a check one
        // event-loop turn later sees all of it.
        else setImmediate(() => calls === call && outcome.resolve('stopped after a full page'));
        return page;
      },
    }));
    const feed = disposer.use(createEventFeed(spied, pubsub, createLogger('silent'), 600_000), (f) => f.close());
    const received: number[] = [];
    const handle = await feed.listen('agent-status', (event) => received.push(event.id));
    disposer.add(() => handle.close());
    expect(handle.from).toBe(0);

    const ids: number[] = [];
    for (let i = 0; i < BURST; i++) {
      const callback = normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: '8001', uuid: `burst-${i}`, starttime: String(1_700_000_000 + i) });
      const { event } = await store.events.append({ ...callback, settled: { applied: true, effect: null } });
      ids.push(event.id);
    }
    expect(ids).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));

    // One wake for the whole burst (as when publishes were lost, or coalesced while another read ran).
    await pubsub.publish('agent-status', { id: BURST } as never);
    expect(await outcome.promise).toBe('drained');
    expect(reads).toEqual([
      { after: 0, limit: PAGE, rows: PAGE },
      { after: PAGE, limit: PAGE, rows: BURST - PAGE },
    ]);
    expect(received).toEqual(ids);
  });
});
