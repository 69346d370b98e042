import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { maskPhones, redact, redactForClient, registerSecrets, REDACTED } from '../../src/redact.ts';

const ACCESS_KEY = 'ak-9f8e7d6c5b4a3210';
const TOKEN = 'tok_5Up3rS3cr3tT0k3n';

describe('redact (client)', () => {
  it('hides configured secrets wherever they appear, also URL-encoded', () => {
    const out = redactForClient(`bad key ${ACCESS_KEY} and ${encodeURIComponent('p@ss/w0rd!')}`, [ACCESS_KEY, 'p@ss/w0rd!']);
    expect(out).toBe(`bad key ${REDACTED} and ${REDACTED}`);
  });

  it('hides secret-looking key=value, JSON and header pairs, and HTTP credentials', () => {
    const text =
      'accesskey=abc123secret&appid=42 {"token":"t-1","password": "hunter2", "api_key": 99, "name":"ok"} ' +
      "Authorization: Bearer eyJhbGciOi.xyz.abc pwd=letmein client_secret='s3' sign=deadbeef cookie: sid=1";
    const out = redactForClient(text);
    for (const leaked of ['abc123secret', 't-1', 'hunter2', '99', 'eyJhbGciOi', 'letmein', "'s3'", 'deadbeef', 'sid=1']) {
      expect(out).not.toContain(leaked);
    }
    expect(out).toContain('appid=42');
    expect(out).toContain('"name":"ok"');
  });

  it('leaves words that merely contain "sign" alone', () => {
    expect(redactForClient('assigntype=1 App.Sip_Queue.SipSignIn: failed')).toBe('assigntype=1 App.Sip_Queue.SipSignIn: failed');
  });

  it('hides URLs, hosts, IP addresses (with ports) and file paths', () => {
    const out = redactForClient(
      'connect ECONNREFUSED 10.1.2.3:8443 via http://pbx.internal/api?x=1, db.corp.local:5432, [fe80::1]:80, /var/www/app/Api.php:12',
    );
    expect(out).toBe('connect ECONNREFUSED [host] via [url], [host], [host], [path]');
  });

  it('cuts everything from a traceback marker on', () => {
    expect(redactForClient('boom\nTraceback (most recent call last):\n  File "/srv/app.py", line 3')).toBe('boom […]');
    expect(redactForClient('Uncaught Exception: nope in /var/www/index.php on line 7')).toBe('Uncaught Exception: nope […]');
    expect(redactForClient('Error: x\n    at handler (/srv/app/index.js:10:5)')).toBe('Error: x […]');
    expect(redactForClient('failed #0 /var/www/a.php(3): f()')).toBe('failed […]');
    expect(redactForClient('Stack trace: whatever')).toBe('[…]');
  });

  it('masks phone numbers, strips control characters and caps the length', () => {
    expect(redactForClient('call 13812345678 or +8613812345678 failed')).toBe('call 138****5678 or +861******5678 failed');
    expect(redactForClient('a\u0000b\u001b[31mc\r\nd')).toBe('a b [31mc d');
    const long = redactForClient('x'.repeat(500));
    expect(long.length).toBeLessThanOrEqual(201);
    expect(long.endsWith('…')).toBe(true);
  });

  it('is idempotent and keeps ordinary text (Chinese included) as it is', () => {
    const text = '并发数不得超过所选线路的剩余并发(1)。 The given data was invalid.';
    expect(redactForClient(text)).toBe(text);
    const once = redactForClient('token=abc password: x http://h.internal 13812345678');
    expect(redactForClient(once)).toBe(once);
  });
});

describe('redact (log)', () => {
  it('keeps hosts, paths and stacks but hides secrets, credentials and phone numbers', () => {
    const text = `POST http://user:pw@10.0.0.5:8080/api token=${TOKEN}\n    at f (/srv/x.js:1:2) 13812345678`;
    const out = redact(text);
    expect(out).toBe(`POST http://${REDACTED}@10.0.0.5:8080/api token=${REDACTED}\n    at f (/srv/x.js:1:2) 138****5678`);
  });

  it('uses the secrets registered for the process until they are taken back', () => {
    const secret = 'registered-secret-0123';
    const unregister = registerSecrets([secret]);
    expect(redact(`echo ${secret}`)).toBe(`echo ${REDACTED}`);
    unregister();
    expect(redact(`echo ${secret}`)).toBe(`echo ${secret}`);
  });

  it('maskPhones keeps the first 3 and last 4 digits and leaves short numbers and long ids alone', () => {
    expect(maskPhones('13812345678')).toBe('138****5678');
    expect(maskPhones('id 1234567 task 20240315140000000000 v1.12345678')).toBe('id 1234567 task 20240315140000000000 v1.12345678');
  });
});

describe('secretsOf', () => {
  it('lists every configured secret, the passwords inside DATABASE_URL and REDIS_URL included', () => {
    const config = loadConfig({
      SIP_API_URL: 'http://pbx.example:80/',
      SIP_APPID: 'appid-123456',
      SIP_ACCESSKEY: ACCESS_KEY,
      AICALL_API_URL: 'http://ai.example/',
      AICALL_API_TOKEN: TOKEN,
      GATEWAY_API_KEYS: 'viewer-key-0123456789:viewer',
      CALLBACK_SECRET: 'callback-secret-0123456789',
      DATABASE_URL: 'postgres://gw:db-p%40ss@db.internal:5432/gw',
      REDIS_URL: 'redis://:redis-pass-1@cache.internal:6379',
    });
    expect(secretsOf(config)).toEqual(
      expect.arrayContaining([
        ACCESS_KEY,
        'appid-123456',
        TOKEN,
        'viewer-key-0123456789',
        'callback-secret-0123456789',
        'db-p@ss',
        'redis-pass-1',
      ]),
    );
  });
});

describe('logger', () => {
  it('runs message, details, stacks, details of upstream errors and causes through the redaction', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { sink: (line) => lines.push(line), secrets: [ACCESS_KEY] });
    const cause = new Error(`connect failed with accesskey=${ACCESS_KEY}`);
    const error = Object.assign(new Error('outer', { cause }), { detail: `echo Bearer ${TOKEN} 13812345678` });
    logger.error(`message with ${ACCESS_KEY}`, error, { password: 'hunter2' }, 'fake\n2026-01-01T00:00:00.000Z ERROR forged');
    const text = lines.join('\n');
    for (const leaked of [ACCESS_KEY, TOKEN, 'hunter2', '13812345678']) expect(text).not.toContain(leaked);
    // One JSON object per line: a newline in logged text is escaped, it cannot start a line of its own.
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '') as { msg: string; err: { detail: string; causes: Array<{ message: string }> }; details: unknown[] };
    expect(record.msg).toBe('message with [redacted]');
    expect(record.err.causes[0]?.message).toBe('connect failed with accesskey=[redacted]');
    expect(record.err.detail).toBe('echo Bearer [redacted] 138****5678');
    expect(record.details).toEqual([{ password: '[redacted]' }, 'fake\n2026-01-01T00:00:00.000Z ERROR forged']);
  });

  it('never throws on details it cannot serialise', () => {
    const lines: string[] = [];
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    createLogger('info', (line) => lines.push(line)).warn('odd', cyclic, 10n);
    expect(lines).toHaveLength(1);
  });
});
