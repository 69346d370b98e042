import type { EventRepository, Store } from '../../src/store/index.ts';

/** A proxy of `real` with some members replaced (the rest bound to the real object). */
export function replacing<T extends object>(real: T, replaced: Partial<T>): T {
  return new Proxy(real, {
    get(target, key, receiver) {
      if (key in replaced) return replaced[key as keyof T];
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * A Store whose event repository has some methods replaced (the rest pass through to the real one): how a test sees,
 * orders or fails the reads the event feed, replay and ingestion make, over a real database.
 */
export function withEvents(store: Store, overrides: (real: EventRepository) => Partial<EventRepository>): Store {
  const real = store.events;
  return withRepository(store, 'events', replacing(real, overrides(real)));
}

/** A Store with one repository swapped for another object (the rest, and `db`, are the real store's). */
export function withRepository<K extends keyof Store>(store: Store, name: K, value: Store[K]): Store {
  return replacing(store, { [name]: value } as unknown as Partial<Store>);
}
