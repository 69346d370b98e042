import type { CallRecordPayload, EventEffects, EventTopic } from '../events/types.ts';
import { type CallRecordInput, type StoredCallRecord, withoutNone } from './call-records.ts';
import type { StoredEvent } from './events.ts';
import { PredictiveTaskStatus } from './model.ts';
import type { Store } from './database.ts';

/**
 * What each topic's event does to the projections (agent_status, call_records, predictive_tasks), and the answer that
 * gets stored with the event (`applied`, `effect`). Every projection is idempotent: applying an event a second time,
 * as catch-up does after a crash between the insert and the settle, changes nothing more and reports the same effect
 * (see each repository for the one narrow case where it cannot).
 */

export interface Projected<T extends EventTopic> {
  applied: boolean;
  effect: EventEffects[T] | null;
  /** A call-record event: the row as merged (the statistics read it; not stored with the event). */
  record?: StoredCallRecord;
}

const date = (iso: string | null) => (iso === null ? null : new Date(iso));

/** A call-record callback in the store's terms, the platform's "0" for none as null (`withoutNone`). */
export function callRecordInputOf(p: CallRecordPayload): CallRecordInput {
  return withoutNone({
    recordId: p.recordId,
    uuid: p.uuid,
    extension: p.extension,
    destinationNumber: p.destinationNumber,
    displayNumber: p.displayNumber,
    direction: p.direction,
    callMethod: p.callMethod,
    startedAt: date(p.startedAt),
    answeredAt: date(p.answeredAt),
    endedAt: date(p.endedAt),
    waitSeconds: p.waitSeconds,
    talkSeconds: p.talkSeconds,
    userId: null,
    employeeId: p.employeeId,
    memberId: p.memberId,
    maturity: p.maturity,
    customerId: p.customerId,
    recordFileName: p.recordFileName,
    downloadIp: p.downloadIp,
    hangupDirection: p.hangupDirection,
    hangupCause: p.hangupCause,
    keysPressed: p.keysPressed,
    companyCode: p.companyCode,
  });
}

const TASK_STATUSES: ReadonlySet<string> = new Set(Object.values(PredictiveTaskStatus));

/**
 * A task-status event: the PBX's "finished" callback, or a change the gateway made (source 'mutation'). A predictive
 * task's status is written here, with the event's receipt time as the status time: that is also how a second
 * application recognises the first, and how `previous` is found again (the history row the first one wrote).
 * An AI task has no store: the event is applied as the gateway saw the change (its payload's `previous`).
 */
async function projectTaskStatus(store: Store, event: StoredEvent<'task-status'>): Promise<Projected<'task-status'>> {
  const { taskId, status } = event.payload;
  if (event.payload.kind === 'AI') {
    return { applied: true, effect: { known: true, status: status === 'DELETED' ? null : status, previous: event.payload.previous ?? null } };
  }
  const source = event.payload.source ?? 'callback';
  const mutation = source === 'mutation' || source === 'guard';
  const creation = mutation && status === PredictiveTaskStatus.NotStarted;
  if (creation || !TASK_STATUSES.has(status) || (!mutation && status !== PredictiveTaskStatus.Finished)) {
    // A creation was written with the task (insert); anything else here is a callback code the manual does not list.
    const task = await store.tasks.get(taskId);
    if (creation) return { applied: task !== null, effect: { known: task !== null, status: task?.status ?? null, previous: null } };
    return { applied: false, effect: { known: task !== null, status: task?.status ?? null, previous: task?.status ?? null } };
  }
  const at = new Date(event.receivedAt);
  const result = await store.tasks.setStatus(taskId, status as PredictiveTaskStatus, { source, at });
  if (!result) return { applied: false, effect: { known: false, status: null, previous: null } };
  const applied = result.changed || (result.task.status === status && result.task.statusChangedAt.getTime() === at.getTime());
  let previous: string | null = result.task.status;
  if (applied) {
    const history = await store.tasks.history(taskId);
    const row = history.findLast((change) => change.to === status && change.at.getTime() === at.getTime());
    previous = row?.from ?? null;
  }
  return { applied, effect: { known: true, status: result.task.status, previous } };
}

/** Applies one stored event to its projection; the result is what `store.events.settle` records. */
export async function projectEvent(store: Store, event: StoredEvent): Promise<Projected<EventTopic>> {
  switch (event.topic) {
    case 'agent-status':
      return store.agentStatus.apply(event as StoredEvent<'agent-status'>);
    case 'call-record': {
      const record = await store.callRecords.upsertFromCallback(callRecordInputOf((event as StoredEvent<'call-record'>).payload), event.id);
      return { applied: true, effect: { recordKey: record.key }, record };
    }
    case 'task-status':
      return projectTaskStatus(store, event as StoredEvent<'task-status'>);
    case 'aicall-notify':
    case 'abandon-guard':
      // Kept as received; no projection of these (the statistics read the call records).
      return { applied: true, effect: null };
  }
}
