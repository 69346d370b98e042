import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import {
  PredictiveAssignmentType,
  type PredictiveTask,
  PredictiveTaskStatus,
  type Store,
  taskCursor,
} from '../../src/store/index.ts';
import { rejectionOf } from '../utils/rejection.ts';
import { type TestDatabase, describeEachBackend } from '../utils/store-backends.ts';
import { createFakeClock, newTask } from './fixtures.ts';

const { NotStarted, Running, Paused, Ended, Finished } = PredictiveTaskStatus;

/** Every page of a listing, following cursors: the ids in the order served. */
async function allPages(store: Store, first: number, filter = {}): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page = await store.tasks.list(filter, { first, after });
    ids.push(...page.rows.map((t) => t.id));
    const last = page.rows.at(-1);
    if (!page.hasNextPage || !last) return ids;
    after = taskCursor(last);
  }
  throw new Error('pagination did not end');
}

describeEachBackend('predictive tasks on $name', (backend) => {
  let database: TestDatabase;
  let store: Store;
  const clock = createFakeClock();

  beforeEach(async () => {
    clock.set(Date.parse('2025-01-01T00:00:00.000Z'));
    database = await backend.create();
    store = await database.open({ now: clock.now });
  });
  afterEach(() => database.dispose());

  it('stores and reads back every field, with times as Dates to the millisecond', async () => {
    clock.set(Date.parse('2025-03-04T05:06:07.089Z'));
    const inserted = await store.tasks.insert(
      newTask({
        id: '20200212163504393460',
        name: 'Spring campaign',
        assignment: { type: PredictiveAssignmentType.ExtGroup, assignee: 'group-a' },
        pacing: { agents: 2, calls: 5 },
        callerNumbers: ['075512345678'],
        counts: { submitted: 10, accepted: 8, refused: 2 },
      }),
    );
    const expected: PredictiveTask = {
      id: '20200212163504393460',
      name: 'Spring campaign',
      assignment: { type: PredictiveAssignmentType.ExtGroup, assignee: 'group-a' },
      pacing: { agents: 2, calls: 5 },
      callerNumbers: ['075512345678'],
      counts: { submitted: 10, accepted: 8, refused: 2 },
      status: NotStarted,
      createdAt: new Date('2025-03-04T05:06:07.089Z'),
      statusChangedAt: new Date('2025-03-04T05:06:07.089Z'),
      updatedAt: new Date('2025-03-04T05:06:07.089Z'),
    };
    expect(inserted).toEqual(expected);
    expect(await store.tasks.get(inserted.id)).toEqual(expected);
    expect(await store.tasks.get('missing')).toBeNull();
    expect(await store.tasks.history(inserted.id)).toEqual([
      { taskId: inserted.id, from: null, to: NotStarted, source: 'mutation', at: expected.createdAt },
    ]);
  });

  it('refuses a second task with the same id', async () => {
    await store.tasks.insert(newTask({ id: 'dup' }));
    await expect(store.tasks.insert(newTask({ id: 'dup' }))).rejects.toThrow();
    expect(await store.tasks.history('dup')).toHaveLength(1);
  });

  it('getMany keeps the order asked for, repeats duplicates and gives null for unknown ids', async () => {
    for (const id of ['a', 'b', 'c']) await store.tasks.insert(newTask({ id }));
    const many = await store.tasks.getMany(['c', 'missing', 'a', 'c']);
    expect(many.map((t) => t?.id ?? null)).toEqual(['c', null, 'a', 'c']);
    expect(await store.tasks.getMany([])).toEqual([]);
  });

  describe('listing', () => {
    // 23 tasks over 5 distinct createdAt values: ties everywhere, so the id tie-break carries the order.
    async function seedTies(): Promise<string[]> {
      const base = clock.now();
      const tasks = Array.from({ length: 23 }, (_, i) => ({ id: `t${String(i).padStart(2, '0')}`, at: base + (i % 5) * 1000 }));
      for (const { id, at } of tasks.reverse()) await store.tasks.insert(newTask({ id, createdAt: new Date(at) }));
      return tasks.sort((x, y) => y.at - x.at || (x.id < y.id ? 1 : -1)).map((t) => t.id);
    }

    it('pages newest first, each row exactly once, across createdAt ties', async () => {
      const expected = await seedTies();
      for (const first of [1, 4, 5, 22, 23, 50]) {
        expect(await allPages(store, first)).toEqual(expected);
      }
    });

    it('is stable: tasks created while paging do not shift or repeat later pages', async () => {
      const expected = await seedTies();
      const firstPage = await store.tasks.list({}, { first: 7 });
      clock.advance(60_000);
      await store.tasks.insert(newTask({ id: 'newer' }));
      const rest = await store.tasks.list({}, { first: 100, after: taskCursor(firstPage.rows.at(-1)!) });
      expect([...firstPage.rows, ...rest.rows].map((t) => t.id)).toEqual(expected);
      expect(rest.hasNextPage).toBe(false);
    });

    it('reports hasNextPage exactly, including first: 0', async () => {
      await seedTies();
      expect(await store.tasks.list({}, { first: 0 })).toEqual({ rows: [], hasNextPage: true });
      const all = await store.tasks.list({}, { first: 23 });
      expect(all.rows).toHaveLength(23);
      expect(all.hasNextPage).toBe(false);
    });

    it('refuses a malformed cursor or a negative page size as invalid input', async () => {
      expect(await rejectionOf(() => store.tasks.list({}, { first: 5, after: 'not a cursor' }))).toBeInstanceOf(InvalidInputError);
      expect(await rejectionOf(() => store.tasks.list({}, { first: -1 }))).toBeInstanceOf(InvalidInputError);
    });

    it('filters by status list and by name, case-insensitively, with wildcards taken literally', async () => {
      await store.tasks.insert(newTask({ id: '1', name: 'SPRING sale' }));
      await store.tasks.insert(newTask({ id: '2', name: 'Spring follow-up', status: Running }));
      await store.tasks.insert(newTask({ id: '3', name: 'Autumn 50% off', status: Paused }));
      await store.tasks.insert(newTask({ id: '4', name: 'Autumn 500 calls', status: Finished }));
      await store.tasks.insert(newTask({ id: '5', name: 'ÉTÉ campaign', status: Running }));
      await store.tasks.insert(newTask({ id: '6', name: 'a_b', status: Ended }));
      await store.tasks.insert(newTask({ id: '7', name: 'axb' }));
      const ids = async (filter: object) => (await store.tasks.list(filter, { first: 50 })).rows.map((t) => t.id);

      expect(await ids({ nameContains: 'spring' })).toEqual(['2', '1']);
      expect(await ids({ nameContains: 'spring', statuses: [Running] })).toEqual(['2']);
      expect(await ids({ statuses: [Running, Paused] })).toEqual(['5', '3', '2']);
      expect(await ids({ statuses: [] })).toHaveLength(7);
      expect(await ids({ nameContains: '50%' })).toEqual(['3']);
      expect(await ids({ nameContains: 'a_b' })).toEqual(['6']);
      expect(await ids({ nameContains: 'été' })).toEqual(['5']);
      expect(await ids({ nameContains: 'nothing like it' })).toEqual([]);
      // Filters and pagination together.
      expect(await allPages(store, 1, { nameContains: 'AUTUMN' })).toEqual(['4', '3']);
    });
  });

  describe('status', () => {
    it('records each change with its time and source, and ignores a repeat', async () => {
      await store.tasks.insert(newTask({ id: 's' }));
      clock.advance(1000);
      const started = await store.tasks.setStatus('s', Running, { source: 'mutation' });
      expect(started).toMatchObject({ changed: true, task: { status: Running } });
      expect(started?.task.statusChangedAt).toEqual(new Date(clock.now()));

      const repeat = await store.tasks.setStatus('s', Running, { source: 'mutation' });
      expect(repeat).toMatchObject({ changed: false, task: { status: Running } });

      const eventTime = new Date(clock.now() + 500);
      clock.advance(2000);
      await store.tasks.setStatus('s', Finished, { source: 'callback', at: eventTime });
      const task = await store.tasks.get('s');
      expect(task?.statusChangedAt).toEqual(eventTime);
      expect(task?.updatedAt).toEqual(new Date(clock.now()));
      expect((await store.tasks.history('s')).map(({ from, to, source }) => [from, to, source])).toEqual([
        [null, NotStarted, 'mutation'],
        [NotStarted, Running, 'mutation'],
        [Running, Finished, 'callback'],
      ]);
    });

    it('never moves a terminal status back, nor to another terminal status', async () => {
      await store.tasks.insert(newTask({ id: 'f', status: Running }));
      await store.tasks.setStatus('f', Finished, { source: 'callback' });
      for (const late of [Running, Paused, Ended, NotStarted]) {
        expect(await store.tasks.setStatus('f', late, { source: 'mutation' })).toMatchObject({ changed: false, task: { status: Finished } });
      }
      await store.tasks.insert(newTask({ id: 'e', status: Running }));
      await store.tasks.setStatus('e', Ended, { source: 'mutation' });
      expect(await store.tasks.setStatus('e', Finished, { source: 'callback' })).toMatchObject({ changed: false, task: { status: Ended } });
      expect((await store.tasks.get('f'))?.status).toBe(Finished);
      expect((await store.tasks.get('e'))?.status).toBe(Ended);
      expect(await store.tasks.history('f')).toHaveLength(2);
    });

    it('gives null for an unknown task', async () => {
      expect(await store.tasks.setStatus('nope', Running, { source: 'callback' })).toBeNull();
    });

    it('keeps a consistent history when changes race from two connections, and a terminal status wins', async () => {
      const other = await database.open({ now: clock.now });
      await store.tasks.insert(newTask({ id: 'race' }));
      const changes = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? store : other).tasks.setStatus('race', i === 13 ? Finished : i % 3 ? Running : Paused, { source: 'callback' }),
      );
      const results = await Promise.all(changes);
      expect((await store.tasks.get('race'))?.status).toBe(Finished);
      const history = await store.tasks.history('race');
      expect(history).toHaveLength(1 + results.filter((r) => r?.changed).length);
      expect(history.at(-1)?.to).toBe(Finished);
      // Each row starts where the previous one ended: no change was computed from a stale status.
      history.slice(1).forEach((row, i) => expect(row.from).toBe(history[i]?.to));
    });
  });

  describe('counts', () => {
    it('adds to the counts, and gives null for an unknown task', async () => {
      await store.tasks.insert(newTask({ id: 'c', counts: { submitted: 5, accepted: 4, refused: 1 } }));
      clock.advance(10);
      const task = await store.tasks.addCounts('c', { submitted: 3, accepted: 2 });
      expect(task?.counts).toEqual({ submitted: 8, accepted: 6, refused: 1 });
      expect(task?.updatedAt).toEqual(new Date(clock.now()));
      expect(await store.tasks.addCounts('missing', { submitted: 1 })).toBeNull();
      await expect(store.tasks.addCounts('c', { refused: -1 })).rejects.toThrow(RangeError);
    });

    it('loses no increment when many run at once from two connections', async () => {
      const other = await database.open({ now: clock.now });
      await store.tasks.insert(newTask({ id: 'n' }));
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? store : other).tasks.addCounts('n', { submitted: 3, accepted: 2, refused: 1 })),
      );
      expect((await store.tasks.get('n'))?.counts).toEqual({ submitted: 120, accepted: 80, refused: 40 });
    });
  });
});
