import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Role } from '../config.ts';
import type { Logger } from '../logger.ts';
import { redact } from '../redact.ts';

/**
 * What the gateway knows about one request (HTTP), one WebSocket operation or one callback while it runs: the request
 * id every log line, access line and span of it carries, and what the access line reports at the end. Made once per
 * request by the HTTP server (`scopeRequest`) and found again by yoga's context factory (`scopeOf`); graphql-ws makes
 * one per operation.
 */

/** Accepted from the client and always returned (HTTP) so a client's report can be matched with the gateway's logs. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A client's own id is kept when it looks like an id (what proxies and tracing systems send: UUIDs, hex, dotted or
 * dashed tokens); anything else (too long, spaces, control characters, quotes) is replaced, so a log line never
 * carries text a client chose beyond this shape.
 */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export enum Transport {
  Http = 'http',
  WebSocket = 'ws',
  Callback = 'callback',
}

/** How a callback ended, for the access line and the metrics (bounded: these values only). */
export enum CallbackOutcome {
  Stored = 'stored',
  Duplicate = 'duplicate',
  Rejected = 'rejected',
  Failed = 'failed',
}

export class RequestScope {
  /** The operation's name as the client gave it (null for anonymous operations), once parsed. */
  operationName: string | null = null;
  /** query, mutation or subscription, once parsed. */
  operationType: string | null = null;
  /** The principal's role, once authenticated. */
  role: Role | null = null;
  /** Upstream requests sent on behalf of this request (charged to its operations' budgets). */
  upstreamCalls = 0;
  /** For callbacks: the kind and how it ended. */
  callbackKind: string | null = null;
  callbackOutcome: CallbackOutcome | null = null;
  /** For callbacks: the id of the event stored (or found a duplicate of). */
  eventId: number | null = null;
  /** `performance.now()` at the start, for the access line's duration. */
  readonly startedAt = performance.now();
  #uniqueId: string | null = null;
  #logRoot: Logger | null = null;
  #log: Logger | null = null;
  constructor(
    readonly requestId: string,
    readonly transport: Transport,
  ) {}

  /**
   * An id only the gateway made, unique to this request (made on first use). For keys that must tell requests apart
   * (a task change's idempotency key): `requestId` may be the client's own, and a client may send the same one twice.
   */
  get uniqueId(): string {
    return (this.#uniqueId ??= newRequestId());
  }

  /**
   * This request's child of `root` (a module's logger): its lines carry the request id, transport, role and operation
   * name. Made on first use, so a request that logs nothing (almost all) makes none; the access line is written from
   * the scope's fields instead.
   */
  log(root: Logger): Logger {
    if (this.#log && this.#logRoot === root) return this.#log;
    const child = root.child({ requestId: this.requestId, transport: this.transport, role: this.role, operationName: this.operationName });
    // One module logs for a request nearly always; a second one gets its child uncached rather than a map per scope.
    if (!this.#log) {
      this.#logRoot = root;
      this.#log = child;
    }
    return child;
  }
}

/**
 * A fresh request id (a UUID), flat. Node builds `randomUUID()`'s text by concatenating its parts: a tree of ~30 cons
 * strings, ~480 bytes that live as long as the id is kept (measured: 483 bytes per retained id, 61 once flat). A
 * subscription keeps two (its operation's id and its socket's), which was most of what issue 14 added to an idle
 * subscription's memory (bench/README.md). Reading one character makes V8 flatten it in place.
 */
export function newRequestId(): string {
  const id = randomUUID();
  id.charCodeAt(0);
  return id;
}

/**
 * The client's request id when it has the accepted shape and nothing the redaction rule would hide (a configured
 * secret such as the client's own API key, a phone number): logs carry it verbatim. A fresh UUID otherwise.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && CLIENT_REQUEST_ID.test(header) && redact(header) === header ? header : newRequestId();
}

/** The scope a GraphQL context carries (GatewayContext.scope), for envelop plugins that see the context as unknown. */
export const scopeIn = (contextValue: unknown): RequestScope | undefined => (contextValue as { scope?: RequestScope } | undefined)?.scope;

const scopes = new WeakMap<IncomingMessage, RequestScope>();

/** Makes the scope of an HTTP request (its id from `x-request-id` when acceptable) and remembers it for scopeOf(). */
export function scopeRequest(req: IncomingMessage, transport: Transport = Transport.Http): RequestScope {
  const scope = new RequestScope(requestIdFrom(req.headers[REQUEST_ID_HEADER]), transport);
  scopes.set(req, scope);
  return scope;
}

/** The scope scopeRequest() made for this request, if it went through the HTTP server. */
export function scopeOf(req: IncomingMessage | undefined): RequestScope | undefined {
  return req ? scopes.get(req) : undefined;
}
