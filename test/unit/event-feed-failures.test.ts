import { describe, expect, it } from 'vitest';
import { createEventFeed } from '../../src/events/feed.ts';
import { createMemoryPubSub } from '../../src/events/pubsub.ts';
import type { GatewayEvent } from '../../src/events/types.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/index.ts';
import { createDeferred } from '../utils/deferred.ts';

/**
 * A failing store read in the event feed is logged and retried on the next wake; it never becomes an unhandled
 * rejection (vitest fails a run on one, as Node would end the process without the last net in main.ts).
 */
describe('event feed with a failing store', () => {
  it('survives a failed position read and a failed events read, then delivers', async () => {
    const stored: GatewayEvent[] = [];
    let latestFailures = 1;
    let readFailures = 1;
    const store = {
      events: {
        async latestId() {
          if (latestFailures-- > 0) throw new Error('database is locked');
          return 0;
        },
        async eventsAfter(_topic: string, after: number) {
          if (readFailures-- > 0) throw new Error('connection reset');
          return stored.filter((event) => event.id > after);
        },
      },
    } as unknown as Store;
    const readFailed = createDeferred<string>();
    const logger = createLogger('warn', (line) => {
      if (line.includes('reading the store failed')) readFailed.resolve(line);
    });
    const pubsub = createMemoryPubSub();
    const feed = createEventFeed(store, pubsub, logger, 60_000);
    try {
      // The first listen fails with the store; it is not cached, so the next one works.
      await expect(feed.listen('agent-status', () => undefined)).rejects.toThrow('database is locked');
      const received = createDeferred<GatewayEvent>();
      const handle = await feed.listen('agent-status', (event) => received.resolve(event));

      const event = {
        id: 1,
        topic: 'agent-status',
        subject: '8001',
        occurredAt: null,
        receivedAt: new Date(0).toISOString(),
        applied: true,
        payload: {},
      } as unknown as GatewayEvent<'agent-status'>;
      stored.push(event);
      // The first wake's read fails (logged); the second delivers.
      await pubsub.publish('agent-status', event);
      expect(await readFailed.promise).toContain('connection reset');
      await pubsub.publish('agent-status', event);
      expect((await received.promise).id).toBe(1);
      handle.close();
    } finally {
      feed.close();
      await pubsub.close();
    }
  });
});
