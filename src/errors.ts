import { type Coded, type SipCode, SipRet } from './upstream/sip/codes.ts';

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
}

/** The document was refused before any resolver ran; `limit`, `max` and `measured` say by how much. */
export class OperationLimitError extends GatewayError {
  readonly code = ErrorCode.OperationLimitExceeded;
  constructor(
    readonly limit: OperationLimit,
    readonly max: number,
    readonly measured: number,
  ) {
    super(`Operation refused: ${limit} ${measured} is over the limit of ${max}`);
    this.name = 'OperationLimitError';
  }
  override extensions() {
    return { limit: this.limit, max: this.max, measured: this.measured };
  }
}

export class NotFoundError extends GatewayError {
  readonly code = ErrorCode.NotFound;
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} "${key}" was not found`);
    this.name = 'NotFoundError';
  }
  override extensions() {
    return { entity: this.entity, key: this.key };
  }
}

/** Fields every upstream error carries: which platform, which operation (a SIP service or an HTTP route). */
export interface UpstreamErrorContext {
  upstream: UpstreamName;
  operation: string;
}

export abstract class UpstreamError extends GatewayError {
  readonly upstream: UpstreamName;
  readonly operation: string;
  constructor(message: string, context: UpstreamErrorContext, options?: { cause?: unknown }) {
    super(message, options);
    this.upstream = context.upstream;
    this.operation = context.operation;
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
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${context.upstream} ${context.operation}: upstream unavailable (${reason}): ${detail}`, context, options);
    this.name = 'UpstreamUnavailableError';
  }
  override extensions() {
    return { ...super.extensions(), reason: this.reason };
  }
}

/** The platform answered with something the boundary schemas could not accept. */
export class UpstreamInvalidResponseError extends UpstreamError {
  readonly code = ErrorCode.UpstreamInvalidResponse;
  constructor(context: UpstreamErrorContext, detail: string, options?: { cause?: unknown }) {
    super(`${context.upstream} ${context.operation}: unexpected response: ${detail}`, context, options);
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

/** The platform understood the request and refused it; `upstreamCode` is its own code for why. */
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
  constructor(
    operation: string,
    readonly ret: Coded<SipRet>,
    readonly upstreamMessage: string,
  ) {
    super(`sip ${operation}: ret ${ret.raw}${upstreamMessage ? `: ${upstreamMessage}` : ''}`, {
      upstream: 'sip',
      operation,
    });
    this.name = 'SipRequestError';
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
  constructor(
    operation: string,
    readonly sipCode: Coded<SipCode>,
    readonly upstreamMessage: string,
    readonly description: string,
  ) {
    super(`sip ${operation}: code ${sipCode.raw}${upstreamMessage ? `: ${upstreamMessage}` : ''}`, {
      upstream: 'sip',
      operation,
    });
    this.name = 'SipBusinessError';
    this.upstreamCode = sipCode.raw;
  }
}

/** AI-call platform answered non-2xx. A 422 keeps its per-field messages under the platform's field names. */
export class AiCallHttpError extends UpstreamRejectedError {
  override readonly code: ErrorCode;
  readonly upstreamCode: string;
  constructor(
    operation: string,
    readonly status: number,
    readonly upstreamMessage: string,
    readonly fieldErrors: Readonly<Record<string, readonly string[]>>,
  ) {
    super(`aicall ${operation}: HTTP ${status}${upstreamMessage ? `: ${upstreamMessage}` : ''}`, {
      upstream: 'aicall',
      operation,
    });
    this.name = 'AiCallHttpError';
    this.upstreamCode = String(status);
    this.code = status >= 500 ? ErrorCode.UpstreamUnavailable : ErrorCode.UpstreamRejected;
  }
  override extensions() {
    return Object.keys(this.fieldErrors).length > 0
      ? { ...super.extensions(), fieldErrors: this.fieldErrors }
      : super.extensions();
  }
}
