import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import {
  UnavailableReason,
  UpstreamInvalidResponseError,
  UpstreamUnavailableError,
  type UpstreamErrorContext,
} from '../errors.ts';
import { chargeUpstreamBudget, onOperationAnswered } from './budget.ts';

export interface UpstreamHttpOptions {
  /** TCP connect timeout (default 2 s). */
  connectTimeoutMs: number;
  /** Whole-request deadline, from sending to the last body byte (default 10 s). */
  requestTimeoutMs: number;
  /** Connections per origin: bounds what the gateway can put on a PBX at once. */
  maxConnections: number;
  /** Responses larger than this are refused rather than buffered (default 32 MiB). */
  maxResponseBytes?: number;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string | Buffer;
  context: UpstreamErrorContext;
}

export interface UpstreamResponse {
  status: number;
  contentType: string;
  text: string;
}

export interface UpstreamHttp {
  request(url: URL, init: UpstreamRequest): Promise<UpstreamResponse>;
  /** Lets in-flight requests finish for a moment, then cuts them. */
  close(): Promise<void>;
}

const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
const CLOSE_GRACE_MS = 2_000;

/** undici codes that mean the connection was never made. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * The body as UTF-8 text, refused (and the connection's body destroyed) past `maxBytes`. Read with 'data' events
 * rather than `for await`: the async iterator costs a promise and a few microtask turns per chunk, on every upstream
 * call; an answer of a few kilobytes arrives in one or two chunks.
 */
function readBounded(body: Readable, maxBytes: number, context: UpstreamErrorContext): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        body.off('data', onData);
        body.destroy();
        reject(new UpstreamInvalidResponseError(context, `response exceeds ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    body.on('data', onData);
    body.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8', 0, size) : Buffer.concat(chunks, size).toString('utf8')));
    // An abort (deadline, operation answered) or a cut connection: the caller turns it into UPSTREAM_UNAVAILABLE.
    body.once('error', reject);
  });
}

/**
 * One undici Pool per upstream origin (the SIP API and the AI-call API share one when they share an origin, as the
 * built-in simulator does). `fetch` is avoided on purpose: Pool.request is several times faster here
 * (measured on loopback early in the design: ~26k requests/s, against ~5k for fetch).
 */
export function createUpstreamHttp(options: UpstreamHttpOptions): UpstreamHttp {
  const pools = new Map<string, Pool>();
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  function poolFor(origin: string): Pool {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: options.maxConnections,
        connect: { timeout: options.connectTimeoutMs },
        // Backstops: the abort signal below is the real deadline.
        headersTimeout: options.requestTimeoutMs,
        bodyTimeout: options.requestTimeoutMs,
      });
      pools.set(origin, pool);
    }
    return pool;
  }

  async function request(url: URL, init: UpstreamRequest): Promise<UpstreamResponse> {
    // The one choke point of both clients: the running GraphQL operation's budget is charged here (budget.ts).
    chargeUpstreamBudget(init.context);
    // An EventEmitter, undici's documented alternative to an AbortSignal: Node's AbortSignals outlived scavenges (the
    // sampling heap profiler counted them among what survives one), ~1 kB of old-generation garbage per call.
    const abort = new EventEmitter();
    let aborted = false;
    const abortNow = () => {
      if (aborted) return;
      aborted = true;
      abort.emit('abort');
    };
    const timer = setTimeout(abortNow, options.requestTimeoutMs);
    // A request of an operation that has already answered (a sibling of a failed non-null field) is dropped, queued
    // or in flight: nobody will read it. Shared work runs outside operations and is never dropped this way.
    const stopListening = onOperationAnswered(abortNow);
    try {
      const response = await poolFor(url.origin).request({
        path: url.pathname + url.search,
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal: abort,
      });
      const declared = Number(response.headers['content-length'] ?? 0);
      if (declared > maxBytes) {
        response.body.destroy();
        throw new UpstreamInvalidResponseError(init.context, `response of ${declared} bytes exceeds ${maxBytes}`);
      }
      const text = await readBounded(response.body, maxBytes, init.context);
      const contentType = response.headers['content-type'];
      return {
        status: response.statusCode,
        contentType: (Array.isArray(contentType) ? contentType[0] : contentType) ?? '',
        text,
      };
    } catch (error) {
      if (error instanceof UpstreamInvalidResponseError) throw error;
      throw toUnavailable(error, init.context, aborted, options.requestTimeoutMs);
    } finally {
      clearTimeout(timer);
      stopListening?.();
    }
  }

  async function close(): Promise<void> {
    const all = [...pools.values()];
    pools.clear();
    await Promise.all(
      all.map(async (pool) => {
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
        });
        const outcome = await Promise.race([pool.close().then(() => 'closed' as const), grace]);
        clearTimeout(timer);
        if (outcome === 'late') await pool.destroy();
      }),
    );
  }

  return { request, close };
}

function toUnavailable(
  error: unknown,
  context: UpstreamErrorContext,
  timedOut: boolean,
  timeoutMs: number,
): UpstreamUnavailableError {
  if (timedOut) {
    return new UpstreamUnavailableError(context, UnavailableReason.Timeout, `no answer within ${timeoutMs} ms`, {
      cause: error,
    });
  }
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || CONNECT_FAILURES.has(code)) {
    return new UpstreamUnavailableError(context, UnavailableReason.ConnectFailed, `${code}: ${message}`, {
      cause: error,
    });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new UpstreamUnavailableError(context, UnavailableReason.Timeout, message, { cause: error });
  }
  return new UpstreamUnavailableError(context, UnavailableReason.Network, code ? `${code}: ${message}` : message, {
    cause: error,
  });
}
