import { readFileSync } from 'node:fs';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type GatewayConfig, secretsOf } from './config.ts';
import { createAuthenticator } from './auth.ts';
import { createCallbackHandler } from './callbacks/route.ts';
import type { GatewayServices } from './context.ts';
import { createCallbackIngestor } from './callbacks/ingest.ts';
import { recordTaskChange as recordTaskChangeWith, type TaskChange } from './events/task-changes.ts';
import { startBackgroundWork } from './background.ts';
import { createEventFeed } from './events/feed.ts';
import { createPubSub, type PubSub } from './events/pubsub.ts';
import { type Logger, LogModule } from './logger.ts';
import { serveMetrics } from './observability/metrics-endpoint.ts';
import { createTelemetry, type Telemetry, upstreamObservers } from './observability/telemetry.ts';
import { registerSecrets } from './redact.ts';
import { createConnectionCounter } from './server/connection-limits.ts';
import { createDrain } from './server/drain.ts';
import { createHttpServer } from './server/http.ts';
import { createJsonFastPath, type JsonFastPathCounts } from './server/json-fast-path.ts';
import { createOriginPolicy } from './server/origins.ts';
import { createReadiness } from './server/readiness.ts';
import { drainConnections } from './server/shutdown.ts';
import { loadTrustedDocuments } from './server/trusted-documents.ts';
import { createWallboardPage } from './server/wallboard.ts';
import { attachWebSocket } from './server/websocket.ts';
import { createGatewayYoga, type GatewayYoga } from './server/yoga.ts';
import { createStatistics, projectInto } from './stats/index.ts';
import { createDatabase, type Store } from './store/index.ts';
import { createUpstreamClients } from './upstream/clients.ts';

export { GRAPHQL_PATH } from './server/yoga.ts';
/**
 * The release, from package.json (one place to bump it): read once at start, from the directory above this module,
 * which is the project root for src/app.ts, tsc's dist/app.js and the bundled dist/main.js alike.
 */
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** The wallboard's build output (scripts/bundle-wallboard.ts), found the same way from src/ and dist/. */
const WALLBOARD_DIR = new URL('../dist/wallboard/', import.meta.url);

export interface App {
  yoga: GatewayYoga;
  services: GatewayServices;
  /** Logs, metrics and traces of this app (src/observability/). */
  telemetry: Telemetry;
  /** Requests the HTTP fast path answered, and those it read and handed to yoga; null when HTTP_FAST_PATH=off. */
  fastPath: JsonFastPathCounts | null;
  /** Listens; resolves with the base URL (port 0 picks a free port). */
  start(port?: number, host?: string): Promise<string>;
  /** The separate metrics listener's base URL once started (METRICS_PORT set), else null. */
  metricsUrl(): string | null;
  /** Closes sockets (HTTP and WebSocket) and upstream pools at once. */
  stop(): Promise<void>;
  /**
   * What SIGTERM runs: readiness fails, then (config.shutdown) connections are drained — WebSockets closed with 1001,
   * SSE streams ended with SERVER_DRAINING, requests and callbacks under way finished — and then stop(). Resolves
   * with whether everything finished within the timeout.
   */
  shutdown(): Promise<boolean>;
  /** One reconciliation pass now (it also runs at start and periodically while anyone watches agents). */
  reconcile(): Promise<number>;
}

export interface AppOptions {
  /** A store opened by the caller (closed by it too); by default the app opens config.databaseUrl and closes it. */
  store?: Store;
  /** A pub/sub made by the caller (closed by it too); by default the app makes one from config.redisUrl. */
  pubsub?: PubSub;
  /** Turns tracing on with this exporter (tests: an InMemorySpanExporter), besides any OTLP endpoint configured. */
  spanExporter?: SpanExporter;
}

/** Opens the store (running migrations) and wires the app; nothing listens until start(). */
export async function buildApp(config: GatewayConfig, logger: Logger, options: AppOptions = {}): Promise<App> {
  // Every error and log line of the process hides this config's secrets from here on (src/redact.ts).
  const unregisterSecrets = registerSecrets(secretsOf(config));
  // Each part logs under its module, at that module's level (LOG_LEVEL=info,upstream=debug; src/log-levels.ts).
  const log = (module: LogModule) => logger.child({ module });
  // The wallboard's persisted operations and any TRUSTED_DOCUMENTS_FILES, on every transport alike; read before
  // anything opens, so a manifest that cannot be trusted stops the start with nothing to close.
  const documents = loadTrustedDocuments({
    config: config.exposure.trustedDocuments,
    builtIn: new URL('persisted-documents.json', WALLBOARD_DIR),
    onReloadFailed: (error) => log(LogModule.Http).warn('a changed persisted-document manifest was not taken', error),
  });
  const store = options.store ?? (await createDatabase(config.databaseUrl, { logger: log(LogModule.Store) }));
  const pubsub =
    options.pubsub ?? (await createPubSub({ redisUrl: config.redisUrl, channelPrefix: config.redisChannelPrefix, logger: log(LogModule.Events) }));
  const feed = createEventFeed(store, pubsub, log(LogModule.Events));
  // WebSockets and SSE streams count against the same per-key and per-address caps (and show in the operator's view).
  const connections = createConnectionCounter(config.connectionLimits);
  const telemetry = await createTelemetry({
    config,
    logger,
    metricsLogger: log(LogModule.Http),
    store,
    connections,
    spanExporter: options.spanExporter,
    version: VERSION,
  });
  const untraceStore = telemetry.tracing?.traceStore(store);
  const { http, sip, aicall, aiTaskOptions, time } = createUpstreamClients(config, upstreamObservers(telemetry));
  if (sip) telemetry.metrics?.watchSipSession(sip.session);
  const eventsLog = log(LogModule.Events);
  const recordTaskChange = (change: TaskChange) => recordTaskChangeWith(ingestor, eventsLog, change);
  // Counted in the transaction that settles each event; the guard stores its events through the ingestor below.
  const statistics = config.statistics
    ? createStatistics({
        config: config.statistics,
        store,
        sip,
        feed,
        ingestor: () => ingestor,
        recordTaskChange,
        logger: log(LogModule.Statistics),
        retentionMs: config.events.retentionDays * 86_400_000,
      })
    : null;
  // One ingestor for callbacks and the gateway's own task-status events: the same append → settle → publish path.
  const ingestor = createCallbackIngestor({
    store,
    pubsub,
    logger: eventsLog,
    settleLeaseMs: config.events.settleLeaseMs,
    metrics: telemetry.metrics,
    afterSettle: projectInto(statistics),
  });
  if (statistics) telemetry.metrics?.watchStatistics({ live: () => statistics.live.stats(), guardTrips: () => statistics.guard.trips });
  const services: GatewayServices = { config, sip, aicall, aiTaskOptions, time, store, pubsub, feed, recordTaskChange, statistics, telemetry, version: VERSION };

  const authenticate = createAuthenticator(config);
  // One Origin rule for CORS and the WebSocket upgrade.
  const originPolicy = createOriginPolicy(config.exposure.allowedOrigins);
  // SIGTERM's state: readiness, SSE streams, WebSocket upgrades and keep-alive all follow it.
  const drain = createDrain();
  const yoga = createGatewayYoga({ services, authenticate, logger: log(LogModule.Graphql), connections, originPolicy, drain, documents });

  const callbacks = createCallbackHandler({ config, logger: log(LogModule.Callbacks), time, ingestor, tracing: telemetry.tracing, metrics: telemetry.metrics });
  const background = await startBackgroundWork({ config, store, sip, feed, callbacks, logger: log(LogModule.Background), metrics: telemetry.metrics });

  const readiness = createReadiness({ store, pubsub, sip, aicallConfigured: aicall !== null, drain, logger: log(LogModule.Http) });
  // Plain JSON POSTs run the same enveloped operation on node's req/res, without yoga's fetch layer.
  const fastPath = config.httpFastPath ? createJsonFastPath({ yoga, authenticate, originPolicy, logger: log(LogModule.Graphql), documents }) : undefined;
  // /metrics: on its own listener when METRICS_PORT is set, else on the main port behind a token or an admin key.
  const metricsServing = serveMetrics({ metrics: telemetry.metrics, config, authenticate, logger: log(LogModule.Http) });
  const wallboard = config.exposure.wallboard ? createWallboardPage(WALLBOARD_DIR) : undefined;
  const httpServer = createHttpServer({
    config,
    yoga,
    callbacks,
    logger: log(LogModule.Http),
    version: VERSION,
    readiness,
    drain,
    fastPath,
    metrics: metricsServing.onMainPort,
    wallboard,
  });
  const webSocket = attachWebSocket({
    server: httpServer.server,
    yoga,
    authenticate,
    config,
    connections,
    originPolicy,
    drain,
    logger: log(LogModule.Ws),
    metrics: telemetry.metrics,
    documents,
  });

  async function stop(): Promise<void> {
    await webSocket.close();
    await httpServer.close();
    await metricsServing.close();
    await background.stop();
    statistics?.close();
    feed.close();
    await http.close();
    if (!options.pubsub) await pubsub.close();
    if (!options.store) await store.close();
    // Spans of the work stopped above are flushed to the exporter.
    untraceStore?.();
    await telemetry.tracing?.shutdown();
    unregisterSecrets();
  }

  return {
    yoga,
    services,
    telemetry,
    fastPath: fastPath?.counts ?? null,
    async start(port = config.port, host = config.host) {
      const url = await httpServer.listen(port, host);
      await metricsServing.listen();
      return url;
    },
    metricsUrl: () => metricsServing.url(),
    reconcile: () => background.reconcile(),
    async shutdown() {
      const finished = await drainConnections({ drain, http: httpServer, webSocket, logger: log(LogModule.Startup) }, config.shutdown);
      await stop();
      return finished;
    },
    stop,
  };
}
