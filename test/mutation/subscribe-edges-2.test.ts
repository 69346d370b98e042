import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SubscriberTooSlowError } from '../../src/errors.ts';
import { type EventFeed } from '../../src/events/feed.ts';
import { type PubSub } from '../../src/events/pubsub.ts';
import { REPLAY_CONCURRENCY, streamEvents } from '../../src/events/subscribe.ts';
import type { GatewayEvent } from '../../src/events/types.ts';
import { type Store } from '../../src/store/index.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { rejectionOfType } from '../utils/rejection.ts';
import { withEvents } from '../utils/store-spy.ts';
import { openEventStack, storeAgentEvent } from '../utils/event-stack.ts';

/**
 * streamEvents (src/events/subscribe.ts) at further edges: live-only subscribers (`after: null`) on a pruned or long
 * topic, the id-distance short cut with other topics' events in between, an overflow with a context but no handler,
 * and the process-wide replay slots.
 */
describe('event stream edges, part 2', () => {
  const disposer = createDisposer();
  let store: Store;
  let pubsub: PubSub;
  let feed: EventFeed;

  beforeEach(async () => {
    ({ store, pubsub, feed } = await openEventStack(disposer));
  });
  afterEach(() => disposer.dispose());

  const storeEvent = (publish = false, extension = '8001') => storeAgentEvent(store, { extension, ...(publish ? { publishTo: pubsub } : {}) });

  async function storeOtherTopic(key: string): Promise<void> {
    const { event } = await store.events.append({
      topic: 'aicall-notify',
      dedupeKey: key,
      subject: 'T1',
      occurredAt: null,
      payload: { taskId: 'T1' } as never,
      settled: { applied: true, effect: null },
    });
    await pubsub.publish('aicall-notify', { ...event, applied: true } as GatewayEvent<'aicall-notify'>);
  }

  /** A store whose first replay read resolves `replayed` (the stream listens to the feed before it reads). */
  function watchingReplay() {
    const replayed = createDeferred();
    const spied = withEvents(store, (real) => ({
      async eventsAfter(topic, after, filter, limit) {
        const page = await real.eventsAfter(topic, after, filter, limit);
        replayed.resolve();
        return page;
      },
    }));
    return { replayed, spied };
  }

  /** Waits for the replay's first read, failing at once if the stream ends first. */
  async function untilReplayed(replayed: Promise<void>, first: Promise<IteratorResult<unknown>>): Promise<void> {
    await Promise.race([replayed, first.then((r) => Promise.reject(new Error(`stream settled before replaying: ${JSON.stringify(r)}`)))]);
    await nextTurn();
    await nextTurn();
  }

  it('a live-only subscriber (after: null) starts on a topic that was pruned, and gets the next live event', async () => {
    await storeEvent();
    await storeEvent();
    await storeEvent();
    await store.events.prune(Date.now() + 60_000, 10);
    const { prunedThrough } = await store.events.bounds('agent-status');
    expect(prunedThrough).toBeGreaterThan(0);
    const { replayed, spied } = watchingReplay();
    const stream = streamEvents(spied, feed, 'agent-status', { after: null });
    const first = stream.next();
    await untilReplayed(replayed.promise, first);
    const live = await storeEvent(true);
    expect(await first).toEqual({ done: false, value: live });
    await stream.return?.();
  });

  it('a live-only subscriber (after: null) starts on a topic holding more than maxReplayEvents events', async () => {
    for (let i = 0; i < 4; i++) await storeEvent();
    const { replayed, spied } = watchingReplay();
    const stream = streamEvents(spied, feed, 'agent-status', { after: null, limits: { subscriberQueueLimit: 100, maxReplayEvents: 1 } });
    const first = stream.next();
    await untilReplayed(replayed.promise, first);
    const live = await storeEvent(true);
    expect(await first).toEqual({ done: false, value: live });
    await stream.return?.();
  });

  it('a resume within maxReplayEvents of its topic is served though other topics’ events make the id distance larger', async () => {
    const from = await storeEvent();
    for (let i = 0; i < 5; i++) await storeOtherTopic(`other-${i}`);
    const next = await storeEvent();
    const stream = streamEvents(store, feed, 'agent-status', { after: from.id, limits: { subscriberQueueLimit: 100, maxReplayEvents: 2 } });
    expect(next.id - from.id).toBeGreaterThan(2);
    expect(await stream.next()).toEqual({ done: false, value: next });
    await stream.return?.();
  });

  it('with a context that has no overflow handler, an overflowing subscriber only gets SUBSCRIBER_TOO_SLOW', async () => {
    const { replayed, spied } = watchingReplay();
    const context = {};
    const stream = streamEvents(spied, feed, 'agent-status', { after: null, context, limits: { subscriberQueueLimit: 1, maxReplayEvents: 100 } });
    await replayed.promise;
    await nextTurn();
    await nextTurn();
    const seen = createDeferred();
    let count = 0;
    const probe = await feed.listen('agent-status', () => {
      if (++count === 2) seen.resolve();
    });
    await storeEvent(true);
    await storeEvent(true);
    await seen.promise;
    probe.close();
    expect((await rejectionOfType(SubscriberTooSlowError, () => stream.next())).code).toBe('SUBSCRIBER_TOO_SLOW');
  });

  it(`never runs more than ${REPLAY_CONCURRENCY} replay reads at once, however many subscribers wait`, async () => {
    for (let i = 0; i < 3; i++) await storeEvent();
    let inFlight = 0;
    let most = 0;
    let reads = 0;
    const gate = createDeferred();
    const spied = withEvents(store, (real) => ({
      async eventsAfter(topic, after, filter, limit) {
        inFlight += 1;
        reads += 1;
        most = Math.max(most, inFlight);
        await gate.promise;
        try {
          return await real.eventsAfter(topic, after, filter, limit);
        } finally {
          inFlight -= 1;
        }
      },
    }));
    const count = REPLAY_CONCURRENCY * 3;
    const streams = Array.from({ length: count }, () => streamEvents(spied, feed, 'agent-status', { after: 0 }));
    const firsts = streams.map((s) => s.next());
    // Replays of other tests' streams may still hold slots for a turn: wait until ours have had every chance to start.
    for (let i = 0; i < 50; i++) await nextTurn();
    expect(inFlight).toBe(REPLAY_CONCURRENCY);
    gate.resolve();
    const got = await Promise.all(firsts);
    expect(got.map((r) => r.value?.id)).toEqual(streams.map(() => 1));
    expect(most).toBe(REPLAY_CONCURRENCY);
    expect(reads).toBe(count);
    await Promise.all(streams.map((s) => s.return?.()));
  });
});
