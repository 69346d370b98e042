import type { LogLevel } from './config.ts';
import { ErrorCode, UpstreamBudgetError, UpstreamError } from './errors.ts';
import { redact } from './redact.ts';

/** A small leveled logger writing one line per event to stderr; enough until structured logging is needed. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export interface LoggerOptions {
  /** Where lines go (default stderr). */
  sink?: (line: string) => void;
  /**
   * Configured secrets to hide in every line (`secretsOf(config)`), besides those registered process-wide
   * (buildApp registers its config's).
   */
  secrets?: readonly string[];
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
/** Causes followed below an error (an undici error under an UpstreamUnavailableError, …). */
const MAX_CAUSES = 3;

/**
 * Every line (message and details, error stacks, their `detail` and causes included) goes through the one redaction
 * rule (src/redact.ts): configured secrets, credentials, secret-looking pairs and phone numbers never reach a log.
 * Continuation lines (stacks) are indented, so text that carries newlines cannot forge a line of its own.
 */
export function createLogger(level: LogLevel, sinkOrOptions: ((line: string) => void) | LoggerOptions = {}): Logger {
  const options: LoggerOptions = typeof sinkOrOptions === 'function' ? { sink: sinkOrOptions } : sinkOrOptions;
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const secrets = options.secrets ?? [];
  const threshold = ORDER[level];
  const write = (at: Exclude<LogLevel, 'silent'>) => (message: string, ...details: unknown[]) => {
    if (ORDER[at] < threshold) return;
    let line: string;
    try {
      const text = [String(message), ...details.map(describe)].join(' ');
      line = `${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} ${redact(text, { secrets }).replace(/\r?\n/g, '\n    ')}`;
    } catch {
      // Logging must never throw into the code that logs (often a catch handler).
      line = `${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} (unloggable message)`;
    }
    sink(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function describe(detail: unknown): string {
  if (detail instanceof Error) return describeError(detail);
  if (typeof detail === 'string') return detail;
  try {
    return JSON.stringify(detail) ?? String(detail);
  } catch {
    return String(detail);
  }
}

function describeError(error: Error): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSES && current !== undefined && current !== null; depth++) {
    const prefix = depth === 0 ? '' : 'caused by: ';
    if (current instanceof Error) {
      parts.push(`${prefix}${current.stack ?? `${current.name}: ${current.message}`}`);
      const detail = (current as { detail?: unknown }).detail;
      if (typeof detail === 'string' && detail !== '') parts.push(`detail: ${detail}`);
      current = current.cause;
    } else {
      parts.push(`${prefix}${describe(current)}`);
      break;
    }
  }
  return parts.join('\n');
}

/**
 * Logs an upstream failure on its way to a client (the GraphQL error masking calls this): refusals at info, the
 * platform being down or unreadable and exhausted budgets at warn, with the error's log-only `detail` and cause,
 * redacted like every line.
 */
export function logUpstreamError(logger: Logger, error: unknown): void {
  const original = error instanceof Error && 'originalError' in error ? (error as { originalError?: unknown }).originalError : error;
  if (original instanceof UpstreamBudgetError) {
    logger.warn(`upstream budget exhausted: ${original.upstream} ${original.operation} not sent (max ${original.max} per operation)`);
    return;
  }
  if (!(original instanceof UpstreamError)) return;
  if (original.code === ErrorCode.UpstreamRejected) logger.info(`upstream refused: ${original.message}`, original);
  else logger.warn(`upstream failed: ${original.message}`, original);
}
