import { redactForClient } from './redact.ts';
import { type Coded, describeSipCode, describeSipRet, type SipCode, SipRet } from './upstream/sip/codes.ts';

/** Stable codes that reach clients as `extensions.code`. Front ends switch on these; never rename one. */
export enum ErrorCode {
  UpstreamUnavailable = 'UPSTREAM_UNAVAILABLE',
  UpstreamRejected = 'UPSTREAM_REJECTED',
  UpstreamInvalidResponse = 'UPSTREAM_INVALID_RESPONSE',
  UpstreamNotConfigured = 'UPSTREAM_NOT_CONFIGURED',
  InvalidInput = 'INVALID_INPUT',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  UnsupportedForTaskKind = 'UNSUPPORTED_FOR_TASK_KIND',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  /** The document asks for more than a limit allows (depth, aliases, cost, …); nothing ran. */
  OperationLimitExceeded = 'OPERATION_LIMIT_EXCEEDED',
  /** The operation made as many upstream calls as one operation may; the rest were not sent. */
  UpstreamBudgetExceeded = 'UPSTREAM_BUDGET_EXCEEDED',
  /** The socket or key already holds as many subscriptions or connections as allowed. */
  SubscriptionLimitExceeded = 'SUBSCRIPTION_LIMIT_EXCEEDED',
  /** `after` is further back than one subscription may replay: reload the state, then subscribe again. */
  ReplayLimitExceeded = 'REPLAY_LIMIT_EXCEEDED',
  /** More live events waited for one subscriber than SUBSCRIBER_QUEUE_LIMIT: it was ended (graphql-ws: socket closed). */
  SubscriberTooSlow = 'SUBSCRIBER_TOO_SLOW',
  /** `after` is newer than every stored event (a store restored or replaced): reload, subscribe without `after`. */
  EventIdAhead = 'EVENT_ID_AHEAD',
  /** The events right after `after` were pruned (older than the retention): reload the state, then subscribe. */
  EventIdExpired = 'EVENT_ID_EXPIRED',
  /** This replica is shutting down: resubscribe (the load balancer sends you to another one) with `after`. */
  ServerDraining = 'SERVER_DRAINING',
  /** This gateway runs with STATISTICS=off: no statistics are counted, no guard watches. */
  StatisticsDisabled = 'STATISTICS_DISABLED',
  /** TRUSTED_DOCUMENTS=on and the request carried document text: send a persisted document's hash instead. */
  PersistedQueryOnly = 'PERSISTED_QUERY_ONLY',
  /** The hash names no document this gateway trusts: the client was built against another manifest. */
  PersistedQueryNotFound = 'PERSISTED_QUERY_NOT_FOUND',
}

export type UpstreamName = 'sip' | 'aicall';

/** Base of every error the gateway means to show a client; anything else is masked as an internal error. */
export abstract class GatewayError extends Error {
  abstract readonly code: ErrorCode;
  /** What goes into GraphQL `extensions` besides `code`: safe for clients, never secrets. */
  extensions(): Record<string, unknown> {
    return {};
  }
}

/** One problem with the input: where (path of argument/field names and list indices) and what. */
export interface InputIssue {
  path: readonly string[];
  message: string;
}

export class InvalidInputError extends GatewayError {
  readonly code = ErrorCode.InvalidInput;
  readonly issues: readonly InputIssue[];
  constructor(
    message: string,
    readonly field?: string,
    issues?: readonly InputIssue[],
  ) {
    super(message);
    this.name = 'InvalidInputError';
    this.issues = issues ?? (field ? [{ path: [field], message }] : [{ path: [], message }]);
  }
  override extensions() {
    return { ...(this.field ? { field: this.field } : {}), issues: this.issues };
  }
}

/** The request collides with another: an idempotency key reused for a different request, or still running. */
export class ConflictError extends GatewayError {
  readonly code = ErrorCode.Conflict;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/**
 * A task command its task's status forbids (pauseTask on a task not started, anything on an ended one): known from
 * the gateway's store before sending (nothing sent), or from the platform's task-state code (1025–1028).
 * `status` and `attempted` are GraphQL TaskStatus and TaskAction values.
 */
export class TaskStateConflictError extends GatewayError {
  readonly code = ErrorCode.Conflict;
  constructor(
    /** The task's global id, as the caller sent it. */
    readonly taskId: string,
    readonly status: string,
    readonly attempted: string,
  ) {
    super(`the task is ${status.toLowerCase().replace(/_/g, ' ')}: ${attempted.toLowerCase().replace(/_/g, ' ')} is not possible now`);
    this.name = 'TaskStateConflictError';
  }
  override extensions() {
    return { taskId: this.taskId, status: this.status, attempted: this.attempted };
  }
}

/** createQueue with the name of a queue that exists (the PBX answers its generic 1002). */
export class QueueAlreadyExistsError extends GatewayError {
  readonly code = ErrorCode.Conflict;
  constructor(readonly queueName: string) {
    super(`a queue named "${queueName}" already exists`);
    this.name = 'QueueAlreadyExistsError';
  }
  override extensions() {
    return { name: this.queueName };
  }
}

/** The two kinds of task, as GraphQL names them (TaskKind). */
export type TaskKindName = 'PREDICTIVE' | 'AI';

/**
 * A task command that the task's platform does not have: `endTask` on an AI task (the AI platform can only pause or
 * delete), `deleteTask` or `removeTaskNumbers` on a predictive task (the PBX has no such call), …
 */
export class UnsupportedForTaskKindError extends GatewayError {
  readonly code = ErrorCode.UnsupportedForTaskKind;
  constructor(
    /** The mutation, e.g. `endTask`. */
    readonly operation: string,
    readonly kind: TaskKindName,
    /** What to do instead. */
    readonly hint: string,
  ) {
    super(`${operation} does not apply to ${kind === 'AI' ? 'AI' : 'predictive'} tasks: ${hint}`);
    this.name = 'UnsupportedForTaskKindError';
  }
  override extensions() {
    return { operation: this.operation, kind: this.kind };
  }
}

/** No valid API key: HTTP answers 401, graphql-ws closes the socket with 4403. */
export class UnauthenticatedError extends GatewayError {
  readonly code = ErrorCode.Unauthenticated;
  constructor(message = 'A valid API key is required: Authorization: Bearer <key>') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** A valid key whose role does not allow the operation. */
export class ForbiddenError extends GatewayError {
  readonly code = ErrorCode.Forbidden;
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** Which operation limit was passed (docs/security.md lists each with its default). */
export enum OperationLimit {
  Depth = 'depth',
  Breadth = 'breadth',
  Aliases = 'aliases',
  Directives = 'directives',
  Tokens = 'tokens',
  Cost = 'cost',
  ValidationErrors = 'validationErrors',
  InputListLength = 'inputListLength',
  InputDepth = 'inputDepth',
}

/** What to do instead, where the limit has an answer other than "ask for less". */
const LIMIT_HINTS: Partial<Record<OperationLimit, string>> = {
  [OperationLimit.InputListLength]: ' (send long number lists as `numbersCsv`, which is read in slices)',
};

/** The document was refused before any resolver ran; `limit`, `max` and `measured` say by how much. */
export class OperationLimitError extends GatewayError {
  readonly code = ErrorCode.OperationLimitExceeded;
  constructor(
    readonly limit: OperationLimit,
    readonly max: number,
    readonly measured: number,
  ) {
    super(`Operation refused: ${limit} ${measured} is over the limit of ${max}${LIMIT_HINTS[limit] ?? ''}`);
    this.name = 'OperationLimitError';
  }
  override extensions() {
    return { limit: this.limit, max: this.max, measured: this.measured };
  }
}

/** Which connection limit was reached (docs/security.md, "Sockets and subscriptions"). */
export enum ConnectionLimit {
  SubscriptionsPerSocket = 'subscriptionsPerSocket',
  SocketsPerKey = 'socketsPerKey',
  SocketsPerAddress = 'socketsPerAddress',
}

/** The socket, key or address already holds as many subscriptions or connections as allowed; nothing ran. */
export class SubscriptionLimitError extends GatewayError {
  readonly code = ErrorCode.SubscriptionLimitExceeded;
  constructor(
    readonly limit: ConnectionLimit,
    readonly max: number,
  ) {
    super(
      limit === ConnectionLimit.SubscriptionsPerSocket
        ? `This socket already holds ${max} operations, the most one socket may: complete one first`
        : `Too many open connections ${limit === ConnectionLimit.SocketsPerKey ? 'for this API key' : 'from this address'} (at most ${max})`,
    );
    this.name = 'SubscriptionLimitError';
  }
  override extensions() {
    return { limit: this.limit, max: this.max };
  }
}

/** `after` is further back than one subscription may replay: the client reloads its state and subscribes from there. */
export class ReplayLimitError extends GatewayError {
  readonly code = ErrorCode.ReplayLimitExceeded;
  constructor(readonly max: number) {
    super(`after is more than ${max} events back: reload the state, then subscribe with after = the newest eventId it shows`);
    this.name = 'ReplayLimitError';
  }
  override extensions() {
    return { max: this.max };
  }
}

/** More live events waited for this subscriber than it may have waiting: it was ended rather than buffered on. */
export class SubscriberTooSlowError extends GatewayError {
  readonly code = ErrorCode.SubscriberTooSlow;
  constructor(readonly max: number) {
    super(`Subscriber too slow: more than ${max} events were waiting for it; resubscribe with after = the last eventId received`);
    this.name = 'SubscriberTooSlowError';
  }
  override extensions() {
    return { max: this.max };
  }
}

/** `after` is newer than every event the store holds: it came from another store (a restore, a new deployment). */
export class EventIdAheadError extends GatewayError {
  readonly code = ErrorCode.EventIdAhead;
  constructor(readonly newestEventId: number) {
    super(`after is newer than every stored event (the newest is ${newestEventId}): reload the state, then subscribe without after`);
    this.name = 'EventIdAheadError';
  }
  override extensions() {
    return { newestEventId: String(this.newestEventId) };
  }
}

/** The events right after `after` are older than the retention and were pruned: replaying from there would leave a gap. */
export class EventIdExpiredError extends GatewayError {
  readonly code = ErrorCode.EventIdExpired;
  constructor(
    /** The oldest event still stored on the topic (null when none is). */
    readonly oldestEventId: number | null,
    readonly retentionDays: number,
  ) {
    super(`the events after this eventId were pruned (kept ${retentionDays} days): reload the state, then subscribe again`);
    this.name = 'EventIdExpiredError';
  }
  override extensions() {
    return { oldestEventId: this.oldestEventId === null ? null : String(this.oldestEventId), retentionDays: this.retentionDays };
  }
}

/** This replica is shutting down; the stream ended cleanly so the client resubscribes elsewhere with `after`. */
export class ServerDrainingError extends GatewayError {
  readonly code = ErrorCode.ServerDraining;
  constructor() {
    super('This gateway replica is shutting down: resubscribe with after = the last eventId received');
    this.name = 'ServerDrainingError';
  }
}

/** The kinds of object a NotFoundError names (GraphQL `NotFoundEntity`). */
export type NotFoundEntity =
  | 'Agent'
  | 'Queue'
  | 'ExtGroup'
  | 'Task'
  | 'CallerLine'
  | 'ScriptGroup'
  | 'RedialRule'
  | 'DoNotCallWindow'
  | 'HandoverGroup';

export class NotFoundError extends GatewayError {
  readonly code = ErrorCode.NotFound;
  constructor(
    readonly entity: NotFoundEntity,
    readonly key: string,
    /** What the message calls it, when more precise than the entity ("Agent call status"). */
    what: string = entity,
  ) {
    super(`${what} "${key}" was not found`);
    this.name = 'NotFoundError';
  }
  override extensions() {
    return { entity: this.entity, key: this.key };
  }
}

/**
 * The operation already made as many upstream requests as one GraphQL operation may (MAX_UPSTREAM_CALLS_PER_OPERATION):
 * this one was not sent. A second line of defence behind the cost limit (src/upstream/budget.ts).
 */
export class UpstreamBudgetError extends GatewayError {
  readonly code = ErrorCode.UpstreamBudgetExceeded;
  constructor(
    /** Requests one operation may make. */
    readonly max: number,
    /** The platform the refused request was for. */
    readonly upstream: UpstreamName,
    /** The refused platform operation (SIP service or HTTP route). */
    readonly operation: string,
  ) {
    super(
      `Upstream budget exhausted: this operation already made ${max} platform calls, the most one operation may; ` +
        `${upstream} ${operation} was not sent. Ask for less in one document.`,
    );
    this.name = 'UpstreamBudgetError';
  }
  override extensions() {
    return { max: this.max, upstream: this.upstream, operation: this.operation };
  }
}

/** Fields every upstream error carries: which platform, which operation (a SIP service or an HTTP route). */
export interface UpstreamErrorContext {
  upstream: UpstreamName;
  operation: string;
}

/**
 * Messages of upstream errors are written by the gateway (platform, operation, code, reason): upstream text and
 * connection errors (hosts, ports, tracebacks) never reach a client's `message`. What the platform said is kept in
 * `detail`, for logs only (the logger redacts it, src/redact.ts); the few fields that show platform text to clients
 * (`upstreamMessage`, `fieldErrors`) hold it redacted for clients.
 */
export abstract class UpstreamError extends GatewayError {
  readonly upstream: UpstreamName;
  readonly operation: string;
  /** Raw text for logs only (connection error, excerpt of an unreadable answer, the platform's message): never shown. */
  readonly detail: string;
  constructor(message: string, context: UpstreamErrorContext, options?: { cause?: unknown; detail?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.upstream = context.upstream;
    this.operation = context.operation;
    this.detail = options?.detail ?? '';
  }
  override extensions(): Record<string, unknown> {
    return { upstream: this.upstream, operation: this.operation };
  }
}

export enum UnavailableReason {
  Timeout = 'TIMEOUT',
  ConnectFailed = 'CONNECT_FAILED',
  Network = 'NETWORK',
  ServerError = 'SERVER_ERROR',
}

/** The platform could not be reached or failed on its side: worth retrying later. */
export class UpstreamUnavailableError extends UpstreamError {
  readonly code = ErrorCode.UpstreamUnavailable;
  constructor(
    context: UpstreamErrorContext,
    readonly reason: UnavailableReason,
    /** For logs only (a connection error names the upstream address): the message says just the reason. */
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${context.upstream} ${context.operation}: upstream unavailable (${reason})`, context, { ...options, detail });
    this.name = 'UpstreamUnavailableError';
  }
  override extensions() {
    return { ...super.extensions(), reason: this.reason };
  }
}

/** The platform answered with something the boundary schemas could not accept. */
export class UpstreamInvalidResponseError extends UpstreamError {
  readonly code = ErrorCode.UpstreamInvalidResponse;
  /**
   * `detail` is the gateway's own diagnosis (a schema path and issue, a size) and goes into the message redacted for
   * clients; `excerpt` (the start of the body) is for logs only.
   */
  constructor(context: UpstreamErrorContext, detail: string, options?: { cause?: unknown; excerpt?: string }) {
    super(`${context.upstream} ${context.operation}: unexpected response: ${redactForClient(detail)}`, context, {
      cause: options?.cause,
      detail: options?.excerpt ? `${detail}; body starts: ${options.excerpt}` : detail,
    });
    this.name = 'UpstreamInvalidResponseError';
  }
}

/** The operation's platform is not configured in this deployment. */
export class UpstreamNotConfiguredError extends UpstreamError {
  readonly code = ErrorCode.UpstreamNotConfigured;
  constructor(context: UpstreamErrorContext) {
    super(`${context.upstream} is not configured in this gateway`, context);
    this.name = 'UpstreamNotConfiguredError';
  }
}

/**
 * The platform understood the request and refused it; `upstreamCode` is its own code for why. `upstreamMessage` is
 * the platform's message redacted for clients (src/redact.ts); the raw text is in `detail`, for logs.
 */
export abstract class UpstreamRejectedError extends UpstreamError {
  readonly code: ErrorCode = ErrorCode.UpstreamRejected;
  abstract readonly upstreamCode: string;
  abstract readonly upstreamMessage: string;
  override extensions(): Record<string, unknown> {
    return { ...super.extensions(), upstreamCode: this.upstreamCode, upstreamMessage: this.upstreamMessage };
  }
}

/** SIP envelope `ret` ≠ 200. A `ret` 500 is the platform failing, so it is reported as unavailable. */
export class SipRequestError extends UpstreamRejectedError {
  override readonly code: ErrorCode;
  readonly upstreamCode: string;
  readonly upstreamMessage: string;
  constructor(
    operation: string,
    readonly ret: Coded<SipRet>,
    upstreamMessage: string,
  ) {
    super(`sip ${operation}: ret ${ret.raw} (${describeSipRet(ret)})`, { upstream: 'sip', operation }, { detail: upstreamMessage });
    this.name = 'SipRequestError';
    this.upstreamMessage = redactForClient(upstreamMessage);
    this.upstreamCode = ret.raw;
    this.code = ret.value === SipRet.ServerError ? ErrorCode.UpstreamUnavailable : ErrorCode.UpstreamRejected;
  }
  override extensions() {
    const reason = this.code === ErrorCode.UpstreamUnavailable ? { reason: UnavailableReason.ServerError } : {};
    return { ...super.extensions(), ret: this.ret.value, ...reason };
  }
}

/** SIP envelope `ret` 200 with `data.status` 1: the operation failed with a business code. */
export class SipBusinessError extends UpstreamRejectedError {
  readonly upstreamCode: string;
  readonly upstreamMessage: string;
  /** The platform's `desc`, redacted for clients. */
  readonly description: string;
  constructor(
    operation: string,
    readonly sipCode: Coded<SipCode>,
    upstreamMessage: string,
    description: string,
  ) {
    super(
      `sip ${operation}: code ${sipCode.raw} (${describeSipCode(sipCode)})`,
      { upstream: 'sip', operation },
      { detail: [upstreamMessage, description].filter((part) => part !== '').join(' / ') },
    );
    this.name = 'SipBusinessError';
    this.upstreamMessage = redactForClient(upstreamMessage);
    this.description = redactForClient(description);
    this.upstreamCode = sipCode.raw;
  }
}

/** AI-call platform answered non-2xx. A 422 keeps its per-field messages under the platform's field names. */
export class AiCallHttpError extends UpstreamRejectedError {
  override readonly code: ErrorCode;
  readonly upstreamCode: string;
  readonly upstreamMessage: string;
  /** The platform's per-field messages under its own field names, each redacted for clients. */
  readonly fieldErrors: Readonly<Record<string, readonly string[]>>;
  constructor(
    operation: string,
    readonly status: number,
    upstreamMessage: string,
    fieldErrors: Readonly<Record<string, readonly string[]>>,
  ) {
    super(`aicall ${operation}: HTTP ${status}`, { upstream: 'aicall', operation }, { detail: upstreamMessage });
    this.name = 'AiCallHttpError';
    this.upstreamMessage = redactForClient(upstreamMessage);
    this.fieldErrors = Object.fromEntries(
      Object.entries(fieldErrors).map(([field, messages]) => [field, messages.map((m) => redactForClient(m))]),
    );
    this.upstreamCode = String(status);
    this.code = status >= 500 ? ErrorCode.UpstreamUnavailable : ErrorCode.UpstreamRejected;
  }
  override extensions() {
    return Object.keys(this.fieldErrors).length > 0
      ? { ...super.extensions(), fieldErrors: this.fieldErrors }
      : super.extensions();
  }
}

/** Statistics were asked for on a gateway that counts none (STATISTICS=off). */
export class StatisticsDisabledError extends GatewayError {
  readonly code = ErrorCode.StatisticsDisabled;
  constructor() {
    super('Statistics are off on this gateway (STATISTICS=off): nothing is counted');
    this.name = 'StatisticsDisabledError';
  }
}

/** Too many different live statistics are watched on one replica: subscribe to figures others already watch, or fewer. */
export class LiveStatisticsLimitError extends GatewayError {
  readonly code = ErrorCode.SubscriptionLimitExceeded;
  constructor(readonly max: number) {
    super(`Too many different live statistics are watched on this replica (at most ${max}): ask for figures others watch, or wait`);
    this.name = 'LiveStatisticsLimitError';
  }
  override extensions() {
    return { limit: 'liveStatisticsPerReplica', max: this.max };
  }
}

/** TRUSTED_DOCUMENTS=on: document text from a key not allowed arbitrary operations (docs/security.md, "Trusted documents"). */
export class PersistedQueryOnlyError extends GatewayError {
  readonly code = ErrorCode.PersistedQueryOnly;
  constructor() {
    super('This gateway runs only trusted (persisted) documents: send extensions.persistedQuery.sha256Hash instead of the query text');
    this.name = 'PersistedQueryOnlyError';
  }
}

/** A persisted document's hash this gateway does not know. The hash is not echoed: it came from the client. */
export class PersistedQueryNotFoundError extends GatewayError {
  readonly code = ErrorCode.PersistedQueryNotFound;
  constructor() {
    super('No trusted document has this hash: the client was built against another version of the gateway');
    this.name = 'PersistedQueryNotFoundError';
  }
}
