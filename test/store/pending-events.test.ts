import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.ts';
import { type TestDatabase, describeEachBackend } from '../utils/store-backends.ts';
import { createFakeClock } from './fixtures.ts';

/**
 * `events.pendingByTopic()`, the operator view's count of events stored but not settled: per topic, with the oldest
 * one's arrival; settled events and topics with none pending are left out. PostgreSQL answers counts and bigints as
 * strings: numbers here on both.
 */
describeEachBackend('pending events per topic on $name', (backend) => {
  let database: TestDatabase;
  let store: Store;
  const clock = createFakeClock();
  const T0 = Date.parse('2025-01-01T00:00:00.000Z');

  beforeEach(async () => {
    clock.set(T0);
    database = await backend.create();
    store = await database.open({ now: clock.now });
  });
  afterEach(() => database.dispose());

  const taskStatus = (key: string, receivedAt?: Date) =>
    store.events.append({
      topic: 'task-status',
      dedupeKey: key,
      subject: 'T1',
      occurredAt: null,
      receivedAt,
      payload: { taskId: 'T1', companyCode: null, status: 'FINISHED', statusCode: '3' },
    });

  it('answers nothing for an empty store', async () => {
    expect(await store.events.pendingByTopic()).toEqual([]);
  });

  it('counts pending events per topic with the oldest arrival, leaving out settled ones', async () => {
    await taskStatus('a', new Date(T0 - 60_000));
    const second = await taskStatus('b');
    await taskStatus('c', new Date(T0 - 30_000));
    await store.events.append({
      topic: 'aicall-notify',
      dedupeKey: 'n1',
      subject: null,
      occurredAt: null,
      payload: { taskId: null, callId: null, phone: null, startedAt: null, answeredAt: null, endedAt: null, talkSeconds: null, hangupCause: null, raw: {} },
      settled: { applied: true, effect: null },
    });
    expect(await store.events.pendingByTopic()).toEqual([{ topic: 'task-status', count: 3, oldestReceivedAt: T0 - 60_000 }]);

    await store.events.settle(second.event.id, true, { known: false, status: null });
    expect(await store.events.pendingByTopic()).toEqual([{ topic: 'task-status', count: 2, oldestReceivedAt: T0 - 60_000 }]);
  });
});
