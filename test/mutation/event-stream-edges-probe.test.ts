import { it } from 'vitest';
import { normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { createEventFeed } from '../../src/events/feed.ts';
import { createMemoryPubSub } from '../../src/events/pubsub.ts';
import { streamEvents } from '../../src/events/subscribe.ts';
import { createLogger } from '../../src/logger.ts';
import { createDatabase } from '../../src/store/index.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDeferred } from '../utils/deferred.ts';
import { withEvents } from '../utils/store-spy.ts';
it('probe', async () => {
  const store = await createDatabase('file::memory:');
  const pubsub = createMemoryPubSub();
  const feed = createEventFeed(store, pubsub, createLogger('silent'), 600_000);
  const callback = normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: '8001', uuid: `probe`, starttime: '1700000000' });
  await store.events.append({ ...callback, settled: { applied: true, effect: null } });
  let inFlight = 0;
  const gate = createDeferred();
  const spied = withEvents(store, (real) => ({
    async eventsAfter(topic, after, filter, limit) {
      inFlight += 1;
      await gate.promise;
      return real.eventsAfter(topic, after, filter, limit);
    },
  }));
  const streams = Array.from({ length: 6 }, () => streamEvents(spied, feed, 'agent-status', { after: 0 }));
  const firsts = streams.map((s) => s.next());
  for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r));
  console.log('PROBE inFlight', inFlight);
  gate.resolve();
  await Promise.all(firsts);
  await Promise.all(streams.map((s) => s.return?.()));
  feed.close(); await pubsub.close(); await store.close();
});
