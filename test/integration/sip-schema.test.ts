import { readFileSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ExtensionCallState } from '../../src/simulator/sip/model.ts';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { WallboardDocument } from '../generated/graphql.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startGateway, type TestGateway } from '../utils/gateway.ts';

/** The version the gateway reports: package.json's. */
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the SIP side through the schema', () => {
  const disposer = createDisposer();
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway(disposer);
    // 200 more agents, every one checked in to a queue, so the wallboard is big and every loader has work.
    const queue = [...gw.sim.sip.queues.keys()][0] ?? 'sales';
    for (let i = 0; i < 200; i += 1) {
      const number = String(7000 + i);
      gw.sim.sip.addExtension({ number, password: `pw-${number}-secret`, enabled: i % 10 !== 0 });
      gw.sim.sip.signIn(queue, number, String(i));
    }
  });
  afterAll(() => disposer.dispose());

  it('answers a 200-agent wallboard with one call per status service and one GetQueueSipStatus', async () => {
    const extensions = Array.from({ length: 200 }, (_, i) => String(7000 + i));
    gw.sim.stats.reset();
    const { data, errors } = await gw.op(WallboardDocument, { filter: { extensions } });
    expect(errors).toBeUndefined();
    const agents = data?.agents?.edges.map((edge) => edge.node) ?? [];
    expect(agents).toHaveLength(200);
    expect(data?.agents?.totalCount).toBe(200);
    expect(data?.agents?.pageInfo.hasNextPage).toBe(false);
    expect(agents.map((a) => a.extension)).toEqual(extensions);
    const counts = gw.sim.stats.snapshot();
    expect(counts[SipService.GetSipNumberInfo]).toBe(1);
    expect(counts[SipService.GetSipCallStatus]).toBe(1);
    expect(counts[SipService.GetSipValidStatus]).toBe(1);
    expect(counts[SipService.GetSipRegisterStatus]).toBe(1);
    expect(counts[SipService.GetQueueSipStatus]).toBe(1);
    // Seats resolve their queue through one GetQueueList; the first call of the run also logs in.
    expect(counts[SipService.GetQueueList]).toBe(1);
    expect(gw.sim.stats.total()).toBeLessThanOrEqual(7);

    const disabled = agents.find((a) => a.extension === '7000');
    expect(disabled).toMatchObject({ enabled: false, validity: 'DISABLED' });
    const enabled = agents.find((a) => a.extension === '7001');
    expect(enabled).toMatchObject({ enabled: true, validity: 'ENABLED', seats: [{ state: 'WAITING', paused: false }] });
  });

  it('chunks the status lists at SIP_LIST_CHUNK_SIZE', async () => {
    const small = await startGateway(disposer, { env: { SIP_LIST_CHUNK_SIZE: '50' } });
    for (let i = 0; i < 120; i += 1) small.sim.sip.addExtension({ number: String(6000 + i), password: 'x' });
    small.sim.stats.reset();
    const extensions = Array.from({ length: 120 }, (_, i) => String(6000 + i));
    const { data, errors } = await small.gql(
      `query($e: [String!]) { agents(filter: { extensions: $e }) { edges { node { extension callStatus { state } } } } }`,
      { e: extensions },
    );
    expect(errors).toBeUndefined();
    expect(data?.agents.edges).toHaveLength(120);
    expect(small.sim.stats.count(SipService.GetSipCallStatus)).toBe(3);
  });

  it('pages agents by extension: every agent exactly once, totalCount on every page, status calls per page', async () => {
    const { data: all } = await gw.gql(`{ agents(first: 2000) { totalCount edges { node { extension } } } }`);
    const everyone: string[] = all?.agents.edges.map((edge: { node: { extension: string } }) => edge.node.extension);
    expect(everyone.length).toBe(all?.agents.totalCount);
    // Every extension the PBX has: the seed's and the 200 added above.
    expect(everyone.length).toBe(gw.sim.sip.extensions.size);
    expect(everyone.length).toBeGreaterThan(200);
    const PAGE = `query($after: String) {
      agents(first: 64, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { extension callStatus { state } } } }
    }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 100; pages += 1) {
      gw.sim.stats.reset();
      const { data, errors }: { data?: any; errors?: unknown } = await gw.gql(PAGE, { after });
      expect(errors).toBeUndefined();
      const page: any = data?.agents;
      expect(page.totalCount).toBe(everyone.length);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.edges.length).toBeLessThanOrEqual(64);
      seen.push(...page.edges.map((edge: { node: { extension: string } }) => edge.node.extension));
      // One GetSipnumberInfo for the listing and one GetSipCallStatus for the page's agents (chunk size 500 > 64).
      expect(gw.sim.stats.count(SipService.GetSipNumberInfo)).toBe(1);
      expect(gw.sim.stats.count(SipService.GetSipCallStatus)).toBe(1);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1).cursor);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    // Every agent once, in the same extension order as one big page.
    expect(seen).toEqual(everyone);
    expect(new Set(seen).size).toBe(seen.length);
    // Numeric extension order ("999" before "7000").
    const numbers = seen.map(Number);
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);

    // An agent removed between pages does not shift the next page (cursors are extensions, not offsets).
    const first = await gw.gql(`{ agents(first: 3) { edges { node { extension } } pageInfo { endCursor } } }`);
    const removed = everyone[1] as string;
    const saved = gw.sim.sip.extensions.get(removed);
    gw.sim.sip.extensions.delete(removed);
    try {
      const next = await gw.gql(`query($a: String) { agents(first: 3, after: $a) { totalCount edges { node { extension } } } }`, {
        a: first.data?.agents.pageInfo.endCursor,
      });
      expect(next.data?.agents.edges.map((e: { node: { extension: string } }) => e.node.extension)).toEqual(everyone.slice(3, 6));
      expect(next.data?.agents.totalCount).toBe(everyone.length - 1);
    } finally {
      if (saved) gw.sim.sip.extensions.set(removed, saved);
    }
  });

  it('refuses a page size outside 1…2000 and a cursor it did not hand out, on the agents path only', async () => {
    for (const [args, field] of [['first: 0', 'first'], ['first: 2001', 'first'], ['after: "bm9wZQ"', 'after']] as const) {
      const { data, errors } = await gw.gql(`{ gateway { version } agents(${args}) { totalCount } }`);
      expect(data?.agents).toBeNull();
      expect(data?.gateway.version).toBe(PACKAGE_VERSION);
      expect(errors?.[0]).toMatchObject({ path: ['agents'], extensions: { code: 'INVALID_INPUT', field } });
    }
  });

  it('finds one agent, and null for an unknown one', async () => {
    const { data } = await gw.gql(`{ a: agent(extension: "7001") { extension enabled } b: agent(extension: "99999") { extension } }`);
    expect(data).toEqual({ a: { extension: '7001', enabled: true }, b: null });
  });

  it('resolves agents, queues and groups by global id through node()', async () => {
    const list = await gw.gql(`{ queues { id name } extGroups { id name } agent(extension: "7001") { id } }`);
    const queue = list.data?.queues[0];
    const group = list.data?.extGroups[0];
    const { data } = await gw.gql(
      `query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Queue { name } ... on ExtGroup { name } ... on Agent { extension } } }`,
      { ids: [queue.id, group.id, list.data?.agent.id] },
    );
    expect(data?.nodes).toEqual([
      { __typename: 'Queue', name: queue.name },
      { __typename: 'ExtGroup', name: group.name },
      { __typename: 'Agent', extension: '7001' },
    ]);
  });

  it('lists queues with seats from one GetQueueSipStatus, and groups with members', async () => {
    gw.sim.stats.reset();
    const { data, errors } = await gw.gql(`{ queues { name strategy predictiveDialState seats { agent { extension } state } } }`);
    expect(errors).toBeUndefined();
    expect(data?.queues.map((q: { name: string }) => q.name).sort()).toEqual([...gw.sim.sip.queues.keys()].sort());
    expect(gw.sim.sip.queues.size).toBeGreaterThan(0);
    expect(gw.sim.stats.count(SipService.GetQueueSipStatus)).toBe(1);
    for (const queue of data?.queues ?? []) {
      const seated = queue.seats.map((seat: { agent: { extension: string } }) => seat.agent.extension).sort();
      expect(seated, queue.name).toEqual([...(gw.sim.sip.queues.get(queue.name)?.seats.keys() ?? [])].sort());
    }
    const groups = await gw.gql(`{ extGroups { name enabled members { agent { extension } state callStatus } } }`);
    expect(groups.errors).toBeUndefined();
    const first = groups.data?.extGroups[0];
    expect(first.members.length).toBe(gw.sim.sip.extGroups.get(first.name)?.members.size);
  });

  it('maps each group member\'s call status onto AgentPresenceState, from the member list alone', async () => {
    const group = [...gw.sim.sip.extGroups.values()].find((g) => g.members.size >= 2);
    if (!group) throw new Error('the seed has no extension group with two members');
    const [ringing, talking] = [...group.members.keys()] as [string, string];
    const saved = [ringing, talking].map((n) => [n, gw.sim.sip.extensions.get(n)?.callState] as const);
    const set = (n: string, state: ExtensionCallState) => Object.assign(gw.sim.sip.extensions.get(n) ?? {}, { callState: state });
    set(ringing, ExtensionCallState.Ringing);
    set(talking, ExtensionCallState.OffHook);
    try {
      gw.sim.stats.reset();
      const { data, errors } = await gw.gql(`{ extGroups { name members { agent { extension } callStatus presenceState } } }`);
      expect(errors).toBeUndefined();
      const expected: Record<string, string> = { RINGING: 'RINGING', ANSWERED: 'IN_CALL', HUNG_UP: 'AVAILABLE', UNKNOWN: 'UNKNOWN' };
      const members = data?.extGroups.flatMap((g: any) => g.members) as Array<{ agent: { extension: string }; callStatus: string; presenceState: string }>;
      // Every member of every group is listed, so the loop below sees them all.
      expect(members).toHaveLength([...gw.sim.sip.extGroups.values()].reduce((n, g) => n + g.members.size, 0));
      for (const member of members) expect(member.presenceState, JSON.stringify(member)).toBe(expected[member.callStatus]);
      const mine = data?.extGroups.find((g: any) => g.name === group.name).members as typeof members;
      expect(mine.find((m) => m.agent.extension === ringing)).toMatchObject({ callStatus: 'RINGING', presenceState: 'RINGING' });
      expect(mine.find((m) => m.agent.extension === talking)).toMatchObject({ callStatus: 'ANSWERED', presenceState: 'IN_CALL' });
      // No call beyond the list and the member lists: presenceState reads what GetGroupExt returned.
      expect(gw.sim.stats.count(SipService.GetGroupExt)).toBe(data?.extGroups.length);
      expect(gw.sim.stats.count(SipService.GetSipCallStatus)).toBe(0);
    } finally {
      for (const [n, state] of saved) if (state !== undefined) set(n, state);
    }
  });

  it('runs the queue life cycle: create, update keeping unspecified timings, check in, pause, check out, delete', async () => {
    const created = await gw.gql(
      `mutation { createQueue(input: { name: "night-shift", remark: "夜班", strategy: RING_ALL }) { __typename ... on QueuePayload { queue { name remark strategy } } } }`,
      undefined,
      'operator',
    );
    expect(created.data?.createQueue).toEqual({ __typename: 'QueuePayload', queue: { name: 'night-shift', remark: '夜班', strategy: 'RING_ALL' } });

    await gw.gql(`mutation { updateQueue(input: { name: "night-shift", maxWaitSeconds: 120 }) { __typename } }`);
    const updated = await gw.gql(`mutation { updateQueue(input: { name: "night-shift", ringDelaySeconds: 15 }) { ... on QueuePayload { queue { remark strategy maxWaitSeconds ringDelaySeconds } } } }`);
    // The second update did not name maxWaitSeconds or the strategy: the gateway kept them.
    expect(updated.data?.updateQueue.queue).toEqual({ remark: '夜班', strategy: 'RING_ALL', maxWaitSeconds: 120, ringDelaySeconds: 15 });

    const seat = { queue: 'night-shift', extension: '7001', employeeId: 42 };
    const checkedIn = await gw.gql(`mutation($s: AgentSeatInput!) { checkInAgent(input: $s) { __typename ... on AgentSeatPayload { seat { state paused } agent { extension } } } }`, { s: seat });
    expect(checkedIn.data?.checkInAgent).toEqual({ __typename: 'AgentSeatPayload', seat: { state: 'WAITING', paused: false }, agent: { extension: '7001' } });
    const paused = await gw.gql(`mutation($s: SetAgentAvailabilityInput!) { setAgentAvailability(input: $s) { ... on AgentSeatPayload { seat { paused } } } }`, { s: { ...seat, available: false } });
    expect(paused.data?.setAgentAvailability.seat).toEqual({ paused: true });
    const out = await gw.gql(`mutation($s: AgentSeatInput!) { checkOutAgent(input: $s) { ... on AgentSeatPayload { seat { state } } } }`, { s: seat });
    expect(out.data?.checkOutAgent.seat).toBeNull();
    const deleted = await gw.gql(`mutation { deleteQueue(name: "night-shift") { ... on DeleteQueuePayload { name } } }`);
    expect(deleted.data?.deleteQueue).toEqual({ name: 'night-shift' });
    expect(gw.sim.sip.queues.has('night-shift')).toBe(false);
  });

  it('answers an unknown queue with a typed NotFoundError', async () => {
    const { data, errors } = await gw.gql(
      `mutation { checkInAgent(input: { queue: "no-such-queue", extension: "7001", employeeId: 1 }) { __typename ... on NotFoundError { code entity key message } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data?.checkInAgent).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND', entity: 'QUEUE', key: 'no-such-queue', message: expect.stringContaining('no-such-queue') });
    const deleted = await gw.gql(`mutation { deleteQueue(name: "no-such-queue") { __typename ... on Error { code } } }`);
    expect(deleted.data?.deleteQueue).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('runs the extension-group life cycle', async () => {
    const run = (query: string) => gw.gql(query);
    expect((await run(`mutation { createExtGroup(input: { name: "escalations" }) { ... on ExtGroupPayload { extGroup { name enabled members { agent { extension } } } } } }`)).data?.createExtGroup)
      .toEqual({ extGroup: { name: 'escalations', enabled: true, members: [] } });
    await run(`mutation { addExtGroupMember(input: { group: "escalations", extension: "7002" }) { __typename } }`);
    const set = await run(`mutation { setExtGroupMemberState(input: { group: "escalations", extension: "7002", state: BUSY }) { ... on ExtGroupPayload { extGroup { members { agent { extension } state } } } } }`);
    expect(set.data?.setExtGroupMemberState.extGroup.members).toEqual([{ agent: { extension: '7002' }, state: 'BUSY' }]);
    const removed = await run(`mutation { removeExtGroupMember(input: { group: "escalations", extension: "7002" }) { ... on ExtGroupPayload { extGroup { members { state } } } } }`);
    expect(removed.data?.removeExtGroupMember.extGroup.members).toEqual([]);
    const unknown = await run(`mutation { addExtGroupMember(input: { group: "nope", extension: "7002" }) { __typename ... on NotFoundError { entity key } } }`);
    expect(unknown.data?.addExtGroupMember).toEqual({ __typename: 'NotFoundError', entity: 'EXT_GROUP', key: 'nope' });
  });

  it('refuses invalid input before calling the platform', async () => {
    gw.sim.stats.reset();
    const { data, errors } = await gw.gql(`mutation { checkInAgent(input: { queue: " ", extension: "abc", employeeId: -1 }) { __typename ... on InvalidInputError { code issues { path } } } }`);
    expect(errors).toBeUndefined();
    expect(data?.checkInAgent).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
    // One issue per bad field, in input order.
    expect(data?.checkInAgent.issues).toEqual([{ path: ['input', 'queue'] }, { path: ['input', 'extension'] }, { path: ['input', 'employeeId'] }]);
    expect(gw.sim.stats.total()).toBe(0);
  });

  it('needs a key (401), lets a viewer read and forbids a viewer to mutate', async () => {
    const anonymous = await gw.gql(`{ queues { name } }`, undefined, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const viewerRead = await gw.gql(`{ queues { name } }`, undefined, 'viewer');
    expect(viewerRead.errors).toBeUndefined();
    gw.sim.stats.reset();
    const viewerWrite = await gw.gql(`mutation { deleteQueue(name: "sales") { __typename } }`, undefined, 'viewer');
    expect(viewerWrite.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(gw.sim.stats.total()).toBe(0);
    expect(gw.sim.sip.queues.has('sales')).toBe(true);
    // Reading with NOT_YET_FETCHED changes the platform's flag for everyone: not for viewers either.
    const consume = await gw.gql(
      `{ callRecords(filter: { from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", syncMode: NOT_YET_FETCHED }) { totalCount } }`,
      undefined,
      'viewer',
    );
    expect(consume.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(gw.sim.stats.total()).toBe(0);
  });

  it('applies the same keys on graphql-ws: a bad key is closed with 4403, a viewer may read', async () => {
    const ws = (authorization: string) =>
      createClient({ url: `${gw.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization } });
    const bad = ws('Bearer not-a-key-at-all');
    disposer.add(() => bad.dispose());
    const closed = createDeferred<number>();
    bad.on('closed', (event) => closed.resolve((event as { code: number }).code));
    const received: unknown[] = [];
    bad.subscribe({ query: '{ queues { name } }' }, { next: (v) => received.push(v), error: () => undefined, complete: () => undefined });
    expect(await closed.promise).toBe(4403);
    expect(received).toEqual([]);

    const viewer = ws(`Bearer ${KEYS.viewer}`);
    disposer.add(() => viewer.dispose());
    const answer = createDeferred<any>();
    viewer.subscribe({ query: '{ queues { name } }' }, { next: answer.resolve, error: answer.reject, complete: () => undefined });
    expect((await answer.promise).data.queues.length).toBe(gw.sim.sip.queues.size);
  });

  it('reports an unreachable platform as UPSTREAM_UNAVAILABLE and a refusal as UPSTREAM_REJECTED', async () => {
    gw.sim.control.failNext(1, { ret: 500 }, SipService.GetQueueList);
    const down = await gw.gql(`{ queues { name } }`);
    expect(down.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'sip' });
    gw.sim.control.failNext(1, { ret: 604 }, SipService.GetQueueList);
    const refused = await gw.gql(`{ queues { name } }`);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', upstreamCode: '604' });
  });

  it('exposes no password anywhere in the schema', async () => {
    const { data } = await gw.gql(`{ __schema { types { name fields { name } inputFields { name } } } }`);
    const names = (data?.__schema.types ?? []).flatMap((type: any) => [type.name, ...(type.fields ?? []).map((f: any) => f.name), ...(type.inputFields ?? []).map((f: any) => f.name)]);
    expect(names.length).toBeGreaterThan(100);
    expect(names.filter((name: string) => /pass(word)?|secret|pwd/i.test(name))).toEqual([]);
    // And no response carries one: the wallboard over every agent.
    const all = await gw.op(WallboardDocument);
    expect(JSON.stringify(all)).not.toMatch(/pw-\d+-secret/);
  });
});
