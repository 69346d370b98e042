import type { IncomingHttpHeaders } from 'node:http';
import type { ZonedTime } from '../upstream/time.ts';
import type { Rng } from './rng.ts';

/**
 * The contract between the simulator's HTTP server (server.ts: routing, body reading, test switches, call counting)
 * and the two platform modules it hosts (sip/ and aicall/). The modules are pure request → response functions over
 * their own state; the server owns sockets, switches and counters, so every switch applies to both platforms alike.
 */

/** What both platform modules get from the server. */
export interface SimContext {
  /** The simulator's clock in epoch ms (tests may move it; the dialer of a later issue runs on it). */
  now(): number;
  rng: Rng;
  /** Wall-clock zone of the platforms' `yyyy-mm-dd hh:mm:ss` times. */
  time: ZonedTime;
  /** The base URL the simulator is reachable at (for links it hands out, such as recording downloads). */
  publicUrl(): string;
}

/** A request after the server has read it (bodies are capped by the server). */
export interface SimRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

/** The AI-call platform (`/v1/task…`), hosted by the simulator's server. */
export interface AiCallSimulator {
  /**
   * The route a request names, used as its key in call counts and switches, e.g. `GET /v1/task/start/{id}`;
   * null when it is not an AI-call route.
   */
  routeOf(method: string, path: string): string | null;
  handle(request: SimRequest): SimResponse | Promise<SimResponse>;
}

export interface AiCallSimulatorOptions {
  /** Token expected in the auth header (default `sim-aicall-token`). */
  token: string;
  /** Header carrying it, lower case (default `authorization`, as `Bearer <token>`). */
  authHeader: string;
}
