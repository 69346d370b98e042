import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FlatFields, type Logger, writeFlat } from '../logger.ts';
import { REDACTED, redact } from '../redact.ts';
import { GRAPHQL_PATH } from '../server/yoga.ts';
import { type RequestScope, Transport } from './request-scope.ts';

/**
 * The access line: one per HTTP request and per callback (`msg: "request"`), written when the response has finished
 * or the client went away (`aborted: true`), and one per graphql-ws operation when it completes. docs/operations.md
 * lists its fields. Probes (liveness, readiness, metrics scrapes) are logged at debug: every few seconds from every
 * balancer and scraper, they would bury the lines that matter.
 */

export const ACCESS_MESSAGE = 'request';
/** Paths polled by machines. */
const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);
/** Longest path logged (it is client text: redacted, then cut). */
const MAX_PATH = 200;
/** The callback path as logged: its secret segment never is. */
const CALLBACK_PREFIX = '/callbacks/';

/** How long since the scope started, in ms with one decimal. */
function durationOf(scope: RequestScope): number {
  return Math.round((performance.now() - scope.startedAt) * 10) / 10;
}

/** A request path as a log line may carry it: the callback secret replaced, other client text redacted and capped. */
export function loggablePath(path: string, scope: RequestScope): string {
  if (scope.transport === Transport.Callback || path.startsWith(CALLBACK_PREFIX)) {
    return `${CALLBACK_PREFIX}${REDACTED}/${scope.callbackKind ?? '[unknown]'}`;
  }
  // The GraphQL endpoint is nearly every line: nothing of the client's to redact in it.
  if (path === GRAPHQL_PATH) return path;
  const redacted = redact(path);
  return redacted.length > MAX_PATH ? `${redacted.slice(0, MAX_PATH)}…` : redacted;
}

/** Writes the access line of an HTTP request or callback (called once, from the response's `close`). */
export function logHttpAccess(logger: Logger, scope: RequestScope, req: IncomingMessage, res: ServerResponse, path: string): void {
  const probe = PROBE_PATHS.has(path);
  const level = probe ? 'debug' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const fields: FlatFields = {
    requestId: scope.requestId,
    transport: scope.transport,
    // node's parser accepts known methods only: not free client text.
    method: req.method ?? null,
    path: loggablePath(path, scope),
    // Before the headers went out, no status was sent.
    status: res.headersSent ? res.statusCode : null,
    durationMs: durationOf(scope),
    upstreamCalls: scope.upstreamCalls,
    operationName: scope.operationName,
    operationType: scope.operationType,
    role: scope.role,
  };
  if (scope.transport === Transport.Callback) {
    fields.callbackKind = scope.callbackKind;
    fields.callbackOutcome = scope.callbackOutcome;
    fields.eventId = scope.eventId;
  }
  // The client went away before the whole response was written.
  if (!res.writableFinished) fields.aborted = true;
  writeFlat(logger, level, fields, ACCESS_MESSAGE);
}

/** How a graphql-ws operation ended. */
export enum OperationOutcome {
  Completed = 'completed',
  Error = 'error',
}

/**
 * Writes the line of one graphql-ws operation: its own request id, and the socket's (the upgrade request's
 * `x-request-id`, or the one the gateway gave it) as `connectionId`.
 */
export function logSocketOperation(logger: Logger, scope: RequestScope, connectionId: string, outcome: OperationOutcome): void {
  if (!logger.isLevelEnabled('info')) return;
  writeFlat(
    logger,
    'info',
    {
      requestId: scope.requestId,
      connectionId,
      transport: scope.transport,
      outcome,
      durationMs: durationOf(scope),
      upstreamCalls: scope.upstreamCalls,
      operationName: scope.operationName,
      operationType: scope.operationType,
      role: scope.role,
    },
    ACCESS_MESSAGE,
  );
}
