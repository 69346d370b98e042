import type { WallboardCallRecordFragment } from '../generated/graphql.ts';

/** The call feed: the newest records first, each call once (the same CallRecord.id from GetBill and from a push). */

export type CallRecordItem = WallboardCallRecordFragment;

export const FEED_SIZE = 20;

/** When the call ended (records are written as calls end), else when it started. */
function endedAt(record: CallRecordItem): number {
  const at = record.endedAt ?? record.startedAt;
  const ms = at ? Date.parse(at) : Number.NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

function newestFirst(a: CallRecordItem, b: CallRecordItem): number {
  return endedAt(b) - endedAt(a);
}

/** The newest `size` of a loaded page or pages (GetBill answers oldest first), by when they ended. */
export function newestRecords(records: readonly CallRecordItem[], size = FEED_SIZE): CallRecordItem[] {
  const seen = new Set<string>();
  const unique = records.filter((record) => (seen.has(record.id) ? false : (seen.add(record.id), true)));
  return unique.sort(newestFirst).slice(0, size);
}

/** Pushed records join the feed (a record already listed is replaced: merged fields); newest end first. */
export function pushRecords(feed: readonly CallRecordItem[], pushed: readonly CallRecordItem[], size = FEED_SIZE): CallRecordItem[] {
  const next = [...feed];
  for (const record of pushed) {
    const index = next.findIndex((item) => item.id === record.id);
    if (index >= 0) next[index] = record;
    else next.push(record);
  }
  // A stable sort: records ending in the same second keep the order they came in.
  return next.sort(newestFirst).slice(0, size);
}

/** The customer's number of a record: the callee of an outbound call, the caller of an inbound one. */
export function customerNumberOf(record: CallRecordItem): string | null {
  return record.direction === 'INBOUND' ? record.callerNumber : record.calleeNumber;
}
