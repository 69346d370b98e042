import { OperationLimit } from '../../src/errors.ts';
import { expect } from 'vitest';
import {
  ALLOWED_ORIGIN,
  bearer,
  CALLBACK_SECRET,
  DEFAULTS,
  type Expected,
  FOREIGN_ORIGIN,
  graphqlPost,
  type RawReply,
  type RawRequest,
  rawRequest,
  slowHeaders,
  times,
} from './harness.ts';
import { deepArray } from '../utils/deep-json.ts';

/**
 * The hostile shapes sent over HTTP: one row each. `build()` makes the request (or requests: a shape that is many
 * loads sends them all); `expected` is what every one of its replies must be; `env` starts the shape on a gateway with
 * that extra configuration (shared by every shape with the same env). The runner (http.test.ts) adds the checks every
 * shape gets: no upstream call, a probe answered meanwhile.
 */
export interface HttpShape {
  name: string;
  /** Where the shape comes from: the issue's list, OWASP's GraphQL cheat sheet, or the limits' own boundaries. */
  source: 'issue' | 'owasp' | 'limit';
  env?: Record<string, string>;
  /** The request(s) to send; or `run` for a shape that is not a plain request (it gets the gateway's base URL). */
  build?(): RawRequest | RawRequest[];
  run?(baseUrl: string): Promise<RawReply[]>;
  expected: Expected;
}

const limit = (name: `${OperationLimit}`, max?: number): Expected => ({
  status: 400,
  code: 'OPERATION_LIMIT_EXCEEDED',
  limit: { name, ...(max !== undefined ? { max } : {}) },
});

/** `root { a { b { … leaf } } }` along a path that cycles through `cycle`. */
function nest(root: string, cycle: readonly string[], levels: number, fieldsAt: (name: string) => string, leaf: string): string {
  const names = [root];
  for (let i = 0; names.length < levels; i += 1) names.push(cycle[i % cycle.length]!);
  let inner = leaf;
  for (let i = names.length - 1; i >= 0; i -= 1) {
    const extra = fieldsAt(names[i]!);
    inner = `${names[i]} { ${extra ? `${extra} ` : ''}${inner} }`;
  }
  return `{ ${inner} }`;
}

/** The issue's 15-level shape: queues→seats→agent→seats→queue…, 164 bytes. */
export const DEEP_QUEUES = nest('queues', ['seats', 'agent', 'seats', 'queue'], 15, () => '', 'extension');
/** The same under agents (a connection: `agents { edges { node { … } } }`), with a few fields at each level, ~450 bytes. */
export const DEEP_AGENTS = nest(
  'agents',
  ['edges', 'node', 'seats', 'queue', 'seats', 'agent', 'seats', 'queue', 'seats', 'agent', 'seats', 'queue', 'seats', 'agent', 'seats'],
  16,
  (name) =>
    name === 'agents' || name === 'edges'
      ? ''
      : name.startsWith('agent') || name === 'node'
        ? 'extension enabled'
        : name === 'queue'
          ? 'name strategy'
          : 'paused answeredCount',
  'state',
);

/** Fragments that each go one level deeper: depth 2 × levels, reached only through spreads. */
function deepFragments(levels: number): string {
  const fragments: string[] = [];
  for (let i = 0; i < levels; i += 1) {
    const onQueue = i % 2 === 0;
    const next = i + 1 < levels ? `...F${i + 1}` : onQueue ? 'extension' : 'name';
    fragments.push(onQueue ? `fragment F${i} on Queue { seats { agent { ${next} } } }` : `fragment F${i} on Agent { seats { queue { ${next} } } }`);
  }
  return `{ queues { ...F0 } } ${fragments.join(' ')}`;
}

/** F_n spreads F_{n-1} twice: 2^n selections once expanded, from a document of a few hundred bytes. */
function fragmentExplosion(levels: number): string {
  const fragments = ['fragment F0 on GatewayInfo { version demo }'];
  for (let i = 1; i <= levels; i += 1) fragments.push(`fragment F${i} on GatewayInfo { ...F${i - 1} ...F${i - 1} }`);
  return `{ gateway { ...F${levels} } } ${fragments.join(' ')}`;
}

/** `__schema { types { fields { type { fields { type { … } } } } } }`: the circular introspection query. */
function circularIntrospection(pairs: number): string {
  let inner = 'name';
  for (let i = 0; i < pairs; i += 1) inner = `fields { type { ${inner} } }`;
  return `{ __schema { types { ${inner} } } }`;
}

const MIB = 1024 * 1024;
const FROM = '2026-11-01T00:00:00Z';
const TO = '2026-11-02T00:00:00Z';

/** A deterministic stream of bytes (xorshift), so a failing row replays byte for byte. */
function randomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A mutation that would reach the PBX (DeleteQueue) if it ran: the CSRF rows must never run it. */
const HARMFUL_MUTATION = 'mutation { deleteQueue(name: "sales") { __typename } }';
/** Open mode (no API keys), where a browser's ambient access is all a CSRF attack needs. */
const OPEN = { GATEWAY_AUTH: 'off' };

const noForeignCors = (reply: RawReply) => {
  const allowed = reply.headers['access-control-allow-origin'];
  expect(allowed, 'the foreign origin is never reflected').not.toBe(FOREIGN_ORIGIN);
  expect(allowed, 'no wildcard either').not.toBe('*');
};

const callback = (kind: string, body: string | Buffer, contentType: string): RawRequest => ({
  path: `/callbacks/${CALLBACK_SECRET}/${kind}`,
  headers: { 'content-type': contentType },
  body,
});

const nested = deepArray;

export const HTTP_SHAPES: readonly HttpShape[] = [
  // ---- Operation limits at the issue's sizes -----------------------------------------------------------------------
  { name: `depth: queues→seats→agent→seats→queue, 15 levels (${DEEP_QUEUES.length} B)`, source: 'issue', build: () => graphqlPost(DEEP_QUEUES), expected: limit(OperationLimit.Depth, DEFAULTS.maxDepth) },
  { name: `depth: the same under agents (${DEEP_AGENTS.length} B)`, source: 'issue', build: () => graphqlPost(DEEP_AGENTS), expected: limit(OperationLimit.Depth, DEFAULTS.maxDepth) },
  {
    name: 'aliases: 2,000 aliases (over the token limit first: it is checked while parsing)',
    source: 'issue',
    build: () => graphqlPost(`{ ${times(2_000, (i) => `a${i}: gateway { version }`)} }`),
    expected: limit(OperationLimit.Tokens, DEFAULTS.maxTokens),
  },
  {
    name: 'aliases: 10,000 aliases of callRecords with distinct filters',
    source: 'issue',
    build: () =>
      graphqlPost(`{ ${times(10_000, (i) => `r${i}: callRecords(filter: { from: "${FROM}", to: "${TO}", customerId: "C${i}" }, first: 1) { edges { node { id } } }`)} }`),
    expected: limit(OperationLimit.Tokens, DEFAULTS.maxTokens),
  },
  { name: 'aliases: 31 aliases (one over)', source: 'limit', build: () => graphqlPost(`{ ${times(31, (i) => `a${i}: gateway { version }`)} }`), expected: limit(OperationLimit.Aliases, DEFAULTS.maxAliases) },
  { name: 'breadth: the same field 301 times (one over)', source: 'limit', build: () => graphqlPost(`{ gateway { ${times(301, () => 'version')} } }`), expected: limit(OperationLimit.Breadth, DEFAULTS.maxBreadth) },
  { name: 'directives: 21 (one over), one per field', source: 'limit', build: () => graphqlPost(`{ gateway { ${times(21, () => 'version @include(if: true)')} } }`), expected: limit(OperationLimit.Directives, DEFAULTS.maxDirectives) },
  {
    name: 'cost: a wallboard query over MAX_QUERY_COST=5',
    source: 'limit',
    env: { MAX_QUERY_COST: '5' },
    build: () =>
      graphqlPost(
        '{ agents { edges { node { extension enabled callStatus { state } registration { registered } validity seats { paused queue { name strategy } } } } } queues { name seats { paused } } extGroups { name } }',
      ),
    expected: limit(OperationLimit.Cost, 5),
  },
  {
    name: 'huge document: 150 validation errors give a clear limit, not "Validation aborted."',
    source: 'issue',
    build: () => graphqlPost(`{ ${times(150, (i) => `noSuchField${i}`)} }`),
    // The first 100 errors name the unknown fields; the refusal takes the place of graphql-js's "Validation aborted.".
    expected: {
      ...limit(OperationLimit.ValidationErrors, 100),
      inAnyError: true,
      check: (reply) => expect(reply.text).not.toMatch(/Validation aborted/),
    },
  },
  // ---- OWASP GraphQL cheat sheet ------------------------------------------------------------------------------------
  { name: 'field duplication: gateway { version } 10,000 times without aliases', source: 'owasp', build: () => graphqlPost(`{ gateway { ${times(10_000, () => 'version')} } }`), expected: limit(OperationLimit.Tokens, DEFAULTS.maxTokens) },
  { name: 'directive overloading: @include(if: true) 5,000 times on one field', source: 'owasp', build: () => graphqlPost(`{ gateway { version ${times(5_000, () => '@include(if: true)')} } }`), expected: limit(OperationLimit.Tokens, DEFAULTS.maxTokens) },
  { name: 'deeply nested fragments: depth 20 reached only through 10 fragment spreads', source: 'owasp', build: () => graphqlPost(deepFragments(10)), expected: limit(OperationLimit.Depth, DEFAULTS.maxDepth) },
  { name: 'fragment cycle: A spreads B spreads A', source: 'owasp', build: () => graphqlPost('{ ...A } fragment A on Query { gateway { version } ...B } fragment B on Query { ...A }'), expected: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' } },
  { name: 'fragment explosion: 2^18 selections from 18 doubling fragments', source: 'owasp', build: () => graphqlPost(fragmentExplosion(18)), expected: limit(OperationLimit.Breadth, DEFAULTS.maxBreadth) },
  { name: 'circular introspection: __schema { types { fields { type { fields … } } } } (admin), 13 deep', source: 'owasp', build: () => graphqlPost(circularIntrospection(5)),
    // graphql-js's own MaxIntrospectionDepthRule may refuse it first (a validation error), or the depth limit.
    expected: { status: 400, code: ['OPERATION_LIMIT_EXCEEDED', 'GRAPHQL_VALIDATION_FAILED'], limit: { name: OperationLimit.Depth, max: DEFAULTS.maxDepth } } },
  { name: 'introspection by a viewer (production policy: admin only)', source: 'owasp', build: () => graphqlPost('{ __schema { queryType { name } } }', { key: 'viewer' }), expected: { status: [400, 403], code: 'FORBIDDEN' } },
  { name: '__type introspection by a viewer (production policy: admin only)', source: 'owasp', build: () => graphqlPost('{ __type(name: "Agent") { fields { name } } }', { key: 'viewer' }), expected: { status: [400, 403], code: 'FORBIDDEN' } },
  {
    name: 'persisted query: a hash no trusted document has',
    source: 'limit',
    build: () => ({ ...graphqlPost(''), body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }) }),
    expected: { status: 400, code: 'PERSISTED_QUERY_NOT_FOUND' },
  },
  {
    name: 'persisted query: a malformed extension over GET (version 2, not a sha256)',
    source: 'limit',
    build: () => ({
      method: 'GET',
      path: `/graphql?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 2, sha256Hash: '../../etc/passwd' } }))}`,
      headers: { authorization: bearer('viewer') },
    }),
    expected: { status: 400, code: 'INVALID_INPUT' },
  },
  {
    name: 'persisted query: a 1 MiB "hash" in a POST body',
    source: 'limit',
    build: () => ({ ...graphqlPost(''), body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(MIB) } } }) }),
    expected: { status: 400, code: 'INVALID_INPUT' },
  },
  {
    name: 'batching: a JSON array of 1,000 operations in one POST (batching is off)',
    source: 'owasp',
    build: () => ({ ...graphqlPost(''), body: JSON.stringify(Array.from({ length: 1_000 }, (_, i) => ({ query: `{ a${i}: agents { totalCount } }` }))) }),
    expected: { status: 400, code: 'BAD_REQUEST' },
  },
  {
    name: 'excessive first: callRecords(first: 100000)',
    source: 'owasp',
    build: () => graphqlPost(`{ callRecords(filter: { from: "${FROM}", to: "${TO}" }, first: 100000) { edges { node { id } } } }`),
    // Either refused by the cost limit (if cost scales with `first`) or by the argument's 1…1000 range.
    expected: { status: [200, 400], code: ['INVALID_INPUT', 'OPERATION_LIMIT_EXCEEDED'] },
  },
  { name: 'very long token: a 1 MiB field name', source: 'owasp', build: () => graphqlPost(`{ ${'x'.repeat(MIB)} }`), expected: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' } },
  {
    name: 'very long string: a 1 MiB customerId in a callRecords filter',
    source: 'owasp',
    build: () => graphqlPost(`query($f: CallRecordFilter!) { callRecords(filter: $f, first: 1) { edges { node { id } } } }`, { variables: { f: { from: FROM, to: TO, customerId: '9'.repeat(MIB) } } }),
    expected: { status: [200, 400], code: 'INVALID_INPUT' },
  },
  {
    name: 'very long string: a 1 MiB agent(extension:)',
    source: 'owasp',
    build: () => graphqlPost(`query($e: String!) { agent(extension: $e) { extension } }`, { variables: { e: '9'.repeat(MIB) } }),
    expected: { status: [200, 400], code: ['INVALID_INPUT', 'OPERATION_LIMIT_EXCEEDED'] },
  },
  { name: 'body over MAX_REQUEST_BODY_BYTES (8 MiB + 1)', source: 'issue', build: () => ({ ...graphqlPost(''), body: `{"query":"{ gateway { version } }","pad":"${'p'.repeat(DEFAULTS.maxRequestBodyBytes)}"}` }), expected: { status: 413, code: 'REQUEST_ENTITY_TOO_LARGE' } },
  { name: 'chunked POST without Content-Length', source: 'limit', build: () => ({ ...graphqlPost('{ gateway { version } }'), chunked: true }), expected: { status: 411, code: 'LENGTH_REQUIRED' } },
  { name: 'invalid UTF-8 body', source: 'owasp', build: () => ({ ...graphqlPost(''), body: Buffer.from([0x7b, 0x22, 0x71, 0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0x22, 0x7d]) }), expected: { status: 400, code: 'BAD_REQUEST' } },
  { name: 'random bytes body (64 KiB, seed 9)', source: 'owasp', build: () => ({ ...graphqlPost(''), body: randomBytes(64 * 1024, 9) }), expected: { status: 400, code: 'BAD_REQUEST' } },
  { name: 'null byte after the document', source: 'owasp', build: () => graphqlPost('{ gateway { version } }\u0000'), expected: { status: 400, code: 'GRAPHQL_PARSE_FAILED' } },
  { name: 'null byte inside a string argument', source: 'owasp', build: () => graphqlPost(`{ callRecords(filter: { from: "${FROM}", to: "${TO}", customerId: "C1\\u0000" }, first: 1) { edges { node { id } } } }`), expected: { status: [200, 400], code: 'INVALID_INPUT' } },
  {
    name: 'variables nested 10,000 deep',
    source: 'owasp',
    build: () => ({ ...graphqlPost(''), body: `{"query":"query($f: CallRecordFilter!) { callRecords(filter: $f, first: 1) { edges { node { id } } } }","variables":{"f":{"from":"${FROM}","to":"${TO}","agents":${nested(10_000)}}}}` }),
    expected: limit(OperationLimit.InputDepth, 16),
  },
  {
    name: 'a variable list of 200,000 entries (over MAX_INPUT_LIST_LENGTH 10,000)',
    source: 'owasp',
    build: () => graphqlPost(`query($f: CallRecordFilter!) { callRecords(filter: $f, first: 1) { edges { node { id } } } }`, { variables: { f: { from: FROM, to: TO, agents: Array.from({ length: 200_000 }, () => '9') } } }),
    expected: limit(OperationLimit.InputListLength, 10_000),
  },
  {
    name: 'a variable of the wrong shape is refused with a code (variable coercion)',
    source: 'limit',
    build: () => graphqlPost(`query($f: CallRecordFilter!) { callRecords(filter: $f, first: 1) { edges { node { id } } } }`, { variables: { f: { from: FROM, to: TO, agents: [[['9']]] } } }),
    expected: { status: [200, 400], code: ['BAD_USER_INPUT', 'INVALID_INPUT'] },
  },
  {
    name: 'invalid input on a query (`to` before `from`) is INVALID_INPUT, never a 500',
    source: 'limit',
    build: () => graphqlPost(`{ callRecords(filter: { from: "${TO}", to: "${FROM}" }, first: 1) { edges { node { id } } } }`),
    expected: { status: [200, 400], code: 'INVALID_INPUT' },
  },
  {
    name: 'a global id of no known type is refused with a code',
    source: 'owasp',
    build: () => graphqlPost(`{ node(id: "${Buffer.from('Nope:1').toString('base64')}") { id } nodes(ids: ["Nope:1", ""]) { id } }`),
    expected: { status: [200, 400], code: ['INVALID_INPUT', 'NOT_FOUND'] },
  },
  // Found by the fuzzer (seed 42, case 816; seed 7, case 14174): UNKNOWN is an output-only enum value, and sent back it
  // once ended as an internal error. Input positions now use enums without it (QueueStrategyInput, …): GraphQL refuses
  // it before anything runs, as a literal (validation) or as a variable (INVALID_INPUT).
  {
    name: 'createQueue with strategy UNKNOWN (a literal) is refused by validation, not an internal error',
    source: 'limit',
    build: () => graphqlPost('mutation { createQueue(input: { name: "hostile-q", strategy: UNKNOWN }) { __typename } }', { key: 'operator' }),
    expected: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: 'createQueue with strategy UNKNOWN (a variable) is INVALID_INPUT, not an internal error',
    source: 'limit',
    build: () =>
      graphqlPost('mutation($s: QueueStrategyInput) { createQueue(input: { name: "hostile-q", strategy: $s }) { __typename } }', {
        key: 'operator',
        variables: { s: 'UNKNOWN' },
      }),
    expected: { status: [200, 400], code: 'INVALID_INPUT' },
  },
  {
    name: 'setExtGroupMemberState with state UNKNOWN (a literal) is refused by validation, not an internal error',
    source: 'limit',
    build: () => graphqlPost('mutation { setExtGroupMemberState(input: { extension: "90240001", group: "group-day", state: UNKNOWN }) { __typename } }', { key: 'operator' }),
    expected: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    name: 'a call-record filter with callMethod UNKNOWN (a variable) is INVALID_INPUT, not "any method"',
    source: 'issue',
    build: () =>
      graphqlPost(`query($f: CallRecordFilter!) { callRecords(filter: $f, first: 1) { edges { node { id } } } }`, {
        variables: { f: { from: FROM, to: TO, callMethod: 'UNKNOWN' } },
      }),
    expected: { status: [200, 400], code: 'INVALID_INPUT' },
  },
  {
    name: 'a mutation with invalid input gets an InvalidInputError member, nothing sent',
    source: 'issue',
    build: () => graphqlPost('mutation { checkInAgent(input: { queue: "", extension: "x", employeeId: -1 }) { __typename ... on InvalidInputError { code issues { path message } } } }', { key: 'operator' }),
    expected: {
      status: 200,
      check: (reply) => {
        expect(reply.json?.errors, `no top-level error: ${reply.text.slice(0, 300)}`).toBeUndefined();
        expect(reply.json?.data?.checkInAgent).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
      },
    },
  },
  {
    name: 'the same invalid mutation with a viewer key is FORBIDDEN (authorization before input validation)',
    source: 'limit',
    build: () => graphqlPost('mutation { checkInAgent(input: { queue: "", extension: "x", employeeId: -1 }) { __typename } }', { key: 'viewer' }),
    expected: { status: [200, 403], code: 'FORBIDDEN' },
  },
  // ---- Strict DateTime -----------------------------------------------------------------------------------------------
  { name: 'DateTime 2026-02-30T00:00:00Z (a literal)', source: 'issue', build: () => graphqlPost(`{ callRecords(filter: { from: "2026-02-30T00:00:00Z", to: "2026-03-02T00:00:00Z" }, first: 1) { edges { node { id } } } }`), expected: { status: 400, code: ['GRAPHQL_VALIDATION_FAILED', 'INVALID_INPUT'] } },
  { name: 'DateTime without offset (a literal)', source: 'issue', build: () => graphqlPost(`{ callRecords(filter: { from: "2026-11-01T00:00:00", to: "${TO}" }, first: 1) { edges { node { id } } } }`), expected: { status: 400, code: ['GRAPHQL_VALIDATION_FAILED', 'INVALID_INPUT'] } },
  {
    name: 'DateTime 2026-02-30T00:00:00Z (a variable)',
    source: 'issue',
    build: () => graphqlPost(`query($f: CallRecordFilter!) { callRecords(filter: $f, first: 1) { edges { node { id } } } }`, { variables: { f: { from: '2026-02-30T00:00:00Z', to: '2026-03-02T00:00:00Z' } } }),
    expected: { status: [200, 400], code: ['BAD_USER_INPUT', 'INVALID_INPUT'] },
  },
  // ---- Browsers: CSRF, CORS, GraphiQL ---------------------------------------------------------------------------------
  { name: 'mutation over GET', source: 'issue', build: () => ({ method: 'GET', path: `/graphql?query=${encodeURIComponent(HARMFUL_MUTATION)}`, headers: { authorization: bearer('operator'), 'x-graphql-yoga-csrf': '1', accept: 'application/graphql-response+json' } }), expected: { status: 405, code: 'BAD_REQUEST' } },
  {
    name: 'CSRF: url-encoded POST of a mutation (open mode)',
    source: 'issue',
    env: OPEN,
    build: () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded', origin: FOREIGN_ORIGIN }, body: new URLSearchParams({ query: HARMFUL_MUTATION }).toString() }),
    expected: { status: 403, code: ['FORBIDDEN', 'BAD_REQUEST'] },
  },
  {
    name: 'CSRF: multipart POST of a mutation (open mode)',
    source: 'issue',
    env: OPEN,
    build: () => {
      const boundary = '----hostile0123';
      const body = [`--${boundary}`, 'Content-Disposition: form-data; name="operations"', '', JSON.stringify({ query: HARMFUL_MUTATION }), `--${boundary}`, 'Content-Disposition: form-data; name="map"', '', '{}', `--${boundary}--`, ''].join('\r\n');
      return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, origin: FOREIGN_ORIGIN }, body };
    },
    expected: { status: 403, code: ['FORBIDDEN', 'BAD_REQUEST'] },
  },
  {
    name: 'CSRF: text/plain POST of a mutation (open mode)',
    source: 'issue',
    env: OPEN,
    build: () => ({ headers: { 'content-type': 'text/plain', origin: FOREIGN_ORIGIN }, body: JSON.stringify({ query: HARMFUL_MUTATION }) }),
    expected: { status: 403, code: ['FORBIDDEN', 'BAD_REQUEST'] },
  },
  {
    name: 'CORS: a preflight from a foreign origin is not reflected',
    source: 'issue',
    build: () => ({ method: 'OPTIONS', headers: { origin: FOREIGN_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } }),
    expected: { status: [200, 204, 403], check: noForeignCors },
  },
  {
    // A browser sends this POST only after a preflight, which the foreign origin fails (row above); a non-browser client
    // is not protected by CORS at all. What matters is that the answer never carries the foreign origin.
    name: 'CORS: a POST from a foreign origin gets no CORS headers',
    source: 'issue',
    build: () => graphqlPost('{ gateway { version } }', { headers: { origin: FOREIGN_ORIGIN } }),
    expected: {
      status: [200, 403],
      check: (reply) => {
        noForeignCors(reply);
        expect(reply.headers['access-control-allow-credentials'], 'never credentials').toBeUndefined();
        expect(String(reply.headers.vary ?? ''), 'the answer varies by Origin').toMatch(/origin/i);
      },
    },
  },
  {
    // The page is ~2 MB even compressed: 30 concurrent full loads show it is rendered once and sent compressed; the
    // revalidation row below is the cheap path a browser takes, at 200 loads.
    name: 'GraphiQL abuse: 30 concurrent loads of the page (compressed, cacheable, no upstream call)',
    source: 'issue',
    build: () => Array.from({ length: 30 }, () => ({ method: 'GET', headers: { accept: 'text/html', 'accept-encoding': 'gzip, br' } })),
    expected: {
      status: 200,
      check: (reply) => {
        expect(reply.headers['content-type']).toMatch(/text\/html/);
        // Brotli, the better of the two codings the request accepts.
        expect(reply.headers['content-encoding'], 'GraphiQL is sent compressed').toBe('br');
        // Cacheable: a weak ETag (a hash of the page, the same in every coding) and revalidation on every load.
        expect(reply.headers.etag, 'GraphiQL has an ETag').toMatch(/^W\/"[\w-]{27}"$/);
        expect(reply.headers['cache-control'], 'GraphiQL is revalidated').toBe('no-cache');
      },
    },
  },
  {
    name: 'GraphiQL abuse: 200 revalidations with If-None-Match get 304, not the page again',
    source: 'issue',
    async run(baseUrl) {
      const first = await rawRequest(baseUrl, { method: 'GET', headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
      const etag = String(first.headers.etag ?? '');
      expect(etag, 'the page has an ETag').not.toBe('');
      return Promise.all(Array.from({ length: 200 }, () => rawRequest(baseUrl, { method: 'GET', headers: { accept: 'text/html', 'accept-encoding': 'gzip', 'if-none-match': etag } })));
    },
    expected: { status: 304, check: (reply) => expect(reply.body.length).toBe(0) },
  },
  {
    name: 'GraphiQL switched off (GRAPHIQL=off): the page is not served',
    source: 'issue',
    env: { GRAPHIQL: 'off' },
    build: () => ({ method: 'GET', headers: { accept: 'text/html' } }),
    expected: { status: [404, 406], check: (reply) => expect(reply.text).not.toMatch(/<html/i) },
  },
  {
    name: 'a GET with a 100 KB query string',
    source: 'limit',
    async run(baseUrl) {
      const spec = { method: 'GET', path: `/graphql?query=${'%7B'.repeat(33_000)}`, headers: { authorization: bearer('admin') } };
      try {
        return [await rawRequest(baseUrl, spec)];
      } catch (error) {
        // Node 24's server resets the connection while the oversized header is still arriving (30 of 30 tries with a
        // bare node:http server and client): a reset reads as status 0. Node 20 answers 431. Either way nothing ran.
        if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
        return [{ status: 0, headers: {}, body: Buffer.alloc(0), text: '', json: undefined }];
      }
    },
    expected: { status: [414, 431, 0] },
  },
  {
    name: 'slow headers: a header block that never ends is cut by HTTP_HEADERS_TIMEOUT_SECONDS=1',
    source: 'issue',
    env: { HTTP_HEADERS_TIMEOUT_SECONDS: '1' },
    async run(baseUrl) {
      const slow = slowHeaders(baseUrl, 8_000);
      await slow.sent;
      const { answer, closed, ms } = await slow.outcome;
      expect(closed, `the server closed the connection itself (after ${ms} ms)`).toBe(true);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      return [{ status, headers: {}, body: Buffer.from(answer), text: answer, json: undefined }];
    },
    // node:http answers 408 when headersTimeout passes (a bare close reads as status 0).
    expected: { status: [408, 0] },
  },
  // ---- Callbacks ---------------------------------------------------------------------------------------------------
  { name: 'callback: JSON body nested 10,000 deep → 400, not 500', source: 'issue', build: () => callback('call-record', `{"detail":${nested(10_000)}}`, 'application/json'), expected: { status: 400, check: (reply) => expect(reply.json).toMatchObject({ error: 'invalid callback' }) } },
  {
    name: 'callback: form `detail` nested 10,000 deep → 400, not 500',
    source: 'issue',
    build: () => callback('extension-status', new URLSearchParams({ detail: `{"a":${nested(10_000)}}` }).toString(), 'application/x-www-form-urlencoded'),
    expected: { status: 400, check: (reply) => expect(reply.json).toMatchObject({ error: 'invalid callback' }) },
  },
  { name: 'callback: objects nested 10,000 deep', source: 'issue', build: () => callback('task-status', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, 'application/json'), expected: { status: 400, check: (reply) => expect(reply.json).toMatchObject({ error: 'invalid callback' }) } },
  // ---- Authentication and roles -------------------------------------------------------------------------------------
  { name: 'no API key', source: 'limit', build: () => graphqlPost('{ agents { totalCount } }', { key: null }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
  { name: 'a mutation with a viewer key', source: 'limit', build: () => graphqlPost(HARMFUL_MUTATION, { key: 'viewer' }), expected: { status: [200, 403], code: 'FORBIDDEN' } },
  {
    name: 'an allowed origin is answered with exactly that origin (control for the CORS rows)',
    source: 'limit',
    build: () => ({ method: 'OPTIONS', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } }),
    expected: { status: [200, 204], check: (reply) => expect(reply.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN) },
  },
];
