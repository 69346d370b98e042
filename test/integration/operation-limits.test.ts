import { readdirSync, readFileSync } from 'node:fs';
import { getIntrospectionQuery, parse, validate } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { checkDocumentLimits, measureCost } from '../../src/limits/operation-limits.ts';
import { schema } from '../../src/schema.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { type GraphQLResponse, startGateway, type TestGateway, wsClient } from '../utils/gateway.ts';

const DEFAULTS = loadConfig({}).operationLimits;
// Yesterday in the centre's zone (+08:00): the simulator seeds its bills over the 7 days before the real now, so a
// fixed date would fall out of that window within a week.
const ZONE_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const todayStart = Math.floor((Date.now() + ZONE_MS) / DAY_MS) * DAY_MS - ZONE_MS;
const inZone = (ms: number) => new Date(ms + ZONE_MS).toISOString().replace('.000Z', '+08:00');
const DAY = `from: "${inZone(todayStart - DAY_MS)}", to: "${inZone(todayStart)}"`;

/** queues → seats → agent → seats → queue …, `levels` fields deep, ending in a scalar: the shape. */
function nested(levels: number, root: 'queues' | 'agents'): string {
  const cycle = root === 'queues' ? ['seats', 'agent', 'seats', 'queue'] : ['seats', 'queue', 'seats', 'agent'];
  // agents is a connection: its largest page (2,000 agents), then edges → node → the cycle.
  const fields: string[] = root === 'queues' ? [root] : ['agents(first: 2000)', 'edges', 'node'];
  for (let i = 0; fields.length < levels; i += 1) fields.push(cycle[i % cycle.length] as string);
  const last = fields.at(-1);
  const leaf = last === 'agent' || last === 'node' ? 'extension' : last === 'seats' ? 'state' : last === 'edges' ? 'cursor' : 'name';
  return `{${fields.join('{')}{${leaf}${'}'.repeat(fields.length)}}`;
}

/** `count` aliases of callRecords, each with its own filter: one GetBill each if it ran. */
const callRecordAliases = (count: number) =>
  `{${Array.from({ length: count }, (_, i) => ` r${i}: callRecords(filter: { ${DAY}, userId: "${i}" }, first: 1) { totalCount }`).join('')} }`;

/** `nested(7, 'agents')`: 2,000 agents (counted as 100) × their seats × the queue's 20 seats. */
const AGENTS_FAN_OUT = 6810;

const RECORDINGS = `query($n: Int) { callRecords(filter: { ${DAY} }, first: $n) { edges { node { startedAt recording { url } } } } }`;
const PROBE = '{ queues { name } }';

interface LimitError {
  message: string;
  extensions?: Record<string, unknown>;
}

function expectRefusal(errors: readonly LimitError[] | undefined, limit: string, max: number, measured: number): void {
  // Exactly one refusal: the first limit hit, not one per limit.
  const refusals = (errors ?? []).filter((e) => e.extensions?.code === 'OPERATION_LIMIT_EXCEEDED');
  expect(refusals, JSON.stringify(errors?.slice(0, 3))).toHaveLength(1);
  const [error] = refusals as [LimitError];
  expect(error.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit, max, measured });
  expect(error.message).toBe(`Operation refused: ${limit} ${measured} is over the limit of ${max}`);
}

/** Runs one operation over graphql-ws; errors the server sends instead of a result come back as `errors`. */
function overSocket(client: Client, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse> {
  const done = createDeferred<GraphQLResponse>();
  let last: GraphQLResponse = {};
  client.subscribe(
    { query, variables },
    {
      next: (value) => {
        last = value as GraphQLResponse;
      },
      error: (error) => (Array.isArray(error) ? done.resolve({ errors: error }) : done.reject(error)),
      complete: () => done.resolve(last),
    },
  );
  return done.promise;
}

describe('operation limits, checked before anything runs', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let client: Client;

  beforeAll(async () => {
    gw = await startGateway(disposer);
    // The start-up reconciliation finds no busy agent in a fresh store; wait for it so no call of it is counted here.
    await gw.app.reconcile();
    client = wsClient(disposer, gw, 'viewer');
  });
  afterAll(() => disposer.dispose());

  /** Sends a document that must be refused over HTTP: 400, the stable code, no upstream call; then a probe still answers. */
  async function refusedOverHttp(query: string, limit: string, max: number, measured: number, variables?: Record<string, unknown>) {
    gw.sim.stats.reset();
    const response = await gw.gql(query, variables, 'viewer');
    expect(response.status).toBe(400);
    expect(response.data ?? undefined).toBeUndefined();
    expectRefusal(response.errors, limit, max, measured);
    expect(gw.sim.stats.total()).toBe(0);
    const probe = await gw.gql(PROBE, undefined, 'viewer');
    expect(probe.errors).toBeUndefined();
    expect(probe.data?.queues.map((q: { name: string }) => q.name).sort()).toEqual(simQueueNames());
  }

  /** The simulator's queues, by name: what `PROBE` must answer. */
  const simQueueNames = () => {
    const names = [...gw.sim.sip.queues.keys()].sort();
    expect(names.length, 'the simulator seeds queues').toBeGreaterThan(0);
    return names;
  };

  it('refuses the 15-level queues → seats → agent → seats → queue document by depth', async () => {
    const query = nested(15, 'queues');
    expect(query.length).toBeLessThan(164);
    await refusedOverHttp(query, 'depth', DEFAULTS.maxDepth, 16);
  });

  it('refuses a 425-byte nesting under agents by depth', async () => {
    const query = nested(60, 'agents');
    expect(query.length).toBeGreaterThan(400);
    await refusedOverHttp(query, 'depth', DEFAULTS.maxDepth, 61);
  });

  it('refuses a shallow nesting whose fan-out is too large by cost (agents → seats → queue → seats → agent)', async () => {
    await refusedOverHttp(nested(7, 'agents'), 'cost', DEFAULTS.maxCost, AGENTS_FAN_OUT);
  });

  it('measures the cost even when an argument is invalid (its field would fail alone while the rest ran)', async () => {
    const query = `{ callRecords(filter: { from: "2026-11-24T00:00:00Z", to: "2026-11-23T00:00:00Z" }) { totalCount } ${nested(7, 'agents').slice(1, -1)} }`;
    await refusedOverHttp(query, 'cost', DEFAULTS.maxCost, AGENTS_FAN_OUT + 10);
  });

  it('takes `first` from the variables as the multiplier, request by request (the validation cache does not mix them)', async () => {
    // 1 000 records × (the record + one GetRecodeFile each) + the GetBill page.
    await refusedOverHttp(RECORDINGS, 'cost', DEFAULTS.maxCost, 10 + 1000 * 51, { n: 1000 });
    const small = await gw.gql(RECORDINGS, { n: 20 }, 'viewer');
    expect(small.status).toBe(200);
    expect(small.errors).toBeUndefined();
    // The seed's 3,000 records over the last week put hundreds in the day: a full page of 20.
    expect(small.data?.callRecords.edges).toHaveLength(20);
    await refusedOverHttp(RECORDINGS, 'cost', DEFAULTS.maxCost, 51010, { n: 1000 });
  });

  it('refuses 50 aliases of callRecords with distinct filters (50 GetBill calls) by aliases', async () => {
    await refusedOverHttp(callRecordAliases(50), 'aliases', DEFAULTS.maxAliases, 50);
  });

  it('refuses 10,000 aliases of callRecords, and 2,000 aliases of anything, by tokens while parsing', async () => {
    await refusedOverHttp(callRecordAliases(10_000), 'tokens', DEFAULTS.maxTokens, DEFAULTS.maxTokens + 1);
    const aliases = `{${Array.from({ length: 2_000 }, (_, i) => ` a${i}: gateway { version }`).join('')} }`;
    await refusedOverHttp(aliases, 'tokens', DEFAULTS.maxTokens, DEFAULTS.maxTokens + 1);
  });

  it('refuses too many directives and too wide a selection', async () => {
    const directives = `{ gateway { ${Array.from({ length: 25 }, () => 'version @include(if: true)').join(' ')} } }`;
    await refusedOverHttp(directives, 'directives', DEFAULTS.maxDirectives, 25);
    const wide = `{ agents { ${'totalCount '.repeat(DEFAULTS.maxBreadth)}} }`;
    await refusedOverHttp(wide, 'breadth', DEFAULTS.maxBreadth, DEFAULTS.maxBreadth + 1);
  });

  it('says "too many validation errors" instead of "Validation aborted.", after the first 100 errors', async () => {
    const query = `{ agents { ${Array.from({ length: 150 }, (_, i) => `nope${i}`).join(' ')} } }`;
    gw.sim.stats.reset();
    const response = await gw.gql(query, undefined, 'viewer');
    expect(response.status).toBe(400);
    expect(response.errors).toHaveLength(101);
    expect(response.errors?.[0]?.message).toMatch(/Cannot query field "nope0"/);
    expect(response.errors?.some((e) => /Validation aborted/.test(e.message))).toBe(false);
    expectRefusal(response.errors?.slice(-1), 'validationErrors', 100, 101);
    expect(gw.sim.stats.total()).toBe(0);
  });

  it('refuses over graphql-ws too: depth and cost at validation, tokens while parsing, and the socket keeps serving', async () => {
    gw.sim.stats.reset();
    const deep = await overSocket(client, nested(15, 'queues'));
    expectRefusal(deep.errors, 'depth', DEFAULTS.maxDepth, 16);
    // The HTTP status yoga keeps in `extensions.http` means nothing on a socket.
    expect(deep.errors?.[0]?.extensions).not.toHaveProperty('http');
    const costly = await overSocket(client, RECORDINGS, { n: 1000 });
    expectRefusal(costly.errors, 'cost', DEFAULTS.maxCost, 51010);
    const huge = await overSocket(client, callRecordAliases(10_000));
    expectRefusal(huge.errors, 'tokens', DEFAULTS.maxTokens, DEFAULTS.maxTokens + 1);
    const aliases = await overSocket(client, callRecordAliases(50));
    expectRefusal(aliases.errors, 'aliases', DEFAULTS.maxAliases, 50);
    expect(gw.sim.stats.total()).toBe(0);

    const probe = await overSocket(client, PROBE);
    expect(probe.errors).toBeUndefined();
    expect((probe.data as { queues: { name: string }[] }).queues.map((q) => q.name).sort()).toEqual(simQueueNames());
  });

  it('refuses a subscription over graphql-ws before it starts', async () => {
    const subscription = `subscription { agentStatusChanged { ${'eventId '.repeat(DEFAULTS.maxBreadth)}} }`;
    const refused = await overSocket(client, subscription);
    expectRefusal(refused.errors, 'breadth', DEFAULTS.maxBreadth, DEFAULTS.maxBreadth + 1);
  });

  it('answers a 2,000-agent wallboard with the default limits', async () => {
    const queues = [...gw.sim.sip.queues.keys()];
    for (let i = 0; i < 2_000; i += 1) {
      const number = String(50_000 + i);
      gw.sim.sip.addExtension({ number, password: 'x' });
      gw.sim.sip.signIn(queues[i % queues.length] as string, number, String(i));
    }
    const wallboard = `{
      agents(first: 2000) { totalCount edges { node { extension enabled callStatus { state caller callee } registration { registered } seats { queue { name } state paused } liveStatus { status eventId } } } }
      queues { name seats { agent { extension } state } }
    }`;
    expect(measureCost(schema, parse(wallboard), {})).toBeLessThan(DEFAULTS.maxCost);
    const response = await gw.gql(wallboard, undefined, 'viewer');
    expect(response.errors).toBeUndefined();
    expect(response.data?.agents.edges).toHaveLength(2_000);
    // Every extension the PBX has: the seed's and the 2,000 added here.
    expect(response.data?.agents.totalCount).toBe(gw.sim.sip.extensions.size);
    expect(gw.sim.sip.extensions.size).toBeGreaterThanOrEqual(2_000);
  });
});

describe('documented queries and the limits', () => {
  /** Every ```graphql block of README.md and docs/, and the test documents the clients are generated from. */
  function documentedQueries(): Array<{ where: string; query: string }> {
    const found: Array<{ where: string; query: string }> = [];
    const markdown = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    for (const file of markdown) {
      for (const match of readFileSync(file, 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)) found.push({ where: file, query: match[1] as string });
    }
    for (const file of readdirSync('test/documents')) found.push({ where: file, query: readFileSync(`test/documents/${file}`, 'utf8') });
    found.push({ where: 'GraphiQL introspection', query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }) });
    return found;
  }

  it('passes every query in README.md, docs/ and test/documents, and GraphiQL introspection', () => {
    const queries = documentedQueries();
    expect(queries.length).toBeGreaterThan(8);
    for (const { where, query } of queries) {
      const document = parse(query, { maxTokens: DEFAULTS.maxTokens });
      expect(validate(schema, document), where).toEqual([]);
      expect(checkDocumentLimits(document, DEFAULTS), where).toEqual([]);
      for (const definition of document.definitions) {
        if (definition.kind !== 'OperationDefinition') continue;
        const cost = measureCost(schema, document, { operationName: definition.name?.value ?? null });
        expect(cost ?? 0, `${where} ${definition.name?.value ?? ''}`).toBeLessThanOrEqual(DEFAULTS.maxCost);
      }
    }
  });
});

describe('every limit is configurable', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('takes the limits from the environment', async () => {
    const gw = await startGateway(disposer, {
      env: { MAX_QUERY_DEPTH: '2', MAX_QUERY_BREADTH: '6', MAX_QUERY_ALIASES: '1', MAX_QUERY_DIRECTIVES: '1', MAX_QUERY_TOKENS: '40', MAX_QUERY_COST: '25' },
    });
    const refused = async (query: string, limit: string, max: number, measured: number) => {
      const response = await gw.gql(query, undefined, 'viewer');
      expect(response.status).toBe(400);
      expectRefusal(response.errors, limit, max, measured);
    };
    await refused('{ queues { seats { state } } }', 'depth', 2, 3);
    await refused('{ queues { name remark strategy strategyCode announcement predictiveDialState } }', 'breadth', 6, 7);
    await refused('{ a: gateway { version } b: gateway { version } }', 'aliases', 1, 2);
    await refused('{ gateway { version @include(if: true) demo @skip(if: false) } }', 'directives', 1, 2);
    await refused(`{ gateway { ${'version '.repeat(40)}} }`, 'tokens', 40, 41);
    // Three list calls (GetQueueList, GetSipnumberInfo, GetExtgroupInfo) of 10 each; their scalars are free.
    await refused('{ queues { name } agents { totalCount } extGroups { name } }', 'cost', 25, 30);
    const fine = await gw.gql('{ queues { name } }', undefined, 'viewer');
    expect(fine.errors).toBeUndefined();
  });
});
