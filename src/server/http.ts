import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { GatewayConfig } from '../config.ts';
import type { CallbackHandler } from '../callbacks/route.ts';
import type { Logger } from '../logger.ts';
import { GRAPHQL_PATH, type GatewayYoga } from './yoga.ts';

export interface GatewayHttpServer {
  server: Server;
  /** Destroys every open socket (after the WebSocket server has closed its own) and stops listening. */
  close(): Promise<void>;
}

export interface GatewayHttpOptions {
  config: GatewayConfig;
  yoga: GatewayYoga;
  callbacks: CallbackHandler;
  logger: Logger;
  version: string;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The HTTP server: health, callbacks, then GraphQL (with the body bounded by Content-Length). */
export function createHttpServer({ config, yoga, callbacks, logger, version }: GatewayHttpOptions): GatewayHttpServer {
  const sockets = new Set<Socket>();

  function route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok', version, demo: config.demo });
      return;
    }
    if (callbacks.handle(req, res)) return;
    if (path !== GRAPHQL_PATH) {
      sendJson(res, 404, { error: 'not found', graphql: GRAPHQL_PATH });
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
    // requestListener writes the response itself; a failure past that point must not end the process.
    Promise.resolve(yoga.requestListener(req, res)).catch((error: unknown) => {
      logger.error('request failed', error);
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Unexpected error.' }] });
      else res.destroy();
    });
  }

  const server = createServer((req, res) => route(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    server,
    async close() {
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
