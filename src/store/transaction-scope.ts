import { AsyncLocalStorage } from 'node:async_hooks';
import { type Compilable, CompiledQuery, type DatabaseConnection, type Kysely, type QueryResult } from 'kysely';
import type { DialectName } from './migrations.ts';
import type { Database } from './schema.ts';

/**
 * One transaction around several repository calls, without handing the transaction to each of them.
 *
 * Why ambient: the repositories are closures over the store's Kysely instance, and tests (and the ingestor's failure
 * paths) wrap repository methods in proxies; rebuilding repositories on a transaction would bypass those wrappers. So
 * each repository queries through `ambient(db)`, which resolves to the transaction's connection while code runs inside
 * `inTransaction(db, …)` (an AsyncLocalStorage scope) and to `db` everywhere else.
 *
 * Why it is safe on SQLite: Kysely gives SQLite one connection behind a mutex. The transaction holds that connection
 * for its whole life, so every other query of the process waits (asynchronously) for its commit and none can slip into
 * it; the transaction's body only awaits its own statements (nothing on the network), so the wait is the batch's few
 * milliseconds. Anything that queries the root `db` directly from inside the scope would wait for itself: only the
 * repositories (which go through `ambient`) may be called there.
 */

interface Scope {
  root: Kysely<Database>;
  connection: Kysely<Database>;
  /** Cleared at commit/rollback: a timer started inside the scope inherits it, and must then use the root again. */
  open: boolean;
  /**
   * SQLite only: `executeQuery` straight on the driver's connection (registerDirectConnection). The scope holds
   * Kysely's connection mutex, so this is what Kysely would run, minus its executor's layers of promises: for a lone
   * callback, whose transaction is seven such statements, they were a quarter of the store's CPU (121 → 91 µs).
   */
  execute: ((query: CompiledQuery | Compilable<unknown>) => Promise<QueryResult<unknown>>) | undefined;
  /** Writes held back until just before COMMIT, per owner (writeBehindOf). */
  writeBehind: Map<object, WriteBehind>;
}

/**
 * Writes a repository holds back until its transaction commits, so that many of them become one statement: the
 * statistics' counter rows of every callback of a group commit, say. `flush` runs inside the transaction just before
 * COMMIT (its failure rolls the transaction back); a savepoint that rolls back takes back what was added under it.
 */
export interface WriteBehind {
  flush(): Promise<void>;
  /** How much is held now: what a savepoint rolls back to. */
  mark(): unknown;
  /** Back to a mark; undefined: to nothing (the buffer was made after the savepoint began). */
  rollbackTo(mark: unknown): void;
}

/**
 * The write-behind buffer of `owner` in the transaction of `db` the calling code runs in, made by `create` on first
 * use; null outside a transaction (the caller then writes at once).
 */
export function writeBehindOf<T extends WriteBehind>(db: Kysely<Database>, owner: object, create: () => T): T | null {
  const scope = scopes.getStore();
  if (scope === undefined || !scope.open || scope.root !== db) return null;
  let buffer = scope.writeBehind.get(owner) as T | undefined;
  if (!buffer) scope.writeBehind.set(owner, (buffer = create()));
  return buffer;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Per SQLite Kysely instance: its one connection (SQLite's driver has exactly one, made once at its init). */
const directConnections = new WeakMap<Kysely<Database>, DatabaseConnection>();

/**
 * Lets transactions of `db` run compiled queries (their own BEGIN/COMMIT/SAVEPOINT, and the repositories'
 * `executeQuery(compiled)`) directly on `connection`, SQLite's single connection, which only code holding Kysely's
 * connection (inside inTransaction) may use. Query builders still go through Kysely. Not for PostgreSQL: a pool has
 * many connections, and a transaction's is Kysely's to choose.
 */
export function registerDirectConnection(db: Kysely<Database>, connection: DatabaseConnection): void {
  directConnections.set(db, connection);
}

/** A compiled query, as opposed to a builder (`Compilable`), which only Kysely can turn into SQL. */
function isCompiled(query: unknown): query is CompiledQuery {
  return typeof query === 'object' && query !== null && typeof (query as CompiledQuery).sql === 'string' && !('compile' in query);
}

function run(scope: Scope, query: CompiledQuery): Promise<QueryResult<unknown>> {
  return scope.execute ? scope.execute(query) : scope.connection.executeQuery(query);
}

// Run on every transaction: compiled once, not through Kysely's `sql` template each time.
const BEGIN = CompiledQuery.raw('begin');
const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

/** `db`, or the open transaction of `db` the calling code runs in. */
export function ambient(db: Kysely<Database>): Kysely<Database> {
  return new Proxy(db, {
    get(target, key) {
      const scope = scopes.getStore();
      const inScope = scope !== undefined && scope.open && scope.root === target;
      if (inScope && key === 'executeQuery' && scope.execute !== undefined) return scope.execute;
      const current = inScope ? scope.connection : target;
      const value: unknown = Reflect.get(current, key, current);
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}

/**
 * Runs `body` in one transaction of `db` (the ambient one for every repository built on `db`) and commits: when this
 * resolves, everything `body` wrote is durable (SQLite WAL synchronous=FULL syncs at commit; PostgreSQL flushes the
 * commit record). If `body` throws, everything is rolled back and the error is rethrown. SQLite begins IMMEDIATE:
 * the write lock is taken up front (waiting out another process through busy_timeout) instead of failing with
 * SQLITE_BUSY at the first write after a read.
 */
export async function inTransaction<T>(db: Kysely<Database>, dialect: DialectName, body: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    const direct = dialect === 'sqlite' ? directConnections.get(db) : undefined;
    const scope: Scope = { root: db, connection, open: true, execute: undefined, writeBehind: new Map() };
    if (direct !== undefined) {
      // Async, so a statement that fails to prepare rejects as Kysely's would, rather than throwing synchronously.
      scope.execute = async (query) => {
        // A builder handed to executeQuery, or a call after the scope closed (a timer begun inside it), goes the long way.
        if (!scope.open || !isCompiled(query)) return connection.executeQuery(query);
        return direct.executeQuery(query);
      };
    }
    return scopes.run(scope, async () => {
      await run(scope, dialect === 'sqlite' ? BEGIN_IMMEDIATE : BEGIN);
      let result: T;
      try {
        result = await body();
        for (const buffer of scope.writeBehind.values()) await buffer.flush();
      } catch (error) {
        scope.open = false;
        // SQLite may already have rolled back by itself (an I/O error, a full disk): then there is nothing to undo.
        await connection.executeQuery(ROLLBACK).catch(() => undefined);
        throw error;
      }
      try {
        await run(scope, COMMIT);
      } catch (error) {
        await connection.executeQuery(ROLLBACK).catch(() => undefined);
        throw error;
      } finally {
        scope.open = false;
      }
      return result;
    });
  });
}

/**
 * Runs `body` under a savepoint of the current transaction: if it throws, its writes are undone (and a PostgreSQL
 * transaction is usable again) while the transaction's earlier writes stay; the error is rethrown. If the savepoint
 * cannot be rolled back to (the transaction itself is gone), a TransactionLostError is thrown instead: fail the
 * transaction.
 */
export async function withSavepoint<T>(db: Kysely<Database>, name: SavepointName, body: () => Promise<T>): Promise<T> {
  const scope = scopes.getStore();
  if (scope === undefined || !scope.open || scope.root !== db) throw new Error('withSavepoint outside inTransaction');
  const statements = SAVEPOINT_STATEMENTS[name];
  await run(scope, statements.savepoint);
  const marks = new Map([...scope.writeBehind].map(([owner, buffer]) => [owner, buffer.mark()]));
  let result: T;
  try {
    result = await body();
  } catch (error) {
    for (const [owner, buffer] of scope.writeBehind) buffer.rollbackTo(marks.get(owner));
    try {
      await run(scope, statements.rollbackTo);
      await run(scope, statements.release);
    } catch (lost) {
      // SQLite rolls a whole transaction back by itself on some errors (I/O, full disk): later statements would run
      // as autocommits outside it. The caller must give the transaction up.
      throw new TransactionLostError(error, lost);
    }
    throw error;
  }
  await run(scope, statements.release);
  return result;
}

/** The transaction a savepoint belonged to is gone: nothing of it will commit. `cause` is what failed first. */
export class TransactionLostError extends Error {
  constructor(cause: unknown, rollback: unknown) {
    super(`transaction rolled back: ${rollback instanceof Error ? rollback.message : String(rollback)}`, { cause });
    this.name = 'TransactionLostError';
  }
}

/**
 * The savepoints ingestion uses (names are reused: a nested savepoint of the same name shadows the outer one). Plain
 * lower-case words: they are written into the SQL as they are.
 */
export enum SavepointName {
  /** Around one callback of a group commit: its failure does not fail the others. */
  Callback = 'callback',
  /** Around the projection and settle of one event: a failed projection keeps the appended event. */
  Projection = 'projection',
}

const SAVEPOINT_STATEMENTS = Object.fromEntries(
  Object.values(SavepointName).map((name) => [
    name,
    {
      savepoint: CompiledQuery.raw(`savepoint ${name}`),
      rollbackTo: CompiledQuery.raw(`rollback to savepoint ${name}`),
      release: CompiledQuery.raw(`release savepoint ${name}`),
    },
  ]),
) as Record<SavepointName, { savepoint: CompiledQuery; rollbackTo: CompiledQuery; release: CompiledQuery }>;
