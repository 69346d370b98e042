import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createListener } from './listen.ts';
import type { GatewayConfig } from '../config.ts';
import { CALLBACK_PATH_PREFIX, type CallbackHandler } from '../callbacks/route.ts';
import type { Logger } from '../logger.ts';
import { logHttpAccess } from '../observability/access-log.ts';
import { REQUEST_ID_HEADER, scopeRequest, Transport } from '../observability/request-scope.ts';
import { METRICS_PATH, type MetricsEndpoint } from '../observability/metrics-endpoint.ts';
import { createGraphiQLPage, wantsHtml } from './graphiql.ts';
import { GRAPHQL_PATH, type GatewayYoga } from './yoga.ts';
import { sendJson } from './send-json.ts';
import type { WallboardPage } from './wallboard.ts';
import type { Drain } from './drain.ts';
import type { JsonFastPath } from './json-fast-path.ts';
import { type Readiness, readinessStatus } from './readiness.ts';

export interface GatewayHttpServer {
  server: Server;
  /** Listens; resolves with the base URL (port 0 picks a free port). */
  listen(port: number, host: string): Promise<string>;
  /**
   * Stops accepting connections and closes idle keep-alive ones; requests under way go on (their responses say
   * `Connection: close`). Resolves once every request has finished or `deadlineMs` passed; false when some had not.
   */
  drain(deadlineMs: number): Promise<boolean>;
  /** Destroys every open socket (after the WebSocket server has closed its own) and stops listening. */
  close(): Promise<void>;
}

export interface GatewayHttpOptions {
  config: GatewayConfig;
  yoga: GatewayYoga;
  callbacks: CallbackHandler;
  logger: Logger;
  version: string;
  readiness: Readiness;
  drain: Drain;
  /** Plain JSON POSTs answered without yoga's fetch layer; absent: every request goes through yoga. */
  fastPath?: JsonFastPath;
  /** `/metrics` on this port (src/observability/metrics-endpoint.ts); absent: METRICS=off or METRICS_PORT set (404). */
  metrics?: MetricsEndpoint;
  /** The supervisor's wallboard at /wallboard (src/server/wallboard.ts); absent: WALLBOARD=off (404). */
  wallboard?: WallboardPage;
}

/** Most header lines one request may carry (node's default is 2 000); a GraphQL client sends about ten. */
const MAX_HEADERS_COUNT = 100;
/** Largest header block (node's default 16 KB): an API key, a few cookies of a shared domain, tracing headers. */
const MAX_HEADER_BYTES = 16 * 1024;
/** How often node looks for requests past headersTimeout / requestTimeout (its default, 30 s, would let them run late). */
const TIMEOUT_CHECK_MS = 1_000;
/** At most one "connection refused" warning per this interval. */
const DROP_WARNING_INTERVAL_MS = 10_000;
/** While draining, how often connections that fell idle since are closed and the in-flight count is looked at. */
const DRAIN_POLL_MS = 100;

/**
 * The HTTP server: health, callbacks, the wallboard and GraphiQL pages, then GraphQL (with the body bounded by Content-Length).
 *
 * Slow clients (docs/security.md, "HTTP server"): the header block must arrive within HTTP_HEADERS_TIMEOUT_SECONDS and
 * the whole request within HTTP_REQUEST_TIMEOUT_SECONDS (node answers 408 and closes); both stop counting once the
 * request has arrived, so SSE responses and WebSockets (upgraded, no longer HTTP) stay open as long as they are used.
 * Callback bodies have their own, shorter deadline (CALLBACK_BODY_TIMEOUT_SECONDS, src/callbacks/route.ts). An idle
 * keep-alive connection is closed after HTTP_KEEPALIVE_TIMEOUT_SECONDS. Past HTTP_MAX_CONNECTIONS open sockets
 * (WebSockets and SSE included) node closes new connections at once.
 */
export function createHttpServer({ config, yoga, callbacks, logger, version, readiness, drain, fastPath, metrics, wallboard }: GatewayHttpOptions): GatewayHttpServer {
  /** Requests whose response has not finished (SSE streams included), for the drain. */
  let inFlight = 0;
  const graphiql = config.exposure.graphiql ? createGraphiQLPage() : null;
  const limits = config.connectionLimits;

  function route(req: IncomingMessage, res: ServerResponse): void {
    inFlight += 1;
    // A draining replica finishes this request but takes no further one on the connection.
    if (drain.draining) res.shouldKeepAlive = false;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // Every answer carries the request's id (the client's own when acceptable), as every log line about it does.
    const scope = scopeRequest(req, path.startsWith(CALLBACK_PATH_PREFIX) ? Transport.Callback : Transport.Http);
    res.setHeader(REQUEST_ID_HEADER, scope.requestId);
    // One listener for the drain's count and the access line, when the response finished or the client went away.
    res.once('close', () => {
      inFlight -= 1;
      logHttpAccess(logger, scope, req, res, path);
    });
    if (path === '/healthz') {
      // Liveness: the process answers. Whether it should take traffic is /readyz.
      sendJson(res, 200, { status: drain.draining ? 'draining' : 'ok', version, demo: config.demo });
      return;
    }
    if (path === METRICS_PATH && metrics) {
      metrics.serveMain(req, res);
      return;
    }
    if (path === '/readyz') {
      readiness.check().then(
        (report) => sendJson(res, readinessStatus(report), { ...report, version }),
        (error: unknown) => {
          logger.error('readiness check failed', error);
          sendJson(res, 503, { status: 'not-ready' });
        },
      );
      return;
    }
    if (callbacks.handle(req, res)) return;
    if (wallboard?.owns(path)) {
      wallboard.serve(req, res, path).catch((error: unknown) => {
        logger.error('wallboard page failed', error);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      });
      return;
    }
    if (path !== GRAPHQL_PATH) {
      sendJson(res, 404, { error: 'not found', graphql: GRAPHQL_PATH });
      return;
    }
    if (wantsHtml(req)) {
      if (!graphiql) {
        sendJson(res, 404, { error: 'not found', reason: 'GraphiQL is off on this gateway (GRAPHIQL=off)', graphql: GRAPHQL_PATH });
        return;
      }
      graphiql.serve(req, res).catch((error: unknown) => {
        logger.error('GraphiQL page failed', error);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      });
      return;
    }
    if (req.method === 'POST') {
      const length = req.headers['content-length'];
      if (length === undefined) {
        sendJson(res, 411, { errors: [{ message: 'Content-Length is required', extensions: { code: 'LENGTH_REQUIRED' } }] }, { connection: 'close' });
        return;
      }
      if (!/^\d+$/.test(length) || Number(length) > config.maxRequestBodyBytes) {
        sendJson(
          res,
          413,
          { errors: [{ message: `Request body over ${config.maxRequestBodyBytes} bytes`, extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } }] },
          { connection: 'close' },
        );
        return;
      }
    }
    if (fastPath?.take(req, res)) return;
    // requestListener writes the response itself; a failure past that point must not end the process.
    Promise.resolve(yoga.requestListener(req, res)).catch((error: unknown) => {
      logger.error('request failed', error);
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Unexpected error.' }] });
      else res.destroy();
    });
  }

  // node requires headersTimeout <= requestTimeout.
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, headersTimeout),
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    (req, res) => route(req, res),
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  let lastDropWarning = 0;
  server.on('drop', () => {
    const now = Date.now();
    if (now - lastDropWarning < DROP_WARNING_INTERVAL_MS) return;
    lastDropWarning = now;
    logger.warn(`HTTP_MAX_CONNECTIONS (${limits.maxConnections}) reached: new connections are being refused`);
  });
  const listener = createListener(server);
  return {
    server,
    async listen(port, host) {
      const actualPort = await listener.listen(port, host);
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      return `http://${shownHost}:${actualPort}`;
    },
    async drain(deadlineMs) {
      const deadline = Date.now() + deadlineMs;
      const closed = server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
      while (inFlight > 0 && Date.now() < deadline) {
        server.closeIdleConnections();
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      }
      server.closeIdleConnections();
      const finished = inFlight === 0;
      // server.close() resolves once every connection is gone; the ones still busy past the deadline are cut by close().
      if (finished) await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS))]);
      return finished;
    },
    async close() {
      await listener.close();
    },
  };
}
