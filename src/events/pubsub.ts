import type { Logger } from '../logger.ts';
import { EVENT_TOPICS, type EventTopic, type GatewayEvent } from './types.ts';

/**
 * Typed pub/sub for stored events: in-process by default, Redis when `REDIS_URL` is set so every replica's
 * subscribers hear every replica's callbacks. One interface, two adapters (embedded by default,
 * distributed when configured: docs/design.md, "Callbacks, event log, pub/sub").
 *
 * Delivery is at most once and, across replicas, not in id order: pub/sub is the fast path, the store is the truth.
 * A subscriber that must not miss anything remembers the last id it saw and fills gaps with
 * `store.events.eventsAfter` (docs/events.md, "Subscribers").
 */

export type EventHandler<T extends EventTopic> = (event: GatewayEvent<T>) => void;

export interface PubSub {
  readonly kind: 'memory' | 'redis';
  /** Sends the event to every subscriber of the topic (on every replica with Redis). Rejects if Redis fails. */
  publish<T extends EventTopic>(topic: T, event: GatewayEvent<T>): Promise<void>;
  /**
   * Calls `handler` for each event published on the topic from now on; returns the unsubscribe function. Handlers
   * must not throw (a throw is logged and the others still run) and must treat the event as read-only: in-process,
   * every handler gets the same object, synchronously inside publish(); with Redis, a parsed copy, later.
   */
  subscribe<T extends EventTopic>(topic: T, handler: EventHandler<T>): () => void;
  /** Local subscribers of a topic (for metrics and tests). */
  subscriberCount(topic: EventTopic): number;
  /** Resolves when the transport is usable now (Redis: both connections ready and a PING answered); for readiness. */
  ping(): Promise<void>;
  /** Drops every subscriber and closes connections; safe to call twice. */
  close(): Promise<void>;
}

export interface PubSubOptions {
  /** null: in-process. */
  redisUrl: string | null;
  /** Channels are `<prefix>:events:<topic>`. */
  channelPrefix?: string;
  logger?: Pick<Logger, 'warn' | 'error'>;
}

/** The local fan-out both adapters share: handlers per topic, each call guarded. */
export class LocalFanout {
  readonly #handlers = new Map<EventTopic, Set<EventHandler<EventTopic>>>();
  readonly #logger: Pick<Logger, 'error'> | undefined;
  constructor(logger?: Pick<Logger, 'error'>) {
    this.#logger = logger;
  }

  add<T extends EventTopic>(topic: T, handler: EventHandler<T>): () => void {
    let set = this.#handlers.get(topic);
    if (!set) {
      set = new Set();
      this.#handlers.set(topic, set);
    }
    const entry = handler as unknown as EventHandler<EventTopic>;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  deliver(topic: EventTopic, event: GatewayEvent): void {
    const set = this.#handlers.get(topic);
    if (!set) return;
    // A copy: a handler that unsubscribes (itself or another) mid-delivery does not disturb the loop.
    for (const handler of [...set]) {
      try {
        handler(event);
      } catch (error) {
        this.#logger?.error(`a subscriber of ${topic} threw; the others still run`, error);
      }
    }
  }

  count(topic: EventTopic): number {
    return this.#handlers.get(topic)?.size ?? 0;
  }

  clear(): void {
    this.#handlers.clear();
  }
}

export function createMemoryPubSub(options: Pick<PubSubOptions, 'logger'> = {}): PubSub {
  const fanout = new LocalFanout(options.logger);
  let closed = false;
  return {
    kind: 'memory',
    async publish(topic, event) {
      if (!closed) fanout.deliver(topic, event);
    },
    subscribe(topic, handler) {
      if (closed) return () => {};
      return fanout.add(topic, handler);
    },
    subscriberCount: (topic) => fanout.count(topic),
    async ping() {
      if (closed) throw new Error('pub/sub closed');
    },
    async close() {
      closed = true;
      fanout.clear();
    },
  };
}

/** The adapter `REDIS_URL` selects; Redis is connected (and subscribed to every topic) before this resolves. */
export async function createPubSub(options: PubSubOptions): Promise<PubSub> {
  if (!options.redisUrl) return createMemoryPubSub(options);
  const { createRedisPubSub } = await import('./redis.ts');
  return createRedisPubSub({ ...options, redisUrl: options.redisUrl });
}

export function channelOf(prefix: string, topic: EventTopic): string {
  return `${prefix}:events:${topic}`;
}

export const ALL_TOPICS: readonly EventTopic[] = EVENT_TOPICS;
