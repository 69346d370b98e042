import { type Logger, createLogger } from '../../src/logger.ts';
import { type Deferred, createDeferred } from './deferred.ts';

export interface RecordingLogger {
  /** A debug-level logger writing into `lines`. */
  logger: Logger;
  /** Every line logged so far. */
  lines: string[];
  /** Resolves with the first line (already logged or to come) containing `fragment`. */
  line(fragment: string): Promise<string>;
}

/** Log lines, with a deferred per awaited fragment. */
export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const waiting: Array<{ fragment: string; deferred: Deferred<string> }> = [];
  const logger = createLogger('debug', (line) => {
    lines.push(line);
    for (const w of waiting.splice(0)) {
      if (line.includes(w.fragment)) w.deferred.resolve(line);
      else waiting.push(w);
    }
  });
  return {
    logger,
    lines,
    line(fragment: string): Promise<string> {
      const found = lines.find((l) => l.includes(fragment));
      if (found) return Promise.resolve(found);
      const deferred = createDeferred<string>();
      waiting.push({ fragment, deferred });
      return deferred.promise;
    },
  };
}
