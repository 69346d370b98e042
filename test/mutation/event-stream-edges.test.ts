import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventIdExpiredError } from '../../src/errors.ts';
import { type EventFeed } from '../../src/events/feed.ts';
import { REPLAY_CONCURRENCY, streamEvents } from '../../src/events/subscribe.ts';
import { type Store } from '../../src/store/index.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { rejectionOfType } from '../utils/rejection.ts';
import { withEvents } from '../utils/store-spy.ts';
import { openEventStack, storeAgentEvent } from '../utils/event-stack.ts';

/** A subscriber's replay at its edges (streamEvents in src/events/subscribe.ts): page sizes, filters, slots, retention. */
describe('event stream edges', () => {
  const disposer = createDisposer();
  let store: Store;
  let feed: EventFeed;

  beforeEach(async () => {
    ({ store, feed } = await openEventStack(disposer));
  });
  afterEach(() => disposer.dispose());

  const storeEvent = (extension = '8001') => storeAgentEvent(store, { extension });

  /** The (limit, filter) of every replay read, over the real store. */
  function recordingReads() {
    const reads: Array<{ after: number; limit: number | undefined; filter: unknown }> = [];
    const spied = withEvents(store, (real) => ({
      async eventsAfter(topic, after, filter, limit) {
        reads.push({ after, limit, filter });
        return real.eventsAfter(topic, after, filter, limit);
      },
    }));
    return { reads, spied };
  }

  it('reads replay pages of half the queue limit, at most 50 and at least 1', async () => {
    await storeEvent();
    for (const [queueLimit, page] of [
      [1_000, 50],
      [101, 50],
      [99, 49],
      [10, 5],
      [3, 1],
      [1, 1],
    ] as const) {
      const { reads, spied } = recordingReads();
      const stream = streamEvents(spied, feed, 'agent-status', { after: 0, limits: { subscriberQueueLimit: queueLimit, maxReplayEvents: 100 } });
      expect((await stream.next()).done, String(queueLimit)).toBe(false);
      await stream.return?.();
      expect(reads[0], String(queueLimit)).toMatchObject({ after: 0, limit: page });
    }
  });

  it('passes the subjects to the store only when there are some', async () => {
    await storeEvent('8001');
    const wanted = await storeEvent('8002');
    for (const [subjects, filter] of [
      [undefined, {}],
      [[], {}],
      [['8002'], { subjects: ['8002'] }],
    ] as const) {
      const { reads, spied } = recordingReads();
      const stream = streamEvents(spied, feed, 'agent-status', { after: 0, subjects });
      const first = await stream.next();
      await stream.return?.();
      expect(reads[0]?.filter, JSON.stringify(subjects)).toEqual(filter);
      if (subjects?.length) expect(first.value?.id).toBe(wanted.id);
    }
  });

  it('reports the default 30-day retention when a resume point was pruned, and the configured one when given', async () => {
    const first = await storeEvent();
    await storeEvent();
    const kept = await storeEvent();
    await store.events.prune(Date.now() + 60_000, 10);
    expect((await store.events.bounds('agent-status')).prunedThrough).toBeGreaterThan(first.id);
    const byDefault = await rejectionOfType(EventIdExpiredError, () => streamEvents(store, feed, 'agent-status', { after: first.id }).next());
    expect(byDefault).toMatchObject({ retentionDays: 30, oldestEventId: kept.id });
    const configured = await rejectionOfType(EventIdExpiredError, () =>
      streamEvents(store, feed, 'agent-status', { after: first.id, retentionDays: 7 }).next(),
    );
    expect(configured.retentionDays).toBe(7);
  });

  it(`replays at most ${REPLAY_CONCURRENCY} pages at once in the process, and lets the others through in turn`, async () => {
    for (let i = 0; i < 3; i++) await storeEvent();
    let inFlight = 0;
    let most = 0;
    const gate = createDeferred();
    const reachedMost = createDeferred();
    const spied = withEvents(store, (real) => ({
      async eventsAfter(topic, after, filter, limit) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        if (inFlight === REPLAY_CONCURRENCY) reachedMost.resolve();
        await gate.promise;
        try {
          return await real.eventsAfter(topic, after, filter, limit);
        } finally {
          inFlight -= 1;
        }
      },
    }));
    const streams = Array.from({ length: REPLAY_CONCURRENCY + 2 }, () => streamEvents(spied, feed, 'agent-status', { after: 0 }));
    const firsts = streams.map((s) => s.next());
    await reachedMost.promise;
    // Give the waiting replays every chance to start a read they must not start.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(inFlight).toBe(REPLAY_CONCURRENCY);
    gate.resolve();
    const got = await Promise.all(firsts);
    expect(got.map((r) => r.value?.id)).toEqual(streams.map(() => 1));
    expect(most).toBe(REPLAY_CONCURRENCY);
    await Promise.all(streams.map((s) => s.return?.()));
  });
});
