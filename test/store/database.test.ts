import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { PredictiveAssignmentType, createDatabase, migrateToLatest, parseDatabaseUrl } from '../../src/store/index.ts';
import { type TestDatabase, describeEachBackend } from '../utils/store-backends.ts';

describe('parseDatabaseUrl', () => {
  it('reads SQLite paths, in-memory databases and PostgreSQL URLs', () => {
    expect(parseDatabaseUrl('file:./data/gateway.db')).toEqual({ dialect: 'sqlite', filename: './data/gateway.db' });
    expect(parseDatabaseUrl('file:///var/lib/gw/db.sqlite')).toEqual({ dialect: 'sqlite', filename: '/var/lib/gw/db.sqlite' });
    expect(parseDatabaseUrl('file::memory:')).toEqual({ dialect: 'sqlite', filename: ':memory:' });
    expect(parseDatabaseUrl('postgres://u@h/db')).toEqual({ dialect: 'postgres', connectionString: 'postgres://u@h/db' });
    expect(parseDatabaseUrl('postgresql://u@h/db').dialect).toBe('postgres');
  });

  it('refuses anything else', () => {
    expect(() => parseDatabaseUrl('mysql://db')).toThrow(/DATABASE_URL/);
    expect(() => parseDatabaseUrl('file:')).toThrow(/DATABASE_URL/);
  });
});

describe('in-memory SQLite', () => {
  it('opens, migrates and stores', async () => {
    const store = await createDatabase('file::memory:');
    try {
      await store.tasks.insert({
        id: 't1',
        name: 'memory',
        assignment: { type: PredictiveAssignmentType.Queue, assignee: 'q' },
        pacing: { agents: 1, calls: 2 },
        callerNumbers: [],
      });
      expect((await store.tasks.get('t1'))?.name).toBe('memory');
    } finally {
      await store.close();
      await store.close(); // closing twice is harmless
    }
  });
});

describeEachBackend('database on $name', (backend) => {
  let database: TestDatabase;
  afterEach(() => database.dispose());

  it('runs migrations idempotently: a second start and a second migrate change nothing', async () => {
    database = await backend.create();
    const first = await database.open();
    await first.tasks.insert({
      id: 'kept',
      name: 'kept',
      assignment: { type: PredictiveAssignmentType.Extension, assignee: '8001' },
      pacing: { agents: 1, calls: 1 },
      callerNumbers: ['02100000001'],
    });
    const second = await database.open();
    await migrateToLatest(second.db, second.dialect);

    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(second.db);
    expect(applied.rows.map((r) => r.name)).toEqual(['0001_predictive_tasks_and_idempotency', '0002_events_and_projections', '0003_event_prune_marks', '0004_statistics', '0005_events_pending_by_id']);
    expect((await second.tasks.get('kept'))?.callerNumbers).toEqual(['02100000001']);
  });

  it('stores durably: SQLite in WAL mode with synchronous FULL, PostgreSQL with synchronous_commit on', async () => {
    database = await backend.create();
    const store = await database.open();
    expect(store.dialect).toBe(backend.name);
    // A callback is acknowledged once its row is committed, so each backend must sync the commit before returning.
    if (backend.name === 'sqlite') {
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
      // FULL (2): every commit syncs the WAL before it returns.
      const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
      expect(sync.rows[0]?.synchronous).toBe(2);
    } else {
      const sync = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(store.db);
      expect(sync.rows[0]?.synchronous_commit).toBe('on');
    }
  });
});
