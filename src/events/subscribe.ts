import { setImmediate as nextTurn } from 'node:timers/promises';
import { ReplayLimitError, SubscriberTooSlowError } from '../errors.ts';
import { SlowConsumerReason, type SubscriptionMetrics } from '../observability/metrics.ts';
import type { Store } from '../store/index.ts';
import type { EventFeed } from './feed.ts';
import { checkResumePoint } from './resume-point.ts';
import { createPushIterator, type PushIterator } from './push-iterator.ts';
import type { EventTopic, GatewayEvent } from './types.ts';

/** The per-subscriber bounds (config.connectionLimits; docs/security.md, "Sockets and subscriptions"). */
export interface StreamLimits {
  /** Events that may wait for one subscriber; one more ends it as too slow. */
  subscriberQueueLimit: number;
  /** Most stored events after `after` on the topic; further back is refused with REPLAY_LIMIT_EXCEEDED. */
  maxReplayEvents: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { subscriberQueueLimit: 1_000, maxReplayEvents: 10_000 };
/** EVENT_RETENTION_DAYS' default, for streams opened without the config (tests, tools). */
const DEFAULT_RETENTION_DAYS = 30;

export interface EventStreamOptions<T extends EventTopic> {
  /** Replay stored events after this id first; null: only what happens from now on. */
  after: number | null;
  /** Only events about these subjects (extensions, task ids); empty or absent: all. */
  subjects?: readonly string[];
  /** A further condition (e.g. applied changes only). */
  match?: (event: GatewayEvent<T>) => boolean;
  limits?: StreamLimits;
  /**
   * How long events are kept (config.events.retentionDays; default 30): reported with EVENT_ID_EXPIRED when `after`
   * is from before what pruning left.
   */
  retentionDays?: number;
  /**
   * The operation's context object: the transport that runs the operation may have registered, with
   * `onSubscriberOverflow`, what to do when this subscriber falls too far behind (graphql-ws closes the socket).
   */
  context?: object;
  /** Subscribers, deliveries, replay sizes and overflows (telemetry.metrics); null or absent: not counted. */
  metrics?: SubscriptionMetrics | null;
}

/** Events per replay page: with REPLAY_CONCURRENCY, at most 200 replayed events are executed per event-loop turn. */
const REPLAY_PAGE = 50;
/**
 * Replay pages in flight at once in this process; the others wait their turn (FIFO). A page keeps its slot for one
 * event-loop turn after it is handed over, so the turn also covers executing and writing it, and I/O (other clients'
 * requests) runs between turns.
 */
export const REPLAY_CONCURRENCY = 4;

const overflowHandlers = new WeakMap<object, () => void>();
/** Module-level, so a stream (one per subscription, for its life) holds no closure of its own for it. */
const tooSlow = (limit: number) => new SubscriberTooSlowError(limit);

/**
 * Registers what happens when a subscriber of the operation with this context falls more than
 * SUBSCRIBER_QUEUE_LIMIT events behind. Without one, the subscriber only gets SUBSCRIBER_TOO_SLOW as its next result
 * (its queue is dropped either way, so memory stays bounded).
 */
export function onSubscriberOverflow(context: object, handler: () => void): void {
  overflowHandlers.set(context, handler);
}

/** A counting semaphore with a FIFO queue: what keeps thousands of replays from monopolising the event loop. */
function createSlots(size: number) {
  let free = size;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    async acquire(): Promise<() => void> {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    },
  };
}

const replaySlots = createSlots(REPLAY_CONCURRENCY);

/** Whether more than `max` events of the topic lie in (after, upTo]. */
async function furtherBackThan(store: Store, topic: EventTopic, after: number, upTo: number, max: number): Promise<boolean> {
  // Ids are global over topics, so the id distance bounds the count from above: most resumes need no query.
  return upTo - after > max && store.events.moreThan(topic, after, upTo, max);
}

/**
 * A subscriber's stream: stored events after `after` first, then live ones from the feed, in id order, with no gap
 * and no duplicate. The feed buffers from the moment the subscriber listens; replay reads the store up to where it
 * has nothing more; buffered events at or below the last replayed id are dropped.
 *
 * Resume points: an `after` above every stored id (another store's) ends the stream with EVENT_ID_AHEAD, one below
 * its topic's pruning mark with EVENT_ID_EXPIRED (events/resume-point.ts), before anything is read. The mark is read
 * again once replay has read the store, so a prune that ran meanwhile cannot leave an unnoticed gap.
 *
 * Bounds: `after` more than `maxReplayEvents` events back ends the stream with REPLAY_LIMIT_EXCEEDED before anything
 * is read; replay reads pages of at most half the queue limit, only when the subscriber has taken most of the last
 * one, holding one of REPLAY_CONCURRENCY process-wide slots per page and yielding to the event loop between pages;
 * live events that find `subscriberQueueLimit` events waiting end the stream with SUBSCRIBER_TOO_SLOW.
 */
export function streamEvents<T extends EventTopic>(
  store: Store,
  feed: EventFeed,
  topic: T,
  given: EventStreamOptions<T>,
): PushIterator<GatewayEvent<T>> {
  // The stream lives as long as the subscription: it keeps nothing of the operation's context (loaders, services).
  // What to do at an overflow is looked up now (the transport registered it before subscribing).
  const { context, metrics, ...options } = given;
  const transportOverflow = context ? overflowHandlers.get(context) : undefined;
  // One closure per subscription (not per event), and only with metrics on.
  const overflowHandler = metrics
    ? () => {
        metrics.dropped(SlowConsumerReason.QueueOverflow);
        transportOverflow?.();
      }
    : transportOverflow;
  const delivered = metrics?.delivered ?? null;
  const limits = options.limits ?? DEFAULT_STREAM_LIMITS;
  const queueLimit = limits.subscriberQueueLimit;
  // Replay uses at most three quarters of the queue (low water + one page), so only live events can overflow it.
  const lowWater = Math.min(100, Math.floor(queueLimit / 4));
  const pageSize = Math.max(1, Math.min(REPLAY_PAGE, Math.floor(queueLimit / 2)));
  const subjects = options.subjects && options.subjects.length > 0 ? new Set(options.subjects) : null;
  let stopListening: (() => void) | null = null;
  let closed = false;
  const stream = createPushIterator<GatewayEvent<T>>(
    () => {
      closed = true;
      stopListening?.();
      metrics?.closed(topic);
    },
    {
      lowWater,
      limit: queueLimit,
      overflowError: tooSlow,
      onOverflow: overflowHandler,
    },
  );

  metrics?.opened(topic);

  let last = 0;
  /** Hands the event to the subscriber if it is new and matches; true when it did. */
  const deliver = (event: GatewayEvent<T>): boolean => {
    if (event.id <= last) return false;
    last = event.id;
    if (subjects && !subjects.has(event.subject ?? '')) return false;
    if (options.match && !options.match(event)) return false;
    if (delivered) delivered[topic] += 1;
    stream.push(event);
    return true;
  };

  const run = async () => {
    let buffered: Array<GatewayEvent<T>> = [];
    let replaying = true;
    // Set when buffered live events were dropped during replay: they are in the store, so the replay must read once
    // more after the drop before it may stop.
    let dropped = false;
    const handle = await feed.listen(topic, (event) => {
      if (!replaying) {
        deliver(event);
        return;
      }
      buffered.push(event);
      // Every event the feed hands out is already stored: rather than buffer without end while a long replay runs,
      // drop the buffer and let the replay read those events from the store.
      if (buffered.length > queueLimit) {
        buffered = [];
        dropped = true;
      }
    });
    stopListening = handle.close;
    if (closed) return handle.close();
    const from = options.after ?? handle.from;
    const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (options.after !== null) {
      // Throws EVENT_ID_AHEAD / EVENT_ID_EXPIRED: run() ends the stream with it (a GraphQL error, socket kept).
      await checkResumePoint(store, topic, options.after, retentionDays);
      if (await furtherBackThan(store, topic, options.after, handle.from, limits.maxReplayEvents)) {
        stream.end(new ReplayLimitError(limits.maxReplayEvents));
        return;
      }
    }
    last = from;
    let replayed = 0;
    const filter = subjects ? { subjects: [...subjects] } : {};
    while (!closed) {
      await stream.drained();
      if (closed) break;
      const release = await replaySlots.acquire();
      let page: Array<GatewayEvent<T>>;
      try {
        if (closed) break;
        dropped = false;
        page = await store.events.eventsAfter(topic, last, filter, pageSize);
        // deliver() moves `last` past every event read, matching or not, so the next page continues after this one.
        for (const event of page) if (deliver(event)) replayed += 1;
        // The consumer executes and writes what it can of the page in this turn; I/O and others come next turn.
        await nextTurn();
      } finally {
        release();
      }
      if (page.length < pageSize && !dropped) {
        // Pruning raises a topic's mark before it deletes: a mark still at or below `after` now means nothing after
        // it was deleted before any page above was read. (Only an `after` at the retention's edge can meet a prune
        // here.) Live events dropped during this read send the replay round once more.
        if (options.after !== null) await checkResumePoint(store, topic, options.after, retentionDays);
        if (!dropped) break;
      }
    }
    replaying = false;
    if (options.after !== null) metrics?.replayed(topic, replayed);
    for (const event of buffered.splice(0)) deliver(event);
  };
  run().catch((error: unknown) => stream.end(error));
  return stream;
}
