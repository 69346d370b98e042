import type { LogLevel } from './config.ts';

/** A small leveled logger writing one line per event to stderr; enough until structured logging is needed. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(level: LogLevel, sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const threshold = ORDER[level];
  const write = (at: Exclude<LogLevel, 'silent'>) => (message: string, ...details: unknown[]) => {
    if (ORDER[at] < threshold) return;
    const extra = details.map((d) => (d instanceof Error ? (d.stack ?? d.message) : typeof d === 'string' ? d : JSON.stringify(d)));
    sink([new Date().toISOString(), at.toUpperCase().padEnd(5), message, ...extra].join(' '));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
