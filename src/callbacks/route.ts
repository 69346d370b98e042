import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { scopeOf } from '../observability/request-scope.ts';
import type { GatewayTracing } from '../observability/tracing.ts';
import type { ZonedTime } from '../upstream/time.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { CallbackOutcome } from '../observability/request-scope.ts';
import type { CallbackIngestor } from './ingest.ts';
import { CallbackRequestError, decodeCallbackBody, readBody } from './parse.ts';
import { type AnyNormalisedCallback, CALLBACK_KINDS, type CallbackKind, isCallbackKind, normaliseCallback } from './schemas.ts';
import { sendJson } from '../server/send-json.ts';

/**
 * `POST /callbacks/<CALLBACK_SECRET>/<kind>`: the platforms' pushes, acknowledged only once durably stored.
 *
 * - A wrong or missing secret is not this handler's request: the app answers its ordinary 404, so the URL space
 *   reveals nothing. The secret is compared as SHA-256 digests with timingSafeEqual (equal lengths, constant time)
 *   and never logged; neither is the path that contains it (logs name the kind only).
 * - Body over CALLBACK_MAX_BODY_BYTES → 413 (a declared Content-Length at once, a chunked body as soon as it passes
 *   the cap); malformed or invalid → 400 `{error, reason}`; unsupported content type → 415. Nothing is stored.
 * - Valid → stored (event + projection) → 200 `{"ok":true,"id":…,"duplicate":…}` → published.
 */

export const CALLBACK_PATH_PREFIX = '/callbacks/';
/** A refused upload still being sent is drained at most this long, then the connection is cut. */
const DRAIN_TIMEOUT_MS = 2_000;

/** The body did not arrive within CALLBACK_BODY_TIMEOUT_SECONDS: already answered 408 and cut. */
class BodyDeadlineError extends Error {
  constructor() {
    super('callback body deadline passed');
    this.name = 'BodyDeadlineError';
  }
}

export interface CallbackHandlerOptions {
  config: Pick<GatewayConfig, 'callback' | 'callbackMaxBodyBytes'> & {
    connectionLimits: Pick<GatewayConfig['connectionLimits'], 'callbackBodyTimeoutMs'>;
  };
  logger: Logger;
  time: ZonedTime;
  /** Stores, projects and publishes: the app shares one with the gateway's own task-status events. */
  ingestor: CallbackIngestor;
  /** Callbacks by kind and outcome, ingest durations (telemetry.metrics); null or absent: not counted. */
  metrics?: GatewayMetrics | null;
  /** A span per ingestion (telemetry.tracing); null or absent: none. */
  tracing?: GatewayTracing | null;
}

export interface CallbackHandler {
  /** Answers the request and returns true if it is a callback; false leaves it to the app (which answers 404). */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Settles events a crash or a failed projection left pending, and publishes them (run at start). */
  catchUp(): Promise<number>;
  readonly ingestor: CallbackIngestor;
  close(): void;
}

/** Tells the callback's access line how it ended (and which event it stored or found a duplicate of). */
function answered(req: IncomingMessage, outcome: CallbackOutcome, eventId?: number): void {
  const scope = scopeOf(req);
  if (!scope) return;
  scope.callbackOutcome = outcome;
  if (eventId !== undefined) scope.eventId = eventId;
}

// One-shot: no Hash object per request (the digest was a tenth of the route's own CPU per callback).
const digest = (value: string) => hash('sha256', value, 'buffer');

const ERROR_NAMES: Record<CallbackRequestError['status'], string> = {
  400: 'invalid callback',
  413: 'payload too large',
  415: 'unsupported media type',
};

export function createCallbackHandler(options: CallbackHandlerOptions): CallbackHandler {
  const { config, logger, time, ingestor } = options;
  const maxBytes = config.callbackMaxBodyBytes;
  const bodyTimeoutMs = config.connectionLimits.callbackBodyTimeoutMs;
  const secretDigest = config.callback ? digest(config.callback.secret) : null;

  /** The callback's own child logger (its request id on every line), or the module's outside a scoped request. */
  const logOf = (req: IncomingMessage): Logger => scopeOf(req)?.log(logger) ?? logger;

  function secretMatches(given: string): boolean {
    if (!secretDigest) return false;
    return timingSafeEqual(digest(given), secretDigest);
  }

  /** Answers a refused request; an upload still coming is drained briefly so the client can read the answer. */
  function refuse(req: IncomingMessage, res: ServerResponse, kind: CallbackKind, error: CallbackRequestError): void {
    options.metrics?.callback(kind, CallbackOutcome.Rejected);
    answered(req, CallbackOutcome.Rejected);
    logOf(req).warn(`callback ${kind}: ${error.status} ${error.reason}`);
    const bodyPending = !req.complete;
    sendJson(res, error.status, { error: ERROR_NAMES[error.status], reason: error.reason }, bodyPending ? { connection: 'close' } : {});
    if (bodyPending) {
      req.resume();
      setTimeout(() => req.socket.destroy(), DRAIN_TIMEOUT_MS).unref();
    }
  }

  /**
   * readBody with its own deadline, counted from the headers: a platform sends a few hundred bytes at once, so a body
   * still coming after CALLBACK_BODY_TIMEOUT_SECONDS is a stuck or hostile sender. It gets 408, the connection is cut,
   * nothing is stored. (node's requestTimeout, HTTP_REQUEST_TIMEOUT_SECONDS, is the longer limit for every request.)
   */
  function readBodyWithin(req: IncomingMessage, res: ServerResponse, kind: CallbackKind): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        logger.warn(`callback ${kind}: 408 the body did not arrive within ${bodyTimeoutMs} ms; connection cut`);
        const cut = () => req.socket.destroy();
        if (!res.headersSent) {
          sendJson(res, 408, { error: 'request timeout', reason: `the body did not arrive within ${bodyTimeoutMs} ms` }, { connection: 'close' });
          res.once('finish', cut);
          setTimeout(cut, DRAIN_TIMEOUT_MS).unref();
        } else cut();
        reject(new BodyDeadlineError());
      }, bodyTimeoutMs);
      readBody(req, maxBytes).then(
        (body) => {
          clearTimeout(timer);
          resolve(body);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  async function process(req: IncomingMessage, res: ServerResponse, kind: CallbackKind): Promise<void> {
    let callback: AnyNormalisedCallback;
    try {
      const body = await readBodyWithin(req, res, kind);
      const value = await decodeCallbackBody(req.headers, body, {
        maxBytes,
        formWithoutDetail: kind === 'aicall-notify' ? 'fields' : 'error',
      });
      callback = normaliseCallback(kind, value, time);
    } catch (error) {
      if (error instanceof BodyDeadlineError) {
        answered(req, CallbackOutcome.Rejected);
        return void options.metrics?.callback(kind, CallbackOutcome.Rejected);
      }
      // Nothing is stored yet, and reading the same bytes again fails the same way: a 4xx, never a 500 that the
      // platform would retry for ever. Only a store failure (below) answers 500.
      if (!(error instanceof CallbackRequestError)) logOf(req).error(`callback ${kind}: unreadable body`, error);
      refuse(req, res, kind, error instanceof CallbackRequestError ? error : new CallbackRequestError(400, 'the callback could not be read'));
      return;
    }
    const tracing = options.tracing;
    const result = await (tracing ? tracing.traceIngestion(kind, scopeOf(req), (within) => ingestor.ingest(callback, within)) : ingestor.ingest(callback));
    sendJson(res, 200, { ok: true, id: result.id, duplicate: result.duplicate });
    answered(req, result.duplicate ? CallbackOutcome.Duplicate : CallbackOutcome.Stored, result.id);
    options.metrics?.callback(kind, result.duplicate ? CallbackOutcome.Duplicate : CallbackOutcome.Stored, scopeOf(req)?.startedAt);
    logger.debug(`callback ${kind}: event ${result.id}${result.duplicate ? ' (duplicate)' : ''}`);
    // After the answer: a subscriber never hears of a callback the platform was not told we have.
    if (result.event) ingestor.publish(result.event);
  }

  return {
    ingestor,
    handle(req, res) {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (!path.startsWith(CALLBACK_PATH_PREFIX)) return false;
      const segments = path.slice(CALLBACK_PATH_PREFIX.length).split('/');
      if (segments.length !== 2) return false;
      const [secret = '', kind = ''] = segments;
      if (!secretMatches(secret)) return false;

      if (!isCallbackKind(kind)) {
        answered(req, CallbackOutcome.Rejected);
        sendJson(res, 404, { error: 'not found', reason: `unknown callback kind; expected one of ${CALLBACK_KINDS.join(', ')}` });
        return true;
      }
      const scope = scopeOf(req);
      if (scope) scope.callbackKind = kind;
      if (req.method !== 'POST') {
        answered(req, CallbackOutcome.Rejected);
        options.metrics?.callback(kind, CallbackOutcome.Rejected);
        sendJson(res, 405, { error: 'method not allowed', reason: 'callbacks are POSTed' }, { allow: 'POST' });
        req.resume();
        return true;
      }
      process(req, res, kind).catch((error: unknown) => {
        // The store failed: nothing was acknowledged, so the platform may send it again.
        logOf(req).error(`callback ${kind}: not stored`, error);
        options.metrics?.callback(kind, CallbackOutcome.Failed);
        answered(req, CallbackOutcome.Failed);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error', reason: 'the callback could not be stored; send it again' });
        else res.destroy();
      });
      return true;
    },
    catchUp: () => ingestor.catchUp(),
    close: () => ingestor.close(),
  };
}
