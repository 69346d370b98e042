import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fanOutMetrics } from '../../src/server/shared-execution.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startGateway, type TestGateway, wsClient, wsUrl } from '../utils/gateway.ts';
import { type Collected, collectSubscription } from '../utils/subscription.ts';

const SECRET = 'fan-out-test-callback-secret-001';

// `$after` is an argument of the root field only (it shapes each subscriber's stream); `$withCall` is read by the
// selection, so it splits groups.
const AGENT_EVENTS = /* GraphQL */ `
  subscription($after: ID, $withCall: Boolean!) {
    agentStatusChanged(after: $after) { eventId extension state call @include(if: $withCall) { uuid } }
  }
`;

interface AgentEvent {
  eventId: string;
  extension: string;
  state: string;
  call?: { uuid: string };
}

/**
 * Subscription fan-out (src/server/shared-execution.ts): subscribers of the same document, result-relevant variables
 * and role share one execution and one serialized payload per event; each keeps its own stream.
 */
describe('subscription fan-out over graphql-ws', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  afterAll(() => disposer.dispose());
  beforeAll(async () => {
    gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET } });
  });

  let call = 0;
  /** Posts a ring (a new call, so the event moves the agent's state) for `extension`; resolves with its event id. */
  const ringAt = async (target: TestGateway, extension: string): Promise<string> => {
    call += 1;
    const uuid = `fan-out-call-${call}`;
    const response = await fetch(`${target.url}/callbacks/${SECRET}/extension-status`, {
      method: 'POST',
      body: new URLSearchParams({
        detail: JSON.stringify({ buuid: `${uuid}-b`, callee: '13900001111', caller: extension, companycode: '9024', direction: 'callout', disnumber: '021', extnumber: extension, isbleg: 'false', method: '5', starttime: String(1_700_000_000 + call), status: 'ring', type: 'call', uuid }),
      }),
    });
    expect(response.status).toBe(200);
    return String(((await response.json()) as { id: number }).id);
  };
  const ring = (extension: string) => ringAt(gw, extension);

  it('executes and serializes each event once per group: same document, variables and role', async () => {
    const subscribe = (key: 'viewer' | 'admin', withCall: boolean): Collected<AgentEvent> =>
      collectSubscription<AgentEvent>(wsClient(disposer, gw, key), AGENT_EVENTS, { after: '0', withCall });
    const viewers = [subscribe('viewer', true), subscribe('viewer', true), subscribe('viewer', true)];
    const admin = subscribe('admin', true);
    const viewerWithoutCall = subscribe('viewer', false);
    const all = [...viewers, admin, viewerWithoutCall];

    // A first event reaches everyone (replayed or live): from then on every subscriber listens live.
    const first = await ring('8001');
    await Promise.all(all.map((s) => s.until(1)));

    const before = { ...fanOutMetrics };
    const second = await ring('8002');
    await Promise.all(all.map((s) => s.until(2)));
    // Three groups: viewers with the call, the admin, the viewer without it.
    expect(fanOutMetrics.executions - before.executions).toBe(3);
    expect(fanOutMetrics.serializations - before.serializations).toBe(3);
    for (const s of all) expect(s.events[1]?.eventId).toBe(second);
    expect(viewers[1]?.events[1]).toEqual(viewers[0]?.events[1]);
    expect(admin.events[1]).toEqual(viewers[0]?.events[1]);
    expect(viewerWithoutCall.events[1]?.call).toBeUndefined();
    expect(viewers[0]?.events[1]?.call?.uuid).toMatch(/^fan-out-call-/);

    // A subscriber resuming after the first event joins the viewers' group (`after` is not part of the key): it runs
    // its own replayed copy of the second event, then shares the live third one.
    const resumed = collectSubscription<AgentEvent>(wsClient(disposer, gw, 'viewer'), AGENT_EVENTS, { after: first, withCall: true });
    await resumed.until(1);
    const third = await ring('8003');
    await Promise.all([...all.map((s) => s.until(3)), resumed.until(2)]);
    expect(fanOutMetrics.executions - before.executions).toBe(3 + 1 + 3);
    expect(resumed.events.map((e) => e.eventId)).toEqual([second, third]);
    for (const s of all) expect(s.events.map((e) => e.eventId)).toEqual([first, second, third]);
    expect(resumed.events[1]).toEqual(viewers[0]?.events[2]);
  });

  it('encodes one whole frame per event per operation id, whatever the number of sockets it is written to', async () => {
    // A gateway of its own: the other test's subscribers stay subscribed, and its groups would count here.
    const own = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET } });
    // Real graphql-ws clients that number their operations alike (as most do: "1"), and one that does not.
    const numbered = (id: string): Client => {
      const client = createClient({
        url: wsUrl(own),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        generateID: () => id,
        connectionParams: { authorization: `Bearer ${KEYS.viewer}` },
      });
      disposer.add(() => client.dispose());
      return client;
    };
    const alike = [numbered('1'), numbered('1'), numbered('1'), numbered('1')];
    const odd = numbered('odd-one');
    const all = [...alike, odd].map((client) => collectSubscription<AgentEvent>(client, AGENT_EVENTS, { after: '0', withCall: true }));
    const reach = async (s: Collected<AgentEvent>, eventId: string) => {
      for (let n = 1; !s.events.some((e) => e.eventId === eventId); n += 1) await s.until(n);
    };
    // A first event reaches everyone (replayed or live): from then on every subscriber listens live.
    const first = await ringAt(own, '8010');
    await Promise.all(all.map((s) => reach(s, first)));

    const before = { ...fanOutMetrics };
    const event = await ringAt(own, '8011');
    await Promise.all(all.map((s) => reach(s, event)));
    expect(fanOutMetrics.executions - before.executions).toBe(1);
    expect(fanOutMetrics.serializations - before.serializations).toBe(1);
    // "1" once for four sockets, "odd-one" once.
    expect(fanOutMetrics.frames - before.frames).toBe(2);
    for (const s of all) expect(s.events.at(-1)?.eventId).toBe(event);
    for (const s of all) expect(s.events.at(-1)).toEqual(all[0]?.events.at(-1));
  });
});
