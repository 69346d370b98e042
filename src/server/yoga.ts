import type { IncomingMessage } from 'node:http';
import { PothosError } from '@pothos/core';
import { type ExecutionResult, GraphQLError } from 'graphql';
import { createYoga, isAsyncIterable, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Authenticate, Principal } from '../auth.ts';
import { createContext, type GatewayContext, type GatewayServices } from '../context.ts';
import { ErrorCode, GatewayError, UnauthenticatedError } from '../errors.ts';
import { logUpstreamError, type Logger, yogaLogging } from '../logger.ts';
import { newRequestId, RequestScope, scopeOf, Transport } from '../observability/request-scope.ts';
import { useOperationScope } from '../observability/operation-scope.ts';
import { schema } from '../schema.ts';
import { type Drain, useDrain } from './drain.ts';
import { useResponseCompression } from './compression.ts';
import { corsFor, useCsrfProtection, useIntrospectionPolicy, useVaryOrigin } from './exposure.ts';
import { withExtensions } from './graphql-errors.ts';
import type { OriginPolicy } from './origins.ts';
import { type ConnectionCounter, useStreamLimits } from './connection-limits.ts';
import { useUpstreamBudget } from '../upstream/budget.ts';
import { useCompiledQueries } from './compiled-queries.ts';
import { useOperationLimits } from '../limits/operation-limits.ts';
import { useOperationMetrics } from '../observability/operation-metrics.ts';
import { type TrustedDocuments, useTrustedDocuments } from './trusted-documents.ts';

export const GRAPHQL_PATH = '/graphql';

/**
 * The context's `request` where there is no web Request (the HTTP fast path, graphql-ws). yoga's parse hook reads
 * only its method: it gives a syntax error its code (GRAPHQL_PARSE_FAILED) and HTTP status, and only when a request
 * is there. The parse cache then keeps that error for every later request with the same text, whatever the transport:
 * parsed first without it, the error would stay without code and status for HTTP too.
 */
export const PARSE_REQUEST = Object.freeze({ method: 'POST' });

/** What yoga's context factory receives: graphql-ws passes the principal it authenticated on connect. */
export interface ServerContext {
  principal?: Principal;
  /** node's request (yoga's node adapter and the HTTP fast path pass it): its scope was made by the HTTP server. */
  req?: IncomingMessage;
  /** graphql-ws passes the scope of the operation it runs. */
  scope?: RequestScope;
}

/** The request's scope: graphql-ws's, the HTTP server's, or (a caller that made none, such as a test's yoga.fetch) a new one. */
function scopeFor(initial: ServerContext, principal: Principal | null): RequestScope {
  const scope = initial.scope ?? scopeOf(initial.req) ?? new RequestScope(newRequestId(), Transport.Http);
  scope.role = principal?.role ?? null;
  return scope;
}

export type GatewayYoga = YogaServerInstance<ServerContext, GatewayContext>;

/** graphql-js's variable coercion refusal: raised before execution, so without a path (its cause may be a scalar's). */
const isVariableError = (error: GraphQLError) => !error.path && error.message.startsWith('Variable "$');

/**
 * Variable coercion errors never reach maskError (yoga answers them 400 at once, and graphql-ws sends them as they
 * are): this gives them their code on both transports, as the execution result comes back.
 */
function useVariableErrorCodes(): Plugin {
  const coded = codeVariableErrors;
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) setResult(coded(result));
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) setResult(coded(result));
      },
    }),
    // Over HTTP, yoga's executor throws variable errors rather than returning them; they surface here.
    onResultProcess: ({ result, setResult }) => {
      if (Array.isArray(result)) setResult(result.map(coded));
      else if (!isAsyncIterable(result)) setResult(coded(result));
    },
  };
}

/** The result with INVALID_INPUT on graphql-js's variable coercion errors (useVariableErrorCodes, the HTTP fast path). */
export function codeVariableErrors(result: ExecutionResult): ExecutionResult {
  return result.errors?.some((error) => error.extensions?.code === undefined && isVariableError(error))
    ? { ...result, errors: result.errors.map((error) => (error.extensions?.code === undefined && isVariableError(error) ? withCode(error, ErrorCode.InvalidInput) : error)) }
    : result;
}

/** The same error with a code, for client errors graphql-js and Pothos raise without one. */
function withCode(error: GraphQLError, code: ErrorCode): GraphQLError {
  return withExtensions(error, { ...error.extensions, code });
}

/**
 * Errors the gateway means to show keep their message and code; anything else is masked. Two kinds of client error
 * come without a code and get INVALID_INPUT: graphql-js's variable coercion (`Variable "$f" got invalid value …`,
 * before execution) and Pothos's argument checks (an invalid global id in `node(id:)`, or one of no known type).
 */
function maskGatewayErrors(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (error instanceof GraphQLError && error.extensions?.code === undefined) {
    if (original instanceof PothosError || isVariableError(error)) {
      return withCode(error, ErrorCode.InvalidInput);
    }
  }
  if (original instanceof GatewayError) {
    return new GraphQLError(original.message, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      // A compiled query's errors have a source and positions instead of nodes (src/server/compiled-queries.ts).
      source: error instanceof GraphQLError && !error.nodes ? error.source : undefined,
      positions: error instanceof GraphQLError && !error.nodes ? error.positions : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      originalError: original,
      extensions: { ...original.extensions(), code: original.code },
    });
  }
  return maskError(error, message, isDev);
}

/** The masking yoga applies (maskedErrors below), for an error thrown out of execution on the HTTP fast path. */
export function maskUnexpected(logger: Logger, error: unknown): Error {
  logUpstreamError(logger, error);
  return maskGatewayErrors(error, 'Unexpected error.');
}

/**
 * Authentication before parsing: no key, no work. The GraphiQL page itself is public (keys go in its headers); it is
 * served by the HTTP layer (src/server/graphiql.ts) and never reaches yoga, so every request here needs a key.
 * Principals found here are handed to the context factory of the same request through `principals`.
 */
function useApiKeys(authenticate: Authenticate, principals: WeakMap<Request, Principal>): Plugin<ServerContext> {
  return {
    onRequest({ request, endResponse }) {
      const principal = authenticate(request.headers.get('authorization'));
      if (principal) {
        principals.set(request, principal);
        return;
      }
      const error = new UnauthenticatedError();
      endResponse(
        new Response(JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] }), {
          status: 401,
          headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
        }),
      );
    },
  };
}

export interface GatewayYogaOptions {
  services: GatewayServices;
  authenticate: Authenticate;
  logger: Logger;
  /** Counts SSE streams against the WebSocket caps (per key, per address); absent: not counted. */
  connections?: ConnectionCounter;
  /** The Origin rule for CORS, the same instance the WebSocket upgrade uses. */
  originPolicy: OriginPolicy;
  /** Once draining, SSE subscriptions end with SERVER_DRAINING; absent: never. */
  drain?: Drain;
  /** Persisted documents by hash, and whether only they run (src/server/trusted-documents.ts); absent: text only. */
  documents?: TrustedDocuments;
}

/** The GraphQL server: schema, auth, limits, masking. HTTP and WebSocket both run operations through it. */
export function createGatewayYoga({ services, authenticate, logger, connections, originPolicy, drain, documents }: GatewayYogaOptions): GatewayYoga {
  const principals = new WeakMap<Request, Principal>();
  return createYoga<ServerContext, GatewayContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // GraphiQL is served by the HTTP layer, rendered and compressed once (src/server/graphiql.ts).
    graphiql: false,
    // No origin is reflected: the gateway's own and ALLOWED_ORIGINS only, never credentials (src/server/exposure.ts).
    cors: corsFor(originPolicy),
    landingPage: false,
    // Yoga's limit pipes every body through a web stream and halves throughput (docs/design.md); the HTTP handler
    // bounds bodies by Content-Length instead.
    maxRequestBodySize: false,
    // Upstream failures are logged (redacted, with their log-only detail) as they are turned into client errors.
    maskedErrors: { maskError: (error, message, isDev) => (logUpstreamError(logger, error), maskGatewayErrors(error, message, isDev)) },
    plugins: [
      useApiKeys(authenticate, principals),
      // A persisted document's hash becomes its text; TRUSTED_DOCUMENTS=on refuses text from keys not marked arbitrary.
      ...(documents ? [useTrustedDocuments(documents, (request) => principals.get(request))] : []),
      // GET and form / text/plain POSTs need X-GraphQL-Yoga-CSRF or Authorization (403 otherwise), in every mode.
      useCsrfProtection(),
      // INTROSPECTION=off|admin|all, over HTTP and graphql-ws alike.
      useIntrospectionPolicy(services.config.exposure.introspection, (context) =>
        (context.principal as Principal | undefined) ?? principals.get(context.request as Request),
      ),
      useVaryOrigin(),
      // SSE streams take a place per key and per address like WebSockets (src/server/connection-limits.ts).
      ...(connections ? [useStreamLimits(connections, (request) => principals.get(request))] : []),
      // Hot query documents run compiled by graphql-jit (src/server/compiled-queries.ts); COMPILED_QUERIES=off: never.
      // It sets the execute function itself, so it comes before every plugin that wraps execution (the budget).
      ...(services.config.compiledQueries ? [useCompiledQueries(services.config.compiledQueries.afterRuns)] : []),
      // At most MAX_UPSTREAM_CALLS_PER_OPERATION upstream requests per operation (and per subscription event).
      useUpstreamBudget(services.config.operationLimits.maxUpstreamCalls),
      // The scope learns the operation's name and type (access line), its result's errors their request id.
      useOperationScope(),
      // One span per operation, run in its context so upstream and store spans nest (tracing off: not added).
      ...(services.telemetry.tracing ? [services.telemetry.tracing.plugin] : []),
      // Tokens, aliases, directives, depth, breadth and cost, before anything runs (src/limits/operation-limits.ts).
      useOperationLimits(services.config.operationLimits),
      // graphql-js's variable coercion errors get INVALID_INPUT like every other input error.
      useVariableErrorCodes(),
      // Operations by name, type and outcome, with durations (METRICS=off: not added); after the codes are set.
      ...(services.telemetry.metrics ? [useOperationMetrics(services.telemetry.metrics)] : []),
      // JSON results from 1 KB compressed (br or gzip); streams never (src/server/compression.ts).
      useResponseCompression(),
      // SIGTERM ends SSE subscriptions cleanly with SERVER_DRAINING (graphql-ws sockets get 1001 instead).
      ...(drain ? [useDrain(drain)] : []),
    ],
    context: (initial) => {
      const principal = initial.principal ?? principals.get(initial.request) ?? null;
      return createContext(services, principal, scopeFor(initial, principal));
    },
    logging: yogaLogging(logger),
  });
}
