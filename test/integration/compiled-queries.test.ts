import { buildSchema, parse, type ExecutionArgs } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledQueryCounts, loadCompiler, useCompiledQueries } from '../../src/server/compiled-queries.ts';
import { createSimulator, type Simulator } from '../../src/simulator/server.ts';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startApp } from '../utils/gateway.ts';

/**
 * Compiled queries (src/server/compiled-queries.ts) must answer exactly as the interpreting executor does. Two
 * gateways stand in front of one simulator: one compiles every query at once (COMPILED_QUERY_AFTER_RUNS=0), the other
 * never (COMPILED_QUERIES=off). Each document below goes to both and the answers must be equal; the counts show the
 * first gateway really ran it compiled.
 */

type Answer = { status: number; body: { data?: unknown; errors?: unknown[] } };

const disposer = createDisposer();
let sim: Simulator;
let compiledUrl: string;
let interpretedUrl: string;
let defaultUrl: string;
let simUrl: string;
const extensions = Array.from({ length: 30 }, (_, i) => String(7100 + i));

async function gql(base: string, query: string, variables: Record<string, unknown> = {}, key: keyof typeof KEYS = 'viewer'): Promise<Answer> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS[key]}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function gateway(env: Record<string, string>): Promise<string> {
  return (await startApp(disposer, sim, simUrl, env)).start(0, '127.0.0.1');
}

beforeAll(async () => {
  // graphql-jit loads on the first hot document; loaded now, the first request of each case runs compiled.
  await loadCompiler();
  sim = disposer.use(createSimulator({}), (s) => s.stop());
  simUrl = await sim.start();
  const queue = [...sim.sip.queues.keys()][0] ?? 'sales';
  for (const [i, number] of extensions.entries()) {
    sim.sip.addExtension({
      number,
      password: `pw-${number}-secret`,
      enabled: i % 10 !== 0,
      registration: i % 2 === 0 ? { clientIp: `10.0.0.${i}`, serverIp: '10.0.0.1', since: Date.now() } : null,
    });
    sim.sip.signIn(queue, number, String(i));
  }
  compiledUrl = await gateway({ COMPILED_QUERY_AFTER_RUNS: '0' });
  interpretedUrl = await gateway({ COMPILED_QUERIES: 'off' });
  defaultUrl = await gateway({});
});
afterAll(() => disposer.dispose());

/** Seconds since a call or an idle spell began move between two requests; every other field must match. */
function steady(answer: Answer): Answer {
  return JSON.parse(JSON.stringify(answer, (key, value: unknown) => (key === 'idleSeconds' || key === 'talkSeconds' ? typeof value : value))) as Answer;
}

const WALLBOARD = `query Wallboard($e: [String!], $first: Int) {
  agents(filter: { extensions: $e }, first: $first) {
    totalCount
    edges { cursor node { id extension enabled validity registration { registered clientIp serverIp }
      callStatus { state stateCode caller callee direction idleSeconds talkSeconds } seats { queue { name } state paused } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const cases: Array<{ name: string; query: string; variables?: Record<string, unknown>; fail?: SipService }> = [
  { name: 'the wallboard', query: WALLBOARD, variables: { e: extensions, first: 100 } },
  { name: 'the wallboard, a page', query: WALLBOARD, variables: { e: extensions, first: 7 } },
  {
    name: 'fragments, @skip and @include',
    query: `query($skip: Boolean!, $with: Boolean!) { agents(first: 5) { edges { node { ...A seats @include(if: $with) { state } } } } }
      fragment A on Agent { extension enabled @skip(if: $skip) validity @include(if: $with) }`,
    variables: { skip: true, with: false },
  },
  { name: 'queues and a typename', query: '{ queues { __typename name } gateway { version } }' },
  { name: 'a partial result: one status call fails', query: WALLBOARD, variables: { e: extensions, first: 100 }, fail: SipService.GetSipRegisterStatus },
  { name: 'an invalid global id', query: '{ node(id: "not-an-id") { id } }' },
  { name: 'a node of a known type', query: `{ node(id: "${Buffer.from('Agent:7101').toString('base64')}") { id ... on Agent { extension } } }` },
  { name: 'a variable that does not coerce', query: 'query($n: Int) { agents(first: $n) { totalCount } }', variables: { n: 'many' } },
  { name: 'a missing required variable', query: 'query($e: [String!]!) { agents(filter: { extensions: $e }) { totalCount } }' },
  { name: 'an input the schema refuses in a resolver', query: 'query { agents(first: -1) { totalCount } }' },
  { name: 'tasks of both kinds', query: '{ tasks(first: 5) { totalCount edges { node { __typename id name status } } } }' },
];

describe('compiled queries', () => {
  it.each(cases)('answer as the interpreting executor does: $name', async ({ query, variables, fail }) => {
    const before = { ...compiledQueryCounts };
    if (fail) sim.control.failNext(1, { httpStatus: 502 }, fail);
    const compiled = await gql(compiledUrl, query, variables);
    if (fail) sim.control.failNext(1, { httpStatus: 502 }, fail);
    const interpreted = await gql(interpretedUrl, query, variables);
    expect(steady(compiled)).toEqual(steady(interpreted));
    // The compiled gateway compiled it (or had it already) and ran it compiled, unless nothing ran at all.
    if ('data' in compiled.body) expect(compiledQueryCounts.runs).toBe(before.runs + 1);
  });

  it('compiles a document only once it is hot, runs it compiled from then on, and never compiles a one-off', async () => {
    const variables = { e: extensions.slice(0, 3), first: 3 };
    const hot = `${WALLBOARD} # hot`;
    const before = { ...compiledQueryCounts };
    for (let i = 0; i < 2; i += 1) expect((await gql(defaultUrl, hot, variables)).body.errors).toBeUndefined();
    expect(compiledQueryCounts).toEqual(before);
    for (let i = 0; i < 3; i += 1) expect((await gql(defaultUrl, hot, variables)).body.errors).toBeUndefined();
    expect(compiledQueryCounts).toEqual({ compiled: before.compiled + 1, refused: before.refused, runs: before.runs + 3 });

    for (let i = 0; i < 20; i += 1) await gql(defaultUrl, `{ gateway { version } } # one-off ${i}`);
    expect(compiledQueryCounts.compiled).toBe(before.compiled + 1);
  });

  it('keeps the per-operation upstream budget: a compiled query makes no more upstream calls than it allows', async () => {
    const budgeted = await gateway({ COMPILED_QUERY_AFTER_RUNS: '0', MAX_UPSTREAM_CALLS_PER_OPERATION: '3' });
    // Logs in and lists (2 calls), then the three status calls of one agent: the budget of 3 refuses one of them.
    const greedy = 'query($e: String!) { agent(extension: $e) { extension callStatus { state } validity registration { registered } } }';
    expect((await gql(budgeted, '{ agents(first: 1) { edges { node { extension } } } }')).body.errors).toBeUndefined();
    const before = { ...compiledQueryCounts };
    sim.stats.reset();
    const answer = await gql(budgeted, greedy, { e: extensions[1] });
    expect(compiledQueryCounts.runs).toBe(before.runs + 1);
    expect(sim.stats.total()).toBe(3);
    expect(answer.body.errors?.map((e) => (e as { extensions?: { code?: string } }).extensions?.code)).toContain('UPSTREAM_BUDGET_EXCEEDED');
  });

  it('never compiles mutations or subscriptions', async () => {
    const before = { ...compiledQueryCounts };
    const mutation = 'mutation { createQueue(input: { name: "compiled-nope" }) { __typename } }';
    for (let i = 0; i < 3; i += 1) await gql(compiledUrl, mutation, {}, 'viewer');
    expect(compiledQueryCounts.compiled).toBe(before.compiled);
    expect(compiledQueryCounts.runs).toBe(before.runs);
  });

  it('refuses to compile a string literal that graphql-jit would turn into code, and answers it interpreted', async () => {
    const marker = '__MAGIC_DATE__33a9e76d_02e0_4128_8e92_3530ad3da74d';
    const flag = '__compiledQueriesTestRan';
    const payload = `${marker}0)&&(globalThis.${flag}=true)&&(0`;
    const query = `{ queue(name: ${JSON.stringify(payload)}) { name } }`;
    const before = { ...compiledQueryCounts };
    const compiled = await gql(compiledUrl, query);
    const interpreted = await gql(interpretedUrl, query);
    expect((globalThis as Record<string, unknown>)[flag]).toBeUndefined();
    expect(compiled).toEqual(interpreted);
    expect(compiledQueryCounts).toEqual({ compiled: before.compiled, refused: before.refused + 1, runs: before.runs });
  });
});

describe('useCompiledQueries (the plugin alone)', () => {
  const schema = buildSchema('type Query { a: Int b: Int c: Int }');
  /** What the plugin sets as the execute function for one execution of a document, or null (run the ordinary way). */
  function executeFnFor(plugin: ReturnType<typeof useCompiledQueries>, document: ReturnType<typeof parse>) {
    let set: unknown = null;
    const onExecute = plugin.onExecute as unknown as (payload: { args: Partial<ExecutionArgs>; setExecuteFn: (fn: unknown) => void }) => void;
    onExecute({ args: { schema, document }, setExecuteFn: (fn) => (set = fn) });
    return set;
  }

  it('keeps at most its bound of compiled documents, dropping the least recently used', () => {
    const plugin = useCompiledQueries(0, 2);
    const [a, b, c] = ['{ a }', '{ b }', '{ c }'].map((text) => parse(text));
    const before = compiledQueryCounts.compiled;
    for (const document of [a!, b!, a!, c!]) expect(executeFnFor(plugin, document)).not.toBeNull();
    expect(compiledQueryCounts.compiled).toBe(before + 3);
    // a was used after b, so b was dropped when c came: b is compiled again, a is not.
    executeFnFor(plugin, a!);
    expect(compiledQueryCounts.compiled).toBe(before + 3);
    executeFnFor(plugin, b!);
    expect(compiledQueryCounts.compiled).toBe(before + 4);
  });
});
