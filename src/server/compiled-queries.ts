import type { CompiledQuery } from 'graphql-jit';
import { BREAK, type DocumentNode, type ExecutionResult, getOperationAST, getVariableValues, GraphQLError, type GraphQLSchema, type OperationDefinitionNode, type Source, visit } from 'graphql';
import { isPromise, type Plugin } from 'graphql-yoga';

/**
 * Hot query documents run compiled by graphql-jit instead of the interpreting executor (docs/design.md, "Compiled
 * queries"). A wallboard of 200 agents resolves ~4,000 fields per request; compiled, execution and the garbage it
 * leaves cost about a fifth less CPU per request (bench/README.md).
 *
 * What is compiled, and what is not:
 * - Queries only. Subscriptions keep the shared fan-out path (src/server/shared-execution.ts) and mutations their
 *   serial order; both are rare and small next to the wallboard.
 * - A document only once it has run HOT_AFTER times the ordinary way, so a client sending a stream of one-off
 *   documents costs a parse and a validation each, as before, never a compilation.
 * - At most MAX_COMPILED compiled documents at a time (least recently used dropped): generated code is memory.
 *   What is not compiled is remembered per document apart, and never takes a compiled document's place.
 * - Never a document with a string literal holding graphql-jit's "__MAGIC_" markers. graphql-jit writes argument
 *   literals into the code it generates and then rewrites `"__MAGIC_DATE__…<text>"` into `new Date(<text>)`: a
 *   literal carrying that marker would run its text as code (checked against graphql-jit 0.8.7 and 0.8.9). Variables
 *   never reach generated code.
 * - A document graphql-jit refuses runs the ordinary way, and is not tried again; so do variables that do not coerce
 *   (graphql-js's words for the error, and yoga's status).
 *
 * Results keep graphql-js's shape: graphql-jit's errors carry locations but no AST nodes, and every later step that
 * rebuilds an error (masking, yoga's serialization) rebuilds it from nodes or from source and positions; the errors
 * are given back their source and positions here, so their locations survive.
 */

/** Executions a document has run the ordinary way before it is compiled. */
export const HOT_AFTER = 2;
/** Compiled documents kept at once. */
export const MAX_COMPILED = 100;
/** Where graphql-jit's post-processing of generated code looks for its markers. */
const JIT_MARKER = '__MAGIC_';

type Jit = typeof import('graphql-jit');
let jit: Jit | null = null;
let loading: Promise<void> | null = null;

/**
 * Loads graphql-jit (and fast-json-stringify under it: ~50 ms of module evaluation), once. Called on the first hot
 * document rather than at start, so a gateway that never sees one never pays it; until it has loaded, documents run
 * the ordinary way. Tests await it to see compilation from the first request.
 */
export function loadCompiler(): Promise<void> {
  loading ??= import('graphql-jit').then(
    (module) => {
      jit = module;
    },
    () => undefined,
  );
  return loading;
}

/** What this process compiled, refused and ran compiled (tests count these). */
export const compiledQueryCounts = { compiled: 0, refused: 0, runs: 0 };

interface Compiled {
  query: CompiledQuery['query'];
  variables: OperationDefinitionNode['variableDefinitions'];
}

/** Whether a document holds a string literal graphql-jit would turn into code. */
function holdsJitMarker(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes(JIT_MARKER)) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Offsets of each line's start in a source, to turn a location back into a position. */
function lineStarts(source: Source): number[] {
  const starts = [0];
  const body = source.body;
  for (let i = 0; i < body.length; i += 1) {
    const c = body.charCodeAt(i);
    if (c === 13 && body.charCodeAt(i + 1) === 10) {
      i += 1;
      starts.push(i + 1);
    } else if (c === 10 || c === 13) starts.push(i + 1);
  }
  return starts;
}

/** graphql-jit's errors as graphql-js builds them: with source and positions, so a rebuilt error keeps its locations. */
function withPositions(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  const source = document.loc?.source;
  if (!result.errors?.length || !source) return result;
  let starts: number[] | undefined;
  const errors = result.errors.map((error) => {
    if (error.nodes || !error.locations?.length) return error;
    starts ??= lineStarts(source);
    const positions = error.locations.map(({ line, column }) => (starts![line - 1] ?? 0) + column - 1);
    return new GraphQLError(error.message, {
      source,
      positions,
      path: error.path,
      originalError: error.originalError ?? undefined,
      extensions: error.extensions,
    });
  });
  return { ...result, errors };
}

export function useCompiledQueries(hotAfter = HOT_AFTER, maxCompiled = MAX_COMPILED): Plugin {
  const runs = new WeakMap<DocumentNode, number>();
  /** Insertion order is recency: a hit moves its entry to the end. Only compiled code counts against the bound. */
  const compiled = new Map<DocumentNode, Map<string, Compiled>>();
  /** Operations that run the ordinary way for good (not queries, a marker, refused by graphql-jit), by document. */
  const refused = new WeakMap<DocumentNode, Set<string>>();

  function compiledFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): Compiled | null {
    const name = operationName ?? '';
    const byName = compiled.get(document);
    const hit = byName?.get(name);
    if (hit) {
      compiled.delete(document);
      compiled.set(document, byName!);
      return hit;
    }
    if (refused.get(document)?.has(name)) return null;
    const seen = (runs.get(document) ?? 0) + 1;
    runs.set(document, seen);
    if (seen <= hotAfter) return null;
    if (!jit) {
      void loadCompiler();
      return null;
    }
    const { compileQuery, isCompiledQuery } = jit;
    let entry: Compiled | null = null;
    const operation = getOperationAST(document, operationName);
    if (operation?.operation === 'query' && !holdsJitMarker(document)) {
      try {
        const result = compileQuery(schema, document, operationName ?? undefined);
        if (isCompiledQuery(result)) entry = { query: result.query, variables: operation.variableDefinitions };
      } catch {
        entry = null;
      }
    }
    if (!entry) {
      compiledQueryCounts.refused += 1;
      const names = refused.get(document) ?? new Set<string>();
      names.add(name);
      refused.set(document, names);
      return null;
    }
    compiledQueryCounts.compiled += 1;
    const next = byName ?? new Map<string, Compiled>();
    next.set(name, entry);
    compiled.delete(document);
    compiled.set(document, next);
    if (compiled.size > maxCompiled) compiled.delete(compiled.keys().next().value!);
    return entry;
  }

  return {
    onExecute({ args, setExecuteFn }) {
      const entry = compiledFor(args.schema, args.document, args.operationName);
      if (!entry) return;
      // Variables that do not coerce are a request error, which graphql-js words and yoga answers (400) its own way:
      // graphql-jit would word it differently and answer 200. So they run the ordinary way.
      if (entry.variables?.length && getVariableValues(args.schema, entry.variables, args.variableValues ?? {}).errors) return;
      setExecuteFn((execution) => {
        compiledQueryCounts.runs += 1;
        const result = entry.query(execution.rootValue, execution.contextValue, execution.variableValues);
        return isPromise(result)
          ? result.then((done) => withPositions(done, execution.document))
          : withPositions(result, execution.document);
      });
    },
  };
}
