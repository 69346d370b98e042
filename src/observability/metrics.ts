import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { CALLBACK_KINDS, type CallbackKind } from '../callbacks/schemas.ts';
import { ErrorCode, type UpstreamName } from '../errors.ts';
import { type AbandonGuardAction, EVENT_TOPICS, type EventTopic, type GatewayEvent } from '../events/types.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import { UpstreamCallOutcome, type UpstreamCallEnd, type UpstreamCallObserver, UpstreamCodeKind, upstreamCodeOf } from '../upstream/http.ts';
import { SipCode, SipRet, SipService } from '../upstream/sip/codes.ts';
import { FastCounter, FastHistogram } from './fast-metrics.ts';
import { CallbackOutcome } from './request-scope.ts';

/**
 * Every metric the gateway exports (docs/operations.md), on one registry per app: tests build many apps in one
 * process, and the global default registry would mix them (and refuse a second metric of the same name).
 *
 * Label values are bounded everywhere: fixed enums (topics, callback kinds, outcomes, error codes), service names from
 * code, and operation names admitted up to a cap. Nothing a client or a platform writes (numbers, extensions, ids,
 * messages) becomes a label.
 *
 * What runs per request, per upstream call or per delivered event is kept small: the labelled counters and histograms
 * updated there are FastCounter / FastHistogram (src/observability/fast-metrics.ts: plain numbers per label set, no
 * hashing or validation per update, exported in prom-client's format), per-event counts are plain numbers copied into
 * the registry at scrape time, and what can be read from elsewhere (SIP session counters, the event store) is read at
 * scrape time only.
 */

/** The metric names' prefix. */
const PREFIX = 'gateway_';
/** Distinct operation names labelled per process; later ones are `other` (names are client text). */
export const MAX_OPERATION_NAMES = 100;
/** What a name must look like to be a label (GraphQL's own name rule, at most 64 characters). */
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
/** Distinct upstream service labels per platform: they come from code, the cap is a guard against a future mistake. */
const MAX_SERVICES_PER_PLATFORM = 64;
/** How long the event store's counts are kept before a scrape reads them again. */
export const STORE_COUNTS_TTL_MS = 5_000;

/** The label for anything outside a bounded set. */
export const OTHER = 'other';
/** The operation-name label of an operation sent without a name. */
export const ANONYMOUS = 'anonymous';
/** The outcome label of an operation that ended without errors. */
export const OK = 'ok';

/** Codes yoga itself puts on errors (parse and validation failures, masked unexpected errors). */
export enum YogaErrorCode {
  ParseFailed = 'GRAPHQL_PARSE_FAILED',
  ValidationFailed = 'GRAPHQL_VALIDATION_FAILED',
  Internal = 'INTERNAL_SERVER_ERROR',
}

/** The operation type label: the document's, or unknown when it did not parse or names no operation. */
export enum OperationTypeLabel {
  Query = 'query',
  Mutation = 'mutation',
  Subscription = 'subscription',
  Unknown = 'unknown',
}

/** How an upstream request ended, as a label. */
export enum UpstreamOutcomeLabel {
  Ok = 'ok',
  Http4xx = 'http_4xx',
  Http5xx = 'http_5xx',
  Timeout = 'timeout',
  ConnectFailed = 'connect_failed',
  Network = 'network',
  InvalidResponse = 'invalid_response',
}

/** Why a subscriber was dropped as too slow. */
export enum SlowConsumerReason {
  /** More than SUBSCRIBER_QUEUE_LIMIT events waited for it (any transport). */
  QueueOverflow = 'queue_overflow',
  /** Its WebSocket held more unsent bytes than allowed. */
  SocketBuffer = 'socket_buffer',
}

/** What the scrape reads from elsewhere and may fail to read. */
export enum ScrapeSource {
  EventStore = 'event_store',
}

const OPERATION_OUTCOMES = new Set<string>([...Object.values(ErrorCode), ...Object.values(YogaErrorCode)]);
const PLATFORMS: readonly UpstreamName[] = ['sip', 'aicall'];
const numbersOf = (table: Record<string, string | number>) => Object.values(table).filter((value) => typeof value === 'number');
/**
 * The platform codes worth a label of their own, as the clients report them (`<kind>:<code>`, upstreamCodeOf): the
 * SIP envelope's `ret`, its business codes, HTTP statuses. Any other becomes `<kind>:other` (or `other`).
 */
const REJECTION_CODES = new Set<string>([
  ...numbersOf(SipRet).map((ret) => upstreamCodeOf(UpstreamCodeKind.SipRet, ret)),
  ...numbersOf(SipCode).map((code) => upstreamCodeOf(UpstreamCodeKind.SipCode, code)),
  ...[400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500, 502, 503, 504].map((status) => upstreamCodeOf(UpstreamCodeKind.Http, status)),
]);
const REJECTION_KINDS = new Set<string>(Object.values(UpstreamCodeKind));

function rejectionLabel(upstreamCode: string): string {
  if (REJECTION_CODES.has(upstreamCode)) return upstreamCode;
  const kind = upstreamCode.slice(0, upstreamCode.indexOf(':'));
  return REJECTION_KINDS.has(kind) ? upstreamCodeOf(kind as UpstreamCodeKind, OTHER) : OTHER;
}
const SIP_SERVICES = new Set<string>(Object.values(SipService));

const seconds = (startedAt: number) => (performance.now() - startedAt) / 1000;

/** An upstream call as the observer is told of it (the shape UpstreamCallObserver.started receives). */
type UpstreamCall = Parameters<UpstreamCallObserver['started']>[0];

/** The SIP session's counters, read at scrape time (src/upstream/sip/session.ts). */
export interface SipSessionCounters {
  readonly loginCount: number;
  readonly renewCount?: number;
  /** Epoch milliseconds of the last login, or null before the first one. */
  readonly lastLoginAt?: number | null;
}

/** The event store's counts, read at scrape time at most every STORE_COUNTS_TTL_MS. */
export type StoreCounts = Pick<Store['events'], 'counts'>;

export interface GatewayMetrics {
  readonly registry: Registry;
  /** One GraphQL operation ended (src/observability/operation-metrics.ts). */
  operation(name: string | null | undefined, type: OperationTypeLabel, outcome: string | null, startedAt: number): void;
  /** Watches upstream requests (in-flight, count, duration) and the platforms' refusals. */
  readonly upstream: UpstreamCallObserver & { rejected(call: UpstreamCall, upstreamCode: string): void };
  /** One callback answered: its kind, how it ended, and (stored or duplicate) `performance.now()` at its start. */
  callback(kind: CallbackKind, outcome: CallbackOutcome, startedAt?: number): void;
  /** An event published after being stored: the lag from its own time (when the platform gave one) to now. */
  published(event: Pick<GatewayEvent, 'topic' | 'occurredAt'>): void;
  readonly subscriptions: SubscriptionMetrics;
  /** Agents the reconciler marked hung up after the PBX reported them free. */
  reconciled(corrections: number): void;
  /** The SIP session whose logins and renewals are reported (read at scrape time). */
  watchSipSession(session: SipSessionCounters): void;
  /** Reads the statistics' live figures and guard trips at each scrape (nothing when STATISTICS=off). */
  watchStatistics(statistics: StatisticsCounters): void;
  /** The Prometheus text of every metric. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** What the statistics count for the metrics (src/stats/index.ts). */
export interface StatisticsCounters {
  /** Distinct live figures watched on this replica, and their subscribers. */
  live(): { channels: number; subscribers: number };
  /** Abandon-rate guard trips this replica reported, per action. */
  guardTrips(): Readonly<Record<AbandonGuardAction, number>>;
}

/** Per-subscription and per-event counts, kept as plain numbers (hot paths) and copied into the registry at scrape. */
export interface SubscriptionMetrics {
  opened(topic: EventTopic): void;
  closed(topic: EventTopic): void;
  /** Events handed to subscribers' queues, per topic. */
  readonly delivered: Record<EventTopic, number>;
  /** A subscription with `after` replayed this many stored events. */
  replayed(topic: EventTopic, events: number): void;
  dropped(reason: SlowConsumerReason): void;
}

export interface GatewayMetricsOptions {
  /** config.http.maxConnections: the pool size in-flight requests are measured against. */
  maxConnections: number;
  /** Where the store gauges are read from. */
  store: StoreCounts;
  logger: Logger;
  /** Process metrics (CPU, memory, event-loop lag); on by default. */
  processMetrics?: boolean;
}

const zeroByTopic = (): Record<EventTopic, number> =>
  Object.fromEntries(EVENT_TOPICS.map((topic) => [topic, 0])) as Record<EventTopic, number>;

export function createGatewayMetrics(options: GatewayMetricsOptions): GatewayMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) {
    const shared = processMetrics();
    for (const { name } of shared.getMetricsAsArray()) {
      const metric = shared.getSingleMetric(name);
      if (metric) registry.registerMetric(metric);
    }
  }
  const operation = operationMetrics(registry);
  const upstream = upstreamMetrics(registry, options.maxConnections);
  const callbacks = callbackMetrics(registry);
  const subscriptions = subscriptionMetrics(registry);
  const reconcile = new Counter({
    name: `${PREFIX}reconcile_corrections_total`,
    help: 'Agent states corrected against the PBX: agents the gateway thought busy that the PBX reported free (a lost hang-up).',
    registers: [registry],
  });
  const sip = sipSessionMetrics(registry);
  const statistics = statisticsMetrics(registry);
  storeMetrics(registry, options.store, options.logger);
  return {
    registry,
    operation,
    upstream,
    callback: callbacks.callback,
    published: callbacks.published,
    subscriptions,
    reconciled: (corrections) => {
      if (corrections > 0) reconcile.inc(corrections);
    },
    watchSipSession: sip.watch,
    watchStatistics: statistics.watch,
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

let processRegistry: Registry | null = null;

/**
 * The process's own metrics (CPU, memory, event-loop lag, GC), made once per process and shown by every app's
 * registry: they describe the process, and each set starts an event-loop monitor and a GC observer that are never
 * stopped (a test process builds hundreds of apps).
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: PREFIX });
  }
  return processRegistry;
}

function operationMetrics(registry: Registry): GatewayMetrics['operation'] {
  const total = new FastCounter({
    name: `${PREFIX}graphql_operations_total`,
    help: 'GraphQL operations by name (client-given, bounded: `anonymous`, `other`), type and outcome (`ok` or the first error code).',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new FastHistogram({
    name: `${PREFIX}graphql_operation_duration_seconds`,
    help: 'Time from the request (HTTP) or the operation (graphql-ws) arriving to its result, by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const admitted = new Set<string>();
  const nameLabel = (name: string | null | undefined): string => {
    if (!name) return ANONYMOUS;
    if (admitted.has(name)) return name;
    if (!OPERATION_NAME.test(name) || admitted.size >= MAX_OPERATION_NAMES) return OTHER;
    admitted.add(name);
    return name;
  };
  return (name, type, outcome, startedAt) => {
    const label = nameLabel(name);
    const code = outcome === null ? OK : OPERATION_OUTCOMES.has(outcome) ? outcome : OTHER;
    total.cell(label, type, code).inc();
    duration.cell(label, type).observe(seconds(startedAt));
  };
}

function upstreamOutcome(end: UpstreamCallEnd): UpstreamOutcomeLabel {
  switch (end.outcome) {
    case UpstreamCallOutcome.Answered: {
      const status = end.status ?? 0;
      if (status >= 500) return UpstreamOutcomeLabel.Http5xx;
      return status >= 400 ? UpstreamOutcomeLabel.Http4xx : UpstreamOutcomeLabel.Ok;
    }
    case UpstreamCallOutcome.Timeout:
      return UpstreamOutcomeLabel.Timeout;
    case UpstreamCallOutcome.ConnectFailed:
      return UpstreamOutcomeLabel.ConnectFailed;
    case UpstreamCallOutcome.InvalidResponse:
      return UpstreamOutcomeLabel.InvalidResponse;
    default:
      return UpstreamOutcomeLabel.Network;
  }
}

function upstreamMetrics(registry: Registry, maxConnections: number): GatewayMetrics['upstream'] {
  const total = new FastCounter({
    name: `${PREFIX}upstream_requests_total`,
    help: 'Upstream HTTP requests sent, by platform (sip, aicall), service (SIP service name or AI-call route) and outcome.',
    labelNames: ['platform', 'service', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new FastHistogram({
    name: `${PREFIX}upstream_request_duration_seconds`,
    help: 'Upstream request time, from sending to the last byte of the answer (or the failure), by platform and service.',
    labelNames: ['platform', 'service'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const rejections = new FastCounter({
    name: `${PREFIX}upstream_rejections_total`,
    help: 'Answers in which a platform refused or failed the request (SIP `ret:` or business `code:`, `http:` status), by platform, service and code.',
    labelNames: ['platform', 'service', 'code'] as const,
    registers: [registry],
  });
  // A plain number per platform, copied in at scrape time: two hash lookups saved on every call.
  const running: Record<UpstreamName, number> = { sip: 0, aicall: 0 };
  new Gauge({
    name: `${PREFIX}upstream_in_flight_requests`,
    help: 'Upstream requests sent and not yet ended, by platform (compare with gateway_upstream_pool_connections).',
    labelNames: ['platform'] as const,
    registers: [registry],
    collect() {
      for (const platform of PLATFORMS) this.set({ platform }, running[platform]);
    },
  });
  const pool = new Gauge({
    name: `${PREFIX}upstream_pool_connections`,
    help: 'Connections per upstream origin (UPSTREAM_MAX_CONNECTIONS); requests beyond it queue in the gateway.',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  for (const platform of PLATFORMS) pool.set({ platform }, maxConnections);

  const services: Record<UpstreamName, Set<string>> = { sip: new Set(), aicall: new Set() };
  const serviceLabel = (platform: UpstreamName, service: string): string => {
    const known = services[platform];
    if (known.has(service)) return service;
    if (platform === 'sip' && !SIP_SERVICES.has(service)) return OTHER;
    if (known.size >= MAX_SERVICES_PER_PLATFORM) return OTHER;
    known.add(service);
    return service;
  };
  return {
    started(call) {
      const platform = call.upstream;
      const service = serviceLabel(platform, call.operation);
      const startedAt = performance.now();
      running[platform] += 1;
      return (end) => {
        running[platform] -= 1;
        total.cell(platform, service, upstreamOutcome(end)).inc();
        duration.cell(platform, service).observe(seconds(startedAt));
      };
    },
    rejected(call, upstreamCode) {
      rejections.cell(call.upstream, serviceLabel(call.upstream, call.operation), rejectionLabel(upstreamCode)).inc();
    },
  };
}

function callbackMetrics(registry: Registry): Pick<GatewayMetrics, 'callback' | 'published'> {
  const total = new FastCounter({
    name: `${PREFIX}callbacks_total`,
    help: 'Platform callbacks answered, by kind and outcome (stored, duplicate, rejected: 4xx, failed: 500 and not stored).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new FastHistogram({
    name: `${PREFIX}callback_ingest_duration_seconds`,
    help: 'Time from a callback arriving to its answer, for callbacks stored or recognised as duplicates, by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const lag = new FastHistogram({
    name: `${PREFIX}event_publish_lag_seconds`,
    help: "Time from an event's own time (the platform's timestamp in it) to its publication to subscribers, by topic; events without one are not observed.",
    labelNames: ['topic'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [registry],
  });
  // Every label pair exists from the start (a cell once made is exported, at 0), so rates and alerts work before the
  // first callback.
  for (const kind of CALLBACK_KINDS) for (const outcome of Object.values(CallbackOutcome)) total.cell(kind, outcome);
  return {
    callback(kind, outcome, startedAt) {
      total.cell(kind, outcome).inc();
      if (startedAt !== undefined) duration.cell(kind).observe(seconds(startedAt));
    },
    published(event) {
      if (!event.occurredAt) return;
      const occurred = Date.parse(event.occurredAt);
      // The platform's clock may run ahead of ours: a negative lag is counted as none.
      if (Number.isFinite(occurred)) lag.cell(event.topic).observe(Math.max(0, Date.now() - occurred) / 1000);
    },
  };
}

function subscriptionMetrics(registry: Registry): SubscriptionMetrics {
  const open = zeroByTopic();
  const delivered = zeroByTopic();
  const dropped: Record<SlowConsumerReason, number> = { [SlowConsumerReason.QueueOverflow]: 0, [SlowConsumerReason.SocketBuffer]: 0 };
  new Gauge({
    name: `${PREFIX}subscribers`,
    help: "Event streams open in this process (one per subscription), by topic.",
    labelNames: ['topic'] as const,
    registers: [registry],
    collect() {
      for (const topic of EVENT_TOPICS) this.set({ topic }, open[topic]);
    },
  });
  new Counter({
    name: `${PREFIX}events_delivered_total`,
    help: "Events handed to subscribers (replayed and live, after each subscription's filters), by topic.",
    labelNames: ['topic'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const topic of EVENT_TOPICS) this.inc({ topic }, delivered[topic]);
    },
  });
  const replay = new FastHistogram({
    name: `${PREFIX}subscription_replay_events`,
    help: 'Stored events replayed to one subscription that gave `after`, by topic.',
    labelNames: ['topic'] as const,
    buckets: [0, 1, 10, 50, 100, 500, 1_000, 5_000, 10_000],
    registers: [registry],
  });
  new Counter({
    name: `${PREFIX}slow_consumers_dropped_total`,
    help: 'Subscribers ended as too slow (graphql-ws: socket closed with 4030; SSE: SUBSCRIBER_TOO_SLOW), by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const reason of Object.values(SlowConsumerReason)) this.inc({ reason }, dropped[reason]);
    },
  });
  return {
    opened: (topic) => void (open[topic] += 1),
    closed: (topic) => void (open[topic] -= 1),
    delivered,
    replayed: (topic, events) => replay.cell(topic).observe(events),
    dropped: (reason) => void (dropped[reason] += 1),
  };
}

function sipSessionMetrics(registry: Registry): { watch(session: SipSessionCounters): void } {
  let session: SipSessionCounters | null = null;
  new Counter({
    name: `${PREFIX}sip_logins_total`,
    help: 'Logins to the SIP API (App.Sip_Auth.Login) since start: the first, token expiry and renewals after `ret` 600.',
    registers: [registry],
    collect() {
      this.reset();
      if (session) this.inc(session.loginCount);
    },
  });
  new Counter({
    name: `${PREFIX}sip_token_renewals_total`,
    help: 'SIP token renewals forced by the platform (a request answered `ret` 600 or code 1010) since start.',
    registers: [registry],
    collect() {
      this.reset();
      if (session?.renewCount !== undefined) this.inc(session.renewCount);
    },
  });
  new Gauge({
    name: `${PREFIX}sip_last_login_timestamp_seconds`,
    help: 'Unix time of the last SIP login (0 before the first).',
    registers: [registry],
    collect() {
      const at = session?.lastLoginAt;
      this.set(typeof at === 'number' ? at / 1000 : 0);
    },
  });
  return {
    watch(watched) {
      session = watched;
    },
  };
}

const GUARD_ACTIONS: readonly AbandonGuardAction[] = ['PAUSED', 'ALERT_ONLY', 'NOT_RUNNING', 'PAUSE_FAILED'];

function statisticsMetrics(registry: Registry): { watch(statistics: StatisticsCounters): void } {
  let watched: StatisticsCounters | null = null;
  new Gauge({
    name: `${PREFIX}statistics_live_figures`,
    help: 'Distinct live statistics (queueStatisticsUpdated, taskStatisticsUpdated arguments) watched on this replica (at most 1,000).',
    registers: [registry],
    collect() {
      this.set(watched?.live().channels ?? 0);
    },
  });
  new Gauge({
    name: `${PREFIX}statistics_live_subscribers`,
    help: 'Subscriptions to live statistics on this replica.',
    registers: [registry],
    collect() {
      this.set(watched?.live().subscribers ?? 0);
    },
  });
  new Counter({
    name: `${PREFIX}abandon_guard_trips_total`,
    help: "Abandon-rate guard trips this replica reported, by what it did (PAUSED, ALERT_ONLY, NOT_RUNNING, PAUSE_FAILED).",
    labelNames: ['action'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const trips = watched?.guardTrips();
      for (const action of GUARD_ACTIONS) this.inc({ action }, trips?.[action] ?? 0);
    },
  });
  return {
    watch(statistics) {
      watched = statistics;
    },
  };
}

/**
 * The event store's size and pending events, read with one cheap query at most every STORE_COUNTS_TTL_MS (scrapes
 * cannot hammer the database). A failed read keeps the last values, counts a scrape error and is logged: the scrape
 * itself still answers.
 */
function storeMetrics(registry: Registry, store: StoreCounts, logger: Logger): void {
  const errors: Counter<'source'> = new Counter({
    name: `${PREFIX}scrape_errors_total`,
    help: 'Reads done for a scrape that failed (the metric kept its last value), by source.',
    labelNames: ['source'] as const,
    registers: [registry],
    // Metrics are collected concurrently: this one waits for the read, so a failure shows in the same scrape.
    async collect() {
      await refresh();
    },
  });
  errors.labels(ScrapeSource.EventStore).inc(0);
  let last: { stored: Record<EventTopic, number>; pending: number } | null = null;
  let readAt = -Infinity;
  let reading: Promise<void> | null = null;
  const refresh = (): Promise<void> => {
    if (performance.now() - readAt < STORE_COUNTS_TTL_MS) return Promise.resolve();
    reading ??= store
      .counts()
      .then(
        (counts) => {
          last = counts;
        },
        (error: unknown) => {
          errors.labels(ScrapeSource.EventStore).inc();
          logger.warn('metrics: reading the event store counts failed; the last values are reported', error);
        },
      )
      .finally(() => {
        readAt = performance.now();
        reading = null;
      });
    return reading;
  };
  new Gauge({
    name: `${PREFIX}event_store_events`,
    help: `Events in the event store, by topic (read at most every ${STORE_COUNTS_TTL_MS / 1000} s).`,
    labelNames: ['topic'] as const,
    registers: [registry],
    async collect() {
      await refresh();
      if (last) for (const topic of EVENT_TOPICS) this.set({ topic }, last.stored[topic]);
    },
  });
  new Gauge({
    name: `${PREFIX}event_store_pending_events`,
    help: 'Stored events not yet settled (projected and published): catch-up settles them; a growing number is a stuck ingestion.',
    registers: [registry],
    async collect() {
      await refresh();
      if (last) this.set(last.pending);
    },
  });
}
