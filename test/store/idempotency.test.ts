import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ClaimResult, Store } from '../../src/store/index.ts';
import { type TestDatabase, describeEachBackend } from '../utils/store-backends.ts';
import { createFakeClock } from './fixtures.ts';

const HOUR = 60 * 60_000;

describeEachBackend('idempotency keys on $name', (backend) => {
  let database: TestDatabase;
  let store: Store;
  const clock = createFakeClock();

  beforeEach(async () => {
    clock.set(Date.parse('2025-01-01T00:00:00.000Z'));
    database = await backend.create();
    store = await database.open({ now: clock.now });
  });
  afterEach(() => database.dispose());

  it('runs a key once, then replays the stored result', async () => {
    const keys = store.idempotency;
    expect(await keys.claim('createTask', 'k1', 'hash-a')).toEqual({ state: 'new' });
    expect(await keys.claim('createTask', 'k1', 'hash-a')).toEqual({ state: 'in-progress' });
    expect(await keys.complete('createTask', 'k1', { taskId: '2020', invalid: ['x'] })).toBe(true);
    expect(await keys.claim('createTask', 'k1', 'hash-a')).toEqual({ state: 'done', result: { taskId: '2020', invalid: ['x'] } });
    // A finished key is kept: completing or releasing it again does nothing.
    expect(await keys.complete('createTask', 'k1', 'other')).toBe(false);
    expect(await keys.release('createTask', 'k1')).toBe(false);
  });

  it('stores an undefined result as null', async () => {
    await store.idempotency.claim('s', 'k', 'h');
    await store.idempotency.complete('s', 'k', undefined);
    expect(await store.idempotency.claim('s', 'k', 'h')).toEqual({ state: 'done', result: null });
  });

  it('refuses the same key with a different request, whatever its state', async () => {
    const keys = store.idempotency;
    await keys.claim('s', 'k', 'hash-a');
    expect(await keys.claim('s', 'k', 'hash-b')).toEqual({ state: 'mismatch' });
    await keys.complete('s', 'k', 1);
    expect(await keys.claim('s', 'k', 'hash-b')).toEqual({ state: 'mismatch' });
  });

  it('keeps scopes apart', async () => {
    expect(await store.idempotency.claim('a', 'k', 'h1')).toEqual({ state: 'new' });
    expect(await store.idempotency.claim('b', 'k', 'h2')).toEqual({ state: 'new' });
  });

  it('lets a retry run after a failed first attempt is released', async () => {
    await store.idempotency.claim('s', 'k', 'h');
    expect(await store.idempotency.release('s', 'k')).toBe(true);
    expect(await store.idempotency.claim('s', 'k', 'h')).toEqual({ state: 'new' });
  });

  it('forgets keys after the TTL (24 h by default): they can be claimed afresh, even for another request', async () => {
    await store.idempotency.claim('s', 'k', 'h');
    await store.idempotency.complete('s', 'k', 'first');
    clock.advance(24 * HOUR - 1);
    expect(await store.idempotency.claim('s', 'k', 'other')).toEqual({ state: 'mismatch' });
    clock.advance(1);
    expect(await store.idempotency.claim('s', 'k', 'other')).toEqual({ state: 'new' });
    expect(await store.idempotency.claim('s', 'k', 'other')).toEqual({ state: 'in-progress' });
  });

  it('honours a configured TTL, and purges expired keys', async () => {
    const short = await database.open({ now: clock.now, idempotency: { ttlMs: 1000 } });
    await short.idempotency.claim('s', 'old', 'h');
    await short.idempotency.complete('s', 'old', 1);
    clock.advance(600);
    await short.idempotency.claim('s', 'young', 'h');
    clock.advance(400);
    expect(await short.idempotency.purgeExpired()).toBe(1);
    expect(await short.idempotency.claim('s', 'young', 'h')).toEqual({ state: 'in-progress' });
    expect(await short.idempotency.claim('s', 'old', 'h')).toEqual({ state: 'new' });
  });

  it('lets the same request take over a claim abandoned past its lease, but not a different request', async () => {
    await store.idempotency.claim('s', 'k', 'h');
    clock.advance(5 * 60_000 - 1);
    expect(await store.idempotency.claim('s', 'k', 'h')).toEqual({ state: 'in-progress' });
    clock.advance(1);
    expect(await store.idempotency.claim('s', 'k', 'other')).toEqual({ state: 'mismatch' });
    expect(await store.idempotency.claim('s', 'k', 'h')).toEqual({ state: 'new' });
  });

  it('gives exactly one "new" when two connections claim one key at once', async () => {
    const other = await database.open({ now: clock.now });
    for (const key of ['k1', 'k2', 'k3']) {
      const claims: ClaimResult[] = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 ? store : other).idempotency.claim('race', key, 'h')),
      );
      expect(claims.filter((c) => c.state === 'new')).toHaveLength(1);
      expect(claims.filter((c) => c.state === 'in-progress')).toHaveLength(15);
    }
  });

  it('gives exactly one "new" when two connections reclaim one expired key at once', async () => {
    const other = await database.open({ now: clock.now });
    await store.idempotency.claim('race', 'k', 'h');
    await store.idempotency.complete('race', 'k', 1);
    clock.advance(25 * HOUR);
    const claims = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? store : other).idempotency.claim('race', 'k', 'h')));
    expect(claims.filter((c) => c.state === 'new')).toHaveLength(1);
  });
});
