import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PubSub, createMemoryPubSub, createPubSub } from '../../src/events/pubsub.ts';
import type { EventTopic, GatewayEvent } from '../../src/events/types.ts';
import { createDeferred } from '../utils/deferred.ts';

function event<T extends EventTopic>(topic: T, id: number, payload: Record<string, unknown> = {}): GatewayEvent<T> {
  return {
    id,
    topic,
    subject: 'x',
    occurredAt: null,
    receivedAt: '2025-01-01T00:00:00.000Z',
    applied: true,
    payload: payload as never,
    effect: null,
  };
}

/** Collects events and resolves when `count` have arrived. */
function collector<T extends EventTopic>(count: number) {
  const events: Array<GatewayEvent<T>> = [];
  const done = createDeferred<Array<GatewayEvent<T>>>();
  return {
    events,
    done: done.promise,
    handler: (e: GatewayEvent<T>) => {
      events.push(e);
      if (events.length === count) done.resolve(events);
    },
  };
}

const REDIS_URL = process.env.REDIS_URL;

// Redis's cases are declared even without REDIS_URL, so they show as skipped rather than vanish.
const adapters: Array<{ name: string; available: boolean; make: () => Promise<PubSub> }> = [
  { name: 'memory', available: true, make: async () => createMemoryPubSub() },
  { name: 'redis', available: Boolean(REDIS_URL), make: () => createPubSub({ redisUrl: REDIS_URL ?? null, channelPrefix: `test-${randomUUID()}` }) },
];

describe.each(adapters)('pub/sub ($name)', ({ available, make }) => {
  beforeEach(({ skip }) => {
    if (!available) skip('REDIS_URL is not set');
  });
  const open: PubSub[] = [];
  const create = async () => {
    const pubsub = await make();
    open.push(pubsub);
    return pubsub;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
  });

  it('delivers each event to every subscriber of its topic, only that topic, in publish order', async () => {
    const pubsub = await create();
    const a = collector<'agent-status'>(3);
    const b = collector<'agent-status'>(3);
    const other = collector<'task-status'>(1);
    pubsub.subscribe('agent-status', a.handler);
    pubsub.subscribe('agent-status', b.handler);
    pubsub.subscribe('task-status', other.handler);
    for (const id of [1, 2, 3]) await pubsub.publish('agent-status', event('agent-status', id, { extension: '8001' }));
    expect((await a.done).map((e) => e.id)).toEqual([1, 2, 3]);
    expect((await b.done).map((e) => e.id)).toEqual([1, 2, 3]);
    expect(a.events[0]).toEqual(event('agent-status', 1, { extension: '8001' }));
    expect(other.events).toEqual([]);
    expect(pubsub.subscriberCount('agent-status')).toBe(2);
  });

  it('stops delivering after unsubscribe; a throwing subscriber does not stop the others', async () => {
    const pubsub = await create();
    const kept = collector<'call-record'>(2);
    const dropped = collector<'call-record'>(99);
    const unsubscribe = pubsub.subscribe('call-record', dropped.handler);
    pubsub.subscribe('call-record', () => {
      throw new Error('subscriber bug');
    });
    const first = createDeferred();
    pubsub.subscribe('call-record', (e) => {
      kept.handler(e);
      if (e.id === 1) first.resolve();
    });
    await pubsub.publish('call-record', event('call-record', 1));
    // With Redis, delivery comes after publish() resolves: unsubscribe once event 1 is in.
    await first.promise;
    unsubscribe();
    await pubsub.publish('call-record', event('call-record', 2));
    expect((await kept.done).map((e) => e.id)).toEqual([1, 2]);
    expect(dropped.events.map((e) => e.id)).toEqual([1]);
  });

  it('close() drops subscribers; publishing afterwards is a no-op', async () => {
    const pubsub = await create();
    const seen = collector<'task-status'>(1);
    pubsub.subscribe('task-status', seen.handler);
    await pubsub.close();
    await pubsub.publish('task-status', event('task-status', 1));
    expect(seen.events).toEqual([]);
    await pubsub.close();
  });
});

describe.runIf(REDIS_URL)('pub/sub across replicas (redis)', () => {
  it('an event published by one instance reaches the subscribers of another, and not another prefix', async () => {
    const prefix = `test-${randomUUID()}`;
    const [one, two, elsewhere] = await Promise.all([
      createPubSub({ redisUrl: REDIS_URL ?? null, channelPrefix: prefix }),
      createPubSub({ redisUrl: REDIS_URL ?? null, channelPrefix: prefix }),
      createPubSub({ redisUrl: REDIS_URL ?? null, channelPrefix: `${prefix}-other` }),
    ]);
    try {
      expect(one.kind).toBe('redis');
      const onTwo = collector<'agent-status'>(2);
      const onOne = collector<'agent-status'>(2);
      const foreign = collector<'agent-status'>(1);
      two.subscribe('agent-status', onTwo.handler);
      one.subscribe('agent-status', onOne.handler);
      elsewhere.subscribe('agent-status', foreign.handler);
      await one.publish('agent-status', event('agent-status', 7, { extension: '8001' }));
      await two.publish('agent-status', event('agent-status', 8, { extension: '8002' }));
      expect((await onTwo.done).map((e) => e.id)).toEqual([7, 8]);
      expect((await onOne.done).map((e) => e.id)).toEqual([7, 8]);
      expect(onTwo.events[0]).toEqual(event('agent-status', 7, { extension: '8001' }));
      expect(foreign.events).toEqual([]);
    } finally {
      await Promise.all([one.close(), two.close(), elsewhere.close()]);
    }
  });

  it('fails to start with a clear message when Redis cannot be reached', async () => {
    await expect(createPubSub({ redisUrl: 'redis://127.0.0.1:1', channelPrefix: 'x' })).rejects.toThrow(/cannot connect to Redis/);
  });
});
