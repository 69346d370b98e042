import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogLevel } from './config.ts';
import { LogFormat, LogModule } from './log-levels.ts';
import { ErrorCode, UpstreamBudgetError, UpstreamError } from './errors.ts';
import { isSecretKey, REDACTED, redact, registeredSecretsVersion } from './redact.ts';
import { scopeOfError } from './observability/operation-scope.ts';
import { currentScope } from './upstream/budget.ts';

export { LOG_LEVELS, LOG_MODULES, LogFormat, type LogLevels, LogModule, parseLogLevels } from './log-levels.ts';

/**
 * Structured logs (pino): one JSON object per line by default, pretty text for a person at a terminal
 * (docs/operations.md, "Logs"). Every line goes through the one redaction rule (src/redact.ts), in one place, here:
 * - the message, string values of details and error text (message, stack, `detail`, causes) through `redact()`;
 * - fields whose name says secret (authorization, cookie, password, token, access key, API key, …) are masked: by
 *   pino's `redact` paths in the structured fields callers pass, and at any depth in details.
 * Structured fields (`logger.info({ fields }, 'msg')`) are the gateway's own values (ids, counts, codes, enums):
 * a caller that puts client or upstream text in one redacts it first (as the access line does with the path).
 */

/** Fields of a structured line. */
export type LogFields = Record<string, unknown>;
type Level = Exclude<LogLevel, 'silent'>;

/**
 * The gateway's logger. Both styles work: `logger.warn('text', ...details)` (an Error detail becomes `err`, the rest
 * `details`) and pino's `logger.warn({ fields }, 'text', ...details)`. One signature per level rather than two
 * overloads, so the small fakes tests pass (`{ warn: (message: string) => … }`) still fit.
 */
export interface Logger {
  debug(messageOrFields: string | LogFields, ...details: unknown[]): void;
  info(messageOrFields: string | LogFields, ...details: unknown[]): void;
  warn(messageOrFields: string | LogFields, ...details: unknown[]): void;
  error(messageOrFields: string | LogFields, ...details: unknown[]): void;
  /** A logger whose lines carry `bindings`; `{ module }` also takes that module's level (LOG_LEVEL). */
  child(bindings: LogFields): Logger;
  /** Whether a line at `level` would be written (to skip building an expensive one). */
  isLevelEnabled(level: Level): boolean;
}

export interface LoggerOptions {
  /** Where lines go, one JSON object per call, without the newline (tests); default stderr. */
  sink?: (line: string) => void;
  /**
   * Configured secrets to hide in every line (`secretsOf(config)`), besides those registered process-wide
   * (buildApp registers its config's).
   */
  secrets?: readonly string[];
  /** Levels of modules (LOG_LEVEL's `module=level` entries); a module not listed takes the logger's level. */
  modules?: Partial<Record<LogModule, LogLevel>>;
  /** `pretty` for people (pino-pretty, written synchronously to stderr); default JSON. Ignored with a sink. */
  format?: LogFormat.Json | LogFormat.Pretty;
}

/** Causes followed below an error (an undici error under an UpstreamUnavailableError, …). */
const MAX_CAUSES = 3;
/** How deep, how many keys/items and how long strings of details are logged (a log line is not a data dump). */
const MAX_DEPTH = 6;
const MAX_ENTRIES = 100;
const MAX_STRING = 10_000;

/**
 * Secret-named fields among the structured fields a line is given (pino redact paths), at the top level only: pino's
 * redaction with wildcard paths (`*.token`) walks every line's objects and cost ~40 µs per wildcard level on an access
 * line (measured: 15 µs a line with top-level paths, 270 µs with three wildcard levels). Nested values reach a line
 * only as `details` or `err`, and those are redacted at any depth by this module's own serializers.
 */
const SECRET_FIELDS = [
  'authorization',
  'proxyAuthorization',
  'cookie',
  'setCookie',
  'password',
  'passwd',
  'token',
  'accessToken',
  'refreshToken',
  'accessKey',
  'accesskey',
  'access_key',
  'secret',
  'callbackSecret',
  'apiKey',
  'api_key',
  'sessionId',
  'credentials',
  'privateKey',
  'sign',
  'signature',
];
const SECRET_HEADERS = ['proxy-authorization', 'set-cookie', 'x-api-key'];
const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_HEADERS.map((name) => `["${name}"]`)];

/** What every logger of one createLogger() shares. */
interface Shared {
  root: PinoLogger;
  secrets: readonly string[];
  modules: Partial<Record<LogModule, LogLevel>>;
  /** The last message redacted and its result, with the secrets' version it was redacted under (see redactMessage). */
  lastMessage?: { text: string; redacted: string; version: number };
  /** Where JSON lines go, for flat lines written without pino's serializer; null when the output is pretty. */
  json: DestinationStream | null;
}

/** A line of the gateway's own flat values (writeFlat): no objects, nothing a client or platform wrote unredacted. */
export type FlatFields = Record<string, string | number | boolean | null | undefined>;

/** A flat value as JSON (a non-finite number, which JSON has not, as null). */
function flatJson(value: string | number | boolean | null): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return value === null ? 'null' : String(value);
}

/**
 * The ISO time of a line (`,"time":"…"`), from a per-second prefix: `new Date().toISOString()` on every line was a
 * seventh of an access line's cost.
 */
let isoSecond = -1;
let isoPrefix = '';
function isoTime(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  return `,"time":"${isoPrefix}${String(now - second * 1000).padStart(3, '0')}Z"`;
}

/**
 * JSON lines go to stderr through sonic-boom's asynchronous writes: while one write is under way the next lines
 * gather and leave in one syscall, so under load a line costs no write of its own (a synchronous write per line was
 * ~15 µs of an access line), and an idle gateway's line leaves at once (no buffering threshold). What is still queued
 * when the process exits is flushed synchronously.
 */
const openDestinations = new Set<{ flushSync(): void }>();
let flushOnExit = false;
function asyncStderr(): DestinationStream {
  const destination = pino.destination({ dest: 2, sync: false, minLength: 0 });
  openDestinations.add(destination);
  if (!flushOnExit) {
    flushOnExit = true;
    process.once('exit', () => {
      for (const open of openDestinations) {
        try {
          open.flushSync();
        } catch {
          // A write still under way (EAGAIN): nothing more can be done at exit.
        }
      }
    });
  }
  return destination;
}

/**
 * Makes the process's logger (main) or a test's (`createLogger('debug', (line) => lines.push(line))`: the sink gets
 * each line as a JSON string). Writes are synchronous: a line logged just before `process.exit` is not lost.
 */
export function createLogger(level: LogLevel, sinkOrOptions: ((line: string) => void) | LoggerOptions = {}): Logger {
  const options: LoggerOptions = typeof sinkOrOptions === 'function' ? { sink: sinkOrOptions } : sinkOrOptions;
  const secrets = options.secrets ?? [];
  const destination = destinationOf(options);
  const root = pino(
    {
      level,
      timestamp: isoTime,
      // Level names, not numbers: an operator greps for "level":"error".
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: (error: unknown) => serializeError(error, secrets) },
    },
    destination,
  );
  const json = options.sink || options.format !== LogFormat.Pretty ? destination : null;
  return new GatewayLogger(root, { root, secrets, modules: options.modules ?? {}, json }, {});
}

/**
 * Writes a line of flat fields at `level` as pino would (same keys, same order, same redaction of secret-named keys
 * and of the message), without pino's generic serializer when the output is JSON: the access line, one per request,
 * cost ~15 µs through pino and ~2 µs this way. Pretty output and other loggers take the ordinary path.
 */
export function writeFlat(logger: Logger, level: Level, fields: FlatFields, message: string): void {
  if (logger instanceof GatewayLogger) logger.flat(level, fields, message);
  else logger[level](fields, message);
}

function destinationOf(options: LoggerOptions): DestinationStream {
  const { sink } = options;
  if (sink) return { write: (chunk: string) => sink(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) };
  if (options.format === LogFormat.Pretty) {
    // A synchronous stream in this thread, not a worker transport: nothing is lost on exit, and no thread is started.
    return pinoPretty({
      destination: 2,
      sync: true,
      colorize: process.stderr.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      singleLine: true,
    });
  }
  return asyncStderr();
}

class GatewayLogger implements Logger {
  constructor(
    private readonly pino: PinoLogger,
    private readonly shared: Shared,
    /** This logger's own bindings (module included), so that a child naming another module replaces it. */
    private readonly bindings: LogFields,
  ) {}

  debug(first: string | LogFields, ...rest: unknown[]): void {
    this.write('debug', first, rest);
  }
  info(first: string | LogFields, ...rest: unknown[]): void {
    this.write('info', first, rest);
  }
  warn(first: string | LogFields, ...rest: unknown[]): void {
    this.write('warn', first, rest);
  }
  error(first: string | LogFields, ...rest: unknown[]): void {
    this.write('error', first, rest);
  }

  isLevelEnabled(level: Level): boolean {
    return this.pino.isLevelEnabled(level);
  }

  child(bindings: LogFields): Logger {
    const module = bindings.module as LogModule | undefined;
    const merged = { ...this.bindings, ...bindings };
    const level = module === undefined ? undefined : (this.shared.modules[module] ?? this.shared.root.level);
    // pino appends bindings: a second `module` would be a duplicate key, so a module change starts from the root.
    const parent = module !== undefined && this.bindings.module !== undefined ? this.shared.root : this.pino;
    const own = parent === this.shared.root ? merged : bindings;
    return new GatewayLogger(parent.child(own, level === undefined ? undefined : { level }), this.shared, merged);
  }

  /** writeFlat's line: pino's prefix (level, time, pid, hostname, bindings), the fields, the message. */
  flat(level: Level, fields: FlatFields, message: string): void {
    const { json } = this.shared;
    if (!json) return this.write(level, fields, [message]);
    if (!this.pino.isLevelEnabled(level)) return;
    // pino's own rendering of this logger's pid, hostname and bindings.
    let line = `{"level":"${level}"${isoTime()}${(this.pino as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? ''}`;
    for (const key in fields) {
      const value = fields[key];
      if (value === undefined) continue;
      line += `,${JSON.stringify(key)}:${isSecretKey(key) ? `"${REDACTED}"` : flatJson(value)}`;
    }
    json.write(`${line},"msg":${JSON.stringify(this.redactMessage(message))}}\n`);
  }

  /**
   * A message through the redaction rule, the same message twice in a row redacted once: access lines all say
   * "request", and the rule's dozen expressions were a sixth of such a line's cost. Good for one version of the
   * registered secrets only.
   */
  private redactMessage(text: string): string {
    const last = this.shared.lastMessage;
    const version = registeredSecretsVersion();
    if (last && last.text === text && last.version === version) return last.redacted;
    const redacted = redact(text, { secrets: this.shared.secrets });
    this.shared.lastMessage = { text, redacted, version };
    return redacted;
  }

  private write(level: Level, first: string | LogFields, rest: unknown[]): void {
    const target = this.pino;
    if (!target.isLevelEnabled(level)) return;
    const { secrets } = this.shared;
    try {
      if (typeof first === 'string') {
        const fields = detailFields(rest, secrets);
        if (fields) target[level](fields, this.redactMessage(first));
        else target[level](this.redactMessage(first));
        return;
      }
      const [message, ...details] = rest;
      const extra = detailFields(details, secrets);
      const fields = first instanceof Error ? { err: first } : withNestedCleaned(first, secrets);
      const text = typeof message === 'string' ? this.redactMessage(message) : undefined;
      target[level](extra ? { ...fields, ...extra } : fields, text);
    } catch {
      // Logging must never throw into the code that logs (often a catch handler).
      target[level]('(unloggable message)');
    }
  }
}

/**
 * Structured fields as given when they are flat (an access line: nothing to walk), else a copy whose nested values
 * went through clean(): secret-named keys below the top level masked, strings redacted. The top level's secret-named
 * keys are pino's redact paths.
 */
function withNestedCleaned(fields: LogFields, secrets: readonly string[]): LogFields {
  let copy: LogFields | null = null;
  for (const key in fields) {
    const value = fields[key];
    if (typeof value !== 'object' || value === null || value instanceof Error || key === 'err') continue;
    copy ??= { ...fields };
    copy[key] = clean(value, secrets, 0, new WeakSet());
  }
  return copy ?? fields;
}

/** `{ err, details }` of the details of a call: the first Error is `err`, the rest (cleaned) `details`. */
function detailFields(details: readonly unknown[], secrets: readonly string[]): LogFields | null {
  if (details.length === 0) return null;
  let err: unknown;
  const others: unknown[] = [];
  for (const detail of details) {
    if (err === undefined && detail instanceof Error) err = detail;
    else others.push(clean(detail, secrets, 0, new WeakSet()));
  }
  const fields: LogFields = {};
  if (err !== undefined) fields.err = err;
  if (others.length > 0) fields.details = others;
  return fields;
}

/** A detail as JSON-safe data: strings redacted, secret-named keys masked at any depth, cycles and size bounded. */
function clean(value: unknown, secrets: readonly string[], depth: number, seen: WeakSet<object>): unknown {
  switch (typeof value) {
    case 'string':
      return redact(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value, { secrets });
    case 'number':
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'bigint':
    case 'symbol':
    case 'function':
      return redact(String(value), { secrets });
    default:
      break;
  }
  if (value === null) return null;
  const object = value as object;
  if (value instanceof Error) return serializeError(value, secrets);
  if (seen.has(object)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[…]';
  seen.add(object);
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
    return clean((object as { toJSON(): unknown }).toJSON(), secrets, depth + 1, seen);
  }
  if (Array.isArray(object)) return object.slice(0, MAX_ENTRIES).map((item) => clean(item, secrets, depth + 1, seen));
  if (object instanceof Map) return clean(Object.fromEntries([...object].slice(0, MAX_ENTRIES)), secrets, depth, seen);
  if (object instanceof Set) return clean([...object], secrets, depth, seen);
  const out: LogFields = {};
  let count = 0;
  for (const key of Object.keys(object)) {
    if (++count > MAX_ENTRIES) break;
    out[key] = isSecretKey(key) ? REDACTED : clean((object as LogFields)[key], secrets, depth + 1, seen);
  }
  return out;
}

/** An error's log form: type, code, message, stack and `detail` redacted, and up to MAX_CAUSES causes. */
export function serializeError(error: unknown, secrets: readonly string[] = []): unknown {
  if (!(error instanceof Error)) return clean(error, secrets, 0, new WeakSet());
  const out = describeOne(error, secrets);
  const causes: unknown[] = [];
  let current: unknown = error.cause;
  while (current !== undefined && current !== null && causes.length < MAX_CAUSES) {
    causes.push(current instanceof Error ? describeOne(current, secrets) : clean(current, secrets, 1, new WeakSet()));
    current = current instanceof Error ? current.cause : undefined;
  }
  if (causes.length > 0) out.causes = causes;
  return out;
}

function describeOne(error: Error, secrets: readonly string[]): LogFields {
  const text = (value: string) => redact(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value, { secrets });
  const out: LogFields = { type: error.name, message: text(error.message) };
  const { code, detail } = error as { code?: unknown; detail?: unknown };
  if (typeof code === 'string' || typeof code === 'number') out.code = typeof code === 'string' ? text(code) : code;
  if (typeof detail === 'string' && detail !== '') out.detail = text(detail);
  if (error.stack) out.stack = text(error.stack);
  return out;
}

/** Module loggers of the loggers logUpstreamError was given (one child each, not one per error). */
const upstreamLoggers = new WeakMap<Logger, Logger>();

/**
 * Logs an upstream failure on its way to a client (the GraphQL error masking calls this): refusals at info, the
 * platform being down or unreadable and exhausted budgets at warn, with the error's log-only `detail` and cause,
 * redacted like every line, under module `upstream` and with the id of the request it happened in (when the
 * operation's budget knows it).
 */
export function logUpstreamError(logger: Logger, error: unknown): void {
  const original = error instanceof Error && 'originalError' in error ? (error as { originalError?: unknown }).originalError : error;
  if (!(original instanceof UpstreamBudgetError) && !(original instanceof UpstreamError)) return;
  let log = upstreamLoggers.get(logger);
  if (!log) upstreamLoggers.set(logger, (log = logger.child({ module: LogModule.Upstream })));
  // The result's error was tagged with its request (operation-scope.ts); an error logged inside the operation finds it.
  const scope = scopeOfError(error) ?? scopeOfError(original) ?? currentScope();
  if (scope) log = scope.log(log);
  const fields: LogFields = {};
  if (original instanceof UpstreamBudgetError) {
    log.warn(fields, `upstream budget exhausted: ${original.upstream} ${original.operation} not sent (max ${original.max} per operation)`);
    return;
  }
  fields.err = original;
  if (original.code === ErrorCode.UpstreamRejected) log.info(fields, `upstream refused: ${original.message}`);
  else log.warn(fields, `upstream failed: ${original.message}`);
}

type YogaLogFn = (...args: unknown[]) => void;

/**
 * yoga's `logging`: what it logs goes through this logger. An error it logs after masking is logged by its message
 * and original error, never with GraphQLError's printed form, which quotes the client's query text; upstream failures
 * are skipped (logUpstreamError has logged them, at their own level and with their request id).
 */
export function yogaLogging(logger: Logger): Record<Level, YogaLogFn> {
  const text = (level: Level): YogaLogFn => (first, ...rest) => {
    if (!logger.isLevelEnabled(level)) return;
    if (!(first instanceof Error)) return logger[level](String(first), ...rest);
    const original = (first as { originalError?: unknown }).originalError ?? first;
    if (original instanceof UpstreamError || original instanceof UpstreamBudgetError) return;
    const requestId = (scopeOfError(first) ?? scopeOfError(original))?.requestId;
    logger[level](requestId === undefined ? {} : { requestId }, first.message, original, ...rest);
  };
  return { debug: text('debug'), info: text('info'), warn: text('warn'), error: text('error') };
}
