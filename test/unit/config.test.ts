import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, Role } from '../../src/config.ts';

const KEY = 'k'.repeat(24);

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs in demo mode with embedded defaults when nothing is set', () => {
    const config = loadConfig({}, () => 'generated-secret-0000');
    expect(config).toMatchObject({
      port: 4000,
      demo: true,
      sip: null,
      aicall: null,
      upstreamTimeZone: 'Asia/Shanghai',
      databaseUrl: 'file:./data/gateway.db',
      redisUrl: null,
      redisChannelPrefix: 'callcentre-gateway',
      apiKeys: null,
      callback: { secret: 'generated-secret-0000', generated: true },
      callbackMaxBodyBytes: 65536,
      simulatorPort: 8080,
      http: { connectTimeoutMs: 2000, requestTimeoutMs: 10000 },
    });
  });

  it('reads the callback body cap and the Redis channel prefix', () => {
    const config = loadConfig({ CALLBACK_MAX_BODY_BYTES: '1024', REDIS_URL: 'redis://cache:6379', REDIS_CHANNEL_PREFIX: 'prod:eu' });
    expect(config).toMatchObject({ callbackMaxBodyBytes: 1024, redisUrl: 'redis://cache:6379', redisChannelPrefix: 'prod:eu' });
    expect(problemsOf({ CALLBACK_MAX_BODY_BYTES: '0', REDIS_CHANNEL_PREFIX: 'a b' })).toEqual([
      expect.stringMatching(/^REDIS_CHANNEL_PREFIX: may hold only/),
      expect.stringMatching(/^CALLBACK_MAX_BODY_BYTES: must be above 0/),
    ]);
  });

  it('reads the event store and shutdown settings, refusing values that would disable them', () => {
    expect(loadConfig({})).toMatchObject({
      events: { retentionDays: 30, pruneIntervalMs: 3_600_000, settleLeaseMs: 2_000 },
      shutdown: { delayMs: 0, timeoutMs: 10_000 },
    });
    const config = loadConfig({ EVENT_RETENTION_DAYS: '7', EVENT_SETTLE_LEASE_SECONDS: '5', SHUTDOWN_DELAY_SECONDS: '3', SHUTDOWN_TIMEOUT_SECONDS: '20' });
    expect(config).toMatchObject({ events: { retentionDays: 7, settleLeaseMs: 5_000 }, shutdown: { delayMs: 3_000, timeoutMs: 20_000 } });
    const problems = problemsOf({
      EVENT_RETENTION_DAYS: '0',
      EVENT_PRUNE_INTERVAL_SECONDS: 'hourly',
      EVENT_SETTLE_LEASE_SECONDS: '-1',
      SHUTDOWN_DELAY_SECONDS: '-1',
      SHUTDOWN_TIMEOUT_SECONDS: '0',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['EVENT_PRUNE_INTERVAL_SECONDS', 'EVENT_RETENTION_DAYS', 'EVENT_SETTLE_LEASE_SECONDS', 'SHUTDOWN_DELAY_SECONDS', 'SHUTDOWN_TIMEOUT_SECONDS'],
    );
  });

  it('lists every bad value at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      SIP_API_URL: 'ftp://pbx',
      UPSTREAM_TIME_ZONE: 'Mars/Base',
      DATABASE_URL: 'mysql://db',
      REDIS_URL: 'http://cache',
      GATEWAY_API_KEYS: `short:viewer,${KEY}:root`,
      UPSTREAM_REQUEST_TIMEOUT_MS: '-5',
      CALLBACK_SECRET: 'has/slash-and-more-chars',
    });
    const names = problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'PORT', 'SIP_API_URL', 'UPSTREAM_TIME_ZONE', 'DATABASE_URL', 'REDIS_URL', 'UPSTREAM_REQUEST_TIMEOUT_MS',
        'CALLBACK_SECRET', 'SIP_APPID', 'SIP_ACCESSKEY', 'GATEWAY_API_KEYS entry 1', 'GATEWAY_API_KEYS entry 2',
      ]),
    );
    // Names the variable, never its value: a value may be a secret (a database URL with its password).
    expect(problems.join('\n')).not.toContain('Mars/Base');
    expect(problems.join('\n')).not.toContain('mysql://db');
  });

  it('reads LOG_LEVEL as a default level and per-module levels, and LOG_FORMAT', () => {
    expect(loadConfig({})).toMatchObject({ logLevel: 'info', logModules: {}, logFormat: 'auto' });
    expect(loadConfig({ LOG_LEVEL: 'warn', LOG_FORMAT: 'json' })).toMatchObject({ logLevel: 'warn', logModules: {}, logFormat: 'json' });
    expect(loadConfig({ LOG_LEVEL: ' info, upstream=debug ,callbacks=warn' })).toMatchObject({
      logLevel: 'info',
      logModules: { upstream: 'debug', callbacks: 'warn' },
    });
    // A module alone keeps the default level.
    expect(loadConfig({ LOG_LEVEL: 'store=error' })).toMatchObject({ logLevel: 'info', logModules: { store: 'error' } });
  });

  it('refuses an unknown log level, module or format, without echoing the value', () => {
    for (const value of ['loud', 'info,upstreem=debug', 'info,upstream=loud', 'info,=debug', 'info,hunter2secret=debug']) {
      const problems = problemsOf({ LOG_LEVEL: value });
      expect(problems.map((p) => p.split(':')[0])).toEqual(['LOG_LEVEL']);
      expect(problems.join('\n')).not.toMatch(/loud|upstreem|hunter2/);
    }
    expect(problemsOf({ LOG_LEVEL: 'info,nosuch=debug' })[0]).toContain('modules are http, graphql, ws, upstream, callbacks, events, store, background, statistics, startup');
    expect(problemsOf({ LOG_FORMAT: 'xml' }).map((p) => p.split(':')[0])).toEqual(['LOG_FORMAT']);
  });

  it('names a bad variable without echoing a secret value', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://admin:hunter2-password@db:3306/x', MAX_QUERY_DEPTH: '0', ALLOWED_ORIGINS: 'evil' });
    expect(problems.join('\n')).not.toMatch(/hunter2|admin:|evil/);
    expect(problems.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['DATABASE_URL', 'MAX_QUERY_DEPTH', 'ALLOWED_ORIGINS']));
  });

  it('binds demo mode to loopback and a configured deployment to all interfaces, unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ SIP_API_URL: 'http://127.0.0.1:9', SIP_APPID: 'a', SIP_ACCESSKEY: 'b', GATEWAY_AUTH: 'off' }).host).toBe('0.0.0.0');
  });

  it('refuses a real PBX without API keys unless GATEWAY_AUTH=off says so', () => {
    const real = { SIP_API_URL: 'http://127.0.0.1:9', SIP_APPID: 'app', SIP_ACCESSKEY: 'secret' };
    expect(problemsOf(real).join('\n')).toMatch(/GATEWAY_API_KEYS: required .*GATEWAY_AUTH=off/);
    const open = loadConfig({ ...real, GATEWAY_AUTH: 'off' });
    expect(open).toMatchObject({ demo: false, authDisabled: true, apiKeys: null, aicall: null, callback: null });
    expect(open.sip).toMatchObject({ url: 'http://127.0.0.1:9', appId: 'app', formEncoding: 'multipart', tokenTtlMs: 43_200_000 });
  });

  it('parses API keys with roles, and the AI-call upstream with its auth header', () => {
    const config = loadConfig({
      AICALL_API_URL: 'http://127.0.0.1:9/',
      AICALL_API_TOKEN: 'tok',
      AICALL_AUTH_HEADER: 'X-Api-Key',
      AICALL_AUTH_SCHEME: '',
      GATEWAY_API_KEYS: `${KEY}:viewer, ${'o'.repeat(20)}:operator`,
    });
    expect([...(config.apiKeys ?? new Map())]).toEqual([[KEY, Role.Viewer], ['o'.repeat(20), Role.Operator]]);
    expect(config.aicall).toEqual({ url: 'http://127.0.0.1:9/', token: 'tok', authHeader: 'x-api-key', authScheme: '' });
    expect(config.sip).toBeNull();
  });

  it('marks keys that may send document text under TRUSTED_DOCUMENTS=on, and lists extra manifests', () => {
    const admin = 'a'.repeat(20);
    const config = loadConfig({
      GATEWAY_API_KEYS: `${KEY}:viewer, ${admin}:admin:arbitrary`,
      TRUSTED_DOCUMENTS: 'on',
      TRUSTED_DOCUMENTS_FILES: ' one.json, ,two.json ',
    });
    expect([...(config.apiKeys ?? new Map())]).toEqual([[KEY, Role.Viewer], [admin, Role.Admin]]);
    expect(config.exposure.trustedDocuments).toEqual({ only: true, files: ['one.json', 'two.json'], arbitraryKeys: new Set([admin]) });
    expect(config.exposure.wallboard).toBe(true);
    expect(loadConfig({}).exposure.trustedDocuments).toEqual({ only: false, files: [], arbitraryKeys: new Set() });
    expect(problemsOf({ GATEWAY_API_KEYS: `${KEY}:arbitrary`, TRUSTED_DOCUMENTS: 'maybe', WALLBOARD: 'yes' })).toEqual([
      expect.stringMatching(/^WALLBOARD: /),
      expect.stringMatching(/^TRUSTED_DOCUMENTS: /),
      'GATEWAY_API_KEYS entry 1: role must be one of viewer, operator, admin (format key:role or key:role:arbitrary)',
    ]);
  });

  it('requires the AI-call token with its URL', () => {
    expect(problemsOf({ AICALL_API_URL: 'http://127.0.0.1:9', GATEWAY_AUTH: 'off' })).toEqual([
      'AICALL_API_TOKEN: required when AICALL_API_URL is set',
    ]);
  });
});
