import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DatabaseConnection, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { type AgentStatusRepository, createAgentStatusRepository } from './agent-status.ts';
import { type CallRecordRepository, createCallRecordRepository } from './call-records.ts';
import { type EventRepository, createEventRepository } from './events.ts';
import { type IdempotencyRepository, createIdempotencyRepository } from './idempotency.ts';
import { type DialectName, migrateToLatest } from './migrations.ts';
import type { Database } from './schema.ts';
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

export async function createDatabase(databaseUrl: string, options: StoreOptions = {}): Promise<Store> {
  const location = parseDatabaseUrl(databaseUrl);
  let sqliteConnection: DatabaseConnection | undefined;
  // Each driver is loaded only when its dialect is configured: node-postgres costs ~30 ms of start-up for nothing on
  // SQLite, and a PostgreSQL deployment never loads the native SQLite addon.
  const db = new Kysely<Database>({
    dialect:
      location.dialect === 'sqlite'
        ? await sqliteDialect(location.filename, (connection) => {
            sqliteConnection = connection;
          })
        : await postgresDialect(location.connectionString, options),
  });
  try {
    await migrateToLatest(db, location.dialect);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  // The migrations made the driver's one connection; transactions run their compiled statements on it directly.
  if (sqliteConnection !== undefined) registerDirectConnection(db, sqliteConnection);
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

async function postgresDialect(connectionString: string, options: StoreOptions): Promise<PostgresDialect> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString, types: int8AsNumber(pg.types), max: options.maxConnections ?? 10 });
  pool.on('error', (error) => options.logger?.warn('idle PostgreSQL connection failed', error));
  return new PostgresDialect({ pool });
}
