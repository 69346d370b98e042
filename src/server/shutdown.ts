import { setTimeout as sleep } from 'node:timers/promises';
import type { ShutdownConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Drain } from './drain.ts';
import type { GatewayHttpServer } from './http.ts';
import type { GatewayWebSocket } from './websocket.ts';

export interface ShutdownParts {
  drain: Drain;
  http: GatewayHttpServer;
  webSocket: GatewayWebSocket;
  logger: Logger;
}

/**
 * SIGTERM's sequence (docs/deploy.md, "Deploys and drain"): fail readiness, keep serving for `delayMs` while the load
 * balancer notices, then stop accepting, close WebSockets with 1001 and end SSE streams with SERVER_DRAINING, and let
 * requests under way (GraphQL and the platforms' callbacks) finish within `timeoutMs`. The caller then stops the rest
 * (App.stop cuts whatever is still open). Resolves with whether everything finished in time.
 */
export async function drainConnections(parts: ShutdownParts, { delayMs, timeoutMs }: ShutdownConfig): Promise<boolean> {
  const { drain, http, webSocket, logger } = parts;
  drain.begin();
  if (delayMs > 0) {
    logger.info(`draining: /readyz answers 503; still serving for ${delayMs} ms while the load balancer notices`);
    await sleep(delayMs);
  }
  drain.close();
  logger.info(`draining: closing WebSockets (1001) and SSE streams; requests under way get ${timeoutMs} ms`);
  const [, finished] = await Promise.all([webSocket.drain(timeoutMs), http.drain(timeoutMs)]);
  if (!finished) logger.warn(`draining: requests still running after ${timeoutMs} ms are cut`);
  return finished;
}
