import { describe, expect, it } from 'vitest';
import { UnavailableReason, UpstreamUnavailableError } from '../../src/errors.ts';
import type { LogLevel } from '../../src/config.ts';
import { createLogger, type LoggerOptions, LogModule, logUpstreamError, writeFlat } from '../../src/logger.ts';

/** The logger (src/logger.ts): JSON lines, both call styles, module levels, redaction of fields and details. */

function capture(level: LogLevel, modules: LoggerOptions['modules'] = {}) {
  const lines: string[] = [];
  const logger = createLogger(level, { sink: (line) => lines.push(line), modules });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, any>) };
}

describe('logger', () => {
  it('writes one JSON object per line, with the level by name', () => {
    const { logger, records } = capture('info');
    logger.info('plain text', { count: 2 });
    logger.warn({ requestId: 'r-1', durationMs: 3 }, 'structured');
    logger.debug('below the level');
    expect(records()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'plain text', details: [{ count: 2 }] }),
      expect.objectContaining({ level: 'warn', msg: 'structured', requestId: 'r-1', durationMs: 3 }),
    ]);
    expect(typeof records()[0]?.time).toBe('string');
  });

  it('writes a flat line (writeFlat) exactly as pino writes the same fields, secret-named keys masked', () => {
    const { logger, lines } = capture('info');
    const child = logger.child({ module: LogModule.Http });
    const fields = { requestId: 'r-9', status: 200, durationMs: 1.5, role: null, aborted: true, operationName: 'a"b\\c\n', token: 'tok-123456', nan: Number.NaN };
    writeFlat(child, 'info', fields, 'request');
    child.info(fields, 'request');
    writeFlat(child, 'debug', fields, 'below the level');
    expect(lines).toHaveLength(2);
    const [flat, viaPino] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect({ ...flat, time: 0 }).toEqual({ ...viaPino, time: 0 });
    expect(flat).toMatchObject({ module: 'http', token: '[redacted]', nan: null, operationName: 'a"b\\c\n' });
    expect(Object.keys(flat!)).toEqual(Object.keys(viaPino!));
  });

  it('takes each module its own level, and a module child of a module child replaces it', () => {
    const { logger, records, lines } = capture('warn', { [LogModule.Upstream]: 'debug', [LogModule.Callbacks]: 'error' });
    logger.info('root info: dropped');
    logger.child({ module: LogModule.Upstream }).debug('upstream debug: kept');
    logger.child({ module: LogModule.Callbacks }).warn('callbacks warn: dropped');
    logger.child({ module: LogModule.Events }).warn('events warn: kept');
    const nested = logger.child({ module: LogModule.Callbacks }).child({ module: LogModule.Upstream });
    nested.debug('nested: kept, once');
    expect(records().map((r) => [r.module, r.msg])).toEqual([
      ['upstream', 'upstream debug: kept'],
      ['events', 'events warn: kept'],
      ['upstream', 'nested: kept, once'],
    ]);
    // No duplicate key in the line itself.
    expect(lines.every((line) => (line.match(/"module"/g) ?? []).length === 1)).toBe(true);
  });

  it('masks secret-named fields at any depth and redacts text in details and messages', () => {
    const { logger, records, lines } = capture('debug');
    logger.info({ authorization: 'Bearer abcdefgh', headers: { cookie: 'sid=1', 'x-api-key': 'k-123456' }, a: { b: { password: 'p1' } } }, 'fields');
    logger.info('details', { deep: { deeper: { token: 'tok-123456', accessKey: 'ak-123456' } } }, 'call 13812345678 with password=hunter22');
    const [first, second] = records();
    expect(first).toMatchObject({ authorization: '[redacted]', headers: { cookie: '[redacted]', 'x-api-key': '[redacted]' }, a: { b: { password: '[redacted]' } } });
    expect(second?.details).toEqual([{ deep: { deeper: { token: '[redacted]', accessKey: '[redacted]' } } }, 'call 138****5678 with password=[redacted]']);
    for (const leaked of ['abcdefgh', 'k-123456', 'p1"', 'tok-123456', 'ak-123456', '13812345678', 'hunter22']) {
      expect(lines.join('\n')).not.toContain(leaked);
    }
  });

  it('logs an upstream failure under module upstream with its error and causes', () => {
    const { logger, records } = capture('debug');
    const cause = new Error('connect ECONNREFUSED accesskey=abcdef123456');
    logUpstreamError(logger.child({ module: LogModule.Graphql }), new UpstreamUnavailableError({ upstream: 'sip', operation: 'App.X' }, UnavailableReason.ConnectFailed, 'connect to pbx.local:80 with token=abcdef123456', { cause }));
    const [line] = records();
    expect(line).toMatchObject({ level: 'warn', module: 'upstream', err: { detail: 'connect to pbx.local:80 with token=[redacted]', causes: [{ message: 'connect ECONNREFUSED accesskey=[redacted]' }] } });
  });
});
