import DataLoader from 'dataloader';
import { chunk } from './batch.ts';

/**
 * A DataLoader that can also be filled ahead of the fields that read it, and read synchronously once filled.
 *
 * Why: a 200-agent wallboard resolves ~4,000 fields. Through `.load()` every status field of every agent is a promise,
 * and the status calls can only start once `agents` has listed the page (two round trips, three with the seats'
 * queues). `agents` knows which fields are selected, and often which extensions: it starts the batch itself
 * (`prefetch`), waits for it, and the fields then read their value with `peek` and return it without a promise
 * (graphql-js completes a synchronous subtree far more cheaply). A field the prefetch did not cover still goes through
 * `.load()`, which serves what the prefetch knows and fetches only the rest, so the upstream calls stay one per kind per
 * chunk.
 *
 * A failed prefetch call stores its error for the keys of that call: their fields fail (null with the error on their
 * path, docs/api.md "Partial results"), other kinds and other chunks are untouched, and a later `.load()` of the same
 * key in the request gets the same error instead of a second call. `clear`/`clearAll` (after a seat command) forget
 * the prefetched values too.
 */
export class PrefetchLoader<V> extends DataLoader<string, V> {
  private readonly store: PrefetchStore<V>;

  constructor(store: PrefetchStore<V>) {
    super((keys) => store.batch(keys));
    this.store = store;
  }

  /** What a settled prefetch (or primeAll) knows for the key: the value, its error, or undefined (use `.load()`). */
  peek(key: string): V | Error | undefined {
    return this.store.peek(key);
  }

  /** Fetches these keys now (one upstream call per chunk) unless already known; never rejects. */
  prefetch(keys: readonly string[]): Promise<void> {
    return this.store.prefetch(keys);
  }

  /** The whole list is known (e.g. every queue from one GetQueueList): a key not in it is `missing(key)`. */
  primeAll(rows: ReadonlyMap<string, V>): void {
    this.store.primeAll(rows);
  }

  /** Fetches the whole list now (one call) unless known or in flight; never rejects. */
  prefetchAll(fetchAll: () => Promise<ReadonlyMap<string, V>>): Promise<void> {
    return this.store.prefetchAll(fetchAll);
  }

  override clear(key: string): this {
    this.store.forget(key);
    return super.clear(key);
  }

  override clearAll(): this {
    this.store.forgetAll();
    return super.clearAll();
  }
}

/** The value now if it is known, else the loader's promise; a known error is thrown (the field fails, not the request). */
export function valueOrLoad<V>(loader: PrefetchLoader<V>, key: string): V | Promise<V> {
  const known = loader.peek(key);
  if (known === undefined) return loader.load(key);
  if (known instanceof Error) throw known;
  return known;
}

export interface PrefetchSource<V> {
  /** Chunk size of one upstream call (SIP_LIST_CHUNK_SIZE), or Infinity for a call that always answers everything. */
  size: number;
  /** One upstream call for these keys: what it answered, by key (straight into the store, no per-key array). */
  fetch: (keys: string[]) => Promise<ReadonlyMap<string, V>>;
  /** A key the answer left out: its Error (NotFoundError) or an empty value (no seats). */
  absent: (key: string) => V | Error;
}

/** A prefetch in flight: a batch for one of its keys waits for it instead of asking again. */
interface Pending {
  keys: ReadonlySet<string>;
  done: Promise<void>;
}

/** The per-request memory behind a PrefetchLoader. */
export class PrefetchStore<V> {
  private readonly known = new Map<string, V | Error>();
  /** Prefetches in flight (a handful per request, so a list: no map entry per key). */
  private pending: Pending[] = [];
  /** Bumped by forget/forgetAll: an answer from before a clear() (a seat command) is not stored. */
  private generation = 0;
  /** Set by primeAll: every key not in `known` is missing. */
  private complete = false;
  /** A whole-list prefetch in flight, or its failure (every key's error). */
  private pendingAll: Promise<void> | null = null;
  private failedAll: Error | null = null;

  constructor(
    private readonly source: PrefetchSource<V>,
    private readonly missing?: (key: string) => Error,
  ) {}

  peek(key: string): V | Error | undefined {
    const value = this.known.get(key);
    if (value !== undefined) return value;
    if (this.failedAll) return this.failedAll;
    return this.complete && this.missing ? this.missing(key) : undefined;
  }

  primeAll(rows: ReadonlyMap<string, V>): void {
    for (const [key, value] of rows) this.known.set(key, value);
    this.complete = true;
  }

  forget(key: string): void {
    this.known.delete(key);
    this.reset();
  }

  forgetAll(): void {
    this.known.clear();
    this.reset();
  }

  private reset(): void {
    this.generation += 1;
    this.pending = [];
    this.complete = false;
    this.failedAll = null;
    this.pendingAll = null;
  }

  /**
   * Fetches the whole list now (one call), e.g. every queue while the agents are listed; never rejects. A failure is
   * every key's error, as a failed list call is for each `.load()` waiting on it.
   */
  prefetchAll(fetchAll: () => Promise<ReadonlyMap<string, V>>): Promise<void> {
    if (this.complete || this.failedAll) return Promise.resolve();
    if (this.pendingAll) return this.pendingAll;
    const done = fetchAll().then(
      (rows) => {
        if (this.pendingAll === done) this.primeAll(rows);
      },
      (error: unknown) => {
        if (this.pendingAll === done) this.failedAll = error instanceof Error ? error : new Error(String(error));
      },
    );
    this.pendingAll = done;
    return done;
  }

  prefetch(keys: readonly string[]): Promise<void> {
    const wanted = new Set<string>();
    const waits: Array<Promise<void>> = [];
    for (const key of keys) {
      if (wanted.has(key) || this.peek(key) !== undefined) continue;
      const inFlight = this.inFlight(key);
      if (inFlight) waits.push(inFlight);
      else wanted.add(key);
    }
    if (wanted.size > 0) {
      const entry: Pending = { keys: wanted, done: this.fill([...wanted]) };
      this.pending.push(entry);
      void entry.done.then(() => {
        this.pending = this.pending.filter((other) => other !== entry);
      });
      waits.push(entry.done);
    }
    return Promise.all(waits).then(() => undefined);
  }

  private inFlight(key: string): Promise<void> | undefined {
    for (const entry of this.pending) if (entry.keys.has(key)) return entry.done;
    return undefined;
  }

  /** The DataLoader batch: known keys from memory, keys in flight after their prefetch, the rest fetched now. */
  async batch(keys: readonly string[]): Promise<Array<V | Error>> {
    const waits = new Set<Promise<void>>();
    if (this.pendingAll) waits.add(this.pendingAll);
    if (this.pending.length > 0) {
      for (const key of keys) {
        const wait = this.inFlight(key);
        if (wait) waits.add(wait);
      }
    }
    if (waits.size > 0) await Promise.all(waits);
    const rest = keys.filter((key) => this.peek(key) === undefined);
    if (rest.length === 0) return keys.map((key) => this.peek(key) as V | Error);
    // Unlike the prefetch, a failed call rejects the whole batch, as DataLoader batches always did here (and
    // DataLoader does not cache rejections, so a later field may try again).
    const answers = await Promise.all(chunk(rest, this.source.size).map((part) => this.source.fetch(part)));
    const fresh = (key: string): V | Error | undefined => {
      for (const answer of answers) {
        const value = answer.get(key);
        if (value !== undefined) return value;
      }
      return undefined;
    };
    const asked = new Set(rest);
    return keys.map((key) => (asked.has(key) ? (fresh(key) ?? this.source.absent(key)) : (this.peek(key) as V | Error)));
  }

  private async fill(keys: string[]): Promise<void> {
    const generation = this.generation;
    await Promise.all(
      chunk(keys, this.source.size).map(async (part) => {
        let answer: ReadonlyMap<string, V> | null = null;
        let failure: Error | null = null;
        try {
          answer = await this.source.fetch(part);
        } catch (error) {
          failure = error instanceof Error ? error : new Error(String(error));
        }
        // A clear() meanwhile (a seat command) wins: the answer may predate it.
        if (generation !== this.generation) return;
        for (const key of part) this.known.set(key, failure ?? answer?.get(key) ?? this.source.absent(key));
      }),
    );
  }
}
