import { EventIdAheadError, EventIdExpiredError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { EventTopic } from './types.ts';

/**
 * Whether a subscriber may resume on `topic` after the event id `after` (docs/events.md, "Retention"):
 *
 * - **Ahead.** Ids come from one sequence over every topic, so no event id a client was ever shown can be above the
 *   newest id of the whole table (pending events included: they are stored, and the newest event of every topic is
 *   never pruned). An `after` above it came from another store (a restore, a new deployment); accepting it would
 *   silently drop every live event up to it, so it is refused with EVENT_ID_AHEAD carrying the newest id.
 * - **Expired.** Pruning records per topic the highest id it deleted (`pruned_through`). An `after` below it has
 *   events right after it that are gone: replaying would leave a gap, so it is refused with EVENT_ID_EXPIRED carrying
 *   the oldest event still stored above the watermark. `after` equal to the watermark (or above) misses nothing.
 *
 * One read (`events.bounds`), so it costs a resume one round trip.
 */
export async function checkResumePoint(store: Store, topic: EventTopic, after: number, retentionDays: number): Promise<void> {
  const bounds = await store.events.bounds(topic);
  if (after > bounds.newestId) throw new EventIdAheadError(bounds.newestId);
  if (after < bounds.prunedThrough) throw new EventIdExpiredError(bounds.oldestId, retentionDays);
}
