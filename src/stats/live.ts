import type { EventFeed } from '../events/feed.ts';
import type { EventTopic } from '../events/types.ts';
import { LiveStatisticsLimitError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * Live statistics, coalesced: a subscriber gets the current figures at once, then at most one update per interval
 * (1 s), and only after an event that may have moved them. Subscribers asking for the same figures (the same key)
 * share one computation per interval. Figures are state, not events: a slow consumer is never queued a backlog, it
 * gets the newest figures when it next reads (the one waiting is replaced).
 */

export interface LiveStatistics {
  /**
   * The figures `compute` gives, now and after events of `topics`, at most once per interval. `key` names the
   * figures (subscribers with the same key share each computation). Throws LiveStatisticsLimitError past the bound.
   */
  watch<T>(key: string, topics: readonly EventTopic[], compute: () => Promise<T>): AsyncIterableIterator<T>;
  /** Distinct figures being watched, and subscribers in all (the operator's view, tests). */
  stats(): { channels: number; subscribers: number };
  close(): void;
}

export interface LiveStatisticsOptions {
  feed: EventFeed;
  logger: Logger;
  /** Least time between two updates of the same figures (default 1000 ms). */
  intervalMs?: number;
  /** Most distinct figures watched at once in this process (default 1000). */
  maxChannels?: number;
  /** Figures are read again after this long without an event (default 60 s). */
  refreshMs?: number;
}


/** Holds only the newest value: `offer` replaces one not yet taken. */
class LatestValue<T> implements AsyncIterableIterator<T> {
  #value: { v: T } | null = null;
  #waiter: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | null = null;
  #done = false;
  #offered = false;
  #failure: { error: unknown } | null = null;

  constructor(private readonly onClose: () => void) {}

  offer(value: T): void {
    if (this.#done) return;
    this.#offered = true;
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter.resolve({ value, done: false });
    } else {
      this.#value = { v: value };
    }
  }

  /** The subscriber's own first figures: dropped when a (newer) update of its channel got there first. */
  offerFirst(value: T): void {
    if (!this.#offered) this.offer(value);
  }

  fail(error: unknown): void {
    if (this.#done) return;
    const waiter = this.#waiter;
    if (!waiter) {
      this.#failure = { error }; // reported by the next `next()`
      return;
    }
    this.#waiter = null;
    this.#finish();
    waiter.reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#value) {
      const { v } = this.#value;
      this.#value = null;
      return Promise.resolve({ value: v, done: false });
    }
    if (this.#failure) {
      const { error } = this.#failure;
      this.#finish();
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#value = null;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.resolve({ value: undefined, done: true });
    this.onClose();
  }
}

interface Channel {
  topics: readonly EventTopic[];
  compute: () => Promise<unknown>;
  subscribers: Set<LatestValue<unknown>>;
  dirty: boolean;
  lastRunAt: number;
  timer: NodeJS.Timeout | null;
  /** Reads the figures again now and then without an event: "today" rolls over at midnight, and state times grow. */
  refresh: NodeJS.Timeout;
  running: boolean;
}

export function createLiveStatistics(options: LiveStatisticsOptions): LiveStatistics {
  const { feed, logger } = options;
  const intervalMs = options.intervalMs ?? 1_000;
  const maxChannels = options.maxChannels ?? 1_000;
  const refreshMs = options.refreshMs ?? 60_000;
  const channels = new Map<string, Channel>();
  const listeners = new Map<EventTopic, Promise<{ close(): void }>>();
  let closed = false;

  function onEvent(topic: EventTopic): void {
    for (const channel of channels.values()) if (channel.topics.includes(topic)) markDirty(channel);
  }

  function ensureListening(topic: EventTopic): void {
    if (listeners.has(topic)) return;
    const listening = feed.listen(topic, () => onEvent(topic));
    listening.catch((error: unknown) => {
      listeners.delete(topic);
      logger.warn(`live statistics: listening to ${topic} failed; will try again with the next subscriber`, error);
    });
    listeners.set(topic, listening);
  }

  function stopUnusedListeners(): void {
    for (const [topic, listening] of listeners) {
      if ([...channels.values()].some((c) => c.topics.includes(topic))) continue;
      listeners.delete(topic);
      void listening.then((l) => l.close()).catch(() => undefined);
    }
  }

  function markDirty(channel: Channel): void {
    channel.dirty = true;
    if (channel.timer || channel.running || closed) return;
    const wait = Math.max(0, channel.lastRunAt + intervalMs - Date.now());
    channel.timer = setTimeout(() => {
      channel.timer = null;
      void runChannel(channel);
    }, wait);
    channel.timer.unref();
  }

  async function runChannel(channel: Channel): Promise<void> {
    if (!channel.dirty || channel.subscribers.size === 0) return;
    channel.dirty = false;
    channel.running = true;
    channel.lastRunAt = Date.now();
    try {
      const value = await channel.compute();
      for (const subscriber of channel.subscribers) subscriber.offer(value);
    } catch (error) {
      logger.warn('live statistics: computing an update failed; the next event tries again', error);
    } finally {
      channel.running = false;
      if (channel.dirty) markDirty(channel);
    }
  }

  return {
    watch<T>(key: string, topics: readonly EventTopic[], compute: () => Promise<T>): AsyncIterableIterator<T> {
      let channel = channels.get(key);
      if (!channel) {
        if (channels.size >= maxChannels) throw new LiveStatisticsLimitError(maxChannels);
        const created: Channel = { topics, compute, subscribers: new Set(), dirty: false, lastRunAt: 0, timer: null, refresh: setInterval(() => markDirty(created), refreshMs), running: false };
        created.refresh.unref();
        channel = created;
        channels.set(key, channel);
        for (const topic of topics) ensureListening(topic);
      }
      const own = channel;
      const subscriber: LatestValue<unknown> = new LatestValue(() => {
        own.subscribers.delete(subscriber);
        if (own.subscribers.size > 0 || channels.get(key) !== own) return;
        channels.delete(key);
        clearInterval(own.refresh);
        if (own.timer) clearTimeout(own.timer);
        own.timer = null;
        stopUnusedListeners();
      });
      own.subscribers.add(subscriber);
      // The first figures are this subscriber's own: it must not wait for an event to see anything.
      compute().then(
        (value) => subscriber.offerFirst(value),
        (error: unknown) => subscriber.fail(error),
      );
      return subscriber as LatestValue<T>;
    },
    stats() {
      let subscribers = 0;
      for (const channel of channels.values()) subscribers += channel.subscribers.size;
      return { channels: channels.size, subscribers };
    },
    close() {
      closed = true;
      for (const channel of channels.values()) {
        clearInterval(channel.refresh);
        if (channel.timer) clearTimeout(channel.timer);
      }
      for (const listening of listeners.values()) void listening.then((l) => l.close()).catch(() => undefined);
      listeners.clear();
    },
  };
}
