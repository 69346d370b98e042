import { type GatewayConfig, secretsOf } from './config.ts';
import { createAuthenticator } from './auth.ts';
import { createCallbackHandler } from './callbacks/route.ts';
import type { GatewayServices } from './context.ts';
import { createEventFeed } from './events/feed.ts';
import { createPubSub, type PubSub } from './events/pubsub.ts';
import { createReconciler } from './events/reconcile.ts';
import type { Logger } from './logger.ts';
import { createAiTaskOptionsCache } from './loaders/aicall.ts';
import { createHttpServer } from './server/http.ts';
import { createOriginPolicy } from './server/origins.ts';
import { createConnectionCounter } from './server/connection-limits.ts';
import { attachWebSocket } from './server/websocket.ts';
import { createGatewayYoga, type GatewayYoga } from './server/yoga.ts';
import { registerSecrets } from './redact.ts';
import { createDatabase, type Store } from './store/index.ts';
import { createAiCallClient } from './upstream/aicall/client.ts';
import { createUpstreamHttp } from './upstream/http.ts';
import { createSipClient } from './upstream/sip/client.ts';
import { createZonedTime } from './upstream/time.ts';

export { GRAPHQL_PATH } from './server/yoga.ts';
const VERSION = '0.1.0';

export interface App {
  yoga: GatewayYoga;
  services: GatewayServices;
  /** Listens; resolves with the base URL (port 0 picks a free port). */
  start(port?: number, host?: string): Promise<string>;
  /** Closes sockets (HTTP and WebSocket) and upstream pools. */
  stop(): Promise<void>;
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
  const http = createUpstreamHttp(config.http);
  const time = createZonedTime(config.upstreamTimeZone);
  const authenticate = createAuthenticator(config);
  const aicall = config.aicall
    ? createAiCallClient({
        http,
        time,
        baseUrl: config.aicall.url,
        token: config.aicall.token,
        authHeader: config.aicall.authHeader,
        authScheme: config.aicall.authScheme,
      })
    : null;
  const services: GatewayServices = {
    config,
    aicall,
    aiTaskOptions: aicall ? createAiTaskOptionsCache(aicall) : null,
    time,
    store,
    pubsub,
    feed,
    version: VERSION,
    sip: config.sip
      ? createSipClient({
          http,
          time,
          url: config.sip.url,
          appId: config.sip.appId,
          accessKey: config.sip.accessKey,
          formEncoding: config.sip.formEncoding,
          tokenTtlMs: config.sip.tokenTtlMs,
        })
      : null,
  };

  // WebSockets and SSE streams count against the same per-key and per-address caps.
  const connections = createConnectionCounter(config.connectionLimits);
  // One Origin rule for CORS and the WebSocket upgrade.
  const originPolicy = createOriginPolicy(config.exposure.allowedOrigins);
  const yoga = createGatewayYoga({ services, authenticate, logger, connections, originPolicy });

  const callbacks = createCallbackHandler({ config, store, pubsub, logger, time });
  // Events a crash left between their insert and their projection are settled (and published) before serving.
  await callbacks.catchUp();
  // Lost hang-up callbacks leave agents looking busy: check with the PBX at start, then periodically while anyone
  // watches agent status.
  const reconciler = services.sip
    ? createReconciler({
        store,
        sip: services.sip,
        ingestor: callbacks.ingestor,
        logger,
        intervalMs: config.reconcileIntervalMs,
        graceMs: config.reconcileGraceMs,
      })
    : null;
  reconciler?.run().catch((error: unknown) => logger.warn('reconcile at start failed', error));
  // The feed holds its own pub/sub subscription for good, so only its listeners say whether anyone watches.
  reconciler?.start(() => feed.listening('agent-status'));

  const httpServer = createHttpServer({ config, yoga, callbacks, logger, version: VERSION });
  const server = httpServer.server;
  const webSocket = attachWebSocket({ server, yoga, authenticate, config, connections, originPolicy, logger });

  return {
    yoga,
    services,
    start(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          const actualPort = typeof address === 'object' && address ? address.port : port;
          const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
          resolve(`http://${shownHost}:${actualPort}`);
        });
      });
    },
    reconcile: () => reconciler?.run() ?? Promise.resolve(0),
    async stop() {
      await webSocket.close();
      await httpServer.close();
      reconciler?.stop();
      feed.close();
      await http.close();
      callbacks.close();
      if (!options.pubsub) await pubsub.close();
      if (!options.store) await store.close();
      unregisterSecrets();
    },
  };
}
