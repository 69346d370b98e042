import {
  getNamedType,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';

/**
 * A grammar-based fuzzer for GraphQL operations, driven by the schema itself: random valid documents (selections,
 * aliases, fragments, inline fragments, arguments with valid and edge values), then mutated ones (characters dropped,
 * duplicated, spliced; tokens swapped) and pure random bytes. Everything comes from one seeded RNG, so a seed replays
 * a run exactly.
 */

// The simulator's seeded generator (mulberry32): the same seed replays a run exactly.
export { createRng, type Rng } from '../../src/simulator/rng.ts';
import type { Rng } from '../../src/simulator/rng.ts';

export interface GenerateOptions {
  /** Deepest selection generated; sometimes past the gateway's depth limit on purpose. */
  maxDepth: number;
  /** Most fields per selection set. */
  maxFields: number;
  /** Most list entries in an argument (keeps mutations cheap on the simulator). */
  maxListLength: number;
  /** Longest generated string argument. */
  maxStringLength: number;
}

const DEFAULT_OPTIONS: GenerateOptions = { maxDepth: 6, maxFields: 4, maxListLength: 3, maxStringLength: 10_000 };

/** Edge values per scalar; strings also get random unicode and long runs. */
const EDGE_STRINGS = ['', ' ', 'a', '9024', '90240001', '13900001111', 'sales', '名字', '😀', '\u0000', '\\', '"', 'Robert\'); DROP TABLE tasks;--', '${jndi:x}', '../../etc/passwd', '%00', 'UNKNOWN'];
const EDGE_INTS = [0, 1, -1, 2, 10, 50, 100, 1000, 1001, 2147483647, -2147483648];
const EDGE_FLOATS = [0, 0.5, -1.5, 1e-9, 1.7976931348623157e308, -1e308];
const DATES = ['2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', '2026-11-20T08:30:00+08:00', '2026-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-11-01T00:00:00', '2026-13-01T00:00:00Z', 'yesterday', ''];
const ID_SOURCES = ['Agent:90240001', 'Queue:sales', 'PredictiveTask:1', 'AiTask:00000000-0000-0000-0000-000000000000', 'CallRecord:1', 'ExtGroup:g1', 'Nope:1', ''];

function randomUnicode(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) {
    const range = rng.pick([
      [0x20, 0x7e],
      [0xa0, 0x2ff],
      [0x4e00, 0x9fff],
      [0x1f600, 0x1f64f],
      [0x0, 0x1f],
    ] as const);
    out += String.fromCodePoint(rng.int(range[0], range[1]));
  }
  return out;
}

function stringValue(rng: Rng, options: GenerateOptions): string {
  const roll = rng.next();
  if (roll < 0.6) return rng.pick(EDGE_STRINGS);
  if (roll < 0.85) return randomUnicode(rng, rng.int(1, 24));
  if (roll < 0.95) return String(rng.int(0, 99_999_999));
  return 'x'.repeat(rng.int(129, options.maxStringLength));
}

/** A GraphQL literal for a value of this input type (or a JSON value, when `json` is set, for variables). */
function inputValue(type: GraphQLInputType, rng: Rng, options: GenerateOptions, depth: number): unknown {
  if (isNonNullType(type)) return inputValue(type.ofType, rng, options, depth);
  if (rng.chance(0.05)) return null;
  if (isListType(type)) {
    const length = rng.int(0, options.maxListLength);
    return Array.from({ length }, () => inputValue(type.ofType, rng, options, depth + 1));
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((v) => v.name);
    return { enum: rng.chance(0.97) ? rng.pick(values) : 'NOT_A_VALUE' };
  }
  if (isInputObjectType(type)) {
    const result: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || (depth < 4 && rng.chance(0.5))) result[field.name] = inputValue(field.type, rng, options, depth + 1);
    }
    return result;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return rng.chance(0.9) ? rng.pick(EDGE_INTS) : rng.int(-1000, 100_000);
      case 'Float':
        return rng.pick(EDGE_FLOATS);
      case 'Boolean':
        return rng.chance(0.5);
      case 'ID':
        return rng.chance(0.7) ? Buffer.from(rng.pick(ID_SOURCES)).toString('base64') : rng.pick(ID_SOURCES);
      case 'DateTime':
        return rng.pick(DATES);
      default:
        return stringValue(rng, options);
    }
  }
  return null;
}

/** Prints a generated value as a GraphQL literal. */
export function printLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(printLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    if ('enum' in (value as Record<string, unknown>) && Object.keys(value as object).length === 1) return String((value as { enum: string }).enum);
    return `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${printLiteral(v)}`).join(', ')} }`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** The same value as JSON for a variable (enums as their names). */
function toJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('enum' in record && Object.keys(record).length === 1) return record.enum;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, toJson(v)]));
  }
  return value;
}

interface Builder {
  rng: Rng;
  schema: GraphQLSchema;
  options: GenerateOptions;
  fragments: string[];
  variables: Record<string, unknown>;
  variableDefinitions: string[];
  aliasCount: number;
}

function printTypeRef(type: GraphQLInputType): string {
  return String(type);
}

function argumentsFor(field: GraphQLField<unknown, unknown>, b: Builder): string {
  const parts: string[] = [];
  for (const arg of field.args as readonly GraphQLArgument[]) {
    if (!isNonNullType(arg.type) && !b.rng.chance(0.5)) continue;
    const value = inputValue(arg.type, b.rng, b.options, 0);
    if (b.rng.chance(0.2)) {
      const name = `v${b.variableDefinitions.length}`;
      b.variableDefinitions.push(`$${name}: ${printTypeRef(arg.type)}`);
      b.variables[name] = toJson(value);
      parts.push(`${arg.name}: $${name}`);
    } else {
      parts.push(`${arg.name}: ${printLiteral(value)}`);
    }
  }
  return parts.length > 0 ? `(${parts.join(', ')})` : '';
}

function leafFields(type: GraphQLObjectType | GraphQLCompositeType): GraphQLField<unknown, unknown>[] {
  if (!isObjectType(type) && !isInterfaceType(type)) return [];
  return Object.values(type.getFields()).filter((f) => isLeafType(getNamedType(f.type)) && f.args.every((a) => !isNonNullType(a.type)));
}

function selectionSet(type: GraphQLCompositeType, depth: number, b: Builder): string {
  const { rng, options } = b;
  if (isUnionType(type)) {
    const members = type.getTypes();
    const chosen = members.filter(() => rng.chance(0.5));
    const parts = ['__typename', ...chosen.map((member) => `... on ${member.name} ${selectionSet(member, depth + 1, b)}`)];
    return `{ ${parts.join(' ')} }`;
  }
  const fields = Object.values(type.getFields());
  const atBottom = depth >= options.maxDepth;
  const candidates = atBottom ? leafFields(type) : fields;
  const parts: string[] = [];
  const count = candidates.length === 0 ? 0 : rng.int(1, Math.min(options.maxFields, candidates.length));
  for (let i = 0; i < count; i += 1) {
    const field = rng.pick(candidates);
    const named = getNamedType(field.type) as GraphQLNamedType;
    const alias = rng.chance(0.15) ? `a${b.aliasCount++}: ` : '';
    const args = argumentsFor(field, b);
    const directive = rng.chance(0.05) ? ` @${rng.pick(['include', 'skip'])}(if: ${rng.chance(0.5)})` : '';
    const sub = isCompositeType(named) ? ` ${selectionSet(named, depth + 1, b)}` : '';
    parts.push(`${alias}${field.name}${args}${directive}${sub}`);
  }
  // An interface: sometimes ask for an implementation's own fields.
  if (isAbstractType(type) && !atBottom && rng.chance(0.4)) {
    const implementation = rng.pick(b.schema.getPossibleTypes(type));
    parts.push(`... on ${implementation.name} ${selectionSet(implementation, depth + 1, b)}`);
  }
  // A named fragment, spread once or twice.
  if (!atBottom && isObjectType(type) && rng.chance(0.1)) {
    const name = `F${b.fragments.length}`;
    b.fragments.push(`fragment ${name} on ${type.name} ${selectionSet(type, depth + 1, b)}`);
    parts.push(`...${name}`);
    if (rng.chance(0.3)) parts.push(`...${name}`);
  }
  if (parts.length === 0) parts.push('__typename');
  return `{ ${parts.join(' ')} }`;
}

export interface GeneratedOperation {
  query: string;
  variables?: Record<string, unknown>;
  operation: 'query' | 'mutation';
}

/** One random operation that follows the schema (its argument values may still be refused: that is the point). */
export function generateOperation(schema: GraphQLSchema, rng: Rng, overrides: Partial<GenerateOptions> = {}): GeneratedOperation {
  // Mostly shallow; one in ten goes past the depth limit.
  const maxDepth = overrides.maxDepth ?? (rng.chance(0.1) ? rng.int(10, 16) : rng.int(1, DEFAULT_OPTIONS.maxDepth));
  const options: GenerateOptions = { ...DEFAULT_OPTIONS, ...overrides, maxDepth };
  const b: Builder = { rng, schema, options, fragments: [], variables: {}, variableDefinitions: [], aliasCount: 0 };
  const mutationType = schema.getMutationType();
  const operation = mutationType && rng.chance(0.2) ? 'mutation' : 'query';
  const root = operation === 'mutation' ? mutationType! : schema.getQueryType()!;
  // Mutations one at a time (they are the expensive, state-changing part); queries may ask for a few root fields.
  if (operation === 'mutation') b.options = { ...options, maxFields: 1 };
  const selections = selectionSet(root, 0, b);
  const header = b.variableDefinitions.length > 0 ? `${operation} Fuzz(${b.variableDefinitions.join(', ')}) ` : rng.chance(0.5) ? `${operation} ` : operation === 'mutation' ? 'mutation ' : '';
  const query = `${header}${selections}${b.fragments.length > 0 ? ` ${b.fragments.join(' ')}` : ''}`;
  return { query, operation, ...(b.variableDefinitions.length > 0 ? { variables: b.variables } : {}) };
}

/** Damages a document the way careless or hostile clients do: characters dropped, doubled, spliced; tokens swapped. */
export function mutateDocument(source: string, rng: Rng): string {
  let text = source;
  const edits = rng.int(1, 4);
  for (let e = 0; e < edits; e += 1) {
    const at = rng.int(0, Math.max(0, text.length - 1));
    switch (rng.int(0, 6)) {
      case 0: // drop a run
        text = text.slice(0, at) + text.slice(at + rng.int(1, 8));
        break;
      case 1: // duplicate a run
        text = text.slice(0, at) + text.slice(at, at + rng.int(1, 16)).repeat(rng.int(2, 4)) + text.slice(at);
        break;
      case 2: // splice random characters (any code unit, lone surrogates and NUL included)
        text = text.slice(0, at) + Array.from({ length: rng.int(1, 6) }, () => String.fromCharCode(rng.int(0, 0xffff))).join('') + text.slice(at);
        break;
      case 3: {
        // swap two tokens
        const tokens = text.split(/(\s+|[{}():,!$@.[\]])/);
        const i = rng.int(0, tokens.length - 1);
        const j = rng.int(0, tokens.length - 1);
        [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
        text = tokens.join('');
        break;
      }
      case 4: // truncate
        text = text.slice(0, at);
        break;
      case 5: // unbalance
        text = text.slice(0, at) + rng.pick(['{', '}', '(', ')', '"', '"""', '...', '@', '$', '#']).repeat(rng.int(1, 50)) + text.slice(at);
        break;
      default: // a random keyword or name
        text = text.slice(0, at) + ` ${rng.pick(['query', 'mutation', 'subscription', 'fragment', 'on', '__schema', '__type', 'null', 'true', 'Query', 'node', '__typename'])} ` + text.slice(at);
    }
  }
  return text;
}

export function randomBytes(rng: Rng, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) out[i] = rng.int(0, 255);
  return out;
}

/** One fuzz case: what is POSTed to /graphql (always application/json) and how it was made. */
export interface FuzzCase {
  kind: 'valid' | 'mutated' | 'envelope' | 'bytes';
  operation: 'query' | 'mutation' | 'unknown';
  body: string | Buffer;
  /** The document, for reports (absent for random bytes). */
  query?: string;
}

/** 70 % valid operations, 18 % mutated documents, 5 % damaged JSON envelopes, 7 % random bytes. */
export function generateCase(schema: GraphQLSchema, rng: Rng): FuzzCase {
  const roll = rng.next();
  if (roll < 0.7) {
    const op = generateOperation(schema, rng);
    return { kind: 'valid', operation: op.operation, query: op.query, body: JSON.stringify(op.variables ? { query: op.query, variables: op.variables } : { query: op.query }) };
  }
  if (roll < 0.88) {
    const op = generateOperation(schema, rng);
    const query = mutateDocument(op.query, rng);
    return { kind: 'mutated', operation: /mutation/.test(query) ? 'mutation' : 'unknown', query, body: JSON.stringify({ query, ...(op.variables ? { variables: op.variables } : {}) }) };
  }
  if (roll < 0.93) {
    const op = generateOperation(schema, rng);
    const envelope = rng.pick<unknown>([
      { query: 1 },
      { query: null },
      { query: [op.query] },
      { query: op.query, variables: 'not an object' },
      { query: op.query, variables: [1, 2] },
      { query: op.query, operationName: 42 },
      { query: op.query, operationName: 'NoSuchOperation' },
      { query: op.query, extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } },
      { query: `${op.query} ${op.query}` },
      [{ query: op.query }, { query: op.query }],
      'just a string',
      null,
      {},
    ]);
    return { kind: 'envelope', operation: op.operation, query: op.query, body: JSON.stringify(envelope) };
  }
  return { kind: 'bytes', operation: 'unknown', body: randomBytes(rng, rng.int(0, 2048)) };
}
