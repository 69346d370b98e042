import type { Attributes, Span } from '@opentelemetry/api';
import { type ExecutionArgs, type ExecutionResult, type GraphQLError, getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ErrorCode, GatewayError } from '../errors.ts';
import { type RequestScope, scopeIn } from './request-scope.ts';
import type { TraceKit } from './trace-kit.ts';

/**
 * One span per GraphQL operation (docs/operations.md, "Traces"), as an envelop plugin: yoga's HTTP handler, the HTTP
 * fast path and graphql-ws all run operations through `yoga.getEnveloped`, so all three are traced here. Execution
 * runs inside the span's context, so the upstream requests and store queries it makes become its children.
 *
 * Installed only when tracing is on (src/server/yoga.ts): with tracing off there is no wrapper at all. It makes spans
 * through the TraceKit (its type only: the SDK is loaded lazily, tracing.ts). It wraps
 * execute like the upstream budget does, so it comes after any plugin that sets the execute function itself.
 *
 * Subscriptions: one span for the subscribe phase (set-up, replay bounds); each event's resolution then runs in that
 * span's context, so its upstream requests are children of the subscription's span. Events get no span of their
 * own: a span per event and subscriber would measure mostly the wait for the next event, and cost on the hottest path.
 */

export enum OperationOutcome {
  Ok = 'ok',
  Error = 'error',
}

/** The code a span reports for an error the gateway did not make (masked as "Unexpected error." for the client). */
export const UNCODED_ERROR = 'INTERNAL_ERROR';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
/** GraphQL names are [_A-Za-z][_0-9A-Za-z]*; a very long one is cut so span names stay readable. */
const MAX_NAME_LENGTH = 100;

export function useOperationTracing(kit: TraceKit): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn((args) => {
        const { span, context } = startOperation(kit, args);
        return settle(kit, () => kit.within(context, () => executeFn(args)), span, scopeIn(args.contextValue));
      });
    },
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(async (args) => {
        const { span, context } = startOperation(kit, args);
        const result = await settle(kit, () => kit.within(context, () => subscribeFn(args)), span, scopeIn(args.contextValue));
        return isAsyncIterable(result) ? (eventsWithin(kit, context, result) as typeof result) : result;
      });
    },
  };
}

function startOperation(kit: TraceKit, args: ExecutionArgs): ReturnType<TraceKit['startRoot']> {
  const operation = getOperationAST(args.document, args.operationName);
  const type = operation?.operation ?? 'query';
  const name = (operation?.name?.value ?? args.operationName ?? '').slice(0, MAX_NAME_LENGTH);
  const scope = scopeIn(args.contextValue);
  const attributes: Attributes = { 'graphql.operation.type': type };
  if (name !== '') attributes['graphql.operation.name'] = name;
  if (scope) attributes['gateway.transport'] = scope.transport;
  if (scope?.role) attributes['gateway.role'] = scope.role;
  return kit.startRoot(name === '' ? `graphql.${type}` : `graphql.${type} ${name}`, scope?.requestId, attributes);
}

/** Runs the phase, ends the span once its result is there (a thrown error included), hands the result on unchanged. */
async function settle<T>(kit: TraceKit, run: () => T | Promise<T>, span: Span, scope: RequestScope | undefined): Promise<T> {
  try {
    const result = await run();
    end(kit, span, isAsyncIterable(result) ? undefined : (result as ExecutionResult).errors, scope);
    return result;
  } catch (error) {
    end(kit, span, [error], scope);
    throw error;
  }
}

function end(kit: TraceKit, span: Span, errors: readonly unknown[] | undefined, scope: RequestScope | undefined): void {
  if (scope) span.setAttribute('gateway.upstream_calls', scope.upstreamCalls);
  const codes = errors && errors.length > 0 ? errorCodes(errors) : null;
  span.setAttribute('gateway.outcome', codes ? OperationOutcome.Error : OperationOutcome.Ok);
  if (codes) {
    span.setAttribute('gateway.error_codes', codes);
    // The codes only: messages may quote upstream text (src/redact.ts), and a span leaves the process unredacted.
    kit.fail(span, codes.join(','), codes[0]);
  }
  span.end();
}

/** The distinct codes of the errors, from the bounded set the gateway uses (anything else is UNCODED_ERROR). */
export function errorCodes(errors: readonly unknown[]): string[] {
  const codes = new Set<string>();
  for (const error of errors) {
    const original = (error as GraphQLError | undefined)?.originalError ?? error;
    const code = original instanceof GatewayError ? original.code : (error as GraphQLError | undefined)?.extensions?.code;
    codes.add(typeof code === 'string' && KNOWN_CODES.has(code) ? code : UNCODED_ERROR);
  }
  return [...codes];
}

/** Each event's resolution (`next()`) runs in the subscription span's context. */
function eventsWithin<T>(kit: TraceKit, context: Parameters<TraceKit['within']>[0], iterable: AsyncIterable<T>): AsyncIterableIterator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  const wrapped: AsyncIterableIterator<T> = {
    next: (...args: [] | [unknown]) => kit.within(context, () => iterator.next(...args)),
    return: (value?: unknown) => (iterator.return ? iterator.return(value) : Promise.resolve({ done: true, value: value as T })),
    throw: (error?: unknown) => (iterator.throw ? iterator.throw(error) : Promise.reject(error)),
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  return wrapped;
}
