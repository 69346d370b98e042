import type { Database as SqliteHandle, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * The better-sqlite3 database as Kysely's SqliteDialect sees it, with prepared statements cached by their SQL.
 *
 * Why: Kysely's SQLite driver calls `prepare(sql)` for every query, and preparing (parsing and planning) costs about
 * as much as running a small statement. Repositories build the same SQL text again and again, so a Map from SQL to
 * its statement saves that work. Bounded: SQL with a variable `in (?, ?, …)` list differs per list length, so once the
 * map is full the oldest entry goes. A statement still being iterated (a streamed select) is busy and cannot run again
 * until it finishes: a fresh one is prepared for that call instead.
 *
 * It also counts commits (process-wide, `sqliteCommits()`): a write outside a transaction (an autocommit) or a COMMIT.
 * Each is one WAL sync under synchronous=FULL, which is what limits how many callbacks per second are stored; tests
 * and benchmarks read the count to check that a callback costs at most one.
 */

const DEFAULT_CAPACITY = 500;
const ROLLBACK = /^\s*rollback(\s+transaction)?\s*;?\s*$/i;

let commits = 0;

/** Commits made through every cached database of this process so far (a counter: compare two readings). */
export function sqliteCommits(): number {
  return commits;
}

interface Cached {
  statement: Statement;
  wrapped: SqliteStatement;
}

export function cachedStatements(database: SqliteHandle, capacity = DEFAULT_CAPACITY): SqliteDatabase {
  const cache = new Map<string, Cached>();

  function wrap(statement: Statement, sql: string): SqliteStatement {
    // Leaving a transaction through ROLLBACK syncs nothing; through COMMIT (or the release of a transaction's outermost
    // savepoint) it does. Outside a transaction, a statement that writes is its own commit.
    const rollback = ROLLBACK.test(sql);
    const writes = !statement.readonly;
    const count = (wasIn: boolean) => {
      if (database.inTransaction) return;
      if (wasIn ? !rollback : writes) commits += 1;
    };
    return {
      reader: statement.reader,
      all(parameters) {
        const wasIn = database.inTransaction;
        const rows = statement.all(parameters);
        count(wasIn);
        return rows;
      },
      run(parameters) {
        const wasIn = database.inTransaction;
        const result = statement.run(parameters);
        count(wasIn);
        return result;
      },
      iterate(parameters) {
        return statement.iterate(parameters);
      },
    };
  }

  return {
    close: () => database.close(),
    prepare(sql) {
      const cached = cache.get(sql);
      if (cached !== undefined && !cached.statement.busy) return cached.wrapped;
      const statement = database.prepare(sql);
      const wrapped = wrap(statement, sql);
      if (cached === undefined) {
        if (cache.size >= capacity) {
          const oldest = cache.keys().next();
          if (oldest.done !== true) cache.delete(oldest.value);
        }
        cache.set(sql, { statement, wrapped });
      }
      return wrapped;
    },
  };
}
