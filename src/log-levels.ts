import type { LogLevel } from './config.ts';

/**
 * LOG_LEVEL's and LOG_FORMAT's vocabulary, apart from the logger so that the configuration can check them without
 * loading pino (docs/operations.md, "Logs").
 */

/** Parts of the gateway with their own level (`LOG_LEVEL=info,upstream=debug`); each logs with `module: <name>`. */
export enum LogModule {
  /** The HTTP server: access lines, readiness, GraphiQL. */
  Http = 'http',
  /** GraphQL execution (yoga, the fast path) and errors masked for clients. */
  Graphql = 'graphql',
  /** graphql-ws sockets: per-operation lines, slow consumers, drain. */
  Ws = 'ws',
  /** Failures of the PBX and AI-call platforms. */
  Upstream = 'upstream',
  /** The callback route: refusals and ingestion failures. */
  Callbacks = 'callbacks',
  /** The event feed, pub/sub and callback ingestion (store → settle → publish). */
  Events = 'events',
  /** The database. */
  Store = 'store',
  /** Reconciliation, pruning, catch-up. */
  Background = 'background',
  /** Statistics, the abandon-rate guard, backfills. */
  Statistics = 'statistics',
  /** Start-up, shutdown and the process's last nets. */
  Startup = 'startup',
}

export const LOG_MODULES: readonly LogModule[] = Object.values(LogModule);
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** How lines are written: JSON (machines), pretty (a person), or auto (pretty at a terminal and in demo mode). */
export enum LogFormat {
  Json = 'json',
  Pretty = 'pretty',
  Auto = 'auto',
}

/** LOG_LEVEL parsed: the default level and per-module overrides. */
export interface LogLevels {
  level: LogLevel;
  modules: Partial<Record<LogModule, LogLevel>>;
}

/**
 * Parses `info` or `info,upstream=debug,callbacks=warn` (a bare level sets the default, `module=level` a module's);
 * returns the problems instead when a level or module is unknown.
 */
export function parseLogLevels(text: string): LogLevels | { problems: string[] } {
  const result: LogLevels = { level: 'info', modules: {} };
  const problems: string[] = [];
  text.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === '') return;
    // Entries are named by position, never echoed: the configuration's errors quote no value.
    const where = `entry ${index + 1}`;
    const at = entry.indexOf('=');
    const name = at < 0 ? null : entry.slice(0, at).trim();
    const level = (at < 0 ? entry : entry.slice(at + 1)).trim();
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      problems.push(`${where}: level must be one of ${LOG_LEVELS.join(', ')}`);
    } else if (name === null) {
      result.level = level as LogLevel;
    } else if ((LOG_MODULES as readonly string[]).includes(name)) {
      result.modules[name as LogModule] = level as LogLevel;
    } else {
      problems.push(`${where}: unknown module; modules are ${LOG_MODULES.join(', ')}`);
    }
  });
  return problems.length > 0 ? { problems } : result;
}
