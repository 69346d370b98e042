import type { GatewayContext } from '../context.ts';
import { forgetQueueMembers } from '../events/queue-membership.ts';

/**
 * A seat command was sent (whatever its answer: a refused one may have changed something too): what this request
 * read of seats is dropped, and `agentStatusChanged(queue:)` re-reads these queues' members on their next event.
 */
export function seatsChanged(ctx: GatewayContext, queues: Iterable<string>): void {
  ctx.loaders.seatsByExtension.clearAll();
  ctx.loaders.seatsByQueue.clearAll();
  if (ctx.sip) forgetQueueMembers(ctx.sip, queues);
}
