import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AnyNormalisedCallback,
  normaliseCallRecord,
  normaliseExtensionStatus,
  normaliseTaskStatus,
} from '../../src/callbacks/schemas.ts';
import { checkResumePoint } from '../../src/events/resume-point.ts';
import { createEventPruner } from '../../src/events/retention.ts';
import type { AgentCallStatus, EventTopic, GatewayEvent } from '../../src/events/types.ts';
import { EventIdAheadError, EventIdExpiredError } from '../../src/errors.ts';
import { PredictiveTaskStatus, type Store, type StoredEvent, projectEvent } from '../../src/store/index.ts';
import { CallDirection, CallMethod, SipCode } from '../../src/upstream/sip/codes.ts';
import type { Bill } from '../../src/upstream/sip/types.ts';
import { createZonedTime } from '../../src/upstream/time.ts';
import { CALL_RECORD_COMMON, CALL_RECORD_PREDICTIVE, EXTENSION_STATUS_COMMON, TASK_STATUS } from '../utils/callback-seeds.ts';
import { type TestDatabase, describeEachBackend } from '../utils/store-backends.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createFakeClock, newTask } from './fixtures.ts';

const time = createZonedTime('Asia/Shanghai');
const T0 = 1_700_000_000; // unix seconds
const DAY = 86_400_000;

function agentEvent(options: { ext?: string; uuid: string; status: AgentCallStatus | string; start?: number; bleg?: boolean }) {
  return normaliseExtensionStatus({
    ...EXTENSION_STATUS_COMMON,
    extnumber: options.ext ?? '8001',
    uuid: options.uuid,
    status: options.status,
    starttime: String(options.start ?? T0),
    isbleg: options.bleg ? 'true' : 'false',
  });
}

/** What the callback pipeline does with a valid callback: append, project, settle. */
async function ingest(store: Store, callback: AnyNormalisedCallback): Promise<{ stored: StoredEvent; settled: GatewayEvent | null; duplicate: boolean }> {
  const { event, duplicate } = await store.events.append(callback);
  if (event.applied !== null) return { stored: event, settled: null, duplicate };
  const { applied, effect } = await projectEvent(store, event);
  return { stored: event, settled: await store.events.settle(event.id, applied, effect), duplicate };
}

function bill(overrides: Partial<Bill> & { id: number }): Bill {
  return {
    extension: '7003',
    destinationNumber: '015029913692',
    displayNumber: '02566823420',
    startedAt: new Date('2018-03-14T04:18:21.000Z'),
    answeredAt: null,
    endedAt: new Date('2018-03-14T04:18:35.000Z'),
    waitSeconds: 14,
    talkSeconds: 0,
    direction: { value: CallDirection.Out, raw: 'callout' },
    callMethod: { value: CallMethod.ApiCall, raw: '3' },
    userId: '501',
    memberId: '18533700187590656',
    maturity: '0',
    customerId: 'customuuid',
    recordFileName: 'rec-982.wav',
    downloadIp: '120.76.152.137',
    hangupDirection: { value: 'UNKNOWN', raw: '10015' },
    hangupCause: { value: SipCode.CallNormalHangup, raw: '10001' },
    keysPressed: '1',
    ...overrides,
  };
}

/** Every order of a list (for the handful of events a call has). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describeEachBackend('event store on $name', (backend) => {
  let database: TestDatabase;
  let store: Store;
  const clock = createFakeClock();

  beforeEach(async () => {
    clock.set(Date.parse('2025-01-01T00:00:00.000Z'));
    database = await backend.create();
    store = await database.open({ now: clock.now });
  });
  afterEach(() => database.dispose());

  describe('the event log', () => {
    it('appends once per dedupe key: a second delivery is told it is a duplicate and gets the first row', async () => {
      const callback = agentEvent({ uuid: 'call-1', status: 'ring' });
      const first = await store.events.append(callback);
      expect(first.duplicate).toBe(false);
      expect(first.event).toMatchObject({ topic: 'agent-status', subject: '8001', applied: null, effect: null, payload: callback.payload });
      expect(first.event.receivedAt).toBe('2025-01-01T00:00:00.000Z');
      expect(first.event.occurredAt).toBe(new Date(T0 * 1000).toISOString());

      clock.advance(1000);
      const second = await store.events.append(callback);
      expect(second).toEqual({ duplicate: true, event: first.event });
      const rows = await store.db.selectFrom('events').select('id').execute();
      expect(rows).toHaveLength(1);
    });

    it('counts events per topic and the pending ones in one read (the metrics gauges)', async () => {
      expect(await store.events.counts()).toEqual({ stored: { 'agent-status': 0, 'call-record': 0, 'task-status': 0, 'aicall-notify': 0, 'abandon-guard': 0 }, pending: 0 });
      await ingest(store, agentEvent({ uuid: 'count-1', status: 'ring' }));
      await ingest(store, agentEvent({ uuid: 'count-2', status: 'ring', ext: '8002' }));
      await store.events.append(normaliseTaskStatus(TASK_STATUS));
      expect(await store.events.counts()).toEqual({ stored: { 'agent-status': 2, 'call-record': 0, 'task-status': 1, 'aicall-notify': 0, 'abandon-guard': 0 }, pending: 1 });
    });

    it('the same key under another topic is another event', async () => {
      const task = normaliseTaskStatus(TASK_STATUS);
      const a = await store.events.append(task);
      const b = await store.events.append({ ...task, topic: 'aicall-notify', payload: { ...task.payload } as never });
      expect(b.duplicate).toBe(false);
      expect(b.event.id).toBeGreaterThan(a.event.id);
    });

    it('settles an event once: the second settle (another delivery, catch-up) gets null', async () => {
      const { event } = await store.events.append(agentEvent({ uuid: 'call-1', status: 'ring' }));
      const settled = await store.events.settle(event.id, true, { previous: null, current: null });
      expect(settled).toMatchObject({ id: event.id, applied: true, effect: { previous: null, current: null } });
      expect(await store.events.settle(event.id, false, null)).toBeNull();
      expect((await store.events.get(event.id))?.applied).toBe(true);
    });

    it('replays settled events in id order, filtered by subject, and stops before the first pending one', async () => {
      const ids: number[] = [];
      for (const [i, ext] of ['8001', '8002', '8001', '8003'].entries()) {
        const { event } = await store.events.append(agentEvent({ ext, uuid: `call-${i}`, status: 'ring' }));
        ids.push(event.id);
      }
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      // Nothing settled yet: replay has nothing to say, and says nothing past a pending event.
      expect(await store.events.eventsAfter('agent-status', 0)).toEqual([]);
      expect(await store.events.latestId('agent-status')).toBe(0);

      await store.events.settle(ids[0]!, true, null);
      await store.events.settle(ids[2]!, true, null);
      await store.events.settle(ids[3]!, true, null);
      // ids[1] is pending: only ids[0] is before it.
      expect((await store.events.eventsAfter('agent-status', 0)).map((e) => e.id)).toEqual([ids[0]]);
      expect(await store.events.latestId('agent-status')).toBe(ids[0]);
      expect((await store.events.pending(0, 10)).map((e) => e.id)).toEqual([ids[1]]);

      await store.events.settle(ids[1]!, false, null);
      expect((await store.events.eventsAfter('agent-status', 0)).map((e) => e.id)).toEqual(ids);
      expect((await store.events.eventsAfter('agent-status', ids[1]!)).map((e) => e.id)).toEqual([ids[2], ids[3]]);
      expect((await store.events.eventsAfter('agent-status', 0, { subjects: ['8001'] })).map((e) => e.id)).toEqual([ids[0], ids[2]]);
      expect((await store.events.eventsAfter('agent-status', 0, {}, 2)).map((e) => e.id)).toEqual([ids[0], ids[1]]);
      expect(await store.events.eventsAfter('call-record', 0)).toEqual([]);
      expect(await store.events.latestId('agent-status')).toBe(ids[3]);
    });

    it('stores events no projection reads as settled at once', async () => {
      const { event } = await store.events.append({
        topic: 'aicall-notify',
        dedupeKey: 'k',
        subject: null,
        occurredAt: null,
        payload: { taskId: null, callId: null, phone: null, startedAt: null, answeredAt: null, endedAt: null, talkSeconds: null, hangupCause: null, raw: { a: 1 } },
        settled: { applied: true, effect: null },
      });
      expect(event.applied).toBe(true);
      expect(await store.events.pending(0, 10)).toEqual([]);
      expect((await store.events.eventsAfter('aicall-notify', 0))[0]?.payload.raw).toEqual({ a: 1 });
    });

    it('concurrent deliveries of one callback from two connections store one row', async () => {
      const other = await database.open({ now: clock.now });
      const callback = agentEvent({ uuid: 'call-race', status: 'answer' });
      const results = await Promise.all([...Array(10)].map((_, i) => (i % 2 ? store : other).events.append(callback)));
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.event.id)).size).toBe(1);
    });
  });

  describe('retention', () => {
    const NOW = Date.parse('2025-01-01T00:00:00.000Z');
    const OLD = NOW - 40 * DAY;
    const RECENT = NOW - DAY;
    const CUTOFF = NOW - 30 * DAY;

    /** Stores an event of `topic` received at `at`: settled unless `pending`. Returns its id. */
    async function put(topic: EventTopic, key: string, at: number, options: { pending?: boolean; on?: Store } = {}): Promise<number> {
      const task = normaliseTaskStatus(TASK_STATUS);
      const { event } = await (options.on ?? store).events.append({
        ...task,
        topic,
        dedupeKey: key,
        receivedAt: new Date(at),
        ...(options.pending ? {} : { settled: { applied: true, effect: null } }),
      } as never);
      return event.id;
    }

    const ids = async () => (await store.db.selectFrom('events').select('id').orderBy('id').execute()).map((r) => r.id);

    /** Prunes with one repository until a batch deletes nothing; how many it deleted. */
    async function pruneAll(on: Store, cutoff: number, batchSize: number): Promise<number> {
      let total = 0;
      for (;;) {
        const n = await on.events.prune(cutoff, batchSize);
        total += n;
        if (n === 0) return total;
      }
    }

    it('an empty store has no bounds to speak of', async () => {
      expect(await store.events.bounds('task-status')).toEqual({ newestId: 0, prunedThrough: 0, oldestId: null });
      expect(await store.events.prune(CUTOFF, 100)).toBe(0);
    });

    it("prunes only settled events received before the cutoff, never a topic's newest, and marks how far it pruned", async () => {
      const a1 = await put('task-status', 'a1', OLD);
      const b1 = await put('aicall-notify', 'b1', OLD);
      const a2 = await put('task-status', 'a2', OLD, { pending: true });
      const a3 = await put('task-status', 'a3', OLD);
      const a4 = await put('task-status', 'a4', RECENT);
      // The newest aicall-notify event is old, but the newest of its topic: it stays.
      const b2 = await put('aicall-notify', 'b2', OLD);

      expect(await store.events.prune(CUTOFF, 5_000)).toBe(3);
      expect(await store.events.prune(CUTOFF, 5_000)).toBe(0);
      expect(await ids()).toEqual([a2, a4, b2]);
      // The pending a2 is below the mark but still stored: the oldest a resume from the mark gets is a4.
      expect(await store.events.bounds('task-status')).toEqual({ newestId: b2, prunedThrough: a3, oldestId: a4 });
      expect(await store.events.bounds('aicall-notify')).toEqual({ newestId: b2, prunedThrough: b1, oldestId: b2 });
      expect(await store.events.bounds('call-record')).toEqual({ newestId: b2, prunedThrough: 0, oldestId: null });

      // A cutoff past everything still leaves each topic's newest.
      expect(await store.events.prune(NOW + DAY, 5_000)).toBe(0);
      expect(await ids()).toEqual([a2, a4, b2]);

      // a2 settles and goes at the next prune; the mark does not move back to it.
      await store.events.settle(a2, true, null);
      expect(await store.events.prune(CUTOFF, 5_000)).toBe(1);
      expect((await store.events.bounds('task-status')).prunedThrough).toBe(a3);
      expect(a1).toBeLessThan(a3);
    });

    it('walks a window of ids per call: small batches take several calls and end on a window with nothing old', async () => {
      const old: number[] = [];
      for (let i = 0; i < 25; i += 1) old.push(await put('call-record', `old-${i}`, OLD));
      const kept: number[] = [];
      for (let i = 0; i < 12; i += 1) kept.push(await put('call-record', `new-${i}`, RECENT));
      const counts: number[] = [];
      for (;;) {
        const n = await store.events.prune(CUTOFF, 10);
        counts.push(n);
        if (n === 0) break;
      }
      expect(counts).toEqual([10, 10, 5, 0]);
      expect(await ids()).toEqual(kept);
      expect((await store.events.bounds('call-record')).prunedThrough).toBe(old.at(-1));
    });

    it('two repositories pruning at once delete each event once and agree on the marks', async () => {
      const other = await database.open({ now: clock.now });
      const topics: EventTopic[] = ['agent-status', 'call-record', 'task-status'];
      const lastOld = new Map<EventTopic, number>();
      for (let i = 0; i < 240; i += 1) {
        const topic = topics[i % 3]!;
        lastOld.set(topic, await put(topic, `old-${i}`, OLD, { on: i % 2 ? store : other }));
      }
      const recent = await Promise.all(topics.map((topic) => put(topic, `recent-${topic}`, RECENT)));

      const deleted = await Promise.all([pruneAll(store, CUTOFF, 25), pruneAll(other, CUTOFF, 25), pruneAll(store, CUTOFF, 40)]);
      // Whoever stopped first, a final pass finds nothing left.
      const rest = await pruneAll(other, CUTOFF, 1_000);
      expect(deleted.reduce((a, b) => a + b, 0) + rest).toBe(240);
      expect(await ids()).toEqual([...recent].sort((a, b) => a - b));
      for (const topic of topics) expect((await other.events.bounds(topic)).prunedThrough).toBe(lastOld.get(topic));
    });

    it('a redelivery of a pruned event is stored again as new (dedupe holds within the retention)', async () => {
      const first = await put('task-status', 'again', OLD);
      await put('task-status', 'later', RECENT);
      expect(await store.events.prune(CUTOFF, 100)).toBe(1);
      const task = normaliseTaskStatus(TASK_STATUS);
      const again = await store.events.append({ ...task, dedupeKey: 'again', settled: { applied: true, effect: null } } as never);
      expect(again.duplicate).toBe(false);
      expect(again.event.id).toBeGreaterThan(first);
    });

    it('checks resume points: ahead of every stored id, behind the mark, at the mark', async () => {
      await expect(checkResumePoint(store, 'task-status', 0, 30)).resolves.toBeUndefined();
      await expect(checkResumePoint(store, 'task-status', 1, 30)).rejects.toMatchObject({ code: 'EVENT_ID_AHEAD', newestEventId: 0 });
      const a1 = await put('task-status', 'a1', OLD);
      const a2 = await put('task-status', 'a2', OLD);
      const a3 = await put('task-status', 'a3', RECENT);
      // Ids are one sequence over every topic: the newest of another topic is no id of this one's "ahead".
      const b1 = await put('call-record', 'b1', RECENT);
      await expect(checkResumePoint(store, 'task-status', b1, 30)).resolves.toBeUndefined();
      const ahead = await checkResumePoint(store, 'task-status', b1 + 1, 30).catch((e: unknown) => e);
      expect(ahead).toBeInstanceOf(EventIdAheadError);
      expect((ahead as EventIdAheadError).extensions()).toEqual({ newestEventId: String(b1) });

      await store.events.prune(CUTOFF, 100);
      for (const after of [0, a1]) {
        const expired = await checkResumePoint(store, 'task-status', after, 30).catch((e: unknown) => e);
        expect(expired).toBeInstanceOf(EventIdExpiredError);
        expect((expired as EventIdExpiredError).extensions()).toEqual({ oldestEventId: String(a3), retentionDays: 30 });
      }
      await expect(checkResumePoint(store, 'task-status', a2, 30)).resolves.toBeUndefined();
      await expect(checkResumePoint(store, 'call-record', 0, 30)).resolves.toBeUndefined();
    });

    it('the pruner runs batches to the end, logs one line when it deleted something, and stops', async () => {
      for (let i = 0; i < 30; i += 1) await put('agent-status', `e-${i}`, OLD);
      await put('agent-status', 'newest', RECENT);
      const lines: string[] = [];
      const logger = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(`warn: ${m}`) };
      const pruner = createEventPruner({ store, logger, retentionDays: 30, intervalMs: 60_000, now: () => NOW, batchSize: 7 });
      expect(await pruner.runOnce()).toBe(30);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^events: pruned 30 event\(s\) received before 2024-12-02T00:00:00.000Z \(30 days\) in \d+ ms, 6 batch\(es\)/);
      expect(await pruner.runOnce()).toBe(0);
      expect(lines).toHaveLength(1);
      pruner.start();
      await pruner.stop();
    });

    it('the pruner logs a failed run and does not throw out of its timer', async () => {
      const lines: string[] = [];
      const failing = { ...store, events: { ...store.events, prune: () => Promise.reject(new Error('disk full')) } } as Store;
      const warned = createDeferred();
      const logger = {
        info: (m: string) => lines.push(m),
        warn: (m: string) => {
          lines.push(`warn: ${m}`);
          warned.resolve();
        },
      };
      const pruner = createEventPruner({ store: failing, logger, retentionDays: 30, intervalMs: 5, now: () => NOW });
      await expect(pruner.runOnce()).rejects.toThrow('disk full');
      pruner.start();
      // The timer's run fails like runOnce did; the pruner logs it instead of throwing.
      await warned.promise;
      await pruner.stop();
      expect(lines.some((l) => l.startsWith('warn: events: pruning failed'))).toBe(true);
    });
  });

  describe('agent status', () => {
    it('follows ring → answer → hangup, each event carrying the previous and the new state', async () => {
      const ring = await ingest(store, agentEvent({ uuid: 'call-1', status: 'ring' }));
      expect(ring.settled).toMatchObject({
        applied: true,
        effect: { previous: null, current: { status: 'ring', leg: 'agent', callUuid: 'call-1', eventId: ring.stored.id } },
      });
      clock.advance(5_000);
      const answer = await ingest(store, agentEvent({ uuid: 'call-1', status: 'answer' }));
      expect(answer.settled).toMatchObject({
        applied: true,
        effect: {
          previous: { status: 'ring', eventId: ring.stored.id, changedAt: '2025-01-01T00:00:00.000Z' },
          current: { status: 'answer', eventId: answer.stored.id, changedAt: '2025-01-01T00:00:05.000Z' },
        },
      });
      await ingest(store, agentEvent({ uuid: 'call-1', status: 'hangup' }));
      const state = await store.agentStatus.get('8001');
      expect(state).toMatchObject({
        extension: '8001',
        status: 'hangup',
        leg: 'agent',
        call: { uuid: 'call-1', callee: '87847569524', caller: '90240005', startedAt: new Date(T0 * 1000) },
        previous: { status: 'answer', eventId: answer.stored.id },
      });
    });

    it('ends at the latest state whatever order the events arrive in; stale events are stored but not applied', async () => {
      const events = [
        agentEvent({ uuid: 'call-a', status: 'ring', start: T0 }),
        agentEvent({ uuid: 'call-a', status: 'answer', start: T0 }),
        agentEvent({ uuid: 'call-a', status: 'hangup', start: T0 }),
        agentEvent({ uuid: 'call-b', status: 'ring', start: T0 + 60 }),
      ];
      let n = 0;
      for (const order of permutations(events)) {
        const ext = `9${String(n++).padStart(3, '0')}`;
        const results = [];
        for (const e of order) results.push(await ingest(store, { ...e, subject: ext, payload: { ...e.payload, extension: ext }, dedupeKey: `${ext}|${e.dedupeKey}` }));
        expect(await store.agentStatus.get(ext)).toMatchObject({ status: 'ring', call: { uuid: 'call-b' } });
        // Applied events form an increasing chain; every other one was stale when it came.
        const applied = results
          .filter((r) => r.settled?.applied)
          .map((r) => (r.stored as StoredEvent<'agent-status'>).payload)
          .map((p) => `${p.callUuid}:${p.status}`);
        const rank = (s: string) => (s.startsWith('call-b') ? 9 : ['ring', 'answer', 'hangup'].indexOf(s.split(':')[1]!));
        expect(applied.map(rank)).toEqual([...applied.map(rank)].sort((a, b) => a - b));
        for (const r of results.filter((x) => x.settled?.applied === false)) {
          expect(r.settled?.effect).toEqual({ previous: expect.anything(), current: expect.anything() });
          expect((r.settled?.effect as { previous: unknown; current: unknown }).previous).toEqual((r.settled?.effect as { current: unknown }).current);
        }
      }
      expect(n).toBe(24);
    });

    it('a late event of an older call does not move the state back; a newer call does', async () => {
      await ingest(store, agentEvent({ uuid: 'new', status: 'answer', start: T0 + 100 }));
      const late = await ingest(store, agentEvent({ uuid: 'old', status: 'hangup', start: T0 }));
      expect(late.settled?.applied).toBe(false);
      expect(late.settled?.effect).toMatchObject({ current: { status: 'answer', callUuid: 'new' } });
      expect((await store.events.get(late.stored.id))?.applied).toBe(false);
      const newer = await ingest(store, agentEvent({ uuid: 'newer', status: 'ring', start: T0 + 200 }));
      expect(newer.settled?.applied).toBe(true);
      expect(await store.agentStatus.get('8001')).toMatchObject({ status: 'ring', call: { uuid: 'newer' } });
    });

    it('the other leg of the same call at the same rank changes nothing; calls started in the same second are ordered by uuid', async () => {
      await ingest(store, agentEvent({ uuid: 'call-1', status: 'answer' }));
      const otherLeg = await ingest(store, agentEvent({ uuid: 'call-1', status: 'answer', bleg: true }));
      expect(otherLeg.settled?.applied).toBe(false);
      const ringOfOtherLeg = await ingest(store, agentEvent({ uuid: 'call-1', status: 'ring', bleg: true }));
      expect(ringOfOtherLeg.settled?.applied).toBe(false);

      await ingest(store, agentEvent({ ext: '8100', uuid: 'bbb', status: 'ring' }));
      expect((await ingest(store, agentEvent({ ext: '8100', uuid: 'aaa', status: 'ring' }))).settled?.applied).toBe(false);
      expect((await ingest(store, agentEvent({ ext: '8100', uuid: 'ccc', status: 'ring' }))).settled?.applied).toBe(true);
    });

    it('a status the manual does not list is stored, never applied', async () => {
      await ingest(store, agentEvent({ uuid: 'call-1', status: 'ring' }));
      const odd = await ingest(store, agentEvent({ uuid: 'call-2', status: 'busy', start: T0 + 10 }));
      expect(odd.settled).toMatchObject({ applied: false, payload: { status: 'UNKNOWN', statusCode: 'busy' } });
      expect(await store.agentStatus.get('8001')).toMatchObject({ status: 'ring', call: { uuid: 'call-1' } });
    });

    it('applying an event again (catch-up after a crash before its settle) reports the change it made', async () => {
      const ring = await ingest(store, agentEvent({ uuid: 'call-1', status: 'ring' }));
      const { event } = await store.events.append(agentEvent({ uuid: 'call-1', status: 'answer' }));
      const first = await projectEvent(store, event);
      // "Crash": not settled. Catch-up projects it again.
      const again = await projectEvent(store, event);
      expect(again).toEqual(first);
      expect(again).toMatchObject({ applied: true, effect: { previous: { status: 'ring', eventId: ring.stored.id }, current: { status: 'answer' } } });
    });

    it('reads many extensions in the order asked, null where nothing is known', async () => {
      await ingest(store, agentEvent({ ext: '8001', uuid: 'x', status: 'ring' }));
      await ingest(store, agentEvent({ ext: '8002', uuid: 'y', status: 'answer' }));
      const states = await store.agentStatus.getMany(['8002', '9999', '8001', '8002']);
      expect(states.map((s) => s?.status ?? null)).toEqual(['answer', null, 'ring', 'answer']);
    });

    it('two connections racing events of one extension end at the latest', async () => {
      const other = await database.open({ now: clock.now });
      const events = ['ring', 'answer', 'hangup'].flatMap((status) =>
        [1, 2, 3].map((call) => agentEvent({ ext: '8500', uuid: `call-${call}`, status, start: T0 + call * 10 })),
      );
      await Promise.all(events.map((e, i) => ingest(i % 2 ? store : other, e)));
      expect(await store.agentStatus.get('8500')).toMatchObject({ status: 'hangup', call: { uuid: 'call-3' } });
      expect(await store.events.pending(0, 100)).toEqual([]);
    });
  });

  describe('call records', () => {
    it('merges a callback and GetBill rows of the same call into one record, by record id', async () => {
      const callback = await ingest(store, normaliseCallRecord(CALL_RECORD_COMMON, time));
      expect(callback.settled).toMatchObject({ applied: true, effect: { recordKey: expect.any(String) } });
      clock.advance(60_000);
      const [merged] = await store.callRecords.upsertFromBills([bill({ id: 982 })]);
      expect(merged).toMatchObject({
        recordId: 982,
        uuid: 'cda5c6c4-0a17-11e8-b177-e7cbf2bd1f36',
        employeeId: '2001',
        userId: '501',
        companyCode: '20000013',
        recordFileName: 'rec-982.wav',
        sources: { callback: true, bill: true },
        callbackEventId: callback.stored.id,
        createdAt: new Date('2025-01-01T00:00:00.000Z'),
        updatedAt: new Date('2025-01-01T00:01:00.000Z'),
      });
      const count = await store.db.selectFrom('call_records').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(1);
      expect((await store.callRecords.findByRecordIds([982]))[0]?.key).toBe(merged?.key);
      expect((await store.callRecords.findByUuids(['cda5c6c4-0a17-11e8-b177-e7cbf2bd1f36']))[0]?.key).toBe(merged?.key);
    });

    it('merges an id-less predictive callback with the GetBill row of the same call (dial time, extension, number)', async () => {
      const predictive = normaliseCallRecord(CALL_RECORD_PREDICTIVE, time);
      const rows = await store.callRecords.upsertFromBills([
        bill({
          id: 5001,
          extension: '000000',
          destinationNumber: '81211623586',
          startedAt: new Date(predictive.payload.startedAt!),
          endedAt: new Date(predictive.payload.endedAt!),
          recordFileName: null,
        }),
      ]);
      expect(rows[0]).toMatchObject({ recordId: 5001, uuid: null, sources: { callback: false, bill: true } });
      await ingest(store, predictive);
      const [record] = await store.callRecords.findByUuids(['863ff91e-6a7a-11eb-acf1-5107cdf1d50a']);
      expect(record).toMatchObject({ key: rows[0]?.key, recordId: 5001, customerId: '110001475', sources: { callback: true, bill: true } });
    });

    it('keeps different calls that share a dial second, extension and number apart', async () => {
      const at = new Date('2025-01-01T01:00:00.000Z');
      const rows = await store.callRecords.upsertFromBills([bill({ id: 1, startedAt: at }), bill({ id: 2, startedAt: at })]);
      expect(new Set(rows.map((r) => r.key)).size).toBe(2);
      const again = await store.callRecords.upsertFromBills([bill({ id: 2, startedAt: at, talkSeconds: 9 }), bill({ id: 3, startedAt: at })]);
      expect(again.map((r) => r.recordId)).toEqual([2, 3]);
      expect(again[0]?.key).toBe(rows[1]?.key);
      expect(again[0]?.talkSeconds).toBe(9);
      expect(new Set([...rows, ...again].map((r) => r.key)).size).toBe(3);
    });

    it('a known value is never replaced by an unknown one; lookups keep the order asked', async () => {
      await store.callRecords.upsertFromBills([bill({ id: 10, startedAt: null, recordFileName: 'a.wav' })]);
      const [row] = await store.callRecords.upsertFromBills([bill({ id: 10, startedAt: null, recordFileName: null, talkSeconds: 30 })]);
      expect(row).toMatchObject({ key: 'id:10', recordFileName: 'a.wav', talkSeconds: 30 });
      const found = await store.callRecords.findByRecordIds([11, 10, 10]);
      expect(found.map((r) => r?.recordId ?? null)).toEqual([null, 10, 10]);
    });

    it('a duplicate callback is one event and still one record', async () => {
      const first = await ingest(store, normaliseCallRecord(CALL_RECORD_COMMON, time));
      const second = await ingest(store, normaliseCallRecord(CALL_RECORD_COMMON, time));
      expect(second).toMatchObject({ duplicate: true, settled: null });
      expect(second.stored.id).toBe(first.stored.id);
    });
  });

  describe('task status', () => {
    it('a task-status callback marks the stored predictive task FINISHED, once', async () => {
      await store.tasks.insert(newTask({ id: TASK_STATUS.taskid }));
      await store.tasks.setStatus(TASK_STATUS.taskid, PredictiveTaskStatus.Running, { source: 'mutation' });
      clock.advance(1000);
      const result = await ingest(store, normaliseTaskStatus(TASK_STATUS));
      expect(result.settled).toMatchObject({ applied: true, effect: { known: true, status: 'FINISHED', previous: 'RUNNING' } });
      const task = await store.tasks.get(TASK_STATUS.taskid);
      expect(task).toMatchObject({ status: PredictiveTaskStatus.Finished, statusChangedAt: new Date(clock.now()) });
      expect((await store.tasks.history(TASK_STATUS.taskid)).at(-1)).toMatchObject({ to: 'FINISHED', source: 'callback' });
      // Catch-up applying it again reports the same.
      expect(await projectEvent(store, result.stored)).toEqual({ applied: true, effect: { known: true, status: 'FINISHED', previous: 'RUNNING' } });
    });

    it('is stored but not applied for an unknown task or an ended one', async () => {
      const unknown = await ingest(store, normaliseTaskStatus({ ...TASK_STATUS, taskid: 'nobody' }));
      expect(unknown.settled).toMatchObject({ applied: false, effect: { known: false, status: null } });
      await store.tasks.insert(newTask({ id: 'ended' }));
      await store.tasks.setStatus('ended', PredictiveTaskStatus.Ended, { source: 'mutation' });
      const ended = await ingest(store, normaliseTaskStatus({ ...TASK_STATUS, taskid: 'ended' }));
      expect(ended.settled).toMatchObject({ applied: false, effect: { known: true, status: 'ENDED' } });
    });
  });
});
