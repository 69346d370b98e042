import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { createEventFeed, type EventFeed } from '../../src/events/feed.ts';
import { createMemoryPubSub, type PubSub } from '../../src/events/pubsub.ts';
import { streamEvents } from '../../src/events/subscribe.ts';
import type { GatewayEvent } from '../../src/events/types.ts';
import { createLogger } from '../../src/logger.ts';
import { type Store, createDatabase } from '../../src/store/index.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { withEvents } from '../utils/store-spy.ts';

/**
 * The seam between replay and live events (streamEvents in src/events/subscribe.ts): live events buffered while the
 * replay reads the store are dropped when the replay already delivered them (id at or below the last replayed id),
 * and delivered when it did not. A resumed stream gets every event after `after` exactly once, including one stored
 * and published while the replay runs, which both the replay page and the live buffer hold.
 */

const REPLAY_PAGE = 50;

describe('a resumed stream across the replay → live seam', () => {
  const disposer = createDisposer();
  let store: Store;
  let pubsub: PubSub;
  let n = 0;

  /** Stores one settled agent-status event (and publishes it when asked), as the ingestor does. */
  async function storeEvent(publish: boolean): Promise<GatewayEvent<'agent-status'>> {
    n += 1;
    const callback = normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: '8001', uuid: `seam-${n}`, starttime: String(1_700_000_000 + n) });
    const { event } = await store.events.append({ ...callback, settled: { applied: true, effect: null } });
    const settled = { ...event, applied: true } as GatewayEvent<'agent-status'>;
    if (publish) await pubsub.publish('agent-status', settled);
    return settled;
  }

  beforeEach(async () => {
    store = disposer.use(await createDatabase('file::memory:'), (s) => s.close());
    pubsub = disposer.use(createMemoryPubSub(), (p) => p.close());
  });
  afterEach(() => disposer.dispose());

  /**
   * Runs a resumed stream whose first replay read is preceded by `duringReplay` (with the feed's delivery of what it
   * published awaited), then publishes one more live event; returns every id the stream yielded up to that one.
   */
  async function resumedStream(duringReplay: () => Promise<GatewayEvent<'agent-status'>[]>) {
    const stored = [await storeEvent(false), await storeEvent(false), await storeEvent(false), await storeEvent(false)];
    const seenByFeed: number[] = [];
    const feedGot = new Map<number, () => void>();
    let replayReads = 0;
    let published: GatewayEvent<'agent-status'>[] = [];
    let feed!: EventFeed;
    const spied = withEvents(store, (real) => ({
      async eventsAfter(topic, after, filter, limit) {
        // Replay pages are of REPLAY_PAGE; the feed's own reads are of 1 000.
        if (limit === REPLAY_PAGE && replayReads++ === 0) {
          published = await duringReplay();
          // Wait until the feed has handed each published event to its listeners (the stream buffers it).
          await Promise.all(
            published.map((event) => (seenByFeed.includes(event.id) ? undefined : new Promise<void>((resolve) => feedGot.set(event.id, resolve)))),
          );
        }
        return real.eventsAfter(topic, after, filter, limit);
      },
    }));
    feed = disposer.use(createEventFeed(spied, pubsub, createLogger('silent'), 600_000), (f) => f.close());
    // Listening first: the feed calls listeners in order, so the stream's listener has the event when this one has.
    const probe = await feed.listen('agent-status', (event) => {
      seenByFeed.push(event.id);
      feedGot.get(event.id)?.();
    });
    disposer.add(() => probe.close());

    const after = stored[0]!.id;
    const stream = streamEvents(spied, feed, 'agent-status', { after });
    disposer.add(() => stream.return?.());
    const ids: number[] = [];
    const replayDone = createDeferred<void>();
    let live: GatewayEvent<'agent-status'> | null = null;
    for await (const event of stream) {
      ids.push(event.id);
      if (live && event.id === live.id) break;
      if (!live && ids.length === 3 + published.length) {
        // Everything replayed (and the event published during replay): one more, purely live.
        replayDone.resolve();
        live = await storeEvent(true);
      }
    }
    await replayDone.promise;
    return { expected: [...stored.slice(1), ...published, live!].map((e) => e.id), ids };
  }

  it('an event stored and published while the replay runs, and read by it: delivered once', async () => {
    const { expected, ids } = await resumedStream(async () => [await storeEvent(true)]);
    expect(ids).toEqual([2, 3, 4, 5, 6]);
    expect(ids).toEqual(expected);
  });

  it('several events published while the replay runs: each delivered once, in order, then live ones', async () => {
    const { expected, ids } = await resumedStream(async () => [await storeEvent(true), await storeEvent(true), await storeEvent(true)]);
    expect(ids).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(ids).toEqual(expected);
  });
});
