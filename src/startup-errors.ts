import { redact } from './redact.ts';

/**
 * Why the gateway could not start, in one line an operator can act on: which setting to change, never the value of a
 * setting that may carry a password (DATABASE_URL, REDIS_URL). main.ts prints this line and exits 1; the stack and
 * the causes (startupErrorDetails) only at LOG_LEVEL=debug.
 */

/** The settings a start-up error can be about (from the loaded configuration; null when it did not load). */
export interface StartupSettings {
  port: number;
  host: string;
  /** Demo mode: the port the built-in simulator asked for (it falls back to a free port when this one is taken). */
  simulatorPort?: number | null;
  databaseUrl: string;
  redisUrl: string | null;
}

export const STARTUP_FAILED = 'Gateway failed to start:';

const NET_UNREACHABLE = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const NAME_UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
/** File-system codes of making the SQLite file's directory. */
const FILE_PROBLEMS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOENT', 'ENOSPC', 'EISDIR']);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  severity?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error and what it wraps (cause, and the first of an AggregateError's errors), outermost first. */
function chainOf(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && chain.length < 8 && !chain.includes(current as ErrorLike)) {
    const e = current as ErrorLike;
    chain.push(e);
    current = e.cause ?? (Array.isArray(e.errors) ? e.errors[0] : undefined);
  }
  return chain;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const codeOf = (e: ErrorLike): string | undefined => text(e.code);

/** The first line of a message, redacted like a log line, at most ~160 characters. */
function firstLine(message: string): string {
  const line = redact(message).split(/\r?\n/, 1)[0]!.trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function messageOf(error: unknown): string {
  if (error instanceof Error || (error !== null && typeof error === 'object' && 'message' in error)) {
    return text((error as ErrorLike).message) || text((error as ErrorLike).name) || 'unknown error';
  }
  return String(error);
}

function dialectOf(databaseUrl: string | undefined): 'postgres' | 'sqlite' | null {
  if (!databaseUrl) return null;
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return 'postgres';
  return databaseUrl.startsWith('file:') ? 'sqlite' : null;
}

// ---- listen ----------------------------------------------------------------------------------------------------

function listenProblem(chain: ErrorLike[], settings: StartupSettings | null): string | null {
  const e = chain.find((link) => link.syscall === 'listen');
  if (!e) return null;
  const port = typeof e.port === 'number' ? e.port : settings?.port;
  const host = text(e.address) ?? settings?.host ?? 'this host';
  const setting = settings?.simulatorPort != null && port === settings.simulatorPort && port !== settings.port ? 'SIMULATOR_PORT' : 'PORT';
  switch (codeOf(e)) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use (set ${setting} to another port)`;
    case 'EACCES':
    case 'EPERM':
      return `port ${port} on ${host} needs privileges this process does not have (set ${setting} to 1024 or above, or allow it to bind low ports)`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine (set HOST to one of its addresses, or 0.0.0.0 for all)`;
    default:
      return `cannot listen on port ${port} on ${host} (${codeOf(e) ?? firstLine(messageOf(e))})`;
  }
}

/** listen(port, "some-name") looks the name up first. */
function lookupProblem(chain: ErrorLike[], settings: StartupSettings | null): string | null {
  const lookup = settings && chain.find((link) => link.syscall === 'getaddrinfo' && link.hostname === settings.host);
  return lookup ? `HOST ${settings.host} cannot be resolved (${codeOf(lookup) ?? 'lookup failed'}); set HOST to an address of this machine` : null;
}

// ---- Redis -----------------------------------------------------------------------------------------------------

function redisProblem(chain: ErrorLike[]): string | null {
  // src/events/redis.ts wraps every connection failure so.
  if (!chain.some((link) => /^cannot connect to Redis\b/.test(text(link.message) ?? ''))) return null;
  const root = chain[chain.length - 1]!;
  const code = codeOf(root);
  if (code && NAME_UNRESOLVED.has(code)) return `the host in REDIS_URL cannot be resolved (${code})`;
  const reason = code ?? firstLine(messageOf(root));
  return `cannot connect to the Redis server in REDIS_URL (${reason}); is it running there, and does REDIS_URL carry the right password?`;
}

// ---- the database ----------------------------------------------------------------------------------------------

/** A PostgreSQL error (node-postgres's DatabaseError): a severity and a five-character SQLSTATE. */
const isPostgresError = (e: ErrorLike) => typeof e.severity === 'string' && /^[0-9A-Z]{5}$/.test(codeOf(e) ?? '');
const isSqliteError = (e: ErrorLike) => e.name === 'SqliteError' || /^SQLITE_/.test(codeOf(e) ?? '');

function postgresProblem(chain: ErrorLike[], settings: StartupSettings | null): string | null {
  const sql = chain.find(isPostgresError);
  if (sql) {
    const code = codeOf(sql)!;
    if (code === '28P01' || code === '28000') return `PostgreSQL refused the user or password in DATABASE_URL (SQLSTATE ${code})`;
    if (code === '3D000') return 'the database named in DATABASE_URL does not exist on that PostgreSQL server (create it first)';
    if (code === '42501') return `the user in DATABASE_URL may not create the gateway's tables (SQLSTATE 42501: insufficient privilege)`;
    if (code === '53300') return 'the PostgreSQL server in DATABASE_URL has no connection slots left (SQLSTATE 53300)';
    if (code.startsWith('57P')) return `the PostgreSQL server in DATABASE_URL is starting up or shutting down (SQLSTATE ${code}); try again`;
    return `cannot open the PostgreSQL database in DATABASE_URL (SQLSTATE ${code}: ${firstLine(messageOf(sql))})`;
  }
  // At start only node-postgres connects out (Redis's failures come wrapped, the upstream APIs are not called yet); a
  // name lookup is the database's unless it is HOST's (listen(port, name) looks the name up too).
  const net = chain.find(
    (link) =>
      link.syscall === 'connect' ||
      codeOf(link) === 'ECONNREFUSED' ||
      (link.syscall === 'getaddrinfo' && (link.hostname === hostOf(settings?.databaseUrl) || link.hostname !== settings?.host)),
  );
  const code = net && codeOf(net);
  if (code === 'ECONNREFUSED') return 'the PostgreSQL server in DATABASE_URL refused the connection (is it running, on that host and port?)';
  if (code && NAME_UNRESOLVED.has(code)) return `the host in DATABASE_URL cannot be resolved (${code})`;
  if (code && NET_UNREACHABLE.has(code)) return `the PostgreSQL server in DATABASE_URL cannot be reached (${code})`;
  return null;
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname : undefined;
  } catch {
    return undefined;
  }
}

function sqliteProblem(chain: ErrorLike[]): string | null {
  // src/store/database.ts makes the file's directory (mkdir -p) before SQLite opens the file.
  const file = chain.find((link) => link.syscall === 'mkdir' && FILE_PROBLEMS.has(codeOf(link) ?? ''));
  if (file) {
    return `the directory of the SQLite file in DATABASE_URL cannot be created (${codeOf(file)}); point DATABASE_URL at a place this user may write (file:<path>)`;
  }
  const sqlite = chain.find(isSqliteError);
  if (!sqlite) return null;
  const code = codeOf(sqlite) ?? 'SqliteError';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return `the SQLite file in DATABASE_URL is locked by another process (${code})`;
  if (/^SQLITE_(CANTOPEN|READONLY|PERM|AUTH|IOERR)/.test(code)) {
    return `the SQLite file in DATABASE_URL cannot be opened for writing (${code}); check that its directory exists and this user may write there`;
  }
  return `cannot open the SQLite database in DATABASE_URL (${code}: ${firstLine(messageOf(sqlite))})`;
}

function databaseProblem(chain: ErrorLike[], settings: StartupSettings | null): string | null {
  // src/store/migrations.ts wraps what fails while migrating; connecting and opening can fail before that, unwrapped.
  const migrating = chain.some((link) => /^database migration\b/.test(text(link.message) ?? ''));
  const dialect = dialectOf(settings?.databaseUrl) ?? (chain.some(isSqliteError) ? 'sqlite' : chain.some(isPostgresError) ? 'postgres' : null);
  const problem = dialect === 'postgres' ? postgresProblem(chain, settings) : dialect === 'sqlite' ? sqliteProblem(chain) : null;
  if (problem) return problem;
  if (migrating) return `the database in DATABASE_URL could not be migrated (${firstLine(messageOf(chain[chain.length - 1]))})`;
  return null;
}

// ---- the line --------------------------------------------------------------------------------------------------

/**
 * One line, without a newline: `Gateway failed to start: …`. Known causes (a taken or privileged port, an
 * unreachable or unwritable database, an unreachable Redis) name the setting to change; anything else gives the
 * error's first line, redacted, and where to see more.
 */
export function startupErrorLine(error: unknown, settings: StartupSettings | null): string {
  const chain = chainOf(error);
  const known = listenProblem(chain, settings) ?? redisProblem(chain) ?? databaseProblem(chain, settings) ?? lookupProblem(chain, settings);
  if (known) return `${STARTUP_FAILED} ${known}`;
  return `${STARTUP_FAILED} ${firstLine(messageOf(error))} (LOG_LEVEL=debug prints the stack)`;
}

/** The stack and causes, redacted, for LOG_LEVEL=debug: printed after the line, indented. */
export function startupErrorDetails(error: unknown): string {
  const parts = chainOf(error).map((link, i) => {
    const stack = link instanceof Error ? (link.stack ?? link.message) : String(text(link.message) ?? link);
    return i === 0 ? stack : `caused by: ${stack}`;
  });
  if (parts.length === 0) parts.push(String(error));
  return redact(parts.join('\n')).replace(/^/gm, '    ');
}
