import { readFileSync } from 'node:fs';
import { type GatewayConfig, secretsOf } from './config.ts';
import { createAuthenticator } from './auth.ts';
import { createCallbackHandler } from './callbacks/route.ts';
import type { GatewayServices } from './context.ts';
import { createCallbackIngestor } from './callbacks/ingest.ts';
import { recordTaskChange as recordTaskChangeWith, type TaskChange } from './events/task-changes.ts';
import { startBackgroundWork } from './background.ts';
import { createEventFeed } from './events/feed.ts';
import { createPubSub, type PubSub } from './events/pubsub.ts';
import type { Logger } from './logger.ts';
import { createGatewayMetrics } from './observability/metrics.ts';
import { type Telemetry, upstreamObservers } from './observability/telemetry.ts';
import { registerSecrets } from './redact.ts';
import { createConnectionCounter } from './server/connection-limits.ts';
import { createDrain } from './server/drain.ts';
import { createHttpServer } from './server/http.ts';
import { createJsonFastPath, type JsonFastPathCounts } from './server/json-fast-path.ts';
import { createOriginPolicy } from './server/origins.ts';
import { createReadiness } from './server/readiness.ts';
import { drainConnections } from './server/shutdown.ts';
import { attachWebSocket } from './server/websocket.ts';
import { createGatewayYoga, type GatewayYoga } from './server/yoga.ts';
import { createDatabase, type Store } from './store/index.ts';
import { createUpstreamClients } from './upstream/clients.ts';

export { GRAPHQL_PATH } from './server/yoga.ts';
/**
 * The release, from package.json (one place to bump it): read once at start, from the directory above this module,
 * which is the project root for src/app.ts, tsc's dist/app.js and the bundled dist/main.js alike.
 */
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface App {
  yoga: GatewayYoga;
  services: GatewayServices;
  /** Logs, metrics and traces of this app (src/observability/). */
  telemetry: Telemetry;
  /** Requests the HTTP fast path answered, and those it read and handed to yoga; null when HTTP_FAST_PATH=off. */
  fastPath: JsonFastPathCounts | null;
  /** Listens; resolves with the base URL (port 0 picks a free port). */
  start(port?: number, host?: string): Promise<string>;
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
}

/** Opens the store (running migrations) and wires the app; nothing listens until start(). */
export async function buildApp(config: GatewayConfig, logger: Logger, options: AppOptions = {}): Promise<App> {
  // Every error and log line of the process hides this config's secrets from here on (src/redact.ts).
  const unregisterSecrets = registerSecrets(secretsOf(config));
  const store = options.store ?? (await createDatabase(config.databaseUrl, { logger }));
  const pubsub =
    options.pubsub ?? (await createPubSub({ redisUrl: config.redisUrl, channelPrefix: config.redisChannelPrefix, logger }));
  const feed = createEventFeed(store, pubsub, logger);
  const telemetry: Telemetry = { logger, metrics: createGatewayMetrics(), tracing: null };
  const { http, sip, aicall, aiTaskOptions, time } = createUpstreamClients(config, upstreamObservers(telemetry));
  // One ingestor for callbacks and the gateway's own task-status events: the same append → settle → publish path.
  const ingestor = createCallbackIngestor({ store, pubsub, logger, settleLeaseMs: config.events.settleLeaseMs });
  const recordTaskChange = (change: TaskChange) => recordTaskChangeWith(ingestor, logger, change);
  const services: GatewayServices = { config, sip, aicall, aiTaskOptions, time, store, pubsub, feed, recordTaskChange, telemetry, version: VERSION };

  const authenticate = createAuthenticator(config);
  // WebSockets and SSE streams count against the same per-key and per-address caps.
  const connections = createConnectionCounter(config.connectionLimits);
  // One Origin rule for CORS and the WebSocket upgrade.
  const originPolicy = createOriginPolicy(config.exposure.allowedOrigins);
  // SIGTERM's state: readiness, SSE streams, WebSocket upgrades and keep-alive all follow it.
  const drain = createDrain();
  const yoga = createGatewayYoga({ services, authenticate, logger, connections, originPolicy, drain });

  const callbacks = createCallbackHandler({ config, logger, time, ingestor });
  const background = await startBackgroundWork({ config, store, sip, feed, callbacks, logger });

  const readiness = createReadiness({ store, pubsub, sip, aicallConfigured: aicall !== null, drain, logger });
  // Plain JSON POSTs run the same enveloped operation on node's req/res, without yoga's fetch layer.
  const fastPath = config.httpFastPath ? createJsonFastPath({ yoga, authenticate, originPolicy, logger }) : undefined;
  const httpServer = createHttpServer({ config, yoga, callbacks, logger, version: VERSION, readiness, drain, fastPath });
  const webSocket = attachWebSocket({ server: httpServer.server, yoga, authenticate, config, connections, originPolicy, drain, logger });

  async function stop(): Promise<void> {
    await webSocket.close();
    await httpServer.close();
    await background.stop();
    feed.close();
    await http.close();
    if (!options.pubsub) await pubsub.close();
    if (!options.store) await store.close();
    unregisterSecrets();
  }

  return {
    yoga,
    services,
    telemetry,
    fastPath: fastPath?.counts ?? null,
    start: (port = config.port, host = config.host) => httpServer.listen(port, host),
    reconcile: () => background.reconcile(),
    async shutdown() {
      const finished = await drainConnections({ drain, http: httpServer, webSocket, logger }, config.shutdown);
      await stop();
      return finished;
    },
    stop,
  };
}
