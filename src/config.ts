import { z } from 'zod';
import type { FormEncoding } from './upstream/form.ts';
import { isValidTimeZone } from './upstream/time.ts';
import { LogFormat, type LogModule, parseLogLevels } from './log-levels.ts';

/**
 * The gateway's configuration, read once from the environment at start. Every problem is collected and reported
 * together, so an operator fixes a deployment in one round. Optional features are null when off.
 */

export enum Role {
  Viewer = 'viewer',
  Operator = 'operator',
  Admin = 'admin',
}

export interface SipUpstreamConfig {
  url: string;
  appId: string;
  accessKey: string;
  formEncoding: FormEncoding;
  tokenTtlMs: number;
}

export interface AiCallUpstreamConfig {
  url: string;
  token: string;
  authHeader: string;
  authScheme: string;
}

export interface GatewayConfig {
  port: number;
  host: string;
  /** No upstream configured: main.ts starts the built-in simulator and points both clients at it. */
  demo: boolean;
  sip: SipUpstreamConfig | null;
  aicall: AiCallUpstreamConfig | null;
  upstreamTimeZone: string;
  http: { connectTimeoutMs: number; requestTimeoutMs: number; maxConnections: number };
  databaseUrl: string;
  redisUrl: string | null;
  /** API key → role; null when unset (demo mode, or GATEWAY_AUTH=off). */
  apiKeys: ReadonlyMap<string, Role> | null;
  /** Set explicitly with GATEWAY_AUTH=off: a real upstream without API keys. */
  authDisabled: boolean;
  /** Secret path segment of callback URLs; null when callbacks are off. `generated` when made up at start. */
  callback: { secret: string; generated: boolean } | null;
  /** Largest callback body accepted (413 above it). */
  callbackMaxBodyBytes: number;
  /** Prefix of the Redis pub/sub channels, so deployments sharing one Redis never see each other's events. */
  redisChannelPrefix: string;
  simulatorPort: number;
  /** Demo mode: simulated seconds per real second for the dialer. */
  demoSpeed: number;
  maxRequestBodyBytes: number;
  /** Hot query documents run compiled by graphql-jit (src/server/compiled-queries.ts); null: never. */
  compiledQueries: { afterRuns: number } | null;
  /** Plain JSON POSTs skip yoga's fetch layer (src/server/json-fast-path.ts); off sends every request through yoga. */
  httpFastPath: boolean;
  /** Longest extension list per SIP status call (they take comma lists). */
  sipListChunkSize: number;
  /** How often agent states are checked against the PBX while anyone subscribes to them. */
  reconcileIntervalMs: number;
  /** A busy state younger than this is not questioned: its hang-up callback may be on its way. */
  reconcileGraceMs: number;
  /** The default log level (LOG_LEVEL's bare level). */
  logLevel: LogLevel;
  /** Levels of the modules LOG_LEVEL names (`upstream=debug`); the others take logLevel. */
  logModules: Partial<Record<LogModule, LogLevel>>;
  /** LOG_FORMAT: json, pretty, or auto (pretty at a terminal and in demo mode; main decides). */
  logFormat: LogFormat;
  /** What one GraphQL operation may ask for, checked before anything runs (docs/security.md). */
  operationLimits: OperationLimits;
  /** Sockets, subscriptions and the HTTP server: what one client may hold open. */
  connectionLimits: ConnectionLimits;
  /** Browser-facing policy: origins, GraphiQL, introspection. */
  exposure: ExposureConfig;
  /** How long events are kept, and how work a dead replica left behind is taken over (docs/deploy.md). */
  events: EventStoreConfig;
  /** What SIGTERM does: fail readiness, wait, drain, then stop (docs/deploy.md). */
  shutdown: ShutdownConfig;
  /** OpenTelemetry traces sent over OTLP/HTTP (src/observability/tracing.ts); null (the default): no tracing at all. */
  tracing: TracingConfig | null;
  /** Prometheus metrics at /metrics (src/observability/metrics.ts); null when METRICS=off: nothing counted, no endpoint. */
  metrics: MetricsConfig | null;
  /** Call-centre statistics and the abandon-rate guard (docs/statistics.md); null when STATISTICS=off: nothing counted. */
  statistics: StatisticsConfig | null;
}

export interface StatisticsConfig {
  /**
   * A predictive call an agent answered after waiting longer than this (seconds from the dial) counts as abandoned as
   * well; null (the default): only calls no agent took are.
   */
  abandonAfterSeconds: number | null;
}

export interface MetricsConfig {
  /** A separate listener serving only GET /metrics without auth (firewalled to the scraper); null: on the main port. */
  port: number | null;
  /** Where the separate listener binds (METRICS_HOST, default loopback). */
  host: string;
  /** On the main port, `Authorization: Bearer <token>` opens /metrics (as an admin API key does); null: admin keys only. */
  token: string | null;
}

export interface TracingConfig {
  /** Where spans are POSTed: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  tracesUrl: string;
  /** The `service.name` resource attribute. */
  serviceName: string;
  /** Share of traces kept (0 to 1), decided once per trace at its root span. */
  sampleRatio: number;
}

export interface EventStoreConfig {
  /** Settled events older than this are pruned; an `after` from before them gets EVENT_ID_EXPIRED. */
  retentionDays: number;
  /** How often this replica prunes (every replica does; the deletes are idempotent and batched). */
  pruneIntervalMs: number;
  /**
   * A pending event older than this is taken over by any replica (projected idempotently and settled): the replica
   * that stored it may be gone. Its own process settles in milliseconds, so this only has to outlast a slow projection.
   */
  settleLeaseMs: number;
}

export interface ShutdownConfig {
  /** After SIGTERM, keep serving (readiness already failing) this long so the load balancer notices first. */
  delayMs: number;
  /** Then stop accepting and give in-flight requests and callbacks at most this long before cutting connections. */
  timeoutMs: number;
}

export interface OperationLimits {
  /** Deepest selection (fields nested in fields). */
  maxDepth: number;
  /** Most field selections in one document, aliases and fragments spread included. */
  maxBreadth: number;
  /** Most aliases in one document. */
  maxAliases: number;
  /** Most directives in one document. */
  maxDirectives: number;
  /** Most lexical tokens in one document (checked while parsing, so a huge document is never built). */
  maxTokens: number;
  /** Highest declared cost (docs/security.md: what each field costs the PBX). */
  maxCost: number;
  /** Upstream (PBX and AI-call) requests one operation may make; past it they fail with UPSTREAM_BUDGET_EXCEEDED. */
  maxUpstreamCalls: number;
  /** Longest list in the variables: graphql-js coerces a list in one go, so longer ones are refused before it does. */
  maxInputListLength: number;
  /** Deepest nesting of the variables' values (the schema's inputs nest a few levels). */
  maxInputDepth: number;
}

export interface ConnectionLimits {
  /** Subscriptions one WebSocket may hold at once. */
  maxSubscriptionsPerSocket: number;
  /** Open WebSockets and SSE streams per API key (per role in open modes). */
  maxSocketsPerKey: number;
  /** Open WebSockets and SSE streams per client address. */
  maxSocketsPerAddress: number;
  /** Events waiting for one subscriber before it is closed as too slow. */
  subscriberQueueLimit: number;
  /** Most stored events one subscription replays after `after`; older resumes must reload state. */
  maxReplayEvents: number;
  /** WebSocket ping interval; a peer that has not answered the previous ping is dropped. */
  pingIntervalMs: number;
  /** node:http headersTimeout: the whole header block must arrive within this. */
  headersTimeoutMs: number;
  /** node:http requestTimeout: the whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this. */
  keepAliveTimeoutMs: number;
  /** Open TCP connections the server accepts; more are refused by node:http. */
  maxConnections: number;
  /** A callback body must have fully arrived within this, or the connection is cut (nothing stored). */
  callbackBodyTimeoutMs: number;
}

export enum IntrospectionPolicy {
  Off = 'off',
  Admin = 'admin',
  All = 'all',
}

export interface ExposureConfig {
  /** Origins (scheme://host[:port]) allowed to call from a browser, on CORS and WebSocket alike; same-origin always. */
  allowedOrigins: readonly string[];
  /** Serve the GraphiQL page at GET /graphql. */
  graphiql: boolean;
  /** Serve the supervisor's wallboard at /wallboard (built into dist/wallboard/ by `npm run build`). */
  wallboard: boolean;
  /**
   * Trusted documents (docs/security.md): the documents persisted by the wallboard's build, plus any manifests listed,
   * are always accepted by hash; with `only`, document text is refused except from keys marked `:arbitrary`.
   */
  trustedDocuments: TrustedDocumentsConfig;
  /** Who may run introspection queries. */
  introspection: IntrospectionPolicy;
}

export interface TrustedDocumentsConfig {
  /** TRUSTED_DOCUMENTS=on: only persisted documents run, except for `arbitraryKeys`. */
  only: boolean;
  /** TRUSTED_DOCUMENTS_FILES: more manifests (`{ "<sha256 hex>": "<document>" }`, codegen's persisted documents). */
  files: readonly string[];
  /** API keys that may send document text whatever `only` says (GraphiQL, scripts): `key:role:arbitrary`. */
  arbitraryKeys: ReadonlySet<string>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const MIN_SECRET_LENGTH = 16;

const blankAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalString = z.preprocess(blankAsUndefined, z.string().trim().optional());
const port = (fallback: number) =>
  z.preprocess(
    blankAsUndefined,
    z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65535).default(fallback),
  );
const positiveInt = (fallback: number) =>
  z.preprocess(
    blankAsUndefined,
    z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be above 0').default(fallback),
  );
const nonNegativeInt = (fallback: number) =>
  z.preprocess(
    blankAsUndefined,
    z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(1_000_000).default(fallback),
  );
const onOff = (fallback: 'on' | 'off' | undefined) =>
  z.preprocess(blankAsUndefined, fallback ? z.enum(['on', 'off']).default(fallback) : z.enum(['on', 'off']).optional());
/** A comma list (blanks around entries and empty entries dropped), each entry checked by `item`; empty when unset. */
const commaList = (item: z.ZodString) =>
  z.preprocess(
    blankAsUndefined,
    z
      .string()
      .transform((raw) => raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
      .pipe(z.array(item))
      .default([]),
  );
const originList = commaList(
  z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be a comma list of origins such as https://wallboard.example.com'),
);
const httpUrl = z.preprocess(
  blankAsUndefined,
  z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional(),
);

const envSchema = z.object({
  PORT: port(4000),
  // No default here: demo mode binds loopback, a configured deployment all interfaces (see loadConfig).
  HOST: optionalString,
  SIP_API_URL: httpUrl,
  SIP_APPID: optionalString,
  SIP_ACCESSKEY: optionalString,
  SIP_FORM_ENCODING: z.preprocess(blankAsUndefined, z.enum(['multipart', 'urlencoded']).default('multipart')),
  SIP_TOKEN_TTL_SECONDS: positiveInt(12 * 60 * 60),
  AICALL_API_URL: httpUrl,
  AICALL_API_TOKEN: optionalString,
  AICALL_AUTH_HEADER: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
      .default('authorization'),
  ),
  AICALL_AUTH_SCHEME: z.preprocess((v) => (v === undefined ? 'Bearer' : v), z.string().trim()),
  DATABASE_URL: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, 'must be file:<path> (SQLite) or postgres://… (PostgreSQL)')
      .default('file:./data/gateway.db'),
  ),
  REDIS_URL: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^rediss?:\/\/.+/, 'must be redis://… or rediss://…')
      .optional(),
  ),
  REDIS_CHANNEL_PREFIX: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9:._-]+$/, 'may hold only letters, digits and : . _ -')
      .default('callcentre-gateway'),
  ),
  GATEWAY_API_KEYS: optionalString,
  GATEWAY_AUTH: z.preprocess(blankAsUndefined, z.enum(['on', 'off']).default('on')),
  CALLBACK_SECRET: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'may hold only letters, digits, - and _ (it is a URL path segment)')
      .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
      .optional(),
  ),
  UPSTREAM_TIME_ZONE: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Shanghai')
      .default('Asia/Shanghai'),
  ),
  UPSTREAM_CONNECT_TIMEOUT_MS: positiveInt(2_000),
  UPSTREAM_REQUEST_TIMEOUT_MS: positiveInt(10_000),
  UPSTREAM_MAX_CONNECTIONS: positiveInt(16),
  SIP_LIST_CHUNK_SIZE: positiveInt(500),
  RECONCILE_INTERVAL_SECONDS: positiveInt(30),
  RECONCILE_GRACE_SECONDS: z.preprocess(
    blankAsUndefined,
    z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').default(15),
  ),
  SIMULATOR_PORT: port(8080),
  DEMO_SPEED: positiveInt(10),
  // Number lists ride in GraphQL variables: 25 000 entries with custom fields are a few MB.
  MAX_REQUEST_BODY_BYTES: positiveInt(8 * 1024 * 1024),
  HTTP_FAST_PATH: onOff('on'),
  COMPILED_QUERIES: onOff('on'),
  COMPILED_QUERY_AFTER_RUNS: nonNegativeInt(2),
  // Callbacks are a few hundred bytes; the cap only bounds what an unauthenticated sender can make us buffer.
  CALLBACK_MAX_BODY_BYTES: positiveInt(64 * 1024),
  // `info`, or `info,upstream=debug,callbacks=warn`: a default and per-module levels (src/log-levels.ts).
  LOG_LEVEL: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .default('info')
      .transform((text, ctx) => {
        const parsed = parseLogLevels(text);
        if ('problems' in parsed) {
          ctx.addIssue({ code: 'custom', message: parsed.problems.join('; ') });
          return z.NEVER;
        }
        return parsed;
      }),
  ),
  LOG_FORMAT: z.preprocess(blankAsUndefined, z.enum(LogFormat).default(LogFormat.Auto)),
  // Operation limits: defaults pass every documented query and a 2,000-agent wallboard (docs/security.md).
  MAX_QUERY_DEPTH: positiveInt(12),
  MAX_QUERY_BREADTH: positiveInt(300),
  MAX_QUERY_ALIASES: positiveInt(30),
  MAX_QUERY_DIRECTIVES: positiveInt(20),
  MAX_QUERY_TOKENS: positiveInt(3_000),
  MAX_QUERY_COST: positiveInt(5_000),
  MAX_UPSTREAM_CALLS_PER_OPERATION: positiveInt(100),
  MAX_INPUT_LIST_LENGTH: positiveInt(10_000),
  MAX_INPUT_DEPTH: positiveInt(16),
  // Sockets and subscriptions.
  MAX_SUBSCRIPTIONS_PER_SOCKET: positiveInt(20),
  MAX_SOCKETS_PER_KEY: positiveInt(500),
  MAX_SOCKETS_PER_ADDRESS: positiveInt(100),
  SUBSCRIBER_QUEUE_LIMIT: positiveInt(1_000),
  MAX_REPLAY_EVENTS: positiveInt(10_000),
  WS_PING_INTERVAL_SECONDS: positiveInt(30),
  // The HTTP server.
  HTTP_HEADERS_TIMEOUT_SECONDS: positiveInt(10),
  HTTP_REQUEST_TIMEOUT_SECONDS: positiveInt(30),
  HTTP_KEEPALIVE_TIMEOUT_SECONDS: positiveInt(5),
  HTTP_MAX_CONNECTIONS: positiveInt(2_000),
  CALLBACK_BODY_TIMEOUT_SECONDS: positiveInt(10),
  // Browser exposure.
  ALLOWED_ORIGINS: originList,
  GRAPHIQL: onOff('on'),
  WALLBOARD: onOff('on'),
  TRUSTED_DOCUMENTS: onOff('off'),
  TRUSTED_DOCUMENTS_FILES: commaList(z.string()),
  INTROSPECTION: z.preprocess(blankAsUndefined, z.enum(IntrospectionPolicy).optional()),
  // The event store and replicas.
  EVENT_RETENTION_DAYS: positiveInt(30),
  EVENT_PRUNE_INTERVAL_SECONDS: positiveInt(3_600),
  EVENT_SETTLE_LEASE_SECONDS: positiveInt(2),
  // Shutdown (SIGTERM / SIGINT).
  SHUTDOWN_DELAY_SECONDS: z.preprocess(
    blankAsUndefined,
    z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').default(0),
  ),
  SHUTDOWN_TIMEOUT_SECONDS: positiveInt(10),
  // Statistics (docs/statistics.md).
  STATISTICS: onOff('on'),
  STATS_ABANDON_AFTER_SECONDS: z.preprocess(
    blankAsUndefined,
    z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(3_600).optional(),
  ),
  // Prometheus metrics.
  METRICS: onOff('on'),
  METRICS_PORT: z.preprocess(
    blankAsUndefined,
    z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65535).optional(),
  ),
  METRICS_HOST: z.preprocess(blankAsUndefined, z.string().trim().default('127.0.0.1')),
  METRICS_TOKEN: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^[\x21-\x7e]+$/, 'may hold only printable characters without spaces (it is sent as a Bearer token)')
      .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
      .optional(),
  ),
  // Traces: OpenTelemetry's own variable names (its SDK specification), so a collector set-up made for other services works.
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl,
  OTEL_SERVICE_NAME: z.preprocess(blankAsUndefined, z.string().trim().max(200).default('callcentre-graphql-gateway')),
  OTEL_TRACES_SAMPLER_ARG: z.preprocess(
    blankAsUndefined,
    z.coerce.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1').default(1),
  ),
  OTEL_SDK_DISABLED: z.preprocess(blankAsUndefined, z.enum(['true', 'false']).default('false')),
});

/** The flag after a key's role that lets it send document text when TRUSTED_DOCUMENTS=on (`key:admin:arbitrary`). */
const ARBITRARY_FLAG = ':arbitrary';

/** Parses `GATEWAY_API_KEYS` (`key:role[:arbitrary],…`), reporting each bad entry. */
function parseApiKeys(raw: string, problems: string[]): { keys: Map<string, Role>; arbitrary: Set<string> } {
  const keys = new Map<string, Role>();
  const arbitrary = new Set<string>();
  const roles = Object.values(Role) as string[];
  for (const [index, entry] of raw.split(',').entries()) {
    let trimmed = entry.trim();
    const flagged = trimmed.endsWith(ARBITRARY_FLAG);
    if (flagged) trimmed = trimmed.slice(0, -ARBITRARY_FLAG.length);
    const at = trimmed.lastIndexOf(':');
    const key = at > 0 ? trimmed.slice(0, at) : trimmed;
    const role = at > 0 ? trimmed.slice(at + 1) : '';
    const where = `GATEWAY_API_KEYS entry ${index + 1}`;
    if (!roles.includes(role)) {
      problems.push(`${where}: role must be one of ${roles.join(', ')} (format key:role or key:role:arbitrary)`);
    } else if (key.length < MIN_SECRET_LENGTH) {
      problems.push(`${where}: key must be at least ${MIN_SECRET_LENGTH} characters`);
    } else if (keys.has(key)) {
      problems.push(`${where}: the same key appears twice`);
    } else {
      keys.set(key, role as Role);
      if (flagged) arbitrary.add(key);
    }
  }
  return { keys, arbitrary };
}

/** Reads the configuration from an environment; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, generateSecret: () => string = randomSecret): GatewayConfig {
  const problems: string[] = [];
  // Each variable is parsed on its own, so one bad value does not hide the others or the cross-field rules below.
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(env[name]);
    if (result.success) values[name] = result.data;
    // The variable is named, never its value: a bad DATABASE_URL or key would otherwise print a secret.
    else problems.push(`${name}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  const e = values as Partial<z.output<typeof envSchema>>;

  const sipUrl = blankAsUndefined(env.SIP_API_URL);
  const aicallUrl = blankAsUndefined(env.AICALL_API_URL);
  if (sipUrl) {
    if (!e.SIP_APPID) problems.push('SIP_APPID: required when SIP_API_URL is set');
    if (!e.SIP_ACCESSKEY) problems.push('SIP_ACCESSKEY: required when SIP_API_URL is set');
  }
  if (aicallUrl && !e.AICALL_API_TOKEN) problems.push('AICALL_API_TOKEN: required when AICALL_API_URL is set');

  const demo = !sipUrl && !aicallUrl;
  const apiKeys = e.GATEWAY_API_KEYS ? parseApiKeys(e.GATEWAY_API_KEYS, problems) : null;
  const authDisabled = e.GATEWAY_AUTH === 'off';
  if (!demo && !apiKeys && !authDisabled) {
    problems.push(
      'GATEWAY_API_KEYS: required when a real upstream is configured (SIP_API_URL or AICALL_API_URL); ' +
        'set GATEWAY_AUTH=off to run without authentication on purpose',
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  const c = values as z.output<typeof envSchema>;

  return {
    port: c.PORT,
    // Demo mode is open to anyone who reaches it, so it stays on this machine unless HOST says otherwise.
    host: c.HOST ?? (demo ? '127.0.0.1' : '0.0.0.0'),
    demo,
    sip:
      c.SIP_API_URL && c.SIP_APPID && c.SIP_ACCESSKEY
        ? {
            url: c.SIP_API_URL,
            appId: c.SIP_APPID,
            accessKey: c.SIP_ACCESSKEY,
            formEncoding: c.SIP_FORM_ENCODING,
            tokenTtlMs: c.SIP_TOKEN_TTL_SECONDS * 1000,
          }
        : null,
    aicall:
      c.AICALL_API_URL && c.AICALL_API_TOKEN
        ? {
            url: c.AICALL_API_URL,
            token: c.AICALL_API_TOKEN,
            authHeader: c.AICALL_AUTH_HEADER.toLowerCase(),
            authScheme: c.AICALL_AUTH_SCHEME,
          }
        : null,
    upstreamTimeZone: c.UPSTREAM_TIME_ZONE,
    http: {
      connectTimeoutMs: c.UPSTREAM_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: c.UPSTREAM_REQUEST_TIMEOUT_MS,
      maxConnections: c.UPSTREAM_MAX_CONNECTIONS,
    },
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL ?? null,
    redisChannelPrefix: c.REDIS_CHANNEL_PREFIX,
    apiKeys: authDisabled ? null : (apiKeys?.keys ?? null),
    authDisabled,
    // A live deployment needs a stable callback URL that the platform is configured with, so only demo mode
    // makes a secret up; without one, a live gateway takes no callbacks.
    callback: c.CALLBACK_SECRET
      ? { secret: c.CALLBACK_SECRET, generated: false }
      : demo
        ? { secret: generateSecret(), generated: true }
        : null,
    callbackMaxBodyBytes: c.CALLBACK_MAX_BODY_BYTES,
    simulatorPort: c.SIMULATOR_PORT,
    demoSpeed: c.DEMO_SPEED,
    maxRequestBodyBytes: c.MAX_REQUEST_BODY_BYTES,
    httpFastPath: c.HTTP_FAST_PATH === 'on',
    statistics: c.STATISTICS === 'on' ? { abandonAfterSeconds: c.STATS_ABANDON_AFTER_SECONDS ?? null } : null,
    compiledQueries: c.COMPILED_QUERIES === 'on' ? { afterRuns: c.COMPILED_QUERY_AFTER_RUNS } : null,
    sipListChunkSize: c.SIP_LIST_CHUNK_SIZE,
    reconcileIntervalMs: c.RECONCILE_INTERVAL_SECONDS * 1000,
    reconcileGraceMs: c.RECONCILE_GRACE_SECONDS * 1000,
    logLevel: c.LOG_LEVEL.level,
    logModules: c.LOG_LEVEL.modules,
    logFormat: c.LOG_FORMAT,
    operationLimits: {
      maxDepth: c.MAX_QUERY_DEPTH,
      maxBreadth: c.MAX_QUERY_BREADTH,
      maxAliases: c.MAX_QUERY_ALIASES,
      maxDirectives: c.MAX_QUERY_DIRECTIVES,
      maxTokens: c.MAX_QUERY_TOKENS,
      maxCost: c.MAX_QUERY_COST,
      maxUpstreamCalls: c.MAX_UPSTREAM_CALLS_PER_OPERATION,
      maxInputListLength: c.MAX_INPUT_LIST_LENGTH,
      maxInputDepth: c.MAX_INPUT_DEPTH,
    },
    connectionLimits: {
      maxSubscriptionsPerSocket: c.MAX_SUBSCRIPTIONS_PER_SOCKET,
      maxSocketsPerKey: c.MAX_SOCKETS_PER_KEY,
      maxSocketsPerAddress: c.MAX_SOCKETS_PER_ADDRESS,
      subscriberQueueLimit: c.SUBSCRIBER_QUEUE_LIMIT,
      maxReplayEvents: c.MAX_REPLAY_EVENTS,
      pingIntervalMs: c.WS_PING_INTERVAL_SECONDS * 1000,
      headersTimeoutMs: c.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
      requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      keepAliveTimeoutMs: c.HTTP_KEEPALIVE_TIMEOUT_SECONDS * 1000,
      maxConnections: c.HTTP_MAX_CONNECTIONS,
      callbackBodyTimeoutMs: c.CALLBACK_BODY_TIMEOUT_SECONDS * 1000,
    },
    exposure: {
      allowedOrigins: c.ALLOWED_ORIGINS,
      graphiql: c.GRAPHIQL === 'on',
      wallboard: c.WALLBOARD === 'on',
      trustedDocuments: { only: c.TRUSTED_DOCUMENTS === 'on', files: c.TRUSTED_DOCUMENTS_FILES, arbitraryKeys: apiKeys?.arbitrary ?? new Set() },
      // Schema exploration is the point of demo mode; a real deployment shows the schema to admins only
      // (front-end teams work from the committed schema.graphql).
      introspection: c.INTROSPECTION ?? (demo ? IntrospectionPolicy.All : IntrospectionPolicy.Admin),
    },
    events: {
      retentionDays: c.EVENT_RETENTION_DAYS,
      pruneIntervalMs: c.EVENT_PRUNE_INTERVAL_SECONDS * 1000,
      settleLeaseMs: c.EVENT_SETTLE_LEASE_SECONDS * 1000,
    },
    shutdown: { delayMs: c.SHUTDOWN_DELAY_SECONDS * 1000, timeoutMs: c.SHUTDOWN_TIMEOUT_SECONDS * 1000 },
    tracing: tracingConfig(c),
    metrics:
      c.METRICS === 'on' ? { port: c.METRICS_PORT ?? null, host: c.METRICS_HOST, token: c.METRICS_TOKEN ?? null } : null,
  };
}

/** Tracing is on when an OTLP endpoint is set (and OTEL_SDK_DISABLED is not true); the traces endpoint wins. */
function tracingConfig(c: z.output<typeof envSchema>): TracingConfig | null {
  const base = c.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl = c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!tracesUrl || c.OTEL_SDK_DISABLED === 'true') return null;
  return { tracesUrl, serviceName: c.OTEL_SERVICE_NAME, sampleRatio: c.OTEL_TRACES_SAMPLER_ARG };
}

function randomSecret(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/**
 * Every configured secret, for the redaction rule (src/redact.ts) that errors and logs go through: the SIP access key
 * and appid, the AI-call token, API keys, the callback secret, and the passwords inside DATABASE_URL and REDIS_URL.
 */
export function secretsOf(config: GatewayConfig): string[] {
  const secrets: string[] = [];
  if (config.sip) secrets.push(config.sip.accessKey, config.sip.appId);
  if (config.aicall) secrets.push(config.aicall.token);
  if (config.apiKeys) secrets.push(...config.apiKeys.keys());
  if (config.callback) secrets.push(config.callback.secret);
  if (config.metrics?.token) secrets.push(config.metrics.token);
  for (const url of [config.databaseUrl, config.redisUrl]) {
    if (!url) continue;
    try {
      const parsed = new URL(url);
      if (parsed.password) secrets.push(parsed.password, decodeURIComponent(parsed.password));
      if (parsed.username && parsed.password) secrets.push(`${parsed.username}:${parsed.password}`);
    } catch {
      // file: paths and unparsable URLs carry no password.
    }
  }
  return [...new Set(secrets.filter((secret) => secret.trim() !== ''))];
}
