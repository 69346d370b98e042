/**
 * Actions due at simulated instants, run in (time, insertion) order: the same inputs always run in the same order,
 * which is what makes a seeded run repeatable. A binary heap; cancelled entries are skipped when they surface.
 */
export interface ScheduledAction {
  readonly at: number;
  /** Stops it from running (a no-op once it ran). */
  cancel(): void;
}

interface Entry {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

export class Scheduler {
  readonly #heap: Entry[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  at(at: number, run: () => void): ScheduledAction {
    const entry: Entry = { at, seq: this.#seq++, run, cancelled: false };
    this.#push(entry);
    return {
      at,
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** When the earliest live action is due; Infinity when none is. */
  nextAt(): number {
    this.#dropCancelled();
    return this.#heap[0]?.at ?? Infinity;
  }

  /** Takes the earliest live action due at or before `now`, or null. */
  takeDue(now: number): Entry | null {
    this.#dropCancelled();
    const top = this.#heap[0];
    if (!top || top.at > now) return null;
    this.#pop();
    return top;
  }

  clear(): void {
    this.#heap.length = 0;
  }

  #dropCancelled(): void {
    while (this.#heap[0]?.cancelled) this.#pop();
  }

  #less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry;
      if (!this.#less(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = last;
      let at = -1;
      const l = heap[left];
      const r = heap[right];
      if (l && this.#less(l, smallest)) {
        smallest = l;
        at = left;
      }
      if (r && this.#less(r, smallest)) {
        smallest = r;
        at = right;
      }
      if (at < 0) break;
      heap[i] = smallest;
      i = at;
    }
    heap[i] = last;
  }
}
