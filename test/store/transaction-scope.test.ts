import { CompiledQuery, DefaultQueryExecutor, type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCallbackIngestor } from '../../src/callbacks/ingest.ts';
import { normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { createMemoryPubSub } from '../../src/events/pubsub.ts';
import { type Store, createDatabase, projectEvent } from '../../src/store/index.ts';
import type { Database } from '../../src/store/schema.ts';
import { sqliteCommits } from '../../src/store/sqlite-statements.ts';
import { SavepointName, ambient, inTransaction, withSavepoint } from '../../src/store/transaction-scope.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDisposer } from '../utils/disposer.ts';
import { recordingLogger } from '../utils/recording-logger.ts';
import { tempDatabaseUrl } from '../utils/temp-db.ts';

/**
 * SQLite transactions run their compiled statements (BEGIN, COMMIT, savepoints, the repositories' query templates)
 * straight on the driver's one connection instead of through Kysely's executor (transaction-scope.ts,
 * registerDirectConnection), and a settle given the pending event does not read the row back (events.ts). Counted, not
 * timed: calls into Kysely's executor, commits, and what ends up stored.
 */

const disposer = createDisposer();
afterEach(() => disposer.dispose());

const callback = (uuid: string, extension = '8101') =>
  normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: extension, uuid, status: 'ring' });

/** A table no repository uses, read with a query Kysely compiles (not a compiled query). */
async function marks(db: Kysely<Database>): Promise<unknown[]> {
  return (await sql`select topic, pruned_through from event_prune_marks`.execute(db)).rows;
}

async function sqliteStore(): Promise<Store> {
  return disposer.use(await createDatabase(tempDatabaseUrl(disposer)), (store) => store.close());
}

/** Counts the queries Kysely's executor runs (every Kysely instance's, transactions' included). */
function countKyselyQueries(): { readonly count: number } {
  const spy = vi.spyOn(DefaultQueryExecutor.prototype, 'executeQuery');
  disposer.add(() => spy.mockRestore());
  return {
    get count() {
      return spy.mock.calls.length;
    },
  };
}

describe('SQLite transactions on the connection directly', () => {
  it('ingests a lone callback with no query through Kysely’s executor, in one commit', async () => {
    const store = await sqliteStore();
    const log = recordingLogger();
    const ingestor = createCallbackIngestor({ store, pubsub: createMemoryPubSub(), logger: log.logger });
    disposer.add(() => ingestor.close());
    const queries = countKyselyQueries();
    const commits = sqliteCommits();

    const result = await ingestor.ingest(callback('direct-1'));

    expect(queries.count).toBe(0);
    expect(sqliteCommits() - commits).toBe(1);
    expect(result.duplicate).toBe(false);
    expect(result.event).toEqual({ ...(await store.events.get(result.id)), applied: true });
    expect((await store.agentStatus.get('8101'))?.eventId).toBe(result.id);
  });

  it('still runs queries Kysely compiles through Kysely, inside the transaction', async () => {
    const store = await sqliteStore();
    const queries = countKyselyQueries();
    const db = ambient(store.db);

    await expect(
      inTransaction(store.db, store.dialect, async () => {
        await db.executeQuery(CompiledQuery.raw("insert into event_prune_marks (topic, pruned_through) values ('agent-status', 7)"));
        expect(await marks(db)).toEqual([{ topic: 'agent-status', pruned_through: 7 }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');

    // Through Kysely: the select, which saw the compiled insert, and the ROLLBACK (a failure path, run once
    // the scope is closed). The insert was rolled back with the rest.
    expect(queries.count).toBe(2);
    expect(await marks(store.db)).toEqual([]);
  });

  it('rolls a failed body back to its savepoint on the connection, keeping what came before', async () => {
    const store = await sqliteStore();
    const commits = sqliteCommits();
    const appended = await inTransaction(store.db, store.dialect, async () => {
      const { event } = await store.events.append(callback('direct-2'));
      await expect(
        withSavepoint(store.db, SavepointName.Projection, async () => {
          const { applied, effect } = await projectEvent(store, event);
          await store.events.settle(event.id, applied, effect as never, event);
          throw new Error('projection failed');
        }),
      ).rejects.toThrow('projection failed');
      return event;
    });

    expect(sqliteCommits() - commits).toBe(1);
    expect((await store.events.get(appended.id))?.applied).toBeNull();
    expect(await store.agentStatus.get('8101')).toBeNull();
  });

  it('sends a compiled query made after the transaction closed to the database, not to the closed transaction', async () => {
    const store = await sqliteStore();
    const db = ambient(store.db);
    let later: (() => Promise<unknown>) | undefined;
    await inTransaction(store.db, store.dialect, async () => {
      // As a timer started inside the scope would: it inherits the scope, which is closed when it runs.
      later = () => db.executeQuery(CompiledQuery.raw("insert into event_prune_marks (topic, pruned_through) values ('call-record', 3)"));
    });
    const commits = sqliteCommits();
    await later?.();
    // An autocommit of its own.
    expect(sqliteCommits() - commits).toBe(1);
    expect(await marks(store.db)).toEqual([{ topic: 'call-record', pruned_through: 3 }]);
  });
});

describe('settling with the pending event at hand', () => {
  it('answers what settling by id answers, without reading the row back, and only once', async () => {
    const store = await sqliteStore();
    const { event: first } = await store.events.append(callback('settle-1', '8102'));
    const { event: second } = await store.events.append(callback('settle-2', '8103'));
    const effect = { previous: null, current: null };

    const byId = await store.events.settle(first.id, true, effect);
    const withPending = await store.events.settle(second.id, true, effect, second);

    expect(withPending).toEqual({ ...second, applied: true, effect });
    expect(withPending).toEqual({ ...(await store.events.get(second.id)), applied: true });
    expect(byId).toEqual({ ...(await store.events.get(first.id)), applied: true });
    expect(await store.events.settle(second.id, false, null, second)).toBeNull();
    expect((await store.events.get(second.id))?.applied).toBe(true);
  });
});
