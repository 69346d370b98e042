import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReplayLimitError, SubscriberTooSlowError } from '../../src/errors.ts';
import { type EventFeed, createEventFeed } from '../../src/events/feed.ts';
import { type PubSub } from '../../src/events/pubsub.ts';
import { createPushIterator } from '../../src/events/push-iterator.ts';
import { onSubscriberOverflow, streamEvents } from '../../src/events/subscribe.ts';
import type { GatewayEvent } from '../../src/events/types.ts';
import { createLogger } from '../../src/logger.ts';
import { type EventRepository, type Store } from '../../src/store/index.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { rejectionOf, rejectionOfType } from '../utils/rejection.ts';
import { withEvents } from '../utils/store-spy.ts';
import { openEventStack, storeAgentEvent } from '../utils/event-stack.ts';

/**
 * The bounded push iterator (src/events/push-iterator.ts) and a subscriber's stream (src/events/subscribe.ts) when
 * things go wrong: overflow, ending with an error, a consumer that leaves; a resume too far back, a subscriber too
 * slow for live events, a store read that fails mid-replay, a subscriber gone before its feed answered, live events
 * piling up while a slow replay runs, and filters applied to replayed events.
 */

describe('push iterator', () => {
  it('an overflow drops what waits, ends with the default error, closes once and ignores later pushes', async () => {
    let closes = 0;
    let overflows = 0;
    const it = createPushIterator<number>(() => closes++, { limit: 2, lowWater: 0, onOverflow: () => overflows++ });
    it.push(1);
    it.push(2);
    const draining = it.drained();
    it.push(3);
    expect([it.size, it.finished, closes, overflows]).toEqual([0, true, 1, 1]);
    // A producer waiting for room is released: the stream is over.
    await draining;
    it.push(4);
    it.end(new Error('ignored'));
    expect(it.size).toBe(0);
    expect(((await rejectionOf(() => it.next())) as Error).message).toBe('more than 2 values waiting');
    expect(closes).toBe(1);
  });

  it('end(error) rejects a consumer already waiting, after the values queued before it', async () => {
    let closes = 0;
    const it = createPushIterator<string>(() => closes++);
    const waiting = it.next();
    it.push('a');
    expect(await waiting).toEqual({ value: 'a', done: false });
    it.push('b');
    it.end(new Error('upstream gone'));
    // Still one value to take: not closed yet.
    expect(closes).toBe(0);
    expect(await it.next()).toEqual({ value: 'b', done: false });
    expect(closes).toBe(1);
    expect(((await rejectionOf(() => it.next())) as Error).message).toBe('upstream gone');
    const late = createPushIterator<string>(() => undefined);
    const pending = late.next();
    late.end(new Error('ended while waiting'));
    expect(((await rejectionOf(() => pending)) as Error).message).toBe('ended while waiting');
  });

  it('drained() waits until the consumer has taken the queue down to low water; return() ends a waiting consumer', async () => {
    let closes = 0;
    const it = createPushIterator<number>(() => closes++, { lowWater: 1 });
    for (const n of [1, 2, 3]) it.push(n);
    let drained = false;
    const draining = it.drained().then(() => (drained = true));
    expect(await it.next()).toEqual({ value: 1, done: false });
    await Promise.resolve();
    expect(drained).toBe(false);
    expect(await it.next()).toEqual({ value: 2, done: false });
    await draining;
    expect([drained, it.size]).toEqual([true, 1]);

    // A consumer that leaves: the waiting producer and a waiting next() are both released, clean-up runs once.
    const other = createPushIterator<number>(() => closes++, { lowWater: 0 });
    other.push(1);
    const producer = other.drained();
    expect(await other.return?.()).toEqual({ value: undefined, done: true });
    await producer;
    expect(await other.next()).toEqual({ value: undefined, done: true });
    expect(closes).toBe(1);
    const third = createPushIterator<number>(() => closes++);
    const taker = third.next();
    await third.return?.();
    expect(await taker).toEqual({ value: undefined, done: true });
    expect(closes).toBe(2);
  });
});

describe('a subscriber stream when things fail', () => {
  const disposer = createDisposer();
  let store: Store;
  let pubsub: PubSub;
  let feed: EventFeed;

  beforeEach(async () => {
    ({ store, pubsub, feed } = await openEventStack(disposer));
  });
  afterEach(() => disposer.dispose());

  /** Stores one settled agent-status event for `extension`; publishes it when asked. */
  const storeEvent = (extension = '8001', publish = false) =>
    storeAgentEvent(store, { extension, status: 'ring', ...(publish ? { publishTo: pubsub } : {}) });

  const replacingEvents = (replaced: Partial<EventRepository>): Store => withEvents(store, () => replaced);

  /**
   * A store whose replay reads (eventsAfter) are watched: `live()` resolves once the first read has returned and two
   * event-loop turns have passed, by which time a stream replaying an empty store is live.
   */
  const watchingReplay = () => {
    const replayed = createDeferred();
    const watched = replacingEvents({
      eventsAfter: (async (...args: Parameters<EventRepository['eventsAfter']>) => {
        const page = await store.events.eventsAfter(...args);
        replayed.resolve();
        return page;
      }) as EventRepository['eventsAfter'],
    });
    const live = async () => {
      await replayed.promise;
      await nextTurn();
      await nextTurn();
    };
    return { watched, live };
  };

  it('a resume more than maxReplayEvents back ends with REPLAY_LIMIT_EXCEEDED before anything is delivered', async () => {
    for (let i = 0; i < 5; i++) await storeEvent();
    const stream = streamEvents(store, feed, 'agent-status', { after: 0, limits: { subscriberQueueLimit: 100, maxReplayEvents: 3 } });
    const error = await rejectionOfType(ReplayLimitError, () => stream.next());
    expect(error.code).toBe('REPLAY_LIMIT_EXCEEDED');
    expect(stream.finished).toBe(true);
    // Exactly at the limit is allowed.
    const ok = streamEvents(store, feed, 'agent-status', { after: 2, limits: { subscriberQueueLimit: 100, maxReplayEvents: 3 } });
    expect((await ok.next()).value?.id).toBe(3);
    await ok.return?.();
  });

  it('a store read failing mid-replay ends the stream with that error, and the feed listener goes', async () => {
    for (let i = 0; i < 3; i++) await storeEvent();
    const failing = replacingEvents({
      eventsAfter: async () => {
        throw new Error('SQLITE_IOERR: disk I/O error');
      },
    });
    const stream = streamEvents(failing, feed, 'agent-status', { after: 0 });
    expect(((await rejectionOf(() => stream.next())) as Error).message).toBe('SQLITE_IOERR: disk I/O error');
    expect(feed.listening('agent-status')).toBe(false);
  });

  it('a subscriber that leaves before its feed has answered stops listening as soon as it does', async () => {
    const latest = createDeferred();
    const releaseLatest = createDeferred();
    const slowFeedStore = replacingEvents({
      latestId: async (topic) => {
        latest.resolve();
        await releaseLatest.promise;
        return store.events.latestId(topic);
      },
    });
    const slowFeed = disposer.use(createEventFeed(slowFeedStore, pubsub, createLogger('silent'), 600_000), (f) => f.close());
    const stream = streamEvents(store, slowFeed, 'agent-status', { after: null });
    await latest.promise;
    await stream.return?.();
    releaseLatest.resolve();
    // The feed opens the topic, the stream's listener is added and removed again at once.
    const probe = await slowFeed.listen('agent-status', () => undefined);
    expect(slowFeed.listening('agent-status')).toBe(true);
    probe.close();
    expect(slowFeed.listening('agent-status')).toBe(false);
  });

  it('live events beyond the queue limit end a slow subscriber with SUBSCRIBER_TOO_SLOW and run the transport’s handler', async () => {
    const context = {};
    let overflowed = 0;
    onSubscriberOverflow(context, () => overflowed++);
    // The replay of an empty store is one short read; the stream is live one event-loop turn after it returns.
    const { watched, live } = watchingReplay();
    const stream = streamEvents(watched, feed, 'agent-status', { after: null, context, limits: { subscriberQueueLimit: 4, maxReplayEvents: 100 } });
    await live();
    // A listener of the feed added after the stream's: when it has an event, the stream has had it too.
    let seen = 0;
    let waitFor = { count: 0, deferred: createDeferred() };
    const probe = await feed.listen('agent-status', () => {
      seen += 1;
      if (seen === waitFor.count) waitFor.deferred.resolve();
    });
    disposer.add(() => probe.close());
    const delivered = (count: number) => {
      waitFor = { count, deferred: createDeferred() };
      if (seen >= count) waitFor.deferred.resolve();
      return waitFor.deferred.promise;
    };
    for (let i = 0; i < 4; i++) await storeEvent('8001', true);
    await delivered(4);
    expect([stream.size, overflowed]).toEqual([4, 0]);
    await storeEvent('8001', true);
    await delivered(5);
    expect([stream.size, stream.finished, overflowed]).toEqual([0, true, 1]);
    const error = await rejectionOfType(SubscriberTooSlowError, () => stream.next());
    expect(error.code).toBe('SUBSCRIBER_TOO_SLOW');
    // The stream stopped listening: with the probe gone, nobody listens.
    probe.close();
    expect(feed.listening('agent-status')).toBe(false);
  });

  it('live events piling up during a slow replay are dropped and read from the store instead: each once, in order', async () => {
    const before = [];
    for (let i = 0; i < 3; i++) before.push(await storeEvent());
    const firstRead = createDeferred();
    const releaseRead = createDeferred();
    let reads = 0;
    const slow = replacingEvents({
      eventsAfter: (async (...args: Parameters<EventRepository['eventsAfter']>) => {
        reads += 1;
        if (reads === 1) {
          firstRead.resolve();
          await releaseRead.promise;
        }
        return store.events.eventsAfter(...args);
      }) as EventRepository['eventsAfter'],
    });
    const stream = streamEvents(slow, feed, 'agent-status', { after: 0, limits: { subscriberQueueLimit: 4, maxReplayEvents: 100 } });
    await firstRead.promise;
    // Five live events while the first page is held: more than the queue limit, so the buffer is dropped.
    const live = [];
    for (let i = 0; i < 5; i++) live.push(await storeEvent('8001', true));
    releaseRead.resolve();
    const ids: number[] = [];
    const expected = [...before, ...live].map((e) => e.id);
    while (ids.length < expected.length) {
      const next = await stream.next();
      ids.push(next.value?.id as number);
    }
    expect(ids).toEqual(expected);
    // Then live again: the next published event comes straight through.
    const after = await storeEvent('8001', true);
    expect((await stream.next()).value?.id).toBe(after.id);
    await stream.return?.();
  });

  it('replays only the subjects and matches asked for, and resumes live after them', async () => {
    const a = await storeEvent('8001');
    await storeEvent('8002');
    const c = await storeEvent('8001');
    await storeEvent('8003');
    const stream = streamEvents(store, feed, 'agent-status', {
      after: 0,
      subjects: ['8001', '8003'],
      match: (event) => event.subject !== '8003',
    });
    expect((await stream.next()).value?.id).toBe(a.id);
    expect((await stream.next()).value?.id).toBe(c.id);
    await storeEvent('8002', true);
    await storeEvent('8003', true);
    const e = await storeEvent('8001', true);
    expect((await stream.next()).value?.id).toBe(e.id);
    await stream.return?.();
  });
  it('a subscriber that leaves while the replay waits for it to catch up stops the replay reading', async () => {
    for (let i = 0; i < 12; i++) await storeEvent();
    let reads = 0;
    const counted = replacingEvents({
      eventsAfter: (async (...args: Parameters<EventRepository['eventsAfter']>) => {
        reads += 1;
        return store.events.eventsAfter(...args);
      }) as EventRepository['eventsAfter'],
    });
    // Queue limit 8: pages of 4, low water 2. The first page fills the queue past low water and the replay waits.
    const stream = streamEvents(counted, feed, 'agent-status', { after: 0, limits: { subscriberQueueLimit: 8, maxReplayEvents: 100 } });
    expect((await stream.next()).value?.id).toBe(1);
    // Two turns on, the replay has handed its page over and waits for the queue to drain: no second read.
    await nextTurn();
    await nextTurn();
    expect([reads, stream.size]).toEqual([1, 3]);
    await stream.return?.();
    // The waiting replay wakes, sees the subscriber gone and reads nothing more; the feed listener is gone too.
    await nextTurn();
    await nextTurn();
    expect(reads).toBe(1);
    expect(feed.listening('agent-status')).toBe(false);
  });

  it('without a transport handler, an overflowing subscriber only gets SUBSCRIBER_TOO_SLOW', async () => {
    const { watched, live } = watchingReplay();
    const stream = streamEvents(watched, feed, 'agent-status', { after: null, limits: { subscriberQueueLimit: 1, maxReplayEvents: 100 } });
    await live();
    const seen = createDeferred();
    let count = 0;
    const probe = await feed.listen('agent-status', () => {
      if (++count === 2) seen.resolve();
    });
    await storeEvent('8001', true);
    await storeEvent('8001', true);
    await seen.promise;
    probe.close();
    expect((await rejectionOfType(SubscriberTooSlowError, () => stream.next())).code).toBe('SUBSCRIBER_TOO_SLOW');
  });

  it('a subjects filter skips live events that have no subject', async () => {
    const { watched, live } = watchingReplay();
    const stream = streamEvents(watched, feed, 'aicall-notify', { after: null, subjects: ['T1'] });
    await live();
    const publish = async (dedupeKey: string, subject: string | null) => {
      const { event } = await store.events.append({
        topic: 'aicall-notify',
        dedupeKey,
        subject,
        occurredAt: null,
        payload: { taskId: subject } as never,
        settled: { applied: true, effect: null },
      });
      await pubsub.publish('aicall-notify', { ...event, applied: true } as GatewayEvent<'aicall-notify'>);
      return event;
    };
    await publish('no-subject', null);
    await publish('other-task', 'T2');
    const wanted = await publish('with-subject', 'T1');
    expect((await stream.next()).value?.id).toBe(wanted.id);
    expect(stream.size).toBe(0);
    await stream.return?.();
  });
});
