import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CompiledQuery, type DatabaseConnection, Kysely, PostgresDialect, type QueryResult, SqliteDialect, sql } from 'kysely';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { type AgentStatusRepository, createAgentStatusRepository } from './agent-status.ts';
import { type CallRecordRepository, createCallRecordRepository } from './call-records.ts';
import { type EventRepository, createEventRepository } from './events.ts';
import { type IdempotencyRepository, createIdempotencyRepository } from './idempotency.ts';
import { type DialectName, migrateToLatest } from './migrations.ts';
import type { Database } from './schema.ts';
import { type StatisticsRepository, createStatisticsRepository } from './statistics.ts';
import { type TaskGuardRepository, createTaskGuardRepository } from './task-guards.ts';
import { cachedStatements } from './sqlite-statements.ts';
import { registerDirectConnection } from './transaction-scope.ts';
import { type PredictiveTaskRepository, createPredictiveTaskRepository } from './tasks.ts';

/**
 * Opens the gateway's database from DATABASE_URL, migrates it, and hands back the repositories.
 *
 * Times are stored as epoch milliseconds in `bigint` columns on both dialects. They compare, sort and do arithmetic
 * the same in SQLite and PostgreSQL (keyset cursors and expiry checks are plain integer comparisons), keep millisecond
 * precision exactly, and round-trip without zone or format questions. `timestamptz` would come back as a Date on
 * PostgreSQL but as text on SQLite, and ISO text only sorts right while every writer uses one exact format. The
 * repositories turn them into `Date`s; nothing above the store sees the numbers.
 */

export interface Store {
  readonly dialect: DialectName;
  /** For queries no repository covers yet; prefer adding a repository method. */
  readonly db: Kysely<Database>;
  readonly tasks: PredictiveTaskRepository;
  readonly idempotency: IdempotencyRepository;
  /** The append-only log of callbacks (docs/events.md). */
  readonly events: EventRepository;
  /** Latest call state per extension, projected from agent-status events. */
  readonly agentStatus: AgentStatusRepository;
  /** Call records from callbacks and GetBill, one row per call. */
  readonly callRecords: CallRecordRepository;
  /** Counters and facts behind the statistics (docs/statistics.md). */
  readonly statistics: StatisticsRepository;
  /** Abandon-rate guards of predictive tasks. */
  readonly guards: TaskGuardRepository;
  /** One trivial statement: whether the database answers (readiness). */
  ping(): Promise<void>;
  /** Closes the connection(s); safe to call more than once. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Epoch-ms clock; tests pass a fake one. */
  now?: () => number;
  idempotency?: { ttlMs?: number; leaseMs?: number };
  /** PostgreSQL pool size (default 10). */
  maxConnections?: number;
  /** Receives errors of idle PostgreSQL connections, which would otherwise crash the process. */
  logger?: Pick<Logger, 'warn'>;
}

export type DatabaseLocation =
  | { dialect: 'sqlite'; filename: string }
  | { dialect: 'postgres'; connectionString: string };

/** `file:<path>`, `file:///abs/path`, `file::memory:`, `postgres://…` or `postgresql://…`. */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', connectionString: url };
  if (url.startsWith('file:')) {
    const rest = url.slice('file:'.length);
    if (rest === ':memory:') return { dialect: 'sqlite', filename: ':memory:' };
    const filename = rest.startsWith('//') ? fileURLToPath(url) : rest;
    if (filename !== '') return { dialect: 'sqlite', filename };
  }
  throw new Error('DATABASE_URL must be file:<path> (SQLite) or postgres://… (PostgreSQL)');
}

/**
 * Told of each statement as it is sent on one of the store's connections (traces: src/observability/store-tracing.ts);
 * the function it returns is called once when the statement has run, with its error if it failed.
 */
export type QueryObserver = (query: CompiledQuery, dialect: DialectName) => (error?: unknown) => void;

/**
 * Where a store's statements can be watched. Watched at the driver's connection, below Kysely, because transactions
 * on SQLite run their compiled statements on the connection directly (transaction-scope.ts: the callback hot path),
 * which a Kysely plugin or its `log` option would never see.
 */
interface QueryTap {
  dialect: DialectName;
  observer: QueryObserver | null;
  /** SQLite's one connection, wrapped only once someone observes: with no observer its statements pay nothing. */
  sqlite: DatabaseConnection | undefined;
  wrapped: boolean;
}

const taps = new WeakMap<Kysely<Database>, QueryTap>();

/** Calls `observer` for every statement of the store `db` from now on; returns what stops it (one observer at a time). */
export function observeQueries(db: Kysely<Database>, observer: QueryObserver): () => void {
  const tap = taps.get(db);
  if (!tap) return () => undefined;
  tap.observer = observer;
  if (tap.sqlite && !tap.wrapped) {
    tap.wrapped = true;
    tapConnection(tap.sqlite, tap);
  }
  return () => {
    if (tap.observer === observer) tap.observer = null;
  };
}

/** Replaces the connection's executeQuery (as Kysely's own query logging does) with one that tells the tap's observer. */
function tapConnection(connection: DatabaseConnection, tap: QueryTap): void {
  const execute = connection.executeQuery.bind(connection);
  connection.executeQuery = <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    const observer = tap.observer;
    if (observer === null) return execute<R>(query);
    const done = observer(query, tap.dialect);
    let pending: Promise<QueryResult<R>>;
    try {
      pending = execute<R>(query);
    } catch (error) {
      done(error);
      throw error;
    }
    return pending.then(
      (result) => (done(), result),
      (error: unknown) => {
        done(error);
        throw error;
      },
    );
  };
}

export async function createDatabase(databaseUrl: string, options: StoreOptions = {}): Promise<Store> {
  const location = parseDatabaseUrl(databaseUrl);
  const tap: QueryTap = { dialect: location.dialect, observer: null, sqlite: undefined, wrapped: false };
  let sqliteConnection: DatabaseConnection | undefined;
  // Each driver is loaded only when its dialect is configured: node-postgres costs ~30 ms of start-up for nothing on
  // SQLite, and a PostgreSQL deployment never loads the native SQLite addon.
  const db = new Kysely<Database>({
    dialect:
      location.dialect === 'sqlite'
        ? await sqliteDialect(location.filename, (connection) => {
            sqliteConnection = connection;
          })
        : await postgresDialect(location.connectionString, options, (connection) => tapConnection(connection, tap)),
  });
  taps.set(db, tap);
  try {
    await migrateToLatest(db, location.dialect);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  // The migrations made the driver's one connection; transactions run their compiled statements on it directly.
  if (sqliteConnection !== undefined) registerDirectConnection(db, sqliteConnection);
  tap.sqlite = sqliteConnection;
  const now = options.now ?? Date.now;
  let closing: Promise<void> | undefined;
  return {
    dialect: location.dialect,
    db,
    tasks: createPredictiveTaskRepository(db, { now }),
    idempotency: createIdempotencyRepository(db, { now, ...options.idempotency }),
    events: createEventRepository(db, { dialect: location.dialect, now }),
    agentStatus: createAgentStatusRepository(db, { dialect: location.dialect }),
    callRecords: createCallRecordRepository(db, { now }),
    statistics: createStatisticsRepository(db, location.dialect),
    guards: createTaskGuardRepository(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => (closing ??= db.destroy()),
  };
}

async function sqliteDialect(filename: string, onConnection: (connection: DatabaseConnection) => void): Promise<SqliteDialect> {
  const { default: SQLite } = await import('better-sqlite3');
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const database = new SQLite(filename);
  if (filename !== ':memory:') {
    // WAL lets readers run while a writer commits. `synchronous` is FULL (SQLite's default, set anyway so a build
    // with another default cannot weaken it): every commit syncs the WAL before it returns, so a callback is
    // acknowledged only once it would survive a power cut. NORMAL can lose the last commits to one.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
  }
  // Another process holding the write lock makes us wait, not fail at once with SQLITE_BUSY.
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  // Statements prepared once per SQL text, not per query (sqlite-statements.ts).
  return new SqliteDialect({
    database: cachedStatements(database),
    onCreateConnection: async (connection) => onConnection(connection),
  });
}

// node-postgres returns int8 as a string because it can exceed 2^53. Ours are epoch ms, counts and row ids, far
// below that, so they are parsed as numbers, for this pool only (pg.types.setTypeParser would change it process-wide).
function int8AsNumber(types: typeof pg.types): pg.CustomTypesConfig {
  const INT8 = types.builtins.INT8;
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8 && format !== 'binary' ? parseInt8 : types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
  };
}

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} does not fit a JavaScript number`);
  return value;
}

/**
 * `onConnection` sees each pool connection as it is made. PostgreSQL's connections come and go with the pool, so each
 * is wrapped for observers when made (an idle check per statement while nobody observes, next to a network round trip).
 */
async function postgresDialect(
  connectionString: string,
  options: StoreOptions,
  onConnection: (connection: DatabaseConnection) => void,
): Promise<PostgresDialect> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString, types: int8AsNumber(pg.types), max: options.maxConnections ?? 10 });
  pool.on('error', (error) => options.logger?.warn('idle PostgreSQL connection failed', error));
  return new PostgresDialect({ pool, onCreateConnection: async (connection) => onConnection(connection) });
}
