import { afterAll, describe, expect, it } from 'vitest';
import { OperationLimit } from '../../src/errors.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer, type Disposer } from '../utils/disposer.ts';
import type { TestGateway } from '../utils/gateway.ts';
import { CALLBACK_SECRET, DEFAULTS, expectNoUpstreamCalls, expectProbeAnswered, FOREIGN_ORIGIN, gatewayPool, PACKAGE_VERSION, PROBE, probe, settle, times } from './harness.ts';
import { DEEP_AGENTS } from './http-shapes.ts';
import { callRecordDetail, firstOutcome, rawSocket, type WsOutcome, wsClient } from './ws-harness.ts';

/**
 * Hostile inputs over WebSocket (graphql-ws on /graphql): one row per shape. `run` performs it on a gateway started
 * with the row's `env` and returns what became of each hostile operation, frame or socket; the runner checks each
 * against `expected`, that the simulator counted 0 upstream calls, that an HTTP probe was answered meanwhile, and
 * that a fresh socket answers the probe afterwards (so a refusal never takes the gateway down with it).
 */

interface WsExpected {
  /** Each outcome is GraphQL errors with one of these codes (and, for operation limits, this limit). */
  errors?: { code: string | readonly string[]; limit?: `${OperationLimit}` };
  /** Each outcome is the socket closed with one of these codes. */
  close?: readonly number[];
  /** Each outcome is the upgrade refused with one of these HTTP statuses. */
  upgrade?: readonly number[];
}

interface WsShape {
  name: string;
  source: 'issue' | 'owasp' | 'limit';
  env?: Record<string, string>;
  run(gw: TestGateway, disposer: Disposer): Promise<WsOutcome[]>;
  expected: WsExpected;
}

const LIVE = 'subscription { taskStatusChanged { eventId } }';
const REPLAY = 'subscription { callRecordCreated(after: "0") { eventId } }';
/** agentStatusChanged → agent → seats → queue → seats → agent …: 15 levels. */
const DEEP_SUBSCRIPTION = `subscription { agentStatusChanged { agent { ${'seats { queue { seats { agent { '.repeat(3)}extension${' } } } }'.repeat(3)} } } }`;
const MIB = 1024 * 1024;

/** Starts `count` operations on one socket and resolves once `refusals` of them were refused (or the socket closed). */
async function flood(client: ReturnType<typeof wsClient>, query: string, count: number, refusals: number): Promise<WsOutcome[]> {
  const outcomes: WsOutcome[] = [];
  const enough = createDeferred<void>();
  const stops: Array<() => void> = [];
  for (let i = 0; i < count; i += 1) {
    stops.push(
      client.subscribe(
        { query },
        {
          next: (result) => {
            if (result.errors?.length) outcomes.push({ errors: result.errors as WsOutcome['errors'] });
            else outcomes.push({ data: result.data });
            if (outcomes.length >= refusals) enough.resolve();
          },
          error: (error: unknown) => {
            if (Array.isArray(error)) outcomes.push({ errors: error });
            else {
              const close = error as { code?: number; reason?: string };
              outcomes.push({ close: { code: close.code ?? -1, reason: String(close.reason ?? error) } });
              enough.resolve();
            }
            if (outcomes.length >= refusals) enough.resolve();
          },
          complete: () => undefined,
        },
      ),
    );
  }
  await enough.promise;
  for (const stop of stops) stop();
  return outcomes;
}

const WS_SHAPES: readonly WsShape[] = [
  {
    name: `10,000 subscriptions on one socket (cap ${DEFAULTS.maxSubscriptionsPerSocket}): 9,980 refused`,
    source: 'issue',
    async run(gw, disposer) {
      const outcomes = await flood(wsClient(disposer, gw, 'viewer'), LIVE, 10_000, 10_000 - DEFAULTS.maxSubscriptionsPerSocket);
      expect(outcomes).toHaveLength(10_000 - DEFAULTS.maxSubscriptionsPerSocket);
      return outcomes;
    },
    expected: { errors: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED' } },
  },
  {
    name: '5,000 `after: "0"` replays past MAX_REPLAY_EVENTS=3 on one socket',
    source: 'issue',
    env: { MAX_REPLAY_EVENTS: '3' },
    async run(gw, disposer) {
      // Five stored events: "0" is five back, over the cap of three.
      for (let id = 1; id <= 5; id += 1) {
        const response = await fetch(`${gw.url}/callbacks/${CALLBACK_SECRET}/call-record`, {
          method: 'POST',
          body: new URLSearchParams({ detail: callRecordDetail(880_000 + id) }),
        });
        expect(response.status).toBe(200);
      }
      gw.sim.stats.reset();
      const outcomes = await flood(wsClient(disposer, gw, 'viewer'), REPLAY, 5_000, 5_000);
      expect(outcomes.filter((o) => o.errors?.[0]?.extensions?.code === 'REPLAY_LIMIT_EXCEEDED').length, 'replays refused as such').toBeGreaterThanOrEqual(DEFAULTS.maxSubscriptionsPerSocket);
      return outcomes;
    },
    // A refused replay may also find the socket's operation slots taken by replays still being refused.
    expected: { errors: { code: ['REPLAY_LIMIT_EXCEEDED', 'SUBSCRIPTION_LIMIT_EXCEEDED'] } },
  },
  {
    name: '2,000 sockets from one address (MAX_SOCKETS_PER_ADDRESS=5, open 6): the 6th is refused at the upgrade',
    source: 'issue',
    env: { MAX_SOCKETS_PER_ADDRESS: '5' },
    async run(gw, disposer) {
      const held = Array.from({ length: 5 }, () => rawSocket(disposer, gw));
      for (const socket of held) expect(await socket.opened).toEqual({ open: true });
      const sixth = rawSocket(disposer, gw);
      const state = await sixth.opened;
      return [state.open ? { close: await sixth.closed } : { upgrade: state.status }];
    },
    expected: { upgrade: [429] },
  },
  {
    name: 'sockets per key (MAX_SOCKETS_PER_KEY=5, open 6): the 6th is closed at connection_init',
    source: 'issue',
    env: { MAX_SOCKETS_PER_KEY: '5' },
    async run(gw, disposer) {
      const held = Array.from({ length: 5 }, () => rawSocket(disposer, gw));
      for (const socket of held) expect(await socket.init('viewer')).toEqual({ acked: true });
      const sixth = await rawSocket(disposer, gw).init('viewer');
      return [sixth.acked ? { data: 'acked' } : { close: sixth.close }];
    },
    expected: { close: [4029] },
  },
  {
    name: 'a frame over MAX_REQUEST_BODY_BYTES (8 MiB + 1)',
    source: 'issue',
    async run(gw, disposer) {
      const raw = rawSocket(disposer, gw);
      expect(await raw.init('admin')).toEqual({ acked: true });
      raw.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: PROBE, pad: 'p'.repeat(8 * MIB) } }));
      return [{ close: await raw.closed }];
    },
    expected: { close: [1009] },
  },
  {
    name: 'a foreign Origin on the socket',
    source: 'issue',
    async run(gw, disposer) {
      const state = await rawSocket(disposer, gw, { origin: FOREIGN_ORIGIN }).opened;
      return [state.open ? { data: 'opened' } : { upgrade: state.status }];
    },
    expected: { upgrade: [403] },
  },
  {
    name: 'a socket without an API key',
    source: 'limit',
    async run(gw, disposer) {
      const state = await rawSocket(disposer, gw).init(null);
      return [state.acked ? { data: 'acked' } : { close: state.close }];
    },
    expected: { close: [4403] },
  },
  {
    name: 'a peer that never answers pings (WS_PING_INTERVAL_SECONDS=1) is dropped',
    source: 'issue',
    env: { WS_PING_INTERVAL_SECONDS: '1' },
    async run(gw, disposer) {
      const raw = rawSocket(disposer, gw, { autoPong: false });
      expect(await raw.init('viewer')).toEqual({ acked: true });
      return [{ close: await raw.closed }];
    },
    // terminate() shows as 1006 (no close frame); a polite close would be 1001 or 1011.
    expected: { close: [1006, 1001, 1011] },
  },
  {
    name: 'not JSON: a text frame of garbage',
    source: 'owasp',
    async run(gw, disposer) {
      const raw = rawSocket(disposer, gw);
      expect(await raw.init('viewer')).toEqual({ acked: true });
      raw.socket.send('{"id":"1","type":"subscribe","payload":{"query":');
      return [{ close: await raw.closed }];
    },
    expected: { close: [4400] },
  },
  {
    name: 'random bytes in a binary frame',
    source: 'owasp',
    async run(gw, disposer) {
      const raw = rawSocket(disposer, gw);
      expect(await raw.init('viewer')).toEqual({ acked: true });
      raw.socket.send(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff)));
      return [{ close: await raw.closed }];
    },
    expected: { close: [4400] },
  },
  {
    name: 'a 15-level subscription (agentStatusChanged → agent → seats → queue …)',
    source: 'issue',
    run: async (gw, disposer) => [await firstOutcome(wsClient(disposer, gw), DEEP_SUBSCRIPTION)],
    expected: { errors: { code: 'OPERATION_LIMIT_EXCEEDED', limit: OperationLimit.Depth } },
  },
  {
    name: 'the 15-level agents query over the socket',
    source: 'issue',
    run: async (gw, disposer) => [await firstOutcome(wsClient(disposer, gw), DEEP_AGENTS)],
    expected: { errors: { code: 'OPERATION_LIMIT_EXCEEDED', limit: OperationLimit.Depth } },
  },
  {
    name: '2,000 aliases over the socket',
    source: 'issue',
    run: async (gw, disposer) => [await firstOutcome(wsClient(disposer, gw), `{ ${times(2_000, (i) => `a${i}: gateway { version }`)} }`)],
    expected: { errors: { code: 'OPERATION_LIMIT_EXCEEDED', limit: OperationLimit.Tokens } },
  },
  {
    name: '31 aliases over the socket',
    source: 'limit',
    run: async (gw, disposer) => [await firstOutcome(wsClient(disposer, gw), `{ ${times(31, (i) => `a${i}: gateway { version }`)} }`)],
    expected: { errors: { code: 'OPERATION_LIMIT_EXCEEDED', limit: OperationLimit.Aliases } },
  },
  {
    name: 'introspection by a viewer over the socket',
    source: 'owasp',
    run: async (gw, disposer) => [await firstOutcome(wsClient(disposer, gw, 'viewer'), '{ __schema { types { name } } }')],
    expected: { errors: { code: 'FORBIDDEN' } },
  },
  {
    name: 'a mutation by a viewer over the socket',
    source: 'limit',
    run: async (gw, disposer) => [await firstOutcome(wsClient(disposer, gw, 'viewer'), 'mutation { deleteQueue(name: "sales") { __typename } }')],
    expected: { errors: { code: 'FORBIDDEN' } },
  },
  {
    name: 'a fragment cycle over the socket',
    source: 'owasp',
    run: async (gw, disposer) => [await firstOutcome(wsClient(disposer, gw), 'subscription { ...A } fragment A on Subscription { taskStatusChanged { eventId } ...B } fragment B on Subscription { ...A }')],
    expected: { errors: { code: 'GRAPHQL_VALIDATION_FAILED' } },
  },
];

function expectOutcome(outcome: WsOutcome, expected: WsExpected, shape: string): void {
  const what = `${shape}: ${JSON.stringify(outcome).slice(0, 400)}`;
  if (expected.errors) {
    expect(outcome.errors?.length ?? 0, `errors for ${what}`).toBeGreaterThan(0);
    const codes = [expected.errors.code].flat();
    expect(codes, `extensions.code of ${what}`).toContain(outcome.errors?.[0]?.extensions?.code);
    // A row that names a limit expects OPERATION_LIMIT_EXCEEDED alone, so the limit is always there to check.
    if (expected.errors.limit) expect(outcome.errors?.[0]?.extensions?.limit, `extensions.limit of ${what}`).toBe(expected.errors.limit);
  }
  if (expected.close) expect(expected.close, `close code of ${what}`).toContain(outcome.close?.code);
  if (expected.upgrade) expect(expected.upgrade, `upgrade status of ${what}`).toContain(outcome.upgrade);
  expect(outcome.data, `no data for ${what}`).toBeUndefined();
}

/** A fresh socket answers the probe; a cap's place is given back when the TCP connection ends, so allow a few tries. */
async function expectSocketProbe(gw: TestGateway): Promise<void> {
  let last: WsOutcome = {};
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const disposer = createDisposer();
    try {
      last = await firstOutcome(wsClient(disposer, gw, 'viewer'), PROBE);
    } finally {
      await disposer.dispose();
    }
    if (last.data) break;
  }
  expect(last.data, `probe over a fresh socket: ${JSON.stringify(last)}`).toEqual({ gateway: { version: PACKAGE_VERSION } });
}

describe('hostile inputs over WebSocket', () => {
  const disposer = createDisposer();
  const gateways = gatewayPool(disposer);
  afterAll(() => disposer.dispose());

  it('has a shape per WebSocket threat, each with a unique name', () => {
    expect(WS_SHAPES.length).toBeGreaterThanOrEqual(12);
    expect(new Set(WS_SHAPES.map((s) => s.name)).size).toBe(WS_SHAPES.length);
  });

  it.each(WS_SHAPES.map((shape) => [shape.name, shape] as const))('%s', async (_name, shape) => {
    const gw = await gateways(shape.env);
    await settle(gw);
    const local = createDisposer();
    try {
      const hostile = shape.run(gw, local);
      const meanwhile = probe(gw.url);
      const [outcomes, probeMeanwhile] = await Promise.all([hostile, meanwhile]);
      expect(outcomes.length).toBeGreaterThan(0);
      for (const outcome of outcomes) expectOutcome(outcome, shape.expected, shape.name);
      expectProbeAnswered(probeMeanwhile, 'meanwhile');
    } finally {
      await local.dispose();
    }
    await expectSocketProbe(gw);
    expectNoUpstreamCalls(gw, shape.name);
  }, 60_000);
});
