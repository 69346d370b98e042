import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import {
  type ErrorCode,
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
  /** Told of every request sent and how it ended (metrics, traces, the operator's upstream health). */
  observers?: readonly UpstreamCallObserver[];
}

/** How a request ended at the HTTP level (what the platform said inside a 200 is the clients' to report). */
export enum UpstreamCallOutcome {
  /** An answer arrived (any HTTP status; `status` says which). */
  Answered = 'answered',
  Timeout = 'timeout',
  ConnectFailed = 'connect_failed',
  Network = 'network',
  /** Too large, or cut while being read. */
  InvalidResponse = 'invalid_response',
}

export interface UpstreamCallEnd {
  outcome: UpstreamCallOutcome;
  /** The HTTP status when an answer arrived. */
  status: number | null;
  /** The error the caller gets, when there is one. */
  error?: unknown;
}

/**
 * Sees each upstream request: `started` is called synchronously as the request is sent (in the caller's async
 * context, so a span started there has the operation's span as parent); the function it returns is called once with
 * how the request ended. Requests the operation's budget refuses are never sent and never seen here.
 */
export interface UpstreamCallObserver {
  started(call: UpstreamErrorContext & { method: UpstreamRequest['method'] }): ((end: UpstreamCallEnd) => void) | undefined;
  /**
   * The platform refused (or failed) inside an answer the HTTP layer saw as answered: a SIP envelope `ret` ≠ 200 or
   * business code, an AI-call non-2xx, a SIP HTTP 5xx. Called by the clients (`UpstreamHttp.reportRejected`) after the
   * request's `end`, once per refusal the caller gets as an error (not for a `ret` 600 the client cures by renewing
   * the token). `upstreamCode` is the platform's code with its kind: `ret:600`, `code:1010`, `http:422`. `code` is the
   * gateway's ErrorCode the caller gets: UPSTREAM_REJECTED, or UPSTREAM_UNAVAILABLE for the platform failing on its side
   * (SIP `ret` 500, HTTP 5xx); observers that only count refusals may ignore it.
   */
  rejected?(call: UpstreamErrorContext & { method: UpstreamRequest['method'] }, upstreamCode: string, code?: ErrorCode): void;
}

/** What kind of platform code an observer's `rejected` gets, written `<kind>:<code>` (upstreamCodeOf). */
export enum UpstreamCodeKind {
  /** The SIP envelope's `ret`. */
  SipRet = 'ret',
  /** A SIP business code (`data.errors.code`). */
  SipCode = 'code',
  /** An HTTP status (AI-call non-2xx, SIP 5xx). */
  Http = 'http',
}

export const upstreamCodeOf = (kind: UpstreamCodeKind, raw: string | number): string => `${kind}:${raw}`;

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
  /**
   * Tells every observer's `rejected` of a refusal inside an answer (see UpstreamCallObserver.rejected). Optional so
   * that wrappers (tests, bench) that pass requests through need not forward it.
   */
  reportRejected?(call: UpstreamErrorContext & { method: UpstreamRequest['method'] }, upstreamCode: string, code: ErrorCode): void;
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
  const observers = options.observers ?? [];

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
    const ends = observers.length === 0 ? null : startObservers(observers, init);
    let end: UpstreamCallEnd | null = null;
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
      end = { outcome: UpstreamCallOutcome.Answered, status: response.statusCode };
      return {
        status: response.statusCode,
        contentType: (Array.isArray(contentType) ? contentType[0] : contentType) ?? '',
        text,
      };
    } catch (error) {
      const failure = error instanceof UpstreamInvalidResponseError ? error : toUnavailable(error, init.context, aborted, options.requestTimeoutMs);
      end = { outcome: outcomeOf(failure), status: null, error: failure };
      throw failure;
    } finally {
      clearTimeout(timer);
      stopListening?.();
      if (ends && end) for (const ended of ends) ended(end);
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

  function reportRejected(call: UpstreamErrorContext & { method: UpstreamRequest['method'] }, upstreamCode: string, code: ErrorCode): void {
    for (const observer of observers) observer.rejected?.(call, upstreamCode, code);
  }

  return { request, reportRejected, close };
}

function startObservers(observers: readonly UpstreamCallObserver[], init: UpstreamRequest): Array<(end: UpstreamCallEnd) => void> {
  const call = { upstream: init.context.upstream, operation: init.context.operation, method: init.method };
  const ends: Array<(end: UpstreamCallEnd) => void> = [];
  for (const observer of observers) {
    const ended = observer.started(call);
    if (ended) ends.push(ended);
  }
  return ends;
}

function outcomeOf(error: UpstreamInvalidResponseError | UpstreamUnavailableError): UpstreamCallOutcome {
  if (error instanceof UpstreamInvalidResponseError) return UpstreamCallOutcome.InvalidResponse;
  if (error.reason === UnavailableReason.Timeout) return UpstreamCallOutcome.Timeout;
  if (error.reason === UnavailableReason.ConnectFailed) return UpstreamCallOutcome.ConnectFailed;
  return UpstreamCallOutcome.Network;
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
