import type { EventTopic, GatewayEvent } from '../events/types.ts';
import type { Projected, Store, StoredCallRecord } from '../store/index.ts';
import type { Bill } from '../upstream/sip/types.ts';
import { type CallFact, type ClassifyOptions, StatDim, classifyCall, isPredictive, sameFact } from './classify.ts';

/**
 * The statistics projection: what each settled event adds to the counters (src/store/statistics.ts). It runs in the
 * transaction that settled the event, once per event (ingest.ts `afterSettle`), so a crash loses nothing and counts
 * nothing twice; GetBill backfills go through `applyBills`, which is idempotent per call (a fact is replaced, and
 * only the difference is counted). docs/statistics.md has the rules.
 */

export interface StatisticsProjection {
  /** For ingest.ts: the settled event's contribution (`projected`: what its projection made, e.g. the merged record). */
  apply(event: GatewayEvent, projected?: Projected<EventTopic>): Promise<void>;
  /**
   * Merges GetBill rows into the stored records and classifies them again (a backfill); returns how many calls' facts
   * changed. Call it inside a transaction: the call-record topic's lock is taken first (PostgreSQL), before any row
   * lock, in the order every ingestion takes them, so the two never wait on each other in a cycle.
   */
  applyBills(bills: readonly Bill[]): Promise<number>;
}

export interface StatisticsProjectionOptions {
  store: Store;
  classify: ClassifyOptions;
  /**
   * Calls that began longer ago than this are not counted: their detail rows are pruned with the events
   * (EVENT_RETENTION_DAYS), so a late record of one could not be told from a new call.
   */
  retentionMs?: number;
  now?: () => number;
  /** Called inside the transaction when a task's call the customer answered was counted: the guard checks it. */
  onAnsweredCall?: (taskId: string) => Promise<void>;
}

/** Longest outcome label kept (longer ones are cut). */
const MAX_OUTCOME_LENGTH = 64;

const STATE_OF = { ring: 'ringing', answer: 'talking', hangup: 'idle' } as const;

export function createStatisticsProjection(options: StatisticsProjectionOptions): StatisticsProjection {
  const { store } = options;
  const stats = store.statistics;
  const now = options.now ?? Date.now;

  async function applyRecord(record: StoredCallRecord): Promise<boolean> {
    const startedAt = record.startedAt?.getTime() ?? null;
    if (startedAt !== null && startedAt < now() - (options.retentionMs ?? Infinity)) return false;
    const link =
      startedAt !== null && isPredictive(record)
        ? await stats.linkOf({ customerId: record.customerId, destinationNumber: record.destinationNumber, startedAt })
        : null;
    const fact: CallFact | null = classifyCall(record, link, options.classify);
    const before = await stats.applyCall(record.key, fact);
    const changed = !sameFact(before, fact);
    if (changed && fact?.taskId && fact.customerAnswered && options.onAnsweredCall) await options.onAnsweredCall(fact.taskId);
    return changed;
  }

  async function applyAgentStatus(event: GatewayEvent<'agent-status'>): Promise<void> {
    const current = event.effect?.current;
    if (!event.applied || !current) return;
    const previous = event.effect?.previous ?? null;
    const sameCall = previous !== null && previous.callUuid === current.callUuid;
    const rang = sameCall && previous.status === 'ring';
    // Offers are counted with the transition (one statement): a ring of a new call, and how a ring ended.
    const offers = {
      rung: current.status === 'ring' && !rang ? 1 : 0,
      answered: current.status === 'answer' && rang ? 1 : 0,
      missed: current.status === 'hangup' && rang ? 1 : 0,
    };
    await stats.agentEntered(event.payload.extension, STATE_OF[current.status], Date.parse(current.changedAt), event.id, offers);
  }

  /** An AI call ended: its task's calls, answered calls and talk time, and its outcome label. */
  async function applyAiCall(event: GatewayEvent<'aicall-notify'>): Promise<void> {
    const p = event.payload;
    if (!p.taskId) return;
    const reported = Date.parse(p.startedAt ?? p.endedAt ?? event.receivedAt);
    const at = Number.isFinite(reported) ? reported : Date.parse(event.receivedAt);
    const answered = p.answeredAt !== null || (p.talkSeconds ?? 0) > 0;
    const talk = answered && p.talkSeconds !== null && Number.isFinite(p.talkSeconds) ? Math.max(0, Math.round(p.talkSeconds)) : 0;
    await stats.addCounts(StatDim.AiTask, p.taskId, at, { dialled: 1, connected: answered ? 1 : 0, talk_s: talk });
    const outcome = p.outcome?.trim().slice(0, MAX_OUTCOME_LENGTH);
    if (outcome) await stats.addAiOutcome(p.taskId, outcome);
  }

  return {
    async apply(event, projected) {
      if (event.topic === 'agent-status') return applyAgentStatus(event as GatewayEvent<'agent-status'>);
      if (event.topic === 'aicall-notify') return applyAiCall(event as GatewayEvent<'aicall-notify'>);
      if (event.topic !== 'call-record') return;
      const key = (event as GatewayEvent<'call-record'>).effect?.recordKey;
      if (!key) return;
      // The topic's lock is held: an ingestion took it at the insert, catch-up before settling (ingest.ts).
      const record = projected?.record?.key === key ? projected.record : await store.callRecords.get(key);
      if (record) await applyRecord(record);
    },

    async applyBills(bills) {
      // A backfill inserts no event: it takes the call-record topic's lock itself, before any row lock.
      await store.events.lockTopic('call-record');
      const records = await store.callRecords.upsertFromBills(bills);
      let changed = 0;
      for (const record of records) if (await applyRecord(record)) changed++;
      return changed;
    },
  };
}
