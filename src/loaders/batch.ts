import DataLoader from 'dataloader';
import { NotFoundError } from '../errors.ts';

/** Splits a key list into upstream-sized chunks (the SIP status calls take comma lists of bounded length). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Puts rows back in key order, as DataLoader requires: one value per key, an Error (not a throw) for a key the
 * upstream did not answer, so one missing agent fails only its own field.
 */
export function byKey<K, V>(keys: readonly K[], rows: Iterable<V>, keyOf: (row: V) => K, entity: string): Array<V | Error> {
  const found = new Map<K, V>();
  for (const row of rows) found.set(keyOf(row), row);
  return keys.map((key) => found.get(key) ?? new NotFoundError(entity, String(key)));
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
