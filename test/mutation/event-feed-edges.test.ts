import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventFeed } from '../../src/events/feed.ts';
import { type PubSub } from '../../src/events/pubsub.ts';
import { createLogger } from '../../src/logger.ts';
import { type Store } from '../../src/store/index.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { withEvents } from '../utils/store-spy.ts';
import { openEventStore, storeAgentEvent } from '../utils/event-stack.ts';

/**
 * The event feed's bookkeeping (src/events/feed.ts): where a listener starts, who counts as listening, a wake during a
 * read, the periodic read, and close(). A real (in-memory SQLite) store and the memory pub/sub.
 */
describe('event feed edges', () => {
  const disposer = createDisposer();
  let store: Store;
  let pubsub: PubSub;

  beforeEach(async () => {
    ({ store, pubsub } = await openEventStore(disposer));
  });
  afterEach(() => disposer.dispose());

  const append = async (extension = '8001', settled = true) => (await storeAgentEvent(store, { extension, settled })).id;
  const wake = (id: number) => pubsub.publish('agent-status', { id } as never);

  it('starts a listener after the newest stored event, and counts it as listening until it closes', async () => {
    await append();
    const last = await append();
    const feed = disposer.use(createEventFeed(store, pubsub, createLogger('silent'), 600_000), (f) => f.close());
    expect(feed.listening('agent-status')).toBe(false);
    const first = await feed.listen('agent-status', () => undefined);
    expect(first.from).toBe(last);
    expect(feed.listening('agent-status')).toBe(true);
    expect(feed.listening('call-record')).toBe(false);
    const second = await feed.listen('agent-status', () => undefined);
    // One topic state (and one pub/sub subscription) serves every listener of the process.
    expect(pubsub.subscriberCount('agent-status')).toBe(1);
    first.close();
    expect(feed.listening('agent-status')).toBe(true);
    second.close();
    expect(feed.listening('agent-status')).toBe(false);
    // An empty topic starts at 0.
    const other = await feed.listen('call-record', () => undefined);
    expect(other.from).toBe(0);
  });

  it('delivers an event stored without a publish at the next periodic read', async () => {
    const feed = disposer.use(createEventFeed(store, pubsub, createLogger('silent'), 20), (f) => f.close());
    const got = createDeferred<number>();
    await feed.listen('agent-status', (event) => got.resolve(event.id));
    const id = await append();
    expect(await got.promise).toBe(id);
  });

  it('reads again when woken during a read, so an event stored meanwhile is not left for the poll', async () => {
    const inRead = createDeferred();
    const goOn = createDeferred();
    let reads = 0;
    const spied = withEvents(store, (real) => ({
      async eventsAfter(topic, after, filter, limit) {
        reads += 1;
        const page = await real.eventsAfter(topic, after, filter, limit);
        if (reads === 1) {
          inRead.resolve();
          await goOn.promise;
        }
        return page;
      },
    }));
    const feed = disposer.use(createEventFeed(spied, pubsub, createLogger('silent'), 600_000), (f) => f.close());
    const received: number[] = [];
    const both = createDeferred();
    await feed.listen('agent-status', (event) => {
      received.push(event.id);
      if (received.length === 2) both.resolve();
    });
    const a = await append();
    await wake(a);
    await inRead.promise;
    const b = await append();
    await wake(b); // during the first read: only marks `again`
    goOn.resolve();
    await both.promise;
    expect(received).toEqual([a, b]);
    expect(reads).toBe(2);
    // One pump at a time: the wake during the first read did not start a second one reading from the same cursor.
    const third = createDeferred();
    const c = await append();
    const done = received.length;
    await feed.listen('agent-status', (event) => event.id === c && third.resolve());
    await wake(c);
    await third.promise;
    expect(received.slice(done)).toEqual([c]);
    expect(received).toEqual([a, b, c]);
  });

  it('close() during a read ends the pump after that read, even if it was woken meanwhile', async () => {
    const inRead = createDeferred();
    const goOn = createDeferred();
    const readDone = createDeferred();
    let reads = 0;
    const spied = withEvents(store, (real) => ({
      async eventsAfter(topic, after, filter, limit) {
        reads += 1;
        const page = await real.eventsAfter(topic, after, filter, limit);
        if (reads === 1) {
          inRead.resolve();
          await goOn.promise;
          setImmediate(() => setImmediate(() => readDone.resolve()));
        }
        return page;
      },
    }));
    const feed = createEventFeed(spied, pubsub, createLogger('silent'), 600_000);
    const received: number[] = [];
    await feed.listen('agent-status', (event) => received.push(event.id));
    const a = await append();
    await wake(a);
    await inRead.promise;
    await wake(await append()); // marks `again`
    feed.close();
    goOn.resolve();
    await readDone.promise;
    expect(reads).toBe(1);
    expect(received).toEqual([a]);
  });

  it('replays a wake that came while the starting position was read', async () => {
    const inLatest = createDeferred();
    const goOn = createDeferred();
    const spied = withEvents(store, (real) => ({
      async latestId(topic) {
        const id = await real.latestId(topic);
        inLatest.resolve();
        await goOn.promise;
        return id;
      },
    }));
    const feed = disposer.use(createEventFeed(spied, pubsub, createLogger('silent'), 600_000), (f) => f.close());
    const got = createDeferred<number>();
    const listening = feed.listen('agent-status', (event) => got.resolve(event.id));
    await inLatest.promise;
    // Subscribed, position not read yet: this event is above the position read below... only if stored after it.
    goOn.resolve();
    const handle = await listening;
    const id = await append();
    expect(id).toBeGreaterThan(handle.from);
    await wake(id);
    expect(await got.promise).toBe(id);
  });

  it('a wake between subscribing and the position read is not lost', async () => {
    const goOn = createDeferred();
    let woke = false;
    let pendingId = 0;
    const spied = withEvents(store, (real) => ({
      async latestId(topic) {
        const id = await real.latestId(topic);
        // An event stored and published after the position was taken, before the feed has its state.
        pendingId = await append();
        await wake(pendingId);
        woke = true;
        await goOn.promise;
        return id;
      },
    }));
    const feed = disposer.use(createEventFeed(spied, pubsub, createLogger('silent'), 600_000), (f) => f.close());
    const got = createDeferred<number>();
    const listening = feed.listen('agent-status', (event) => got.resolve(event.id));
    await new Promise<void>((resolve) => {
      const check = () => (woke ? resolve() : setImmediate(check));
      check();
    });
    goOn.resolve();
    await listening;
    expect(await got.promise).toBe(pendingId);
  });

  it('stops listening to the pub/sub and the clock on close()', async () => {
    let reads = 0;
    const spied = withEvents(store, (real) => ({
      async eventsAfter(topic, after, filter, limit) {
        reads += 1;
        return real.eventsAfter(topic, after, filter, limit);
      },
    }));
    const feed = createEventFeed(spied, pubsub, createLogger('silent'), 10);
    const received: number[] = [];
    await feed.listen('agent-status', (event) => received.push(event.id));
    expect(pubsub.subscriberCount('agent-status')).toBe(1);
    feed.close();
    expect(pubsub.subscriberCount('agent-status')).toBe(0);
    const before = reads;
    const id = await append();
    await wake(id);
    // Several poll intervals later, still nothing read or delivered.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(reads).toBe(before);
    expect(received).toEqual([]);
  });

  it('does not read for a topic nobody listens to any more', async () => {
    let reads = 0;
    const spied = withEvents(store, (real) => ({
      async eventsAfter(topic, after, filter, limit) {
        reads += 1;
        return real.eventsAfter(topic, after, filter, limit);
      },
    }));
    const feed = disposer.use(createEventFeed(spied, pubsub, createLogger('silent'), 10), (f) => f.close());
    const handle = await feed.listen('agent-status', () => undefined);
    handle.close();
    const before = reads;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(reads).toBe(before);
  });
});
