import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { createDatabase, type Store } from '../../src/store/index.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDisposer } from '../utils/disposer.ts';
import { createFakeClock } from '../store/fixtures.ts';

/** The event repository's argument checks and boundaries (src/store/events.ts), on SQLite. */
describe('event store edges', () => {
  const disposer = createDisposer();
  const clock = createFakeClock();
  let store: Store;
  let n = 0;

  beforeEach(async () => {
    clock.set(Date.parse('2025-01-01T00:00:00.000Z'));
    store = disposer.use(await createDatabase('file::memory:', { now: clock.now }), (s) => s.close());
  });
  afterEach(() => disposer.dispose());

  function callback(extension = '8001') {
    n += 1;
    return normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: extension, uuid: `edge-${n}`, starttime: String(1_700_000_000 + n) });
  }
  async function settled(extension = '8001'): Promise<number> {
    const { event } = await store.events.append({ ...callback(extension), settled: { applied: true, effect: null } });
    return event.id;
  }

  it('refuses a limit that is not a positive integer, and caps it at 1 000', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2]) {
      await expect(store.events.eventsAfter('agent-status', 0, {}, limit), String(limit)).rejects.toThrow('limit must be a positive integer');
      await expect(store.events.pending(0, limit), String(limit)).rejects.toThrow(RangeError);
    }
    for (let i = 0; i < 1_002; i++) await store.events.append(callback());
    expect(await store.events.pending(0, 1)).toHaveLength(1);
    expect(await store.events.pending(0, 5_000)).toHaveLength(1_000);
    // The default page of a replay is 100.
    const rows = await store.db.selectFrom('events').select('id').execute();
    await store.db.updateTable('events').set({ applied: 1 }).execute();
    expect(rows).toHaveLength(1_002);
    expect(await store.events.eventsAfter('agent-status', 0)).toHaveLength(100);
    expect(await store.events.eventsAfter('agent-status', 0, {}, 1_001)).toHaveLength(1_000);
  });

  it('takes at most 500 subjects per replay', async () => {
    const id = await settled('8001');
    const subjects = Array.from({ length: 500 }, (_, i) => String(8001 + i));
    expect((await store.events.eventsAfter('agent-status', 0, { subjects })).map((e) => e.id)).toEqual([id]);
    await expect(store.events.eventsAfter('agent-status', 0, { subjects: [...subjects, '9999'] })).rejects.toThrow('at most 500 subjects per replay');
    expect(await store.events.eventsAfter('agent-status', 0, { subjects: [] })).toHaveLength(1);
  });

  it('pending(): strictly after the id, and strictly before receivedBefore', async () => {
    const a = (await store.events.append(callback())).event;
    clock.advance(1_000);
    const b = (await store.events.append(callback())).event;
    expect((await store.events.pending(0, 10)).map((e) => e.id)).toEqual([a.id, b.id]);
    expect((await store.events.pending(a.id, 10)).map((e) => e.id)).toEqual([b.id]);
    const at = Date.parse(b.receivedAt);
    expect((await store.events.pending(0, 10, at)).map((e) => e.id)).toEqual([a.id]);
    expect((await store.events.pending(0, 10, at + 1)).map((e) => e.id)).toEqual([a.id, b.id]);
    expect(await store.events.pending(0, 10, Date.parse(a.receivedAt))).toEqual([]);
  });

  it('moreThan(): counts only the topic, in (after, upTo]', async () => {
    const ids = [await settled(), await settled(), await settled()];
    await store.events.append({
      topic: 'aicall-notify',
      dedupeKey: 'other-topic',
      subject: null,
      occurredAt: null,
      payload: { raw: {} } as never,
      settled: { applied: true, effect: null },
    });
    const [a, b, c] = ids as [number, number, number];
    expect(await store.events.moreThan('agent-status', 0, c, 2)).toBe(true);
    expect(await store.events.moreThan('agent-status', 0, c, 3)).toBe(false);
    expect(await store.events.moreThan('agent-status', a, c, 1)).toBe(true);
    expect(await store.events.moreThan('agent-status', a, c, 2)).toBe(false);
    expect(await store.events.moreThan('agent-status', 0, b, 2)).toBe(false);
    expect(await store.events.moreThan('agent-status', 0, b, 1)).toBe(true);
    expect(await store.events.moreThan('agent-status', 0, c + 10, 3)).toBe(false);
  });

  it('get() and find(): the stored event, or null', async () => {
    const cb = callback();
    const { event } = await store.events.append(cb);
    expect(await store.events.get(event.id)).toEqual(event);
    expect(await store.events.get(event.id + 1)).toBeNull();
    expect(await store.events.find('agent-status', cb.dedupeKey)).toEqual(event);
    expect(await store.events.find('agent-status', 'nope')).toBeNull();
    expect(await store.events.find('call-record', cb.dedupeKey)).toBeNull();
  });

  it('keeps occurredAt null when the callback has none, and settles with the effect and applied flag given', async () => {
    const { event } = await store.events.append({ ...callback(), occurredAt: null });
    expect(event.occurredAt).toBeNull();
    expect(event.applied).toBeNull();
    const done = await store.events.settle(event.id, false, { previous: null, current: null } as never);
    expect(done).toMatchObject({ applied: false, effect: { previous: null, current: null } });
    const stored = await store.events.append({ ...callback(), settled: { applied: false, effect: null } });
    expect(stored.event).toMatchObject({ applied: false, effect: null });
    expect(await store.events.settle(999_999, true, null)).toBeNull();
  });

  it('eventsAfter() refuses to hand out a pending event through the horizon', async () => {
    const first = await settled();
    const { event: pending } = await store.events.append(callback());
    const later = await settled();
    expect((await store.events.eventsAfter('agent-status', 0)).map((e) => e.id)).toEqual([first]);
    expect(await store.events.latestId('agent-status')).toBe(first);
    await store.events.settle(pending.id, true, null);
    expect((await store.events.eventsAfter('agent-status', first)).map((e) => e.id)).toEqual([pending.id, later]);
    expect(await store.events.latestId('agent-status')).toBe(later);
  });

  it('prune(): refuses a bad batch size, and a batch of one looks at the lowest id only', async () => {
    for (const size of [0, -1, 2.5]) await expect(store.events.prune(Date.now(), size), String(size)).rejects.toThrow('batchSize must be a positive integer');
    const ids = [await settled(), await settled(), await settled()];
    clock.advance(1_000);
    const cutoff = clock.now();
    expect(await store.events.prune(cutoff, 1)).toBe(1);
    expect((await store.events.bounds('agent-status')).prunedThrough).toBe(ids[0]);
    expect(await store.events.prune(cutoff, 1)).toBe(1);
    // The newest of the topic is kept.
    expect(await store.events.prune(cutoff, 10)).toBe(0);
    expect(await store.events.bounds('agent-status')).toEqual({ newestId: ids[2], prunedThrough: ids[1], oldestId: ids[2] });
    // Events received at the cutoff itself are kept (ids[2], no longer the newest, goes).
    const more = [await settled(), await settled()];
    expect(await store.events.prune(clock.now(), 10)).toBe(1);
    expect(await store.events.prune(clock.now(), 10)).toBe(0);
    expect(await store.events.prune(clock.now() + 1, 10)).toBe(1);
    expect(await store.events.bounds('agent-status')).toEqual({ newestId: more[1], prunedThrough: more[0], oldestId: more[1] });
  });
});
