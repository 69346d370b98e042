import { type Logger, createLogger } from '../../src/logger.ts';
import { type Deferred, createDeferred } from './deferred.ts';

/** One structured log line as written (pino's JSON). */
export interface LogRecord {
  level: string;
  msg?: string;
  time?: string;
  module?: string;
  requestId?: string;
  err?: { type?: string; message?: string; stack?: string; detail?: string; causes?: unknown[] };
  details?: unknown[];
  [field: string]: unknown;
}

export interface RecordingLogger {
  /** A debug-level logger writing into `lines`. */
  logger: Logger;
  /** Every line logged so far, as text: `<time> <LEVEL> <msg> <other fields as JSON>` (easy to match fragments of). */
  lines: string[];
  /** The same lines as written (JSON), parsed. */
  records: LogRecord[];
  /** Every line exactly as the logger wrote it. */
  raw: string[];
  /** Resolves with the first line (already logged or to come) containing `fragment`. */
  line(fragment: string): Promise<string>;
  /** Resolves with the first record (already logged or to come) that `match` accepts. */
  record(match: (record: LogRecord) => boolean): Promise<LogRecord>;
}

/** A JSON log line as text: the level in capitals padded to 5, the message, then the other fields (pid, hostname dropped). */
export function renderLogLine(record: LogRecord): string {
  const { level, msg, time, pid: _pid, hostname: _hostname, ...rest } = record;
  const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${time ?? ''} ${String(level).toUpperCase().padEnd(5)} ${msg ?? ''}${fields}`;
}

/** Log lines, with a deferred per awaited fragment. */
export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const records: LogRecord[] = [];
  const raw: string[] = [];
  const waiting: Array<{ fragment: string; deferred: Deferred<string> }> = [];
  const matchers: Array<{ match: (record: LogRecord) => boolean; deferred: Deferred<LogRecord> }> = [];
  const logger = createLogger('debug', (json) => {
    raw.push(json);
    const record = JSON.parse(json) as LogRecord;
    records.push(record);
    const line = renderLogLine(record);
    lines.push(line);
    for (const w of waiting.splice(0)) {
      if (line.includes(w.fragment)) w.deferred.resolve(line);
      else waiting.push(w);
    }
    for (const m of matchers.splice(0)) {
      if (m.match(record)) m.deferred.resolve(record);
      else matchers.push(m);
    }
  });
  return {
    logger,
    lines,
    records,
    raw,
    line(fragment: string): Promise<string> {
      const found = lines.find((l) => l.includes(fragment));
      if (found) return Promise.resolve(found);
      const deferred = createDeferred<string>();
      waiting.push({ fragment, deferred });
      return deferred.promise;
    },
    record(match: (record: LogRecord) => boolean): Promise<LogRecord> {
      const found = records.find(match);
      if (found) return Promise.resolve(found);
      const deferred = createDeferred<LogRecord>();
      matchers.push({ match, deferred });
      return deferred.promise;
    },
  };
}
