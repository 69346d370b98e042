import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, maskError, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { GatewayConfig } from './config.ts';
import { createAuthenticator, type Principal } from './auth.ts';
import { createCallbackHandler } from './callbacks/route.ts';
import { createContext, type GatewayContext, type GatewayServices } from './context.ts';
import { GatewayError, UnauthenticatedError } from './errors.ts';
import { createEventFeed } from './events/feed.ts';
import { createPubSub, type PubSub } from './events/pubsub.ts';
import { createReconciler } from './events/reconcile.ts';
import type { Logger } from './logger.ts';
import { schema } from './schema.ts';
import { createAiTaskOptionsCache } from './loaders/aicall.ts';
import { createDatabase, type Store } from './store/index.ts';
import { createAiCallClient } from './upstream/aicall/client.ts';
import { createUpstreamHttp } from './upstream/http.ts';
import { createSipClient } from './upstream/sip/client.ts';
import { createZonedTime } from './upstream/time.ts';

export const GRAPHQL_PATH = '/graphql';
const VERSION = '0.1.0';

/** What yoga's context factory receives: graphql-ws passes the principal it authenticated on connect. */
interface ServerContext {
  principal?: Principal;
}

export interface App {
  yoga: YogaServerInstance<ServerContext, GatewayContext>;
  services: GatewayServices;
  /** Listens; resolves with the base URL (port 0 picks a free port). */
  start(port?: number, host?: string): Promise<string>;
  /** Closes sockets (HTTP and WebSocket) and upstream pools. */
  stop(): Promise<void>;
  /** One reconciliation pass now (it also runs at start and periodically while anyone watches agents). */
  reconcile(): Promise<number>;
}

/** Errors the gateway means to show keep their message and code; anything else is masked. */
function maskGatewayErrors(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof GatewayError) {
    return new GraphQLError(original.message, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      originalError: original,
      extensions: { ...original.extensions(), code: original.code },
    });
  }
  return maskError(error, message, isDev);
}

export interface AppOptions {
  /** A store opened by the caller (closed by it too); by default the app opens config.databaseUrl and closes it. */
  store?: Store;
  /** A pub/sub made by the caller (closed by it too); by default the app makes one from config.redisUrl. */
  pubsub?: PubSub;
}

/** Opens the store (running migrations) and wires the app; nothing listens until start(). */
export async function buildApp(config: GatewayConfig, logger: Logger, options: AppOptions = {}): Promise<App> {
  const store = options.store ?? (await createDatabase(config.databaseUrl, { logger }));
  const pubsub =
    options.pubsub ?? (await createPubSub({ redisUrl: config.redisUrl, channelPrefix: config.redisChannelPrefix, logger }));
  const feed = createEventFeed(store, pubsub, logger);
  const http = createUpstreamHttp(config.http);
  const time = createZonedTime(config.upstreamTimeZone);
  const authenticate = createAuthenticator(config);
  // Principals found by the auth plugin, for the context factory of the same request.
  const principals = new WeakMap<Request, Principal>();
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

  const yoga = createYoga<ServerContext, GatewayContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // Assets come from the package, not a CDN: GraphiQL must work offline and on intranets.
    renderGraphiQL,
    graphiql: { title: 'Call-centre GraphQL gateway' },
    landingPage: false,
    // Yoga's limit pipes every body through a web stream and halves throughput (DESIGN.md); the HTTP handler below
    // bounds bodies by Content-Length instead.
    maxRequestBodySize: false,
    maskedErrors: { maskError: maskGatewayErrors },
    plugins: [
      {
        // Authentication before parsing: no key, no work. The GraphiQL page itself is public (keys go in its headers).
        onRequest({ request, endResponse }) {
          if (request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html')) return;
          const principal = authenticate(request.headers.get('authorization'));
          if (principal) {
            principals.set(request, principal);
            return;
          }
          const error = new UnauthenticatedError();
          endResponse(
            new Response(JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] }), {
              status: 401,
              headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
            }),
          );
        },
      },
    ],
    context: ({ request, principal }) => createContext(services, principal ?? principals.get(request) ?? null),
    logging: {
      debug: (...args) => logger.debug(String(args[0]), ...args.slice(1)),
      info: (...args) => logger.info(String(args[0]), ...args.slice(1)),
      warn: (...args) => logger.warn(String(args[0]), ...args.slice(1)),
      error: (...args) => logger.error(String(args[0]), ...args.slice(1)),
    },
  });

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

  const server: Server = createServer((req, res) => route(req, res));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  function route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', version: VERSION, demo: config.demo }));
      return;
    }
    if (callbacks.handle(req, res)) return;
    if (path !== GRAPHQL_PATH) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found', graphql: GRAPHQL_PATH }));
      return;
    }
    if (req.method === 'POST') {
      const length = req.headers['content-length'];
      if (length === undefined) {
        res.writeHead(411, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ errors: [{ message: 'Content-Length is required', extensions: { code: 'LENGTH_REQUIRED' } }] }));
        return;
      }
      if (!/^\d+$/.test(length) || Number(length) > config.maxRequestBodyBytes) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(
          JSON.stringify({
            errors: [{ message: `Request body over ${config.maxRequestBodyBytes} bytes`, extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } }],
          }),
        );
        return;
      }
    }
    // requestListener writes the response; handleNodeRequestAndResponse only returns it.
    void yoga.requestListener(req, res);
  }

  const wsServer = new WebSocketServer({ server, path: GRAPHQL_PATH });
  // The same envelop pipeline as HTTP, so auth, limits and context apply on the socket too.
  useServer<Record<string, unknown> | undefined, { principal?: Principal }>(
    {
      // A socket without a valid key gets nothing: returning false closes it with 4403 Forbidden.
      onConnect: (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const principal = authenticate(typeof raw === 'string' ? raw : null);
        if (!principal) return false;
        ctx.extra.principal = principal;
        return true;
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const { schema: enveloped, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          principal: ctx.extra.principal,
        });
        const args: ExecutionArgs = {
          schema: enveloped,
          operationName: payload.operationName,
          document: parse(payload.query),
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wsServer,
  );

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
      for (const client of wsServer.clients) client.terminate();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      reconciler?.stop();
      feed.close();
      await http.close();
      callbacks.close();
      if (!options.pubsub) await pubsub.close();
      if (!options.store) await store.close();
    },
  };
}

type OperationResult = ExecutionResult | AsyncIterable<ExecutionResult>;

/** Yoga's enveloped execute/subscribe, carried to graphql-ws through rootValue (the graphql-ws + yoga recipe). */
interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult | Promise<OperationResult>;
  subscribe: (args: ExecutionArgs) => OperationResult | Promise<OperationResult>;
}
