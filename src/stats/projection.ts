import { sql } from 'kysely';
import type { GatewayEvent } from '../events/types.ts';
import type { Store, StoredCallRecord } from '../store/index.ts';
import { EVENT_TOPICS } from '../events/types.ts';
import { ambient } from '../store/transaction-scope.ts';
import { type CallFact, type ClassifyOptions, StatDim, classifyCall, isPredictive, sameFact } from './classify.ts';

/**
 * The statistics projection: what each settled event adds to the counters (src/store/statistics.ts). It runs in the
 * transaction that settled the event, once per event (ingest.ts `afterSettle`), so a crash loses nothing and counts
 * nothing twice; GetBill backfills go through `applyRecords`, which is idempotent per call (a fact is replaced, and
 * only the difference is counted). docs/statistics.md has the rules.
 */

export interface StatisticsProjection {
  /** For ingest.ts: the settled event's contribution. */
  apply(event: GatewayEvent): Promise<void>;
  /** Classifies stored call records again (a backfill from GetBill); returns how many changed a fact. */
  applyRecords(records: readonly StoredCallRecord[]): Promise<number>;
}

export interface StatisticsProjectionOptions {
  store: Store;
  classify: ClassifyOptions;
  /** Called inside the transaction when a task's call the customer answered was counted: the guard checks it. */
  onAnsweredCall?: (taskId: string) => Promise<void>;
}

/** The same advisory lock as the call-record topic's inserts (store/events.ts): one writer of a call's fact at a time. */
const EVENT_LOCK_CLASS = 0x47574556;
const CALL_RECORD_TOPIC_INDEX = EVENT_TOPICS.indexOf('call-record');

const STATE_OF = { ring: 'ringing', answer: 'talking', hangup: 'idle' } as const;

export function createStatisticsProjection(options: StatisticsProjectionOptions): StatisticsProjection {
  const { store } = options;
  const stats = store.statistics;

  async function lockCalls(): Promise<void> {
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${EVENT_LOCK_CLASS}, ${CALL_RECORD_TOPIC_INDEX})`.execute(ambient(store.db));
  }

  async function applyRecord(record: StoredCallRecord): Promise<boolean> {
    const startedAt = record.startedAt?.getTime() ?? null;
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
    const extension = event.payload.extension;
    const sameCall = previous !== null && previous.callUuid === current.callUuid;
    // Counted at the leg's start (the moment its extension began ringing), so a window's offers and their answers agree.
    const at = Date.parse(current.callStartedAt);
    if (current.status === 'ring' && !(sameCall && previous.status === 'ring')) {
      await stats.addCounts(StatDim.Agent, extension, at, { rung: 1 });
    } else if (current.status === 'answer' && sameCall && previous.status === 'ring') {
      await stats.addCounts(StatDim.Agent, extension, at, { rung_answered: 1 });
    } else if (current.status === 'hangup' && sameCall && previous.status === 'ring') {
      await stats.addCounts(StatDim.Agent, extension, at, { rung_missed: 1 });
    }
    await stats.agentEntered(extension, STATE_OF[current.status], Date.parse(current.changedAt), event.id);
  }

  return {
    async apply(event) {
      if (event.topic === 'agent-status') return applyAgentStatus(event as GatewayEvent<'agent-status'>);
      if (event.topic !== 'call-record') return;
      const key = (event as GatewayEvent<'call-record'>).effect?.recordKey;
      if (!key) return;
      await lockCalls();
      const record = await store.callRecords.get(key);
      if (record) await applyRecord(record);
    },

    async applyRecords(records) {
      await lockCalls();
      let changed = 0;
      for (const record of records) if (await applyRecord(record)) changed++;
      return changed;
    },
  };
}
