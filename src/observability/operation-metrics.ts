import type { IncomingMessage } from 'node:http';
import { type DocumentNode, type ExecutionResult, getOperationAST, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { GatewayError } from '../errors.ts';
import { type GatewayMetrics, OperationTypeLabel, OTHER, YogaErrorCode } from './metrics.ts';
import { type RequestScope, scopeOf } from './request-scope.ts';

/**
 * Counts every GraphQL operation once, with its outcome and duration: an envelop plugin, so the three ways an
 * operation runs are all seen (yoga's HTTP handler, the HTTP fast path and graphql-ws: each goes through
 * `yoga.getEnveloped`).
 *
 * Where an operation ends decides where it is counted: a parse error at parse (named by the request's
 * `operationName`, type unknown), a refused document (validation, operation limits) at validation, everything else when execution (or, for a subscription, its setup) returns. The
 * fast path hands a request it will not answer to yoga, which parses and validates it again: an operation is counted
 * once per request scope, so that second pass is not counted again. The group pipelines graphql-ws runs to share a
 * subscription's events (src/server/shared-execution.ts) carry no client parameters and are not operations.
 *
 * Duration: from the request's arrival (HTTP; graphql-ws: the operation's) to the result, read from the request scope.
 * Every hook below is one function per plugin, not one per request.
 */

/** What the hooks find in the context: the initial one (parse, validate) or the built one (execute, subscribe). */
interface OperationContext {
  scope?: RequestScope;
  req?: IncomingMessage;
  params?: { operationName?: string | null } | null;
}

/** The first error's code: as masked (`extensions.code`), or the gateway error it will be masked from. */
function codeOf(error: unknown, fallback: string | null): string | null {
  if (error instanceof GraphQLError) {
    const code = error.extensions?.code;
    if (typeof code === 'string') return code;
    if (error.originalError instanceof GatewayError) return error.originalError.code;
  }
  if (error instanceof GatewayError) return error.code;
  return fallback;
}

const TYPES: Record<string, OperationTypeLabel> = {
  query: OperationTypeLabel.Query,
  mutation: OperationTypeLabel.Mutation,
  subscription: OperationTypeLabel.Subscription,
};

export function useOperationMetrics(metrics: GatewayMetrics): Plugin {
  /** Requests (their scopes) already counted; a context stands in where there is no scope (a test's yoga.fetch). */
  const counted = new WeakSet<object>();

  function record(context: OperationContext, name: string | null | undefined, type: OperationTypeLabel, outcome: string | null): void {
    const scope = context.scope ?? scopeOf(context.req);
    const key: object = scope ?? context;
    if (counted.has(key)) return;
    counted.add(key);
    metrics.operation(name, type, outcome, scope?.startedAt ?? performance.now());
  }

  /** Counts an operation of a parsed document; `firstError` undefined: it succeeded. */
  function recordResult(
    context: OperationContext,
    document: DocumentNode,
    operationName: string | null | undefined,
    firstError: unknown,
    fallback: string = OTHER,
  ): void {
    const operation = getOperationAST(document, operationName);
    const type = (operation && TYPES[operation.operation]) ?? OperationTypeLabel.Unknown;
    record(context, operation?.name?.value ?? operationName, type, firstError === undefined ? null : codeOf(firstError, fallback));
  }

  const afterParse = ({ context, result }: { context: unknown; result: unknown }) => {
    if (!(result instanceof Error)) return;
    const ctx = context as OperationContext;
    record(ctx, ctx.params?.operationName, OperationTypeLabel.Unknown, codeOf(result, YogaErrorCode.ParseFailed));
  };
  /**
   * The document being validated, for its operation's name and type: validation runs synchronously from the first
   * before-hook to the last after-hook, so one slot serves every request without a closure each.
   */
  let validating: DocumentNode | null = null;
  const beforeValidate = ({ params }: { params: { documentAST: DocumentNode } }) => {
    validating = params.documentAST;
    return afterValidate;
  };
  const afterValidate = ({ context, result }: { context: unknown; result: readonly unknown[] }) => {
    const document = validating;
    validating = null;
    if (result.length === 0 || !document) return;
    const ctx = context as OperationContext;
    recordResult(ctx, document, ctx.params?.operationName, result[0], YogaErrorCode.ValidationFailed);
  };
  const executeHooks = {
    onExecuteDone({ args, result }: { args: { contextValue: unknown; document: DocumentNode; operationName?: string | null }; result: unknown }) {
      if (isAsyncIterable(result)) return;
      recordResult(args.contextValue as OperationContext, args.document, args.operationName, (result as ExecutionResult).errors?.[0]);
    },
  };
  const subscribeHooks = {
    onSubscribeResult({ args, result }: { args: { contextValue: unknown; document: DocumentNode; operationName?: string | null }; result: unknown }) {
      const context = args.contextValue as OperationContext;
      // A group's shared pipeline (no client parameters): the subscribers' own operations were counted.
      if (!context.params) return;
      recordResult(context, args.document, args.operationName, isAsyncIterable(result) ? undefined : (result as ExecutionResult).errors?.[0]);
    },
  };

  return {
    onParse: () => afterParse,
    onValidate: beforeValidate,
    onExecute: () => executeHooks,
    onSubscribe: () => subscribeHooks,
  };
}
