import type { Store } from '../../src/store/index.ts';

/** Stored callback events: a refused callback must leave it unchanged. */
export async function eventCount(store: Store): Promise<number> {
  const row = await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
