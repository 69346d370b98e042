import type { CallbackIngestor } from '../callbacks/ingest.ts';
import type { StatisticsConfig } from '../config.ts';
import type { EventFeed } from '../events/feed.ts';
import type { TaskChange } from '../events/task-changes.ts';
import type { EventTopic, GatewayEvent } from '../events/types.ts';
import type { Logger } from '../logger.ts';
import type { Projected, Store } from '../store/index.ts';
import { inTransaction } from '../store/transaction-scope.ts';
import type { SipClient } from '../upstream/sip/client.ts';
import { type AbandonGuard, createAbandonGuard } from './guard.ts';
import { type LiveStatistics, createLiveStatistics } from './live.ts';
import { type StatisticsProjection, createStatisticsProjection } from './projection.ts';

/**
 * Call-centre statistics (docs/statistics.md): the projection the ingestor runs after each settle, the abandon-rate
 * guard, the coalesced live updates, and backfills from GetBill.
 */
export interface Statistics {
  readonly projection: StatisticsProjection;
  readonly guard: AbandonGuard;
  readonly live: LiveStatistics;
  /** EVENT_RETENTION_DAYS in ms: a backfill window must lie within it. */
  readonly retentionMs: number;
  /** Reads GetBill for the window, merges the rows into the stored call records and counts what was missing. */
  backfill(from: Date, to: Date): Promise<BackfillResult>;
  close(): void;
}

export interface BackfillResult {
  /** Records GetBill returned. */
  records: number;
  /** Of those, calls whose figures changed (missed callbacks, or a bill that completed a record). */
  changed: number;
  pages: number;
  /** False when the page cap stopped it: backfill shorter windows. */
  complete: boolean;
}

export interface StatisticsOptions {
  config: StatisticsConfig;
  store: Store;
  sip: SipClient | null;
  feed: EventFeed;
  /** Given lazily: the ingestor is built with the projection as its `afterSettle`. */
  ingestor: () => CallbackIngestor;
  recordTaskChange: (change: TaskChange) => Promise<unknown>;
  logger: Logger;
  /** EVENT_RETENTION_DAYS in ms: older calls are neither counted nor backfilled. */
  retentionMs: number;
}

/** GetBill's largest page. */
export const BACKFILL_PAGE_SIZE = 1_000;
/** Pages one backfill reads at most (what its mutation declares as its cost). */
export const BACKFILL_MAX_PAGES = 50;

export function createStatistics(options: StatisticsOptions): Statistics {
  const { store, logger } = options;
  const guard = createAbandonGuard({
    store,
    sip: options.sip,
    ingestor: options.ingestor,
    recordTaskChange: options.recordTaskChange,
    logger,
  });
  const projection = createStatisticsProjection({
    store,
    classify: options.config,
    retentionMs: options.retentionMs,
    onAnsweredCall: (taskId) => guard.check(taskId),
  });
  const live = createLiveStatistics({ feed: options.feed, logger });
  guard.start();

  return {
    projection,
    guard,
    live,
    retentionMs: options.retentionMs,
    async backfill(from, to) {
      const sip = options.sip;
      if (!sip) throw new Error('backfill needs the SIP API');
      let records = 0;
      let changed = 0;
      let pages = 0;
      for (let page = 1; page <= BACKFILL_MAX_PAGES; page++) {
        const result = await sip.getBills({ from, to, page, pageSize: BACKFILL_PAGE_SIZE });
        pages++;
        records += result.bills.length;
        if (result.bills.length > 0) {
          changed += await inTransaction(store.db, store.dialect, () => projection.applyBills(result.bills));
        }
        if (result.bills.length < BACKFILL_PAGE_SIZE || page * BACKFILL_PAGE_SIZE >= result.total) {
          return { records, changed, pages, complete: true };
        }
      }
      // What was read is counted; backfilling the same window again is safe (a backfill is idempotent).
      return { records, changed, pages, complete: false };
    },
    close() {
      guard.close();
      live.close();
    },
  };
}

/** For ingest.ts's `afterSettle`. */
export const projectInto = (statistics: Statistics | null) =>
  statistics ? (event: GatewayEvent, projected: Projected<EventTopic>) => statistics.projection.apply(event, projected) : undefined;
