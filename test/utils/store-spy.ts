import type { EventRepository, Store } from '../../src/store/index.ts';

/**
 * A Store whose event repository has some methods replaced (the rest pass through to the real one): how a test sees,
 * orders or fails the reads the event feed, replay and ingestion make, over a real database.
 */
export function withEvents(store: Store, overrides: (real: EventRepository) => Partial<EventRepository>): Store {
  const real = store.events;
  const replaced = overrides(real);
  const events = new Proxy(real, {
    get(target, key, receiver) {
      if (key in replaced) return replaced[key as keyof EventRepository];
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return withRepository(store, 'events', events);
}

/** A Store with one repository swapped for another object (the rest, and `db`, are the real store's). */
export function withRepository<K extends keyof Store>(store: Store, name: K, value: Store[K]): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === name) return value;
      const found: unknown = Reflect.get(target, key, receiver);
      return typeof found === 'function' ? found.bind(target) : found;
    },
  });
}
