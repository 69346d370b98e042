import { type DocumentNode, type ExecutionResult, getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { type RequestScope, scopeIn } from './request-scope.ts';

/**
 * Tells the request's scope what it runs (operation name and type, for the access line) and which scope the errors of
 * its result belong to (so the upstream failures the error masking logs carry the request id). An envelop plugin, so
 * HTTP (yoga and the fast path) and graphql-ws alike go through it: all run `yoga.getEnveloped`'s execute/subscribe.
 */

/** Longest operation name logged; longer ones are cut (a name is client text). */
export const MAX_OPERATION_NAME = 100;
/** What a name with other characters than letters, digits and `_` is logged as. */
export const UNLOGGABLE_OPERATION_NAME = '[invalid]';
const LOGGABLE_NAME = /^[A-Za-z0-9_]+$/;

/** An operation name as logs may carry it: GraphQL names only, capped; anything else replaced. */
export function loggableOperationName(name: string | null | undefined): string | null {
  if (name === null || name === undefined || name === '') return null;
  const capped = name.length > MAX_OPERATION_NAME ? name.slice(0, MAX_OPERATION_NAME) : name;
  return LOGGABLE_NAME.test(capped) ? capped : UNLOGGABLE_OPERATION_NAME;
}

/** Errors of results → the scope of the request that produced them (WeakMap: nothing kept once the error is gone). */
const errorScopes = new WeakMap<object, RequestScope>();

/** The scope of the request whose result carried this error (or its original error), if known. */
export function scopeOfError(error: unknown): RequestScope | undefined {
  return typeof error === 'object' && error !== null ? errorScopes.get(error) : undefined;
}

function describe(scope: RequestScope, document: DocumentNode, operationName: string | null | undefined): void {
  const operation = getOperationAST(document, operationName);
  scope.operationType = operation?.operation ?? null;
  scope.operationName = loggableOperationName(operation?.name?.value ?? operationName);
}

function tagErrors(scope: RequestScope, result: ExecutionResult): void {
  const { errors } = result;
  if (!errors) return;
  for (const error of errors) {
    errorScopes.set(error, scope);
    if (error.originalError) errorScopes.set(error.originalError, scope);
  }
}

/**
 * A single result's errors. A stream's events are not tagged: an `onNext` hook makes envelop wrap every subscription's
 * stream in a mapping iterator of its own, ~1 kB more per idle subscription (issue 13's bound is 12 kB) and a step
 * more per event, for the rare upstream failure of an event's resolution, which is logged without its request id.
 */
function tagResult(scope: RequestScope, result: ExecutionResult | AsyncIterable<ExecutionResult>): void {
  if (!isAsyncIterable(result)) tagErrors(scope, result);
}

/**
 * The plugin. Must come before yoga's error masking (user plugins do), so the errors are tagged before maskError
 * sees them. Costs a getOperationAST per operation, and a loop over errors only when there are some.
 */
export function useOperationScope(): Plugin {
  return {
    onExecute({ args }) {
      const scope = scopeIn(args.contextValue);
      if (!scope) return undefined;
      describe(scope, args.document, args.operationName);
      return { onExecuteDone: ({ result }) => tagResult(scope, result) };
    },
    onSubscribe({ args }) {
      const scope = scopeIn(args.contextValue);
      if (!scope) return undefined;
      describe(scope, args.document, args.operationName);
      return { onSubscribeResult: ({ result }) => tagResult(scope, result) };
    },
  };
}
