import type { Logger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import type { PubSub } from './pubsub.ts';
import { EVENT_TOPICS, type EventTopic, type GatewayEvent } from './types.ts';

/**
 * One ordered, gap-free stream per topic per process. The pub/sub only wakes the feed; the feed then reads the store
 * from its cursor, so every listener sees every stored event once, in id order, even when a publish was lost (a
 * crash between storing and publishing, a Redis hiccup) — a periodic read covers that case. One store read per wake
 * serves all of the process's subscribers of the topic.
 */
export interface EventFeed {
  /**
   * Listens to a topic. `from` is the feed's position when listening started: `onEvent` gets every event with a
   * larger id, in order; a subscriber replays (from, its `after`] from the store and skips ids it already has.
   */
  listen<T extends EventTopic>(topic: T, onEvent: (event: GatewayEvent<T>) => void): Promise<{ from: number; close(): void }>;
  /** Whether anyone in this process listens to the topic. */
  listening(topic: EventTopic): boolean;
  /** Per topic kind (every one in EVENT_TOPICS, in that order): listeners and the last event handed to them. */
  stats(): TopicFeedStats[];
  close(): void;
}

/**
 * One topic's feed in this process, for the operator's view and metrics. The "last event" is the newest the feed read
 * from the store and handed to its listeners (published to this process's subscribers); a topic nobody has listened to
 * since the process started is not read, so its last event is null.
 */
export interface TopicFeedStats {
  topic: EventTopic;
  /** Listeners now: each subscription (graphql-ws or SSE) of the topic in this process is one. */
  subscribers: number;
  lastEventId: number | null;
  /** The event's own time (epoch ms): when it happened by the platform's account, else when the gateway stored it. */
  lastEventAt: number | null;
  /** When the gateway stored it (the callback's arrival, epoch ms). */
  lastReceivedAt: number | null;
  /** When the feed handed it to the listeners (epoch ms). */
  lastPublishedAt: number | null;
}

const PAGE = 1000;

const epochMs = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

function statsOf(topic: EventTopic, state: TopicState | undefined): TopicFeedStats {
  const last = state?.last ?? null;
  return {
    topic,
    subscribers: state?.listeners.size ?? 0,
    lastEventId: last?.id ?? null,
    lastEventAt: last ? epochMs(last.occurredAt ?? last.receivedAt) : null,
    lastReceivedAt: last ? epochMs(last.receivedAt) : null,
    lastPublishedAt: state?.lastPublishedAt ?? null,
  };
}

interface TopicState {
  /** Null until the starting position is read; wakes before that only mark `again`. */
  cursor: number | null;
  listeners: Set<(event: GatewayEvent) => void>;
  pumping: boolean;
  again: boolean;
  unsubscribe: () => void;
  /** The newest event handed to the listeners, and when (stats()): set once per page read, not per event. */
  last: GatewayEvent | null;
  lastPublishedAt: number | null;
}

export function createEventFeed(store: Store, pubsub: PubSub, logger: Logger, pollMs = 2000): EventFeed {
  const opening = new Map<EventTopic, Promise<TopicState>>();
  const states = new Map<EventTopic, TopicState>();
  let closed = false;

  async function pump(topic: EventTopic, state: TopicState): Promise<void> {
    let cursor = state.cursor;
    if (state.pumping || cursor === null) {
      state.again = true;
      return;
    }
    state.pumping = true;
    try {
      do {
        state.again = false;
        for (;;) {
          const events: GatewayEvent[] = await store.events.eventsAfter(topic, cursor, {}, PAGE);
          for (const event of events) {
            cursor = state.cursor = event.id;
            for (const listener of [...state.listeners]) listener(event);
          }
          if (events.length > 0) {
            state.last = events[events.length - 1] as GatewayEvent;
            state.lastPublishedAt = Date.now();
          }
          if (events.length < PAGE) break;
        }
      } while (state.again && !closed);
    } catch (error) {
      logger.warn(`event feed ${topic}: reading the store failed; retrying on the next wake`, error);
    } finally {
      state.pumping = false;
    }
  }

  /** pump() catches its own failures; this catch is the net, so a wake can never leave a rejection unhandled. */
  function wake(topic: EventTopic, state: TopicState): void {
    pump(topic, state).catch((error: unknown) => logger.error(`event feed ${topic}: pump failed`, error));
  }

  function open(topic: EventTopic): Promise<TopicState> {
    let pending = opening.get(topic);
    if (!pending) {
      pending = (async () => {
        const state: TopicState = {
          cursor: null,
          listeners: new Set(),
          pumping: false,
          again: false,
          unsubscribe: () => undefined,
          last: null,
          lastPublishedAt: null,
        };
        // Subscribe before reading the position, so no wake between the two is lost (it is replayed just below).
        state.unsubscribe = pubsub.subscribe(topic, () => wake(topic, state));
        try {
          state.cursor = await store.events.latestId(topic);
        } catch (error) {
          // Not cached: the next listen() tries again instead of failing for good.
          state.unsubscribe();
          opening.delete(topic);
          throw error;
        }
        states.set(topic, state);
        if (state.again) wake(topic, state);
        return state;
      })();
      opening.set(topic, pending);
    }
    return pending;
  }

  const timer = setInterval(() => {
    for (const [topic, state] of states) if (state.listeners.size > 0) wake(topic, state);
  }, pollMs);
  timer.unref();

  return {
    async listen(topic, onEvent) {
      const state = await open(topic);
      const listener = onEvent as (event: GatewayEvent) => void;
      state.listeners.add(listener);
      return { from: state.cursor ?? 0, close: () => state.listeners.delete(listener) };
    },
    listening: (topic) => (states.get(topic)?.listeners.size ?? 0) > 0,
    stats: () => EVENT_TOPICS.map((topic) => statsOf(topic, states.get(topic))),
    close() {
      closed = true;
      clearInterval(timer);
      for (const state of states.values()) state.unsubscribe();
    },
  };
}
