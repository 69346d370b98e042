/**
 * Event ids are decimal strings (one increasing sequence per store, past 2^53 one day): compared as numbers without
 * converting, by length first (no leading zeros) and then digit by digit.
 */
export function compareEventIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The larger of two ids; null counts as below every id. */
export function maxEventId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareEventIds(a, b) >= 0 ? a : b;
}

/**
 * Where a topic's subscription resumes (docs/events.md, "Resume points"): the horizon read before the state was
 * loaded, then the highest eventId received since. Read at every (re)subscription attempt, so a reconnect asks only
 * for what it has not seen.
 */
export class TopicCursor {
  #last: string | null;

  constructor(horizon: string | null) {
    this.#last = horizon;
  }

  /** `after` for the next subscription: "0" when the topic had no event at all when the state was loaded. */
  get after(): string {
    return this.#last ?? '0';
  }

  get last(): string | null {
    return this.#last;
  }

  /** Records a received event; false when it is not past the cursor (a repeat). */
  advance(eventId: string): boolean {
    if (this.#last !== null && compareEventIds(eventId, this.#last) <= 0) return false;
    this.#last = eventId;
    return true;
  }
}
