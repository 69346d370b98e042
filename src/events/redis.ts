import { Redis } from 'ioredis';
import { ALL_TOPICS, LocalFanout, type PubSub, type PubSubOptions, channelOf } from './pubsub.ts';
import type { EventTopic, GatewayEvent } from './types.ts';

/**
 * Redis pub/sub with ioredis: one connection publishes, one (in subscriber mode, as Redis requires) listens to the
 * one channel per topic for the whole life of the process; local subscribers are a plain in-memory fan-out behind it.
 * So subscribe() never talks to Redis, a thousand GraphQL subscriptions cost one Redis subscription per topic, and
 * each replica parses each message once.
 *
 * ioredis reconnects on its own and re-subscribes its channels after a reconnect (`autoResubscribe`). Messages
 * published while a replica was disconnected are lost to it, as with any Redis pub/sub: subscribers detect the gap by
 * event id and replay from the store.
 */

const DEFAULT_PREFIX = 'callcentre-gateway';
const CONNECT_TIMEOUT_MS = 5_000;

function isEvent(value: unknown, topic: EventTopic): value is GatewayEvent {
  if (value === null || typeof value !== 'object') return false;
  const event = value as Partial<GatewayEvent>;
  return typeof event.id === 'number' && event.topic === topic && typeof event.payload === 'object';
}

export async function createRedisPubSub(options: PubSubOptions & { redisUrl: string }): Promise<PubSub> {
  const { logger } = options;
  const prefix = options.channelPrefix ?? DEFAULT_PREFIX;
  const topicOfChannel = new Map<string, EventTopic>(ALL_TOPICS.map((topic) => [channelOf(prefix, topic), topic]));
  const fanout = new LocalFanout(logger);

  const clientOptions = {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // A publish during an outage fails after a few reconnect attempts instead of waiting indefinitely; the event is
    // stored either way.
    maxRetriesPerRequest: 3,
  };
  const publisher = new Redis(options.redisUrl, { ...clientOptions, connectionName: 'gateway-publisher' });
  const subscriber = new Redis(options.redisUrl, { ...clientOptions, connectionName: 'gateway-subscriber' });
  // Without listeners ioredis prints every connection error to the console; report them once per outage instead.
  let reported = false;
  // Until the first connection, an error is the start-up failure thrown below (with its reason), not a log line.
  let connected = false;
  let connectError: Error | undefined;
  for (const client of [publisher, subscriber]) {
    client.on('error', (error: Error) => {
      if (!connected) {
        connectError ??= error;
        return;
      }
      if (!reported) logger?.warn(`Redis pub/sub: ${error.message} (reconnecting)`);
      reported = true;
    });
    client.on('ready', () => {
      reported = false;
    });
  }

  subscriber.on('message', (channel: string, message: string) => {
    const topic = topicOfChannel.get(channel);
    if (!topic) return;
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch {
      logger?.warn(`Redis pub/sub: dropped a message on ${channel} that is not JSON`);
      return;
    }
    if (!isEvent(event, topic)) {
      logger?.warn(`Redis pub/sub: dropped a message on ${channel} that is not an event of that topic`);
      return;
    }
    fanout.deliver(topic, event);
  });

  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.subscribe(...topicOfChannel.keys());
    connected = true;
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    // ioredis rejects connect() with "Connection is closed."; the socket's error says why (ECONNREFUSED, ENOTFOUND, …).
    const reason = connectError ?? error;
    throw new Error(`cannot connect to Redis for pub/sub: ${(reason as Error).message}`, { cause: reason });
  }

  let closing: Promise<void> | undefined;
  return {
    kind: 'redis',
    async publish(topic, event) {
      if (closing) return;
      await publisher.publish(channelOf(prefix, topic), JSON.stringify(event));
    },
    subscribe(topic, handler) {
      if (closing) return () => {};
      return fanout.add(topic, handler);
    },
    subscriberCount: (topic) => fanout.count(topic),
    async ping() {
      // The subscriber connection cannot run ordinary commands; its state says whether it would hear a publish.
      if (closing || publisher.status !== 'ready' || subscriber.status !== 'ready') throw new Error('Redis pub/sub is not connected');
      await publisher.ping();
    },
    close() {
      closing ??= (async () => {
        fanout.clear();
        // quit() waits for replies to commands already sent; disconnect() covers a connection that is down.
        await Promise.allSettled([publisher.quit(), subscriber.quit()]);
        publisher.disconnect();
        subscriber.disconnect();
      })();
      return closing;
    },
  };
}
