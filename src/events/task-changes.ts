import type { CallbackIngestor } from '../callbacks/ingest.ts';
import type { Logger } from '../logger.ts';
import type { GatewayEvent, TaskStatusName, TaskStatusPayload } from './types.ts';

/**
 * The task-status events the gateway appends for its own changes (source 'mutation'): creation, startTask, pauseTask,
 * endTask, deleteTask, of either kind. They take the callbacks' path (reconcile.ts does the same for hang-ups):
 * appended to the event log, projected (a predictive task's status is written by the projection, so the event and
 * `task { status }` agree), settled, published. See docs/events.md, "Task-status events".
 *
 * Dedupe keys name the change, not the request, so a retried mutation is one event:
 * - a predictive start/pause/end: the task, the status it left and when it got it (statusChangedAt), the status asked
 *   for. A retry after the first attempt was stored finds the task already there and appends nothing; a retry after a
 *   crash between the PBX's answer and the append has the same key as the lost attempt;
 * - an AI start/pause: the status read before the command, the status asked for, and the request (the platform has no
 *   version a key could name: its `changedAt` is coarse and often absent). A retry finds the task already in the
 *   status it asked for and appends nothing; two identical commands racing each other may both append;
 * - a creation or deletion: the task (each happens once).
 */
export interface TaskChange {
  kind: 'PREDICTIVE' | 'AI';
  taskId: string;
  status: TaskStatusName | 'DELETED';
  /** The parts that name this change (see above), joined into the dedupe key. */
  key: ReadonlyArray<string | number>;
  /** Who made it: a mutation (default) or the abandon-rate guard. */
  source?: 'mutation' | 'guard';
  /** AI tasks: the status read before the command (null: new, or not read). */
  previous?: TaskStatusName | null;
}

function keyOf(parts: ReadonlyArray<string | number>): string {
  return parts.map((p) => encodeURIComponent(String(p))).join('|');
}

/**
 * Appends, settles and publishes the change. Returns the settled event (null when it was a duplicate, or its projection
 * failed: then catch-up settles and publishes it). A failure to store is logged and swallowed: the platform already
 * carried the command out, so the mutation reports success; the event is then missing (docs/events.md).
 */
export async function recordTaskChange(ingestor: CallbackIngestor, logger: Logger, change: TaskChange): Promise<GatewayEvent | null> {
  const payload: TaskStatusPayload = {
    taskId: change.taskId,
    companyCode: null,
    status: change.status,
    statusCode: change.status,
    kind: change.kind,
    source: change.source ?? 'mutation',
    ...(change.kind === 'AI' ? { previous: change.previous ?? null } : {}),
  };
  try {
    const result = await ingestor.ingest({
      topic: 'task-status',
      dedupeKey: keyOf(['mutation', change.kind, change.taskId, ...change.key]),
      subject: change.taskId,
      occurredAt: null,
      payload,
    });
    if (result.event) ingestor.publish(result.event);
    return result.event;
  } catch (error) {
    logger.error(`task ${change.taskId}: status ${change.status} was set but its task-status event could not be stored`, error);
    return null;
  }
}
