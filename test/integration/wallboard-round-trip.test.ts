import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createSimulator, type Simulator } from '../../src/simulator/server.ts';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS } from '../utils/gateway.ts';
import { type Hold, type LoopbackProxy, formField, startLoopbackProxy } from '../utils/loopback-proxy.ts';
import { tempDatabaseUrl } from '../utils/temp-db.ts';

/**
 * The wallboard's upstream round trips (issue 13): when `filter.extensions` names the agents, every upstream call the
 * document needs goes out before the first one answers (one round trip), and only the kinds it selects. A loopback
 * proxy between the gateway and the simulator holds each call on the wire, so "all started before any answered" is
 * observed, not timed.
 */

const WALLBOARD = `query($e: [String!], $first: Int) {
  agents(filter: { extensions: $e }, first: $first) {
    edges { node { extension enabled validity registration { registered clientIp serverIp }
      callStatus { state stateCode caller callee direction idleSeconds talkSeconds } seats { queue { name } state paused } } }
  }
}`;

/** The five calls the wallboard needs besides the listing. */
const STATUS_CALLS = [
  SipService.GetSipCallStatus,
  SipService.GetSipValidStatus,
  SipService.GetSipRegisterStatus,
  SipService.GetQueueSipStatus,
  SipService.GetQueueList,
] as const;

const disposer = createDisposer();
const perTest = createDisposer();
let sim: Simulator;
let proxy: LoopbackProxy;
let url: string;
const extensions = Array.from({ length: 40 }, (_, i) => String(7100 + i));

async function gql(query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.viewer}` },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (await response.json()) as { data?: any; errors?: Array<{ path?: unknown[]; extensions?: { code?: string } }> };
}

/** The services of the proxied SIP calls since `from`, Login excluded. */
const servicesSince = (from: number) =>
  proxy.requests
    .slice(from)
    .map((request) => formField(request.body, 'service'))
    .filter((service) => service !== SipService.Login);

const holdService = (service: string): Hold => {
  const hold = proxy.holdNext((request) => formField(request.body, 'service') === service);
  // Released after the test whatever happens, so a failed expectation cannot leave the gateway waiting.
  perTest.add(() => hold.release());
  return hold;
};

beforeAll(async () => {
  sim = disposer.use(createSimulator({}), (s) => s.stop());
  const simUrl = await sim.start();
  const queue = [...sim.sip.queues.keys()][0] ?? 'sales';
  for (const [i, number] of extensions.entries()) {
    sim.sip.addExtension({ number, password: `pw-${number}-secret`, enabled: i % 10 !== 0 });
    sim.sip.signIn(queue, number, String(i));
  }
  proxy = await startLoopbackProxy(disposer, simUrl);
  const config = loadConfig({
    SIP_API_URL: proxy.url,
    SIP_APPID: sim.credentials.appId,
    SIP_ACCESSKEY: sim.credentials.accessKey,
    AICALL_API_URL: simUrl,
    AICALL_API_TOKEN: sim.credentials.aicallToken,
    DATABASE_URL: tempDatabaseUrl(disposer),
    GATEWAY_API_KEYS: `${KEYS.viewer}:viewer`,
  });
  const app = disposer.use(await buildApp(config, createLogger('silent')), (a) => a.stop());
  url = await app.start(0, '127.0.0.1');
  // Logged in once, so the calls below are the wallboard's own.
  expect((await gql('{ queues { name } }', {})).errors).toBeUndefined();
});
afterAll(() => disposer.dispose());
afterEach(async () => {
  await perTest.dispose();
  sim.control.reset();
});

describe('the wallboard with known extensions', () => {
  it('starts all six upstream calls before the first one answers, and makes no others', async () => {
    const from = proxy.requests.length;
    // Every call is held on the wire until all six have arrived: a second round trip would never get there.
    const holds = [SipService.GetSipNumberInfo, ...STATUS_CALLS].map(holdService);
    const answer = gql(WALLBOARD, { e: extensions, first: 2000 });
    await Promise.all(holds.map((hold) => hold.arrived));
    for (const hold of holds) hold.release();

    const { data, errors } = await answer;
    expect(errors).toBeUndefined();
    const agents = data.agents.edges.map((edge: { node: unknown }) => edge.node);
    expect(agents.map((agent: { extension: string }) => agent.extension)).toEqual(extensions);
    expect(agents[0]).toMatchObject({ extension: '7100', enabled: false, validity: 'DISABLED' });
    expect(agents[1]).toMatchObject({ enabled: true, validity: 'ENABLED', seats: [{ state: 'WAITING', paused: false }] });
    expect(agents[1].seats[0].queue.name).toBeTruthy();
    expect(servicesSince(from).sort()).toEqual([SipService.GetSipNumberInfo, ...STATUS_CALLS].sort());
  });

  it('asks only for the kinds the document selects (fragments followed, @skip honoured)', async () => {
    const from = proxy.requests.length;
    const { data, errors } = await gql(
      `query($e: [String!], $noSeats: Boolean!) {
        agents(filter: { extensions: $e }) { edges { node { ...Phone seats @skip(if: $noSeats) { state } } } }
      }
      fragment Phone on Agent { extension callStatus { stateCode } }`,
      { e: extensions, noSeats: true },
    );
    expect(errors).toBeUndefined();
    expect(data.agents.edges).toHaveLength(extensions.length);
    expect(servicesSince(from).sort()).toEqual([SipService.GetSipCallStatus, SipService.GetSipNumberInfo].sort());
  });

  it('fails only the fields of a failed status call, and keeps one call per kind', async () => {
    sim.control.failNext(1, { httpStatus: 502 }, SipService.GetSipRegisterStatus);
    const from = proxy.requests.length;
    const { data, errors } = await gql(WALLBOARD, { e: extensions.slice(0, 5) });
    expect(data.agents.edges).toHaveLength(5);
    for (const { node } of data.agents.edges) {
      expect(node.registration).toBeNull();
      expect(node.callStatus).not.toBeNull();
      expect(node.validity).not.toBeNull();
    }
    expect(errors).toHaveLength(5);
    expect(errors?.every((error) => error.path?.at(-1) === 'registration')).toBe(true);
    expect(servicesSince(from).filter((service) => service === SipService.GetSipRegisterStatus)).toHaveLength(1);
  });

  it('lists first and then sends the status calls together when the extensions are not known', async () => {
    const from = proxy.requests.length;
    const listing = holdService(SipService.GetSipNumberInfo);
    const holds = STATUS_CALLS.map(holdService);
    // The same selection over every agent of the PBX.
    const answer = gql(WALLBOARD.replace('$e: [String!], ', '').replace('filter: { extensions: $e }, ', ''), { first: 2000 });
    await listing.arrived;
    // Nothing else may go out before the listing answers: it says which agents are on the page.
    expect(servicesSince(from)).toEqual([SipService.GetSipNumberInfo]);
    listing.release();
    await Promise.all(holds.map((hold) => hold.arrived));
    for (const hold of holds) hold.release();
    const { errors } = await answer;
    expect(errors).toBeUndefined();
    expect(servicesSince(from)).toHaveLength(6);
  });
});
