import { hash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createListener } from '../server/listen.ts';
import { type Authenticate } from '../auth.ts';
import { type GatewayConfig, type MetricsConfig, Role } from '../config.ts';
import type { Logger } from '../logger.ts';
import { sendJson } from '../server/send-json.ts';
import type { GatewayMetrics } from './metrics.ts';

/**
 * `GET /metrics` (Prometheus text), where METRICS_PORT says (docs/operations.md, "Metrics"):
 * - on the main port (no METRICS_PORT): `Authorization: Bearer <METRICS_TOKEN>` or an admin API key; open in demo mode
 *   and with GATEWAY_AUTH=off, like everything else there. No key or an unknown one: 401; a viewer or operator key: 403.
 * - on its own listener (METRICS_PORT, bound to METRICS_HOST, loopback by default): no auth, only this path; that
 *   port is meant to be reachable by the scraper alone.
 * Either way: GET or HEAD only (405), no request body (413), one collection at a time (a scrape that arrives while one
 * is collected waits for it and gets the same text), and the text bounded (MAX_METRICS_BYTES; past it 500 and a log
 * line: label values are bounded, so this is a guard against a bug, not a limit a deployment meets).
 */

export const METRICS_PATH = '/metrics';
/** Largest exposition answered: a full one is tens of kilobytes. */
export const MAX_METRICS_BYTES = 4 * 1024 * 1024;
/** The separate listener: a scraper's request is one small header block. */
const LISTENER_HEADERS_TIMEOUT_MS = 5_000;
const LISTENER_REQUEST_TIMEOUT_MS = 10_000;
const LISTENER_MAX_HEADER_BYTES = 8 * 1024;
const LISTENER_MAX_CONNECTIONS = 16;

const ALLOWED_METHODS = 'GET, HEAD';

export interface MetricsEndpoint {
  /** Answers /metrics on the main port: token, admin key or open mode required. */
  serveMain(req: IncomingMessage, res: ServerResponse): void;
  /** Answers /metrics on the separate listener: no auth. */
  serveOpen(req: IncomingMessage, res: ServerResponse): void;
}

export interface MetricsEndpointOptions {
  metrics: GatewayMetrics;
  config: MetricsConfig;
  /** Open (demo mode, GATEWAY_AUTH=off): the main port needs no credentials. */
  open: boolean;
  authenticate: Authenticate;
  logger: Logger;
}

const digest = (value: string) => hash('sha256', value, 'buffer');

export function createMetricsEndpoint({ metrics, config, open, authenticate, logger }: MetricsEndpointOptions): MetricsEndpoint {
  const tokenDigest = config.token ? digest(config.token) : null;
  let collecting: Promise<string> | null = null;

  /** The exposition; scrapes that arrive during a collection share it (one collection at a time). */
  function collect(): Promise<string> {
    collecting ??= metrics.render().finally(() => {
      collecting = null;
    });
    return collecting;
  }

  function tokenMatches(authorization: string | undefined): boolean {
    if (!tokenDigest || !authorization) return false;
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), tokenDigest);
  }

  /** Null when allowed, else the status it is refused with (401: no valid credentials, 403: a key without the role). */
  function refusal(req: IncomingMessage): 401 | 403 | null {
    if (open || tokenMatches(req.headers.authorization)) return null;
    const principal = authenticate(req.headers.authorization);
    if (!principal) return 401;
    return principal.role === Role.Admin ? null : 403;
  }

  /** 405 / 413 for what a scrape never is; true when answered. */
  function refusedRequest(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'method not allowed', reason: 'metrics are read with GET' }, { allow: ALLOWED_METHODS });
      req.resume();
      return true;
    }
    const length = req.headers['content-length'];
    if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) {
      sendJson(res, 413, { error: 'payload too large', reason: 'a scrape has no body' }, { connection: 'close' });
      req.resume();
      return true;
    }
    return false;
  }

  function answer(req: IncomingMessage, res: ServerResponse): void {
    collect().then(
      (text) => {
        const length = Buffer.byteLength(text);
        if (length > MAX_METRICS_BYTES) {
          logger.error(`metrics: the exposition is ${length} bytes, over ${MAX_METRICS_BYTES}; not sent`);
          sendJson(res, 500, { error: 'internal error' });
          return;
        }
        res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': String(length), 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error('metrics: collecting failed', error);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      },
    );
  }

  return {
    serveMain(req, res) {
      if (refusedRequest(req, res)) return;
      const refused = refusal(req);
      if (refused === 401) {
        sendJson(res, 401, { error: 'unauthorized', reason: 'metrics need METRICS_TOKEN or an admin API key' }, { 'www-authenticate': 'Bearer' });
        return;
      }
      if (refused === 403) {
        sendJson(res, 403, { error: 'forbidden', reason: 'metrics need METRICS_TOKEN or an admin API key' });
        return;
      }
      answer(req, res);
    },
    serveOpen(req, res) {
      if (refusedRequest(req, res)) return;
      answer(req, res);
    },
  };
}

export interface MetricsListener {
  /** Listens on METRICS_PORT / METRICS_HOST; resolves with its base URL (port 0 picks a free port). */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/** The separate listener (METRICS_PORT): only GET /metrics, short timeouts, few connections. */
export function createMetricsListener(endpoint: MetricsEndpoint): MetricsListener {
  const server: Server = createServer(
    { headersTimeout: LISTENER_HEADERS_TIMEOUT_MS, requestTimeout: LISTENER_REQUEST_TIMEOUT_MS, maxHeaderSize: LISTENER_MAX_HEADER_BYTES },
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === METRICS_PATH) endpoint.serveOpen(req, res);
      else {
        sendJson(res, 404, { error: 'not found', metrics: METRICS_PATH });
        req.resume();
      }
    },
  );
  server.maxConnections = LISTENER_MAX_CONNECTIONS;
  const listener = createListener(server);
  return {
    async listen(port, host) {
      const actualPort = await listener.listen(port, host);
      return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
    },
    close: () => listener.close(),
  };
}

export interface MetricsServing {
  /** The endpoint the main port serves at /metrics; undefined when metrics are off or have a port of their own. */
  onMainPort: MetricsEndpoint | undefined;
  /** Starts the separate listener, if METRICS_PORT asks for one (app.start). */
  listen(): Promise<void>;
  /** The separate listener's base URL once listening, else null. */
  url(): string | null;
  close(): Promise<void>;
}

/** Where /metrics is served, as configured: nowhere (METRICS=off), its own listener (METRICS_PORT) or the main port. */
export function serveMetrics(options: {
  metrics: GatewayMetrics | null;
  config: Pick<GatewayConfig, 'metrics' | 'demo' | 'authDisabled'>;
  authenticate: Authenticate;
  logger: Logger;
}): MetricsServing {
  const { metrics, config } = options;
  const endpoint =
    metrics && config.metrics
      ? createMetricsEndpoint({ metrics, config: config.metrics, open: config.demo || config.authDisabled, authenticate: options.authenticate, logger: options.logger })
      : null;
  const port = config.metrics?.port ?? null;
  const listener = endpoint && port !== null ? createMetricsListener(endpoint) : null;
  let url: string | null = null;
  return {
    onMainPort: endpoint && !listener ? endpoint : undefined,
    async listen() {
      if (listener && port !== null && config.metrics) url = await listener.listen(port, config.metrics.host);
    },
    url: () => url,
    close: async () => listener?.close(),
  };
}
