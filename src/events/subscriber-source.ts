import { filter, pipe } from 'graphql-yoga';

/**
 * What lets a transport run a subscription's events once per group of alike subscribers (src/server/shared-execution.ts)
 * instead of once per subscriber, while every subscriber keeps its own stream (its `after` replay, gap-free,
 * exactly-once, overflow bounds).
 *
 * Two hooks, both keyed by the operation's context object:
 * - capture: a Subscription field's subscribe resolver records the event stream it made (and the filter applied on
 *   top of it), so the transport can pull that subscriber's events itself rather than through graphql's per-event
 *   execution.
 * - override: the transport runs a subscription whose context is marked with a stream: the resolver then hands that
 *   stream to graphql as it is and does nothing else (the checks were made when the subscriber subscribed). That is
 *   how a group's one execution pipeline is fed, and how a subscriber's failure is turned into exactly the error the
 *   ordinary pipeline gives (masked, coded).
 * Over HTTP (SSE) neither is used: the resolver's stream goes to graphql as before.
 */

/** A subscriber's own events and the condition an event must meet to be sent (e.g. queue membership now). */
export interface CapturedSource<T = unknown> {
  stream: AsyncIterableIterator<T>;
  keep?: (event: T) => boolean | Promise<boolean>;
}

const captured = new WeakMap<object, CapturedSource>();
const overrides = new WeakMap<object, AsyncIterable<unknown>>();

/** Marks a context: its subscription's resolver returns `stream` instead of opening one. */
export function overrideSource(context: object, stream: AsyncIterable<unknown>): void {
  overrides.set(context, stream);
}

/** The source a subscribe resolver recorded for this context (taken: the registry keeps no reference). */
export function takeCapturedSource(context: object): CapturedSource | undefined {
  const source = captured.get(context);
  captured.delete(context);
  return source;
}

/**
 * The body of a Subscription field's `subscribe`: `open` makes the subscriber's stream (and checks its arguments); the
 * stream is recorded for the transport and returned to graphql (filtered by `keep`). A context marked by
 * overrideSource gets its marked stream without `open` running.
 */
export function subscriberSource<T>(
  ctx: object,
  open: () => CapturedSource<T> | Promise<CapturedSource<T>>,
): AsyncIterable<T> | Promise<AsyncIterable<T>> {
  const override = overrides.get(ctx);
  if (override) return override as AsyncIterable<T>;
  const finish = (source: CapturedSource<T>): AsyncIterable<T> => {
    captured.set(ctx, source as CapturedSource);
    const keep = source.keep;
    return keep ? pipe(source.stream, filter((event: T) => keep(event))) : source.stream;
  };
  const opened = open();
  return opened instanceof Promise ? opened.then(finish) : finish(opened);
}
