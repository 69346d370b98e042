import type { FieldComplexityValue } from '@pothos/plugin-complexity';
import {
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isInterfaceType,
  isListType,
  isObjectType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { OperationLimits } from '../config.ts';
import { ErrorCode, OperationLimit, OperationLimitError } from '../errors.ts';
import { DEFAULT_LIST_SIZE, UPSTREAM_CALL } from './cost.ts';
import { checkDocumentText, checkVariablesText } from './input-text.ts';

/**
 * Operation limits, checked before anything runs (docs/security.md, "Operation limits"), on HTTP and graphql-ws alike
 * (the socket parses and validates through yoga.getEnveloped too):
 * - parse: at most `maxTokens` lexical tokens; the parser stops at the first one over, so a huge document is never built;
 * - validate, before the spec rules (per document, cached with it): depth, breadth, aliases and directives, counted
 *   per operation with fragments expanded, so an abusive document never reaches the quadratic overlapping-fields rule;
 * - validate, after the spec rules (per request: it depends on the variables, e.g. `first: $n`): the cost, with the
 *   cost each field declares through @pothos/plugin-complexity (src/limits/cost.ts);
 * - graphql-js stops validating after 100 errors with "Validation aborted."; that becomes a `validationErrors` refusal.
 * Every refusal is a GraphQL error with `extensions { code: OPERATION_LIMIT_EXCEEDED, limit, max, measured }`: 400 on HTTP.
 */

/** graphql-js's own error budget for validation (validate()'s default `maxErrors`). */
const MAX_VALIDATION_ERRORS = 100;
const VALIDATION_ABORTED = 'Too many validation errors, error limit reached. Validation aborted.';
/** graphql-js's parser message for `maxTokens` ("more that" is its spelling). */
const TOKENS_EXCEEDED = /^Syntax Error: Document contains more that \d+ tokens\. Parsing aborted\.$/;

/** The GraphQL error a refusal becomes: the stable code, which limit, its maximum and what the document measured. */
export function operationLimitError(limit: OperationLimit, max: number, measured: number, nodes?: readonly ASTNode[]): GraphQLError {
  const error = new OperationLimitError(limit, max, measured);
  // No originalError: yoga then treats it as a client error, never masks it, and keeps `http` out of the body. 400 for
  // every response type (`spec: false`): yoga would otherwise answer validation errors 200 to `Accept: application/json`.
  return new GraphQLError(error.message, {
    nodes,
    extensions: { code: error.code, ...error.extensions(), http: { status: 400, spec: false } },
  });
}

/** The document's parse with the token limit: a refusal names how far the parser got (max + 1 tokens). */
export function parseWithTokenLimit(maxTokens: number) {
  return (source: Parameters<typeof parse>[0], options?: Parameters<typeof parse>[1]): DocumentNode => {
    try {
      return parse(source, { ...options, maxTokens });
    } catch (error) {
      if (error instanceof GraphQLError && TOKENS_EXCEEDED.test(error.message)) {
        throw operationLimitError(OperationLimit.Tokens, maxTokens, maxTokens + 1);
      }
      throw error;
    }
  };
}

/** What an operation's document asks for, before any schema is consulted. */
export interface DocumentCounts {
  /** Deepest nesting of fields (a root field is 1). */
  depth: number;
  /** Field selections. */
  breadth: number;
  aliases: number;
  directives: number;
}

const NOTHING: DocumentCounts = { depth: 0, breadth: 0, aliases: 0, directives: 0 };

/**
 * Each operation's counts, fragments expanded (a fragment spread twice counts twice; each fragment is walked once, so
 * a fragment "bomb" costs a walk of its text, not of its expansion). Aliases of `__typename` are free. Below an
 * introspection field (`__schema`, `__type`) depth is not counted: graphql-js's MaxIntrospectionDepthRule bounds
 * introspection, and GraphiQL's own introspection query is 15 deep. Fragment cycles count as empty here; the spec
 * rules refuse them.
 */
export function countDocument(document: DocumentNode): Array<{ operation: OperationDefinitionNode; counts: DocumentCounts }> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const done = new Map<string, DocumentCounts>();
  const walking = new Set<string>();

  const countSet = (set: SelectionSetNode | undefined): DocumentCounts => {
    const total = { ...NOTHING };
    for (const selection of set?.selections ?? []) {
      let inner: DocumentCounts;
      let depth = 0;
      if (selection.kind === Kind.FIELD) {
        inner = countSet(selection.selectionSet);
        total.breadth += 1;
        if (selection.alias && selection.name.value !== '__typename') total.aliases += 1;
        depth = 1 + (selection.name.value.startsWith('__') ? 0 : inner.depth);
      } else {
        inner = selection.kind === Kind.INLINE_FRAGMENT ? countSet(selection.selectionSet) : countFragment(selection.name.value);
        depth = inner.depth;
      }
      total.depth = Math.max(total.depth, depth);
      total.breadth += inner.breadth;
      total.aliases += inner.aliases;
      total.directives += inner.directives + (selection.directives?.length ?? 0);
    }
    return total;
  };
  const countFragment = (name: string): DocumentCounts => {
    const known = done.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || walking.has(name)) return NOTHING;
    walking.add(name);
    const inner = countSet(fragment.selectionSet);
    walking.delete(name);
    const counts = { ...inner, directives: inner.directives + (fragment.directives?.length ?? 0) };
    done.set(name, counts);
    return counts;
  };

  return document.definitions
    .filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => {
      const counts = countSet(operation.selectionSet);
      return { operation, counts: { ...counts, directives: counts.directives + (operation.directives?.length ?? 0) } };
    });
}

/** A measured value as it goes out: numbers past 2^53 (fragment bombs reach Infinity) are reported as 2^53 - 1. */
const reported = (value: number) => Math.min(value, Number.MAX_SAFE_INTEGER);

/**
 * Depth, breadth, aliases and directives: they depend on the document only, so they are checked before the spec
 * rules (whose overlapping-fields rule is quadratic: 200 repeats of one small selection took 0.5 s to validate) and
 * the result is cached with the document's validation.
 */
export function checkDocumentLimits(document: DocumentNode, limits: OperationLimits): GraphQLError[] {
  const errors: GraphQLError[] = [];
  for (const { operation, counts } of countDocument(document)) {
    const over = (limit: OperationLimit, max: number, measured: number) => {
      if (measured > max) errors.push(operationLimitError(limit, max, reported(measured), [operation]));
    };
    over(OperationLimit.Depth, limits.maxDepth, counts.depth);
    over(OperationLimit.Breadth, limits.maxBreadth, counts.breadth);
    over(OperationLimit.Aliases, limits.maxAliases, counts.aliases);
    over(OperationLimit.Directives, limits.maxDirectives, counts.directives);
  }
  return errors;
}

export interface OperationRequest {
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/**
 * The variables as the cost needs them. The cost reads scalar arguments (`first`) and the length of scalar lists
 * (`nodes(ids:)`), never the entries of a list of input objects; such a list (a number upload: 300 000 entries) is cut
 * to its first entry here, so measuring does not coerce the upload a second time (execution coerces it once).
 */
export function costVariables(value: unknown, depth = 0): unknown {
  // The schema's inputs nest a few levels; deeper values are left as sent (GraphQL's coercion refuses them).
  if (depth > 16) return value;
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    return first !== null && typeof first === 'object' && !Array.isArray(first) ? [costVariables(first, depth + 1)] : value;
  }
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, costVariables(inner, depth + 1)]));
}

type FieldCost = FieldComplexityValue | ((args: Record<string, unknown>, ctx: object, field: GraphQLField<unknown, unknown>) => FieldComplexityValue);

/**
 * Pothos's complexity arithmetic over the costs the fields declare (`extensions.complexity`, set by
 * @pothos/plugin-complexity from each field's `complexity`, else defaultFieldCost): a field costs its own cost plus
 * its multiplier times its sub-selection's. Not Pothos's createComplexityRule: that one maps arguments through every
 * Pothos argument mapper (zod validation, global-id decoding) with a context that is not the request's yet, so one
 * invalid argument threw out of validation (a 500) or, as a reported error, left the whole operation unmeasured while
 * its other fields would still run. Here a cost function gets the arguments as GraphQL coerced them. Memoised per
 * selection set and type, so a fragment "bomb" costs a walk of its text.
 */
function costOfSelections(
  schema: GraphQLSchema,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  memo: WeakMap<SelectionSetNode, Map<GraphQLNamedType, number>>,
  set: SelectionSetNode,
  type: GraphQLNamedType,
): number {
  const known = memo.get(set)?.get(type);
  if (known !== undefined) return known;
  memo.set(set, (memo.get(set) ?? new Map()).set(type, 0)); // a cycle (invalid, refused by the spec rules) counts 0
  let total = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
      // Introspection and __typename are answered from memory: 1, like Pothos.
      if (!field) {
        total += 1;
        continue;
      }
      let declared = (field.extensions as { complexity?: FieldCost }).complexity ?? 1;
      if (typeof declared === 'function') {
        try {
          declared = declared(getArgumentValues(field, selection, variables), {}, field);
        } catch {
          declared = { field: UPSTREAM_CALL, multiplier: DEFAULT_LIST_SIZE };
        }
      }
      const own = typeof declared === 'number' ? declared : (declared.field ?? 1);
      const multiplier = typeof declared === 'object' && declared.multiplier !== undefined ? declared.multiplier : isListType(getNullableType(field.type)) ? DEFAULT_LIST_SIZE : 1;
      const below = selection.selectionSet ? costOfSelections(schema, fragments, variables, memo, selection.selectionSet, getNamedType(field.type)) : 0;
      total += own + Math.max(multiplier, 0) * below;
    } else {
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
      if (!fragment) continue;
      const on = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
      if (on) total += costOfSelections(schema, fragments, variables, memo, fragment.selectionSet, on);
    }
  }
  memo.get(set)?.set(type, total);
  return total;
}

/**
 * The declared cost of the request's operation with its variables; null when it cannot be measured (variables that
 * do not fit, an unknown operation name: execution refuses those before any resolver, as usual). Without an operation
 * name, the costliest operation of the document counts.
 */
export function measureCost(schema: GraphQLSchema, document: DocumentNode, request: OperationRequest): number | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION && (!request.operationName || definition.name?.value === request.operationName)) {
      operations.push(definition);
    }
  }
  const inputs = costVariables(request.variables ?? {}) as Record<string, unknown>;
  let measured: number | null = null;
  for (const operation of operations) {
    const memo = new WeakMap<SelectionSetNode, Map<GraphQLNamedType, number>>();
    const root = schema.getRootType(operation.operation);
    const variables = getVariableValues(schema, operation.variableDefinitions ?? [], inputs);
    if (!root || variables.errors) continue;
    measured = Math.max(measured ?? 0, costOfSelections(schema, fragments, variables.coerced, memo, operation.selectionSet, root));
  }
  return measured;
}

/**
 * The variables' shape against the input limits, before graphql-js coerces them: coercion goes through a list in one
 * go (a 300 000-entry number list holds the event loop for over a second; such lists go as `numbersCsv`, read in
 * slices) and recurses into nested values. An iterative walk that stops at the first value over a limit.
 */
export function checkVariables(variables: unknown, limits: Pick<OperationLimits, 'maxInputListLength' | 'maxInputDepth'>): GraphQLError[] {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: variables, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (value === null || typeof value !== 'object') continue;
    if (depth > limits.maxInputDepth) return [operationLimitError(OperationLimit.InputDepth, limits.maxInputDepth, depth)];
    const items = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
    if (Array.isArray(value) && value.length > limits.maxInputListLength) {
      return [operationLimitError(OperationLimit.InputListLength, limits.maxInputListLength, value.length)];
    }
    for (const item of items) if (item !== null && typeof item === 'object') stack.push({ value: item, depth: depth + 1 });
  }
  return [];
}

/**
 * A document without variable definitions costs the same on every request: yoga hands back the same parsed document
 * from its cache, so its cost is kept with it (per operation name) instead of walked again.
 */
const fixedCosts = new WeakMap<DocumentNode, Map<string, number | null>>();

function costOf(schema: GraphQLSchema, document: DocumentNode, request: OperationRequest): number | null {
  const fixed = document.definitions.every((d) => d.kind !== Kind.OPERATION_DEFINITION || !d.variableDefinitions?.length);
  if (!fixed) return measureCost(schema, document, request);
  let byName = fixedCosts.get(document);
  if (!byName) fixedCosts.set(document, (byName = new Map()));
  const name = request.operationName ?? '';
  if (!byName.has(name)) byName.set(name, measureCost(schema, document, request));
  return byName.get(name) ?? null;
}

/** The request's cost against the limit. */
export function checkCost(schema: GraphQLSchema, document: DocumentNode, request: OperationRequest, maxCost: number): GraphQLError[] {
  const cost = costOf(schema, document, request);
  return cost !== null && cost > maxCost ? [operationLimitError(OperationLimit.Cost, maxCost, reported(cost))] : [];
}

/** graphql-js's "Validation aborted." (after 100 errors) becomes a refusal that says what happened; the 100 stay. */
function explainAbort(errors: readonly GraphQLError[]): readonly GraphQLError[] {
  const last = errors.at(-1);
  if (!last || last.message !== VALIDATION_ABORTED) return errors;
  return [...errors.slice(0, -1), operationLimitError(OperationLimit.ValidationErrors, MAX_VALIDATION_ERRORS, errors.length)];
}

/**
 * The envelop plugin for yoga's `plugins` list. Yoga caches parse and validation results per document (its cache
 * plugin runs after this one), which suits the document-only checks; the cost depends on the variables (`first: $n`),
 * so it is checked on every request after the cache, and a cost refusal the cache kept is dropped and measured again.
 */
export function useOperationLimits(limits: OperationLimits): Plugin {
  const parseFn = parseWithTokenLimit(limits.maxTokens);
  const perRequest = new WeakSet<GraphQLError>();
  return {
    onParse({ setParseFn }) {
      setParseFn(parseFn);
    },
    // Yoga marks every parse error as a spec error (`http.spec ||= true`, answered 200 to `Accept: application/json`);
    // a token refusal is answered 400 like the others.
    onResultProcess({ result }) {
      for (const single of Symbol.asyncIterator in result ? [] : Array.isArray(result) ? result : [result]) {
        for (const error of single.errors ?? []) {
          const http = error.extensions?.http as { spec?: boolean } | undefined;
          if (error.extensions?.code === ErrorCode.OperationLimitExceeded && http) http.spec = false;
        }
      }
    },
    onValidate({ params, validateFn, setValidationFn }) {
      setValidationFn((schema, document, rules, typeInfo, options) => {
        const refused = checkDocumentLimits(document, limits);
        if (refused.length > 0) return refused;
        const text = checkDocumentText(document);
        return text.length > 0 ? text : explainAbort(validateFn(schema, document, rules, typeInfo, options));
      });
      return ({ result, setResult, context }) => {
        const errors = result.filter((error) => !perRequest.has(error));
        let next = errors;
        if (errors.length === 0) {
          const request = (context as { params?: OperationRequest }).params ?? {};
          next = checkVariables(request.variables ?? {}, limits);
          if (next.length === 0) next = checkVariablesText(request.variables ?? {});
          if (next.length === 0) next = checkCost(params.schema, params.documentAST, request, limits.maxCost);
          for (const error of next) perRequest.add(error);
        }
        if (next !== result) setResult(next);
      };
    },
  };
}
