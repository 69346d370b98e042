import { afterEach, beforeEach, expect, it } from 'vitest';
import { type CallFact, type Counts, StatDim, zeroCounts } from '../../src/stats/classify.ts';
import { resolveWindow } from '../../src/stats/window.ts';
import { PredictiveAssignmentType, type Store } from '../../src/store/index.ts';
import { SavepointName, inTransaction, withSavepoint } from '../../src/store/transaction-scope.ts';
import { type TestDatabase, describeEachBackend } from '../utils/store-backends.ts';
import { createFakeClock, newTask } from './fixtures.ts';

/**
 * The statistics repository (src/store/statistics.ts) on SQLite and PostgreSQL: call facts counted by their
 * difference, windows read from hour rows plus minute edges, the wait histogram, agent state times, the join of call
 * records to tasks and queues, and the abandon-rate guard's trip-once and claim rules.
 */

const at = (iso: string) => Date.parse(iso);
const MINUTE = 60_000;
const H10 = at('2025-06-02T10:00:00Z');

/** A connected call of task t1 on queue sales with agent 8001; tests override what they look at. */
function fact(overrides: Partial<CallFact> & { key: string; startedAt: number }): CallFact {
  return {
    taskId: 't1',
    queue: 'sales',
    extension: '8001',
    endedAt: overrides.startedAt + 90_000,
    dialled: 1,
    customerAnswered: 1,
    connected: 1,
    abandoned: 0,
    waitSeconds: 10,
    talkSeconds: 60,
    ...overrides,
  };
}

const abandonedFact = (overrides: Partial<CallFact> & { key: string; startedAt: number }) =>
  fact({ connected: 0, abandoned: 1, waitSeconds: null, talkSeconds: 0, ...overrides });

const counts = (values: Partial<Counts>): Counts => ({ ...zeroCounts(), ...values });

describeEachBackend('statistics repository on $name', (backend) => {
  let database: TestDatabase;
  let store: Store;
  const clock = createFakeClock();

  beforeEach(async () => {
    clock.set(at('2025-06-02T09:00:00Z'));
    database = await backend.create();
    store = await database.open({ now: clock.now });
  });
  afterEach(() => database.dispose());

  const window = (from: string, to: string) => ({ from: at(from), to: at(to) });
  const one = async (dim: StatDim, subject: string, w: { from: number; to: number }) =>
    (await store.statistics.counts(dim, [subject], w)).get(subject) ?? null;

  // ---- call facts ------------------------------------------------------------------------------------------------

  it('in a transaction, counters wait for the commit: a rolled-back savepoint takes its own back, the rest are summed', async () => {
    const stats = store.statistics;
    const hour = window('2025-06-02T10:00:00Z', '2025-06-02T11:00:00Z');
    await inTransaction(store.db, store.dialect, async () => {
      await stats.applyCall('a', fact({ key: 'a', startedAt: H10 + MINUTE }));
      await withSavepoint(store.db, SavepointName.Callback, async () => {
        await stats.applyCall('b', fact({ key: 'b', startedAt: H10 + MINUTE }));
        throw new Error('this callback fails');
      }).catch(() => undefined);
      await stats.applyCall('c', abandonedFact({ key: 'c', startedAt: H10 + 2 * MINUTE }));
      // Held back: nothing is in the table before the commit.
      expect(await one(StatDim.Task, 't1', hour)).toBeNull();
    });
    expect(await one(StatDim.Task, 't1', hour)).toEqual(counts({ dialled: 2, customer_answered: 2, connected: 1, abandoned: 1, talk_s: 60, wait_s: 10 }));
    // The fact of the rolled-back call is gone with it: applying it now counts it.
    expect(await stats.applyCall('b', fact({ key: 'b', startedAt: H10 + MINUTE }))).toBeNull();
    expect((await one(StatDim.Task, 't1', hour))?.dialled).toBe(3);
  });

  it('applyCall counts a fact once however often it is applied, and returns what was stored before', async () => {
    const stats = store.statistics;
    const f = fact({ key: 'k1', startedAt: H10 + 5 * MINUTE });
    const day = window('2025-06-02T00:00:00Z', '2025-06-03T00:00:00Z');
    expect(await stats.applyCall('k1', f)).toBeNull();
    expect(await stats.applyCall('k1', f)).toEqual(f);
    expect(await stats.applyCall('k1', { ...f })).toEqual(f);
    const once = counts({ dialled: 1, customer_answered: 1, connected: 1, talk_s: 60, wait_s: 10 });
    expect(await one(StatDim.Task, 't1', day)).toEqual(once);
    expect(await one(StatDim.Queue, 'sales', day)).toEqual(once);
    expect(await one(StatDim.Agent, '8001', day)).toEqual(counts({ connected: 1, talk_s: 60 }));
    expect((await stats.answeredWithin(['sales'], day, 600)).get('sales')).toBe(1);
    expect((await stats.dialledNumbers(['t1'])).get('t1')).toBe(1);
  });

  it('applyCall moves the counters by the difference: abandoned → connected, then to another task, queue and agent, then gone', async () => {
    const stats = store.statistics;
    const day = window('2025-06-02T00:00:00Z', '2025-06-03T00:00:00Z');
    const started = H10 + 7 * MINUTE;
    const abandoned = abandonedFact({ key: 'k2', startedAt: started });
    // Another call keeps the counters from being all zero.
    await stats.applyCall('other', fact({ key: 'other', startedAt: started, talkSeconds: 30, waitSeconds: 4 }));
    await stats.applyCall('k2', abandoned);
    expect(await one(StatDim.Queue, 'sales', day)).toEqual(counts({ dialled: 2, customer_answered: 2, connected: 1, abandoned: 1, talk_s: 30, wait_s: 4 }));

    const connected = fact({ key: 'k2', startedAt: started, waitSeconds: 25, talkSeconds: 100 });
    expect(await stats.applyCall('k2', connected)).toEqual(abandoned);
    expect(await one(StatDim.Queue, 'sales', day)).toEqual(counts({ dialled: 2, customer_answered: 2, connected: 2, abandoned: 0, talk_s: 130, wait_s: 29 }));
    expect(await one(StatDim.Agent, '8001', day)).toEqual(counts({ connected: 2, talk_s: 130 }));
    expect((await stats.answeredWithin(['sales'], day, 24)).get('sales')).toBe(1);
    expect((await stats.answeredWithin(['sales'], day, 25)).get('sales')).toBe(2);

    const moved = { ...connected, taskId: 't2', queue: 'billing', extension: '9001' };
    expect(await stats.applyCall('k2', moved)).toEqual(connected);
    expect(await one(StatDim.Queue, 'sales', day)).toEqual(counts({ dialled: 1, customer_answered: 1, connected: 1, talk_s: 30, wait_s: 4 }));
    expect(await one(StatDim.Task, 't1', day)).toEqual(counts({ dialled: 1, customer_answered: 1, connected: 1, talk_s: 30, wait_s: 4 }));
    expect(await one(StatDim.Queue, 'billing', day)).toEqual(counts({ dialled: 1, customer_answered: 1, connected: 1, talk_s: 100, wait_s: 25 }));
    expect(await one(StatDim.Task, 't2', day)).toEqual(counts({ dialled: 1, customer_answered: 1, connected: 1, talk_s: 100, wait_s: 25 }));
    expect(await one(StatDim.Agent, '8001', day)).toEqual(counts({ connected: 1, talk_s: 30 }));
    expect(await one(StatDim.Agent, '9001', day)).toEqual(counts({ connected: 1, talk_s: 100 }));
    expect((await stats.answeredWithin(['sales', 'billing'], day, 600))).toEqual(new Map([['sales', 1], ['billing', 1]]));

    expect(await stats.applyCall('k2', null)).toEqual(moved);
    expect(await stats.applyCall('k2', null)).toBeNull();
    expect(await one(StatDim.Queue, 'billing', day)).toEqual(zeroCounts());
    expect(await one(StatDim.Task, 't2', day)).toEqual(zeroCounts());
    expect((await stats.answeredWithin(['billing'], day, 600)).get('billing')).toBe(0);
  });

  it('applyCall keeps a new end time even when no counter moves (the guard reads calls by their end)', async () => {
    const stats = store.statistics;
    const f = abandonedFact({ key: 'k3', startedAt: H10, endedAt: H10 + 1000 });
    await stats.applyCall('k3', f);
    const later = { ...f, endedAt: H10 + 5000 };
    await stats.applyCall('k3', later);
    expect(await stats.applyCall('k3', later)).toEqual(later);
  });

  // ---- windows ---------------------------------------------------------------------------------------------------

  it('counts() sums whole hours from the hour rows and the ragged ends from the minute rows, exact to the minute', async () => {
    const stats = store.statistics;
    // Six calls at known minutes (talk time = a distinct power of two, so every sum says which calls it holds).
    const calls: Array<[string, number]> = [
      ['2025-06-02T09:58:30Z', 1],
      ['2025-06-02T10:05:59.999Z', 2],
      ['2025-06-02T10:59:00Z', 4],
      ['2025-06-02T11:00:00Z', 8],
      ['2025-06-02T11:30:10Z', 16],
      ['2025-06-02T12:01:00Z', 32],
    ];
    for (const [i, [when, talk]] of calls.entries()) {
      await stats.applyCall(`w${i}`, fact({ key: `w${i}`, startedAt: at(when), talkSeconds: talk }));
    }
    const talkIn = async (from: string, to: string) => (await one(StatDim.Queue, 'sales', window(from, to)))?.talk_s ?? 0;
    const connectedIn = async (from: string, to: string) => (await one(StatDim.Queue, 'sales', window(from, to)))?.connected ?? 0;
    // One whole hour.
    expect(await talkIn('2025-06-02T10:00:00Z', '2025-06-02T11:00:00Z')).toBe(2 + 4);
    // Every call: hours 10 and 11, minutes 09:58–10:00 and 12:00–12:02.
    expect(await talkIn('2025-06-02T09:58:00Z', '2025-06-02T12:02:00Z')).toBe(63);
    expect(await connectedIn('2025-06-02T09:58:00Z', '2025-06-02T12:02:00Z')).toBe(6);
    // The edges cut one minute off each end.
    expect(await talkIn('2025-06-02T09:59:00Z', '2025-06-02T12:01:00Z')).toBe(2 + 4 + 8 + 16);
    // No whole hour inside: minutes only, across an hour boundary.
    expect(await talkIn('2025-06-02T10:05:00Z', '2025-06-02T11:01:00Z')).toBe(2 + 4 + 8);
    expect(await talkIn('2025-06-02T10:06:00Z', '2025-06-02T11:30:00Z')).toBe(4 + 8);
    expect(await talkIn('2025-06-02T10:06:00Z', '2025-06-02T11:31:00Z')).toBe(4 + 8 + 16);
    // A window of one minute.
    expect(await talkIn('2025-06-02T10:05:00Z', '2025-06-02T10:06:00Z')).toBe(2);
    // Whole hours around everything.
    expect(await talkIn('2025-06-02T09:00:00Z', '2025-06-02T13:00:00Z')).toBe(63);
    // A ragged start with a whole hour after it.
    expect(await talkIn('2025-06-02T10:30:00Z', '2025-06-02T12:00:00Z')).toBe(4 + 8 + 16);
    // resolveWindow's rounding reaches the same rows: 10:05:30 → 10:05, 11:00:00.001 → 11:01.
    expect((await one(StatDim.Queue, 'sales', resolveWindow(at('2025-06-02T10:05:30Z'), at('2025-06-02T11:00:00.001Z'))))?.talk_s).toBe(2 + 4 + 8);
    // Nothing in the window: no entry at all.
    expect(await one(StatDim.Queue, 'sales', window('2025-06-02T13:00:00Z', '2025-06-02T14:00:00Z'))).toBeNull();
  });

  it('counts() answers per subject, for many subjects, leaving out those without rows', async () => {
    const stats = store.statistics;
    const subjects = Array.from({ length: 600 }, (_, i) => `q${i}`);
    await stats.applyCall('a', fact({ key: 'a', queue: 'q0', startedAt: H10 }));
    await stats.applyCall('b', fact({ key: 'b', queue: 'q599', startedAt: H10, talkSeconds: 7 }));
    const found = await stats.counts(StatDim.Queue, subjects, window('2025-06-02T10:00:00Z', '2025-06-02T11:00:00Z'));
    expect([...found.keys()].sort()).toEqual(['q0', 'q599']);
    expect(found.get('q599')?.talk_s).toBe(7);
    // Dims are apart: the task counters are not the queue's.
    expect((await stats.counts(StatDim.Task, ['q0'], window('2025-06-02T10:00:00Z', '2025-06-02T11:00:00Z'))).size).toBe(0);
  });

  it('addCounts adds to one subject\'s counters at a moment, in both grains', async () => {
    const stats = store.statistics;
    await stats.addCounts(StatDim.Agent, '8001', H10 + 59 * MINUTE, { connected: 1, talk_s: 30 });
    await stats.addCounts(StatDim.Agent, '8001', H10 + 61 * MINUTE, { connected: 1, talk_s: 20 });
    expect(await one(StatDim.Agent, '8001', window('2025-06-02T10:00:00Z', '2025-06-02T12:00:00Z'))).toEqual(counts({ connected: 2, talk_s: 50 }));
    expect(await one(StatDim.Agent, '8001', window('2025-06-02T10:30:00Z', '2025-06-02T11:01:00Z'))).toEqual(counts({ connected: 1, talk_s: 30 }));
    expect(await one(StatDim.Agent, '8001', window('2025-06-02T11:00:00Z', '2025-06-02T12:00:00Z'))).toEqual(counts({ connected: 1, talk_s: 20 }));
  });

  it('answeredWithin: connected calls per queue by their wait (a wait past 600 s is never within), windows cut like counts()', async () => {
    const stats = store.statistics;
    const waits: Array<[string, number]> = [
      ['2025-06-02T10:10:00Z', 5],
      ['2025-06-02T10:20:00Z', 20],
      ['2025-06-02T10:30:00Z', 21],
      ['2025-06-02T11:10:00Z', 900],
      ['2025-06-02T11:20:00Z', 600],
    ];
    for (const [i, [when, wait]] of waits.entries()) {
      await stats.applyCall(`s${i}`, fact({ key: `s${i}`, startedAt: at(when), waitSeconds: wait }));
    }
    // An abandoned call has no wait in the histogram.
    await stats.applyCall('s-ab', abandonedFact({ key: 's-ab', startedAt: at('2025-06-02T10:15:00Z') }));
    const hours = window('2025-06-02T10:00:00Z', '2025-06-02T12:00:00Z');
    expect((await stats.answeredWithin(['sales'], hours, 1)).get('sales')).toBeUndefined();
    expect((await stats.answeredWithin(['sales'], hours, 5)).get('sales')).toBe(1);
    expect((await stats.answeredWithin(['sales'], hours, 20)).get('sales')).toBe(2);
    expect((await stats.answeredWithin(['sales'], hours, 21)).get('sales')).toBe(3);
    expect((await stats.answeredWithin(['sales'], hours, 599)).get('sales')).toBe(3);
    // 600 s is the longest threshold: the wait of 600 is within it, the wait of 900 is not.
    expect((await stats.answeredWithin(['sales'], hours, 600)).get('sales')).toBe(4);
    expect((await stats.answeredWithin(['sales'], window('2025-06-02T10:15:00Z', '2025-06-02T11:11:00Z'), 600)).get('sales')).toBe(2);
    expect((await stats.answeredWithin(['sales'], window('2025-06-02T10:15:00Z', '2025-06-02T11:21:00Z'), 600)).get('sales')).toBe(3);
    expect((await stats.answeredWithin(['sales', 'nobody'], window('2025-06-02T10:15:00Z', '2025-06-02T10:25:00Z'), 600))).toEqual(new Map([['sales', 1]]));
  });

  // ---- agent state times -----------------------------------------------------------------------------------------

  agentStateTests();
  function agentStateTests() {
    const T = H10;
    const s = (n: number) => T + n * 1000;
    async function script() {
      const stats = store.statistics;
      await stats.agentEntered('8001', 'idle', s(0), 1);
      await stats.agentEntered('8001', 'ringing', s(10), 2);
      await stats.agentEntered('8001', 'talking', s(15), 3);
      await stats.agentEntered('8001', 'idle', s(75), 4);
    }

    it('agentStateTimes: time per state in the window, clamped at now; the state at the end and since when', async () => {
      await script();
      const result = await store.statistics.agentStateTimes(['8001', '8002'], { from: s(0), to: s(3600) }, s(100));
      expect(result.get('8001')).toEqual({ idleMs: 35_000, ringingMs: 5_000, talkingMs: 60_000, state: 'idle', since: s(75), knownFrom: s(0), offered: 0, answered: 0, missed: 0 });
      // An agent with no event: nothing known.
      expect(result.get('8002')).toEqual({ idleMs: 0, ringingMs: 0, talkingMs: 0, state: null, since: null, knownFrom: null, offered: 0, answered: 0, missed: 0 });
    });

    it('agentStateTimes: a window that starts mid-state and ends before now', async () => {
      await script();
      // From 12 s (ringing since 10 s) to 50 s (talking since 15 s); now is later.
      const result = await store.statistics.agentStateTimes(['8001'], { from: s(12), to: s(50) }, s(1000));
      expect(result.get('8001')).toEqual({ idleMs: 0, ringingMs: 3_000, talkingMs: 35_000, state: 'talking', since: s(15), knownFrom: s(12), offered: 0, answered: 0, missed: 0 });
      // Now before the window's end: the time to come is not counted.
      const early = await store.statistics.agentStateTimes(['8001'], { from: s(12), to: s(3600) }, s(20));
      expect(early.get('8001')).toEqual({ idleMs: 0, ringingMs: 3_000, talkingMs: 5_000, state: 'talking', since: s(15), knownFrom: s(12), offered: 0, answered: 0, missed: 0 });
    });

    it('agentStateTimes: knownFrom is the first event when nothing came before the window', async () => {
      await script();
      const result = await store.statistics.agentStateTimes(['8001'], { from: s(-600), to: s(3600) }, s(100));
      expect(result.get('8001')).toEqual({ idleMs: 35_000, ringingMs: 5_000, talkingMs: 60_000, state: 'idle', since: s(75), knownFrom: s(0), offered: 0, answered: 0, missed: 0 });
      // A window that ends before the first event knows nothing.
      const before = await store.statistics.agentStateTimes(['8001'], { from: s(-600), to: s(-60) }, s(100));
      expect(before.get('8001')).toEqual({ idleMs: 0, ringingMs: 0, talkingMs: 0, state: null, since: null, knownFrom: null, offered: 0, answered: 0, missed: 0 });
      // A now before the window: nothing counted, but the state before it is known.
      const future = await store.statistics.agentStateTimes(['8001'], { from: s(200), to: s(300) }, s(100));
      expect(future.get('8001')).toEqual({ idleMs: 0, ringingMs: 0, talkingMs: 0, state: 'idle', since: s(75), knownFrom: s(200), offered: 0, answered: 0, missed: 0 });
    });

    it('agentEntered: the same state again or the same event again changes nothing; time never runs backwards', async () => {
      await script();
      const stats = store.statistics;
      await stats.agentEntered('8001', 'idle', s(80), 5); // same state
      await stats.agentEntered('8001', 'ringing', s(90), 4); // same event id as the last
      let result = await stats.agentStateTimes(['8001'], { from: s(0), to: s(3600) }, s(100));
      expect(result.get('8001')).toMatchObject({ idleMs: 35_000, state: 'idle', since: s(75) });
      // An event stamped before the last one is taken at the last one's time.
      await stats.agentEntered('8001', 'ringing', s(70), 6);
      result = await stats.agentStateTimes(['8001'], { from: s(0), to: s(3600) }, s(100));
      expect(result.get('8001')).toEqual({ idleMs: 10_000, ringingMs: 30_000, talkingMs: 60_000, state: 'ringing', since: s(75), knownFrom: s(0), offered: 0, answered: 0, missed: 0 });
    });

    it('agentEntered counts offers with the transition: rings, and how they ended, in the window they happened', async () => {
      const stats = store.statistics;
      const ring = { rung: 1, answered: 0, missed: 0 };
      await stats.agentEntered('8001', 'ringing', s(10), 1, ring);
      await stats.agentEntered('8001', 'talking', s(15), 2, { rung: 0, answered: 1, missed: 0 });
      await stats.agentEntered('8001', 'idle', s(75), 3);
      await stats.agentEntered('8001', 'ringing', s(80), 4, ring);
      // A ring of another call while ringing: the same state, but an offer to count.
      await stats.agentEntered('8001', 'ringing', s(85), 5, ring);
      await stats.agentEntered('8001', 'idle', s(100), 6, { rung: 0, answered: 0, missed: 1 });
      const all = await stats.agentStateTimes(['8001'], { from: s(0), to: s(3600) }, s(200));
      expect(all.get('8001')).toMatchObject({ offered: 3, answered: 1, missed: 1, ringingMs: 25_000 });
      // From the second ring on (a transition at the window's start is in it).
      const later = await stats.agentStateTimes(['8001'], { from: s(80), to: s(3600) }, s(200));
      expect(later.get('8001')).toMatchObject({ offered: 2, answered: 0, missed: 1 });
      // A repeat of the last event counts nothing more.
      await stats.agentEntered('8001', 'idle', s(100), 6, { rung: 0, answered: 0, missed: 1 });
      expect((await stats.agentStateTimes(['8001'], { from: s(0), to: s(3600) }, s(200))).get('8001')).toMatchObject({ missed: 1 });
    });

    it('agentStateTimes: many agents in one call (more than one statement\'s chunk), duplicates asked once', async () => {
      const stats = store.statistics;
      const extensions = Array.from({ length: 300 }, (_, i) => `7${String(i).padStart(3, '0')}`);
      await stats.agentEntered('7000', 'talking', s(0), 10);
      await stats.agentEntered('7299', 'ringing', s(50), 11);
      const result = await stats.agentStateTimes([...extensions, '7000'], { from: s(0), to: s(3600) }, s(100));
      expect(result.size).toBe(300);
      expect(result.get('7000')).toEqual({ idleMs: 0, ringingMs: 0, talkingMs: 100_000, state: 'talking', since: s(0), knownFrom: s(0), offered: 0, answered: 0, missed: 0 });
      expect(result.get('7299')).toEqual({ idleMs: 0, ringingMs: 50_000, talkingMs: 0, state: 'ringing', since: s(50), knownFrom: s(50), offered: 0, answered: 0, missed: 0 });
      expect(result.get('7150')).toMatchObject({ state: null, knownFrom: null, offered: 0, answered: 0, missed: 0 });
    });
  }

  // ---- recent calls ----------------------------------------------------------------------------------------------

  it('recentAnswered: the last n calls the customer answered, ended at or after `since`', async () => {
    const stats = store.statistics;
    // Ends at H10 + i minutes; every third abandoned; one unanswered call (not counted) and another task's call.
    for (let i = 0; i < 12; i++) {
      const f = i % 3 === 0 ? abandonedFact({ key: `r${i}`, startedAt: H10, endedAt: H10 + i * MINUTE }) : fact({ key: `r${i}`, startedAt: H10, endedAt: H10 + i * MINUTE });
      await stats.applyCall(`r${i}`, f);
    }
    await stats.applyCall('r-no', fact({ key: 'r-no', startedAt: H10, endedAt: H10 + 20 * MINUTE, customerAnswered: 0, connected: 0, waitSeconds: null, talkSeconds: 0 }));
    await stats.applyCall('r-other', abandonedFact({ key: 'r-other', taskId: 't9', startedAt: H10, endedAt: H10 + 30 * MINUTE }));
    // Abandoned: 0, 3, 6, 9.
    expect(await stats.recentAnswered('t1', 100, 0)).toEqual({ calls: 12, abandoned: 4 });
    // The last 4: ends 8, 9, 10, 11 → one abandoned (9).
    expect(await stats.recentAnswered('t1', 4, 0)).toEqual({ calls: 4, abandoned: 1 });
    // The last 5: 7…11.
    expect(await stats.recentAnswered('t1', 5, 0)).toEqual({ calls: 5, abandoned: 1 });
    // The last 6: 6…11 → 6 and 9.
    expect(await stats.recentAnswered('t1', 6, 0)).toEqual({ calls: 6, abandoned: 2 });
    // Since 9 minutes (inclusive): 9, 10, 11.
    expect(await stats.recentAnswered('t1', 100, H10 + 9 * MINUTE)).toEqual({ calls: 3, abandoned: 1 });
    expect(await stats.recentAnswered('t1', 100, H10 + 9 * MINUTE + 1)).toEqual({ calls: 2, abandoned: 0 });
    expect(await stats.recentAnswered('t1', 100, H10 + 60 * MINUTE)).toEqual({ calls: 0, abandoned: 0 });
    expect(await stats.recentAnswered('t9', 100, 0)).toEqual({ calls: 1, abandoned: 1 });
    expect(await stats.recentAnswered('none', 100, 0)).toEqual({ calls: 0, abandoned: 0 });
  });

  it('dialledNumbers: every call of each task, all time', async () => {
    const stats = store.statistics;
    await stats.applyCall('d1', fact({ key: 'd1', startedAt: at('2025-05-01T10:00:00Z') }));
    await stats.applyCall('d2', abandonedFact({ key: 'd2', startedAt: at('2025-06-02T10:00:00Z') }));
    await stats.applyCall('d3', fact({ key: 'd3', taskId: 't2', startedAt: at('2025-06-02T10:00:00Z'), customerAnswered: 0, connected: 0, waitSeconds: null, talkSeconds: 0 }));
    expect(await stats.dialledNumbers(['t1', 't2', 't3'])).toEqual(new Map([['t1', 2], ['t2', 1]]));
  });

  // ---- linking call records to tasks -----------------------------------------------------------------------------

  it('linkOf: by customer id first, else by the number; the queue of a QUEUE-assigned task, null for other assignments', async () => {
    const stats = store.statistics;
    await store.tasks.insert(newTask({ id: 'tq', assignment: { type: PredictiveAssignmentType.Queue, assignee: 'sales' } }));
    await store.tasks.insert(newTask({ id: 'tg', assignment: { type: PredictiveAssignmentType.ExtGroup, assignee: 'group-a' } }));
    await stats.addTaskNumbers('tq', [{ phone: '13800000001', customerId: 'cust-1' }, { phone: '13800000002', customerId: null }], H10);
    await stats.addTaskNumbers('tg', [{ phone: '13900000001', customerId: 'cust-9' }], H10);
    const call = H10 + MINUTE;
    expect(await stats.linkOf({ customerId: 'cust-1', destinationNumber: 'unknown', startedAt: call })).toEqual({ taskId: 'tq', queue: 'sales' });
    expect(await stats.linkOf({ customerId: null, destinationNumber: '13800000002', startedAt: call })).toEqual({ taskId: 'tq', queue: 'sales' });
    // An unknown customer id falls back to the number.
    expect(await stats.linkOf({ customerId: 'cust-x', destinationNumber: '13800000001', startedAt: call })).toEqual({ taskId: 'tq', queue: 'sales' });
    // The customer id wins over the number.
    expect(await stats.linkOf({ customerId: 'cust-9', destinationNumber: '13800000001', startedAt: call })).toEqual({ taskId: 'tg', queue: null });
    expect(await stats.linkOf({ customerId: null, destinationNumber: '13900000001', startedAt: call })).toEqual({ taskId: 'tg', queue: null });
    expect(await stats.linkOf({ customerId: null, destinationNumber: '10000000000', startedAt: call })).toBeNull();
    expect(await stats.linkOf({ customerId: null, destinationNumber: null, startedAt: call })).toBeNull();
    // A task the gateway does not hold (numbers recorded, no task row): linked, no queue.
    await stats.addTaskNumbers('ghost', [{ phone: '13700000001', customerId: null }], H10);
    expect(await stats.linkOf({ customerId: null, destinationNumber: '13700000001', startedAt: call })).toEqual({ taskId: 'ghost', queue: null });
  });

  it('linkOf: the most recent upload at or before the call wins (5 minutes of clock skew allowed); a later upload does not link', async () => {
    const stats = store.statistics;
    await store.tasks.insert(newTask({ id: 'first', assignment: { type: PredictiveAssignmentType.Queue, assignee: 'sales' } }));
    await store.tasks.insert(newTask({ id: 'second', assignment: { type: PredictiveAssignmentType.Queue, assignee: 'billing' } }));
    await stats.addTaskNumbers('first', [{ phone: '13800000001', customerId: 'c-1' }], H10);
    await stats.addTaskNumbers('second', [{ phone: '13800000001', customerId: 'c-1' }], H10 + 60 * MINUTE);
    for (const by of [{ customerId: 'c-1', destinationNumber: null }, { customerId: null, destinationNumber: '13800000001' }]) {
      // Between the uploads: the first.
      expect(await stats.linkOf({ ...by, startedAt: H10 + 30 * MINUTE })).toEqual({ taskId: 'first', queue: 'sales' });
      // After the second: the second.
      expect(await stats.linkOf({ ...by, startedAt: H10 + 61 * MINUTE })).toEqual({ taskId: 'second', queue: 'billing' });
      // Within 5 minutes before the second upload (the PBX's clock may run behind): the second.
      expect(await stats.linkOf({ ...by, startedAt: H10 + 55 * MINUTE })).toEqual({ taskId: 'second', queue: 'billing' });
      expect(await stats.linkOf({ ...by, startedAt: H10 + 55 * MINUTE - 1 })).toEqual({ taskId: 'first', queue: 'sales' });
      // Before the first upload by exactly the skew: still linked; by more: not.
      expect(await stats.linkOf({ ...by, startedAt: H10 - 5 * MINUTE })).toEqual({ taskId: 'first', queue: 'sales' });
      expect(await stats.linkOf({ ...by, startedAt: H10 - 5 * MINUTE - 1 })).toBeNull();
      expect(await stats.linkOf({ ...by, startedAt: H10 - 60 * MINUTE })).toBeNull();
    }
  });

  it('addTaskNumbers: a number twice in one upload is recorded once; an upload again replaces the customer id', async () => {
    const stats = store.statistics;
    await stats.addTaskNumbers('tq', [{ phone: '1', customerId: 'a' }, { phone: '1', customerId: 'b' }, { phone: '2', customerId: '' }], H10);
    expect(await stats.linkOf({ customerId: 'a', destinationNumber: null, startedAt: H10 })).toEqual({ taskId: 'tq', queue: null });
    expect(await stats.linkOf({ customerId: 'b', destinationNumber: null, startedAt: H10 })).toBeNull();
    await stats.addTaskNumbers('tq', [{ phone: '1', customerId: 'c' }], H10 + MINUTE);
    expect(await stats.linkOf({ customerId: 'a', destinationNumber: null, startedAt: H10 + MINUTE })).toBeNull();
    expect(await stats.linkOf({ customerId: 'c', destinationNumber: null, startedAt: H10 + MINUTE })).toEqual({ taskId: 'tq', queue: null });
    const rows = await store.db.selectFrom('task_numbers').select(['phone', 'customer_id']).where('task_id', '=', 'tq').orderBy('phone').execute();
    expect(rows).toEqual([
      { phone: '1', customer_id: 'c' },
      { phone: '2', customer_id: null },
    ]);
  });

  // ---- the abandon-rate guard ------------------------------------------------------------------------------------

  it('setGuard stores, re-arms and removes a guard', async () => {
    const guards = store.guards;
    const set = await guards.set('t1', { targetPercent: 2.5, lastCalls: 100, pauseTask: true }, H10);
    const armed = {
      taskId: 't1',
      targetPercent: 2.5,
      lastCalls: 100,
      pauseTask: true,
      armedAt: H10,
      trippedAt: null,
      trippedCalls: null,
      trippedAbandoned: null,
      reportedAt: null,
    };
    expect(set).toEqual(armed);
    expect(await guards.get('t1')).toEqual(armed);
    expect(await guards.get('t2')).toBeNull();
    expect(await guards.getMany(['t1', 't2'])).toEqual(new Map([['t1', armed]]));

    expect(await guards.trip('t1', H10 + MINUTE, 100, 3)).toBe(true);
    expect(await guards.get('t1')).toEqual({ ...armed, trippedAt: H10 + MINUTE, trippedCalls: 100, trippedAbandoned: 3 });

    // Setting it again re-arms it with the new settings.
    const rearmed = await guards.set('t1', { targetPercent: 5, lastCalls: 10, pauseTask: false }, H10 + 2 * MINUTE);
    expect(rearmed).toEqual({ ...armed, targetPercent: 5, lastCalls: 10, pauseTask: false, armedAt: H10 + 2 * MINUTE });
    expect(await guards.trip('t1', H10 + 3 * MINUTE, 10, 1)).toBe(true);

    expect(await guards.set('t1', null, H10 + 4 * MINUTE)).toBeNull();
    expect(await guards.get('t1')).toBeNull();
    expect(await guards.trip('t1', H10 + 5 * MINUTE, 10, 1)).toBe(false);
  });

  it('trip: once per arming, for one caller only; a task without a guard never trips', async () => {
    const guards = store.guards;
    await guards.set('t1', { targetPercent: 3, lastCalls: 100, pauseTask: false }, H10);
    expect(await guards.trip('t1', H10 + 1, 100, 4)).toBe(true);
    expect(await guards.trip('t1', H10 + 2, 100, 9)).toBe(false);
    expect(await guards.get('t1')).toMatchObject({ trippedAt: H10 + 1, trippedCalls: 100, trippedAbandoned: 4 });
    expect(await guards.trip('nope', H10, 1, 1)).toBe(false);
  });

  it('trip: two stores (two connections) racing on one armed guard: exactly one wins', async () => {
    const other = await database.open({ now: clock.now });
    for (let round = 0; round < 5; round++) {
      const taskId = `race-${round}`;
      await store.guards.set(taskId, { targetPercent: 3, lastCalls: 100, pauseTask: true }, H10);
      const results = await Promise.all([store.guards.trip(taskId, H10 + 1, 100, 4), other.guards.trip(taskId, H10 + 2, 100, 5)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results[0] ? { trippedAt: H10 + 1, trippedAbandoned: 4 } : { trippedAt: H10 + 2, trippedAbandoned: 5 };
      expect(await other.guards.get(taskId)).toMatchObject(winner);
    }
  });

  it('claimUnreported: tripped and unreported guards whose claim is free or stale; reported() ends them', async () => {
    const guards = store.guards;
    for (const id of ['a', 'b', 'c']) await guards.set(id, { targetPercent: 3, lastCalls: 100, pauseTask: false }, H10);
    await guards.trip('a', H10 + 1000, 100, 4);
    await guards.trip('c', H10 + 3000, 100, 5);
    const ids = (rows: Array<{ taskId: string }>) => rows.map((r) => r.taskId).sort();

    const T = H10 + 10 * MINUTE;
    const claimed = await guards.claimUnreported(T, T - 30_000, 10);
    expect(ids(claimed)).toEqual(['a', 'c']);
    expect(claimed.find((r) => r.taskId === 'a')).toMatchObject({ trippedAt: H10 + 1000, trippedCalls: 100, trippedAbandoned: 4, reportedAt: null });
    // Claimed a moment ago: not again.
    expect(await guards.claimUnreported(T + 1000, T + 1000 - 30_000, 10)).toEqual([]);
    // The claim grew stale: claimed again (a sweep that died while reporting is taken over).
    expect(ids(await guards.claimUnreported(T + 60_000, T + 30_000, 10))).toEqual(['a', 'c']);

    // Reported for another tripping than the guard's: nothing.
    await guards.reported('a', H10 + 999, T + 61_000);
    expect((await guards.get('a'))?.reportedAt).toBeNull();
    await guards.reported('a', H10 + 1000, T + 61_000);
    expect((await guards.get('a'))?.reportedAt).toBe(T + 61_000);
    expect(ids(await guards.claimUnreported(T + 120_000, T + 90_000, 10))).toEqual(['c']);

    // The limit.
    await guards.trip('b', H10 + 2000, 100, 6);
    expect(await guards.claimUnreported(T + 200_000, T + 190_000, 1)).toHaveLength(1);
    expect(await guards.claimUnreported(T + 201_000, T + 191_000, 10)).toHaveLength(1);
    expect(await guards.claimUnreported(T + 202_000, T + 192_000, 10)).toEqual([]);
  });

  it('claimUnreported: two stores claiming at once get each guard once between them', async () => {
    const other = await database.open({ now: clock.now });
    const ids = Array.from({ length: 6 }, (_, i) => `g${i}`);
    for (const id of ids) {
      await store.guards.set(id, { targetPercent: 3, lastCalls: 100, pauseTask: false }, H10);
      await store.guards.trip(id, H10 + 1, 100, 4);
    }
    const T = H10 + MINUTE;
    const [mine, theirs] = await Promise.all([store.guards.claimUnreported(T, T - 30_000, 10), other.guards.claimUnreported(T, T - 30_000, 10)]);
    expect([...mine, ...theirs].map((r) => r.taskId).sort()).toEqual(ids);
  });
});
