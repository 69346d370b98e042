import DataLoader from 'dataloader';
import { type NotFoundEntity, NotFoundError } from '../errors.ts';

/** Splits a key list into upstream-sized chunks (the SIP status calls take comma lists of bounded length). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Puts rows back in key order, as DataLoader requires: one value per key, an Error (not a throw) for a key the
 * upstream did not answer, so one missing agent fails only its own field. `what` names it in the message when the
 * entity alone is not precise ("Agent call status").
 */
export function byKey<K, V>(keys: readonly K[], rows: Iterable<V>, keyOf: (row: V) => K, entity: NotFoundEntity, what?: string): Array<V | Error> {
  const found = new Map<K, V>();
  for (const row of rows) found.set(keyOf(row), row);
  return keys.map((key) => found.get(key) ?? new NotFoundError(entity, String(key), what));
}

/** Like byKey, for one-to-many: keys without rows get an empty list. */
export function groupByKey<K, V>(keys: readonly K[], rows: Iterable<V>, keyOf: (row: V) => K): V[][] {
  const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

/**
 * A DataLoader whose batch function gets keys in chunks of `size`, one upstream call per chunk, in parallel.
 * Key order is kept across chunks.
 */
export function chunkedLoader<K, V>(
  size: number,
  load: (keys: K[]) => Promise<Array<V | Error>>,
): DataLoader<K, V> {
  return new DataLoader<K, V>(async (keys) => (await Promise.all(chunk(keys, size).map(load))).flat());
}

/** A loader's answers for node(): unknown ids are null, anything else that failed is an error. */
export async function loadNodes<K, V>(loader: DataLoader<K, V>, keys: readonly (K | null)[]): Promise<Array<V | null>> {
  const known = keys.filter((key): key is K => key !== null);
  const values = await loader.loadMany(known);
  const byKey = new Map<K, V | null>();
  known.forEach((key, i) => {
    const value = values[i];
    if (value instanceof NotFoundError || value === undefined) byKey.set(key, null);
    else if (value instanceof Error) throw value;
    else byKey.set(key, value);
  });
  return keys.map((key) => (key === null ? null : (byKey.get(key) ?? null)));
}

/** A resource by id for a nested field: null when the platform no longer lists it. */
export async function loadOrNull<K, V>(loader: DataLoader<K, V>, key: K): Promise<V | null> {
  try {
    return await loader.load(key);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
