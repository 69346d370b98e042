import type { Store } from '../store/index.ts';
import type { EventFeed } from './feed.ts';
import { createPushIterator, type PushIterator } from './push-iterator.ts';
import type { EventTopic, GatewayEvent } from './types.ts';

export interface EventStreamOptions<T extends EventTopic> {
  /** Replay stored events after this id first; null: only what happens from now on. */
  after: number | null;
  /** Only events about these subjects (extensions, task ids); empty or absent: all. */
  subjects?: readonly string[];
  /** A further condition (e.g. applied changes only). */
  match?: (event: GatewayEvent<T>) => boolean;
}

const REPLAY_PAGE = 500;

/**
 * A subscriber's stream: stored events after `after` first, then live ones from the feed, in id order, with no gap
 * and no duplicate. The feed buffers from the moment the subscriber listens; replay reads the store up to where it
 * has nothing more; buffered events at or below the last replayed id are dropped.
 */
export function streamEvents<T extends EventTopic>(
  store: Store,
  feed: EventFeed,
  topic: T,
  options: EventStreamOptions<T>,
): PushIterator<GatewayEvent<T>> {
  const subjects = options.subjects && options.subjects.length > 0 ? new Set(options.subjects) : null;
  let stopListening: (() => void) | null = null;
  let closed = false;
  const stream = createPushIterator<GatewayEvent<T>>(() => {
    closed = true;
    stopListening?.();
  });

  let last = 0;
  const deliver = (event: GatewayEvent<T>) => {
    if (event.id <= last) return;
    last = event.id;
    if (subjects && !subjects.has(event.subject ?? '')) return;
    if (options.match && !options.match(event)) return;
    stream.push(event);
  };

  void (async () => {
    const buffered: Array<GatewayEvent<T>> = [];
    let replaying = true;
    try {
      const handle = await feed.listen(topic, (event) => (replaying ? buffered.push(event) : deliver(event)));
      stopListening = handle.close;
      if (closed) return handle.close();
      last = options.after ?? handle.from;
      const filter = subjects ? { subjects: [...subjects] } : {};
      while (!closed) {
        await stream.drained();
        const page = await store.events.eventsAfter(topic, last, filter, REPLAY_PAGE);
        if (page.length === 0) break;
        // deliver() moves `last` past every event read, matching or not, so the next page continues after this one.
        for (const event of page) deliver(event);
      }
      replaying = false;
      for (const event of buffered.splice(0)) deliver(event);
    } catch (error) {
      stream.end(error);
    }
  })();
  return stream;
}
