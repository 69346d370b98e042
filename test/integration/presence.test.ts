import type { Client } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { demoQueue, startGateway, type TestGateway, wsClient } from '../utils/gateway.ts';
import { collectSubscription } from '../utils/subscription.ts';

/**
 * Agent.presence (issue 11 item 5): one agent-state vocabulary, polled or pushed; never null merely because no callback
 * came; and `agentStatusChanged(queue:)` following check-ins made after it started.
 */

const SECRET = 'presence-test-callback-secret-01';
const FIRST = 8100;
const COUNT = 50;
const extensions = Array.from({ length: COUNT }, (_, i) => String(FIRST + i));
const OFFLINE = '8190';
const DISABLED = '8191';

const EVENTS = /* GraphQL */ `
  subscription($after: ID, $extensions: [String!], $queue: String) {
    agentStatusChanged(after: $after, extensions: $extensions, queue: $queue) { eventId extension state previousState source call { uuid } }
  }
`;

interface StatusEvent {
  eventId: string;
  extension: string;
  state: string;
  previousState: string | null;
  source: string;
  call: { uuid: string };
}

interface Presence {
  state: string;
  since: string | null;
  source: string;
  eventId: string | null;
  callUuid: string | null;
}

/** One document reading `presence` of many agents (`nodes`: one batched GetSipnumberInfo). */
function presenceQuery(list: readonly string[]): string {
  const ids = list.map((e) => JSON.stringify(Buffer.from(`Agent:${e}`).toString('base64')));
  return `{ nodes(ids: [${ids.join(', ')}]) { ... on Agent { extension presence { state since source eventId callUuid } } } }`;
}

describe('Agent.presence and agentStatusChanged in one vocabulary', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let client: Client;
  let queue: string;

  const post = (extension: string, uuid: string, status: 'ring' | 'answer' | 'hangup', starttime: number) =>
    fetch(`${gw.url}/callbacks/${SECRET}/extension-status`, {
      method: 'POST',
      body: new URLSearchParams({
        detail: JSON.stringify({ buuid: `${uuid}-b`, callee: '13900002222', caller: extension, companycode: '9024', direction: 'callout', disnumber: '021', extnumber: extension, isbleg: 'false', method: '5', starttime: String(starttime), status, type: 'call', uuid }),
      }),
    }).then((r) => r.json() as Promise<{ id: number }>);

  const presenceOf = async (list: readonly string[]): Promise<Record<string, Presence>> => {
    const { data, errors } = await gw.gql(presenceQuery(list));
    expect(errors).toBeUndefined();
    return Object.fromEntries((data?.nodes as any[]).map((a) => [a.extension, a.presence]));
  };

  // A gateway of its own for every test: callbacks posted by one test would otherwise be the stored presence (and the
  // replayed events) another test reads.
  beforeEach(async () => {
    gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET } });
    const registration = { clientIp: '10.0.0.9', serverIp: '10.0.0.1', since: Date.now() };
    for (const number of extensions) gw.sim.sip.addExtension({ number, password: 'not-shown', registration });
    gw.sim.sip.addExtension({ number: OFFLINE, password: 'not-shown' });
    gw.sim.sip.addExtension({ number: DISABLED, password: 'not-shown', enabled: false });
    queue = demoQueue(gw.sim);
    client = wsClient(disposer, gw, 'viewer');
  });
  afterEach(() => disposer.dispose());

  it('is polled before any callback: 50 agents cost one GetSipCallStatus, and OFFLINE / DISABLED come from the poll', async () => {
    gw.sim.stats.reset();
    const presence = await presenceOf([...extensions, OFFLINE, DISABLED]);
    // A fresh gateway: its first SIP call logs in, then one GetSipnumberInfo and one GetSipCallStatus for all 52.
    expect(gw.sim.stats.snapshot()).toEqual({
      [SipService.Login]: 1,
      [SipService.GetSipNumberInfo]: 1,
      [SipService.GetSipCallStatus]: 1,
    });
    for (const extension of extensions) {
      expect(presence[extension]).toMatchObject({ state: 'AVAILABLE', source: 'POLL', eventId: null, callUuid: null });
    }
    expect(presence[OFFLINE]).toMatchObject({ state: 'OFFLINE', source: 'POLL' });
    expect(presence[DISABLED]).toMatchObject({ state: 'DISABLED', source: 'POLL' });
  });

  it('follows ring, answer and hang-up from the store, in the words the subscription pushes', async () => {
    const agent = extensions[0] as string;
    const events = collectSubscription<StatusEvent>(client, EVENTS, { extensions: [agent], after: '0' });
    const start = Math.floor(Date.now() / 1000);
    const steps = [
      ['ring', 'RINGING'],
      ['answer', 'IN_CALL'],
      ['hangup', 'AVAILABLE'],
    ] as const;
    let previous: string | null = null;
    for (const [i, [status, state]] of steps.entries()) {
      const { id } = await post(agent, 'pres-1', status, start);
      const pushed = (await events.until(i + 1))[i];
      expect(pushed).toMatchObject({ eventId: String(id), state, previousState: previous, source: 'CALLBACK', call: { uuid: 'pres-1' } });
      gw.sim.stats.reset();
      const read = (await presenceOf([agent]))[agent];
      // Read from the store: no poll for this agent.
      expect(gw.sim.stats.count(SipService.GetSipCallStatus)).toBe(0);
      expect(read).toMatchObject({ state: pushed?.state, source: 'CALLBACK', eventId: String(id), callUuid: 'pres-1' });
      expect(Date.parse(read?.since ?? '')).toBeGreaterThan(Date.now() - 60_000);
      previous = state;
    }
    events.stop();

    // The other 49 are still polled, in one call; the one with a stored state is not asked about.
    gw.sim.stats.reset();
    const all = await presenceOf(extensions);
    expect(gw.sim.stats.count(SipService.GetSipCallStatus)).toBe(1);
    expect(all[agent]?.source).toBe('CALLBACK');
    expect(Object.values(all).filter((p) => p.source === 'POLL')).toHaveLength(COUNT - 1);
  });

  it('maps queue seats onto the same vocabulary', async () => {
    const { data, errors } = await gw.gql(`query($q: String!) { queue(name: $q) { seats { state presenceState paused } } }`, { q: queue });
    expect(errors).toBeUndefined();
    const seats = data?.queue.seats as Array<{ state: string; presenceState: string; paused: boolean }>;
    // The first demo queue, 'sales', has 12 seats.
    expect(queue).toBe('sales');
    expect(seats).toHaveLength(12);
    for (const seat of seats) {
      const expected = seat.state === 'RINGING' ? 'RINGING' : seat.state === 'TALKING' ? 'IN_CALL' : seat.paused || seat.state === 'PAUSED' ? 'PAUSED' : 'AVAILABLE';
      expect(seat.presenceState).toBe(expected);
    }
  });

  it('agentStatusChanged(queue:) sees an agent checked in through the gateway after it started, and stops at the check-out; members are read once per queue per change', async () => {
    const late = extensions[10] as string;
    const outsider = extensions[11] as string;
    // A marker event of a member, replayed to each subscriber (`after` just before it): once all three have it, they listen.
    const member = [...(gw.sim.sip.queues.get(queue)?.seats.keys() ?? [])][0] as string;
    const base = Math.floor(Date.now() / 1000) + 7200;
    const marker = await post(member, 'pres-marker', 'ring', base);
    gw.sim.stats.reset();
    const watchers = [0, 1, 2].map(() => collectSubscription<StatusEvent>(client, EVENTS, { queue, after: String(marker.id - 1) }));
    await Promise.all(watchers.map((w) => w.until(1)));

    const seatCommand = (name: 'checkInAgent' | 'checkOutAgent') =>
      gw.gql(`mutation($input: AgentSeatInput!) { ${name}(input: $input) { __typename } }`, {
        input: { queue, extension: late, employeeId: 42 },
      });
    expect((await seatCommand('checkInAgent')).data).toEqual({ checkInAgent: { __typename: 'AgentSeatPayload' } });
    await post(outsider, 'pres-out-1', 'ring', base);
    // The check-in went through this gateway, so the next event re-reads the members once, for every subscriber.
    await post(late, 'pres-late', 'ring', base);
    for (const w of watchers) {
      const [, second] = await w.until(2);
      expect(second).toMatchObject({ extension: late, state: 'RINGING', call: { uuid: 'pres-late' } });
    }
    // Shared by the three subscribers: one read at the start, one after the check-in (a read per subscriber would be six).
    expect(gw.sim.stats.count(SipService.GetQueueSipStatus)).toBeLessThanOrEqual(2);

    expect((await seatCommand('checkOutAgent')).data).toEqual({ checkOutAgent: { __typename: 'AgentSeatPayload' } });
    await post(late, 'pres-late', 'answer', base);
    await post(member, 'pres-marker', 'answer', base);
    for (const w of watchers) {
      const events = await w.until(3);
      // The checked-out agent's answer is not sent; the member's is; the outsider never was.
      expect(events.map((e) => `${e.extension}:${e.state}`)).toEqual([`${member}:RINGING`, `${late}:RINGING`, `${member}:IN_CALL`]);
      w.stop();
    }
  });
});
