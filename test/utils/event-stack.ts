import { normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { type EventFeed, createEventFeed } from '../../src/events/feed.ts';
import { type PubSub, createMemoryPubSub } from '../../src/events/pubsub.ts';
import type { GatewayEvent } from '../../src/events/types.ts';
import { createLogger } from '../../src/logger.ts';
import { type Store, createDatabase } from '../../src/store/index.ts';
import { EXTENSION_STATUS_COMMON } from './callback-seeds.ts';
import type { Disposer } from './disposer.ts';

/**
 * The event layer as the feed, replay and ingestion tests use it: a real in-memory SQLite store and the memory
 * pub/sub (and, with `openEventStack`, the event feed), closed by the disposer; plus agent-status events stored
 * straight into the store.
 */

export async function openEventStore(disposer: Disposer): Promise<{ store: Store; pubsub: PubSub }> {
  const store = disposer.use(await createDatabase('file::memory:'), (s) => s.close());
  const pubsub = disposer.use(createMemoryPubSub(), (p) => p.close());
  return { store, pubsub };
}

/** The store and pub/sub, and a feed whose periodic read is far enough away (10 min) never to run in a test. */
export async function openEventStack(disposer: Disposer): Promise<{ store: Store; pubsub: PubSub; feed: EventFeed }> {
  const { store, pubsub } = await openEventStore(disposer);
  const feed = disposer.use(createEventFeed(store, pubsub, createLogger('silent'), 600_000), (f) => f.close());
  return { store, pubsub, feed };
}

let made = 0;

export interface AgentEventOptions {
  extension?: string;
  /** The callback's status word; the seed's when absent. */
  status?: string;
  /** Stored settled as applied (the default), or left pending. */
  settled?: boolean;
  /** Publishes the stored event here too, as ingestion does. */
  publishTo?: PubSub;
}

/** Stores one agent-status event (a unique call, start times growing) and returns it as subscribers see it. */
export async function storeAgentEvent(store: Store, options: AgentEventOptions = {}): Promise<GatewayEvent<'agent-status'>> {
  made += 1;
  const { extension = '8001', status, settled = true, publishTo } = options;
  const callback = normaliseExtensionStatus({
    ...EXTENSION_STATUS_COMMON,
    extnumber: extension,
    uuid: `agent-event-${made}`,
    ...(status === undefined ? {} : { status }),
    starttime: String(1_700_000_000 + made),
  });
  const { event } = await store.events.append({ ...callback, settled: settled ? { applied: true, effect: null } : undefined });
  const stored = (settled ? { ...event, applied: true } : event) as GatewayEvent<'agent-status'>;
  if (publishTo) await publishTo.publish('agent-status', stored);
  return stored;
}
