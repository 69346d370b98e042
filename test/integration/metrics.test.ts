import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_OPERATION_NAMES } from '../../src/observability/metrics.ts';
import { SipCode, SipService } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startGateway, type TestGateway, wsClient } from '../utils/gateway.ts';
import { parseMetrics, type Sample, samplesOf, scrape, valueOf } from '../utils/metrics.ts';
import { collectSubscription } from '../utils/subscription.ts';

/**
 * /metrics read over HTTP after scripted runs against the simulator: the counts are those of what was done, exactly
 * (upstream calls by service against the simulator's own count, callbacks by outcome, operations by name and code),
 * label sets stay bounded, and the endpoint is protected (or on its own port, or off) as configured.
 */

const SECRET = 'metrics-test-callback-secret-01';
const TOKEN = 'metrics-test-scrape-token-0001';

const WALLBOARD = `query Wallboard($e: [String!]) {
  agents(filter: { extensions: $e }, first: 2000) {
    edges {
      node {
        extension enabled validity
        registration { registered clientIp serverIp }
        callStatus { state stateCode caller callee direction idleSeconds talkSeconds }
        seats { queue { name } state paused }
      }
    }
  }
}`;

const AGENT_EVENTS = `subscription Watch($after: ID) { agentStatusChanged(after: $after) { eventId extension status } }`;

const disposer = createDisposer();
afterEach(() => disposer.dispose());

const admin = (gw: TestGateway) => scrape(gw.url, KEYS.admin);

/** The upstream requests counted per SIP service, all outcomes together. */
function sipCalls(samples: readonly Sample[]): Map<string, number> {
  const calls = new Map<string, number>();
  for (const sample of samplesOf(samples, 'gateway_upstream_requests_total', { platform: 'sip' })) {
    const service = sample.labels.service as string;
    calls.set(service, (calls.get(service) ?? 0) + sample.value);
  }
  return calls;
}

function delta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of after) if (value - (before.get(key) ?? 0) > 0) out[key] = value - (before.get(key) ?? 0);
  return out;
}

/** An extension-status callback body (the agent leg), as the platform sends it. */
const extensionStatus = (extension: string, uuid: string, status: 'ring' | 'answer' | 'hangup', starttime = Math.floor(Date.now() / 1000) - 5) =>
  new URLSearchParams({
    detail: JSON.stringify({
      buuid: `${uuid}-b`,
      callee: '13900001111',
      caller: extension,
      companycode: '9024',
      direction: 'callout',
      disnumber: '021',
      extnumber: extension,
      isbleg: 'false',
      method: '5',
      starttime: String(starttime),
      status,
      type: 'call',
      uuid,
    }),
  });

const postCallback = (gw: TestGateway, kind: string, body: URLSearchParams | string) =>
  fetch(`${gw.url}/callbacks/${SECRET}/${kind}`, {
    method: 'POST',
    headers: typeof body === 'string' ? { 'content-type': 'application/json' } : {},
    body,
  });

/** A raw request, for what fetch will not send (a GET with a body). */
function rawRequest(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method, headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('metrics after scripted runs', () => {
  it('a 200-agent wallboard shows exactly the upstream calls it made, by service', async () => {
    const gw = await startGateway(disposer);
    const queue = [...gw.sim.sip.queues.keys()][0] ?? 'sales';
    const extensions = Array.from({ length: 200 }, (_, i) => String(8100 + i));
    for (const [i, number] of extensions.entries()) {
      gw.sim.sip.addExtension({ number, password: `pw-${number}-secret`, enabled: i % 10 !== 0 });
      gw.sim.sip.signIn(queue, number, String(i));
    }
    const before = sipCalls(await admin(gw));
    gw.sim.stats.reset();

    const result = await gw.gql(WALLBOARD, { e: extensions }, 'viewer');
    expect(result.errors).toBeUndefined();
    expect(result.data?.agents.edges).toHaveLength(200);

    const after = await admin(gw);
    const made = gw.sim.stats.snapshot();
    // Every service the simulator answered, counted once per request: no more, no fewer.
    expect(delta(before, sipCalls(after))).toEqual(made);
    expect(Object.keys(made).length).toBeGreaterThan(1);
    expect(valueOf(after, 'gateway_upstream_requests_total', { platform: 'sip', outcome: 'ok' }) - [...before.values()].reduce((a, b) => a + b, 0)).toBe(
      gw.sim.stats.total(),
    );
    // The durations were observed for the same requests.
    const timed = valueOf(after, 'gateway_upstream_request_duration_seconds_count', { platform: 'sip' });
    expect(timed).toBe(valueOf(after, 'gateway_upstream_requests_total', { platform: 'sip' }));
    expect(valueOf(after, 'gateway_graphql_operations_total', { operation: 'Wallboard', type: 'query', outcome: 'ok' })).toBe(1);
    expect(valueOf(after, 'gateway_graphql_operation_duration_seconds_count', { operation: 'Wallboard', type: 'query' })).toBe(1);
    // Nothing in flight once the answer is out; the pool size as configured (UPSTREAM_MAX_CONNECTIONS default).
    expect(valueOf(after, 'gateway_upstream_in_flight_requests', { platform: 'sip' })).toBe(0);
    expect(valueOf(after, 'gateway_upstream_pool_connections', { platform: 'sip' })).toBe(16);
    // One login so far, read from the SIP session at scrape time.
    expect(valueOf(after, 'gateway_sip_logins_total')).toBe(1);
    expect(valueOf(after, 'gateway_sip_last_login_timestamp_seconds')).toBeGreaterThan(0);
    // No label carries an extension.
    for (const sample of after) for (const value of Object.values(sample.labels)) expect(extensions).not.toContain(value);
  });

  it('10 duplicate callbacks show 1 stored and 9 duplicates; a refused one counts as rejected', async () => {
    const gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET } });
    const body = extensionStatus('8001', 'metrics-dup-1', 'ring');
    for (let i = 0; i < 10; i += 1) {
      const response = await postCallback(gw, 'extension-status', body);
      expect(response.status).toBe(200);
    }
    const refused = await postCallback(gw, 'extension-status', '{"not":"a callback"');
    expect(refused.status).toBe(400);

    const samples = await admin(gw);
    const count = (outcome: string) => valueOf(samples, 'gateway_callbacks_total', { kind: 'extension-status', outcome });
    expect([count('stored'), count('duplicate'), count('rejected'), count('failed')]).toEqual([1, 9, 1, 0]);
    expect(valueOf(samples, 'gateway_callback_ingest_duration_seconds_count', { kind: 'extension-status' })).toBe(10);
    // Published once, with its lag from the platform's timestamp (5 s before, whole seconds on the wire).
    expect(valueOf(samples, 'gateway_event_publish_lag_seconds_count', { topic: 'agent-status' })).toBe(1);
    expect(valueOf(samples, 'gateway_event_publish_lag_seconds_sum', { topic: 'agent-status' })).toBeGreaterThanOrEqual(4);
    // The store's gauges (read at scrape time): one event, settled.
    expect(valueOf(samples, 'gateway_event_store_events', { topic: 'agent-status' })).toBe(1);
    expect(valueOf(samples, 'gateway_event_store_pending_events')).toBe(0);
  });

  it('a platform refusal counts as a rejection with its code, and a renewed token as a login and a renewal', async () => {
    const gw = await startGateway(disposer);
    const queues = 'query Queues { queues { name } }';
    expect((await gw.gql(queues)).errors).toBeUndefined();
    gw.sim.control.failNext(1, { code: SipCode.OperationFailed, msg: 'platform text 13900001111' }, SipService.GetQueueList);
    expect((await gw.gql(queues)).errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_REJECTED']);
    gw.sim.control.expireAllTokens();
    expect((await gw.gql(queues)).errors).toBeUndefined();

    const samples = await admin(gw);
    expect(samplesOf(samples, 'gateway_upstream_rejections_total').map((s) => [s.labels.platform, s.labels.service, s.labels.code, s.value])).toEqual([
      ['sip', SipService.GetQueueList, `code:${SipCode.OperationFailed}`, 1],
    ]);
    expect(valueOf(samples, 'gateway_graphql_operations_total', { operation: 'Queues', outcome: 'UPSTREAM_REJECTED' })).toBe(1);
    expect(valueOf(samples, 'gateway_graphql_operations_total', { operation: 'Queues', outcome: 'ok' })).toBe(2);
    expect(valueOf(samples, 'gateway_sip_logins_total')).toBe(2);
    expect(valueOf(samples, 'gateway_sip_token_renewals_total')).toBe(1);
  });

  it('reconciliation corrections are counted', async () => {
    const gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET, RECONCILE_GRACE_SECONDS: '0' } });
    // The agent rings, its hang-up never comes, and the PBX says it is idle: one correction.
    gw.sim.sip.addExtension({ number: '88880002', password: 'not-shown' });
    expect((await postCallback(gw, 'extension-status', extensionStatus('88880002', 'metrics-rec-1', 'ring'))).status).toBe(200);
    expect(await gw.app.reconcile()).toBe(1);
    expect(await gw.app.reconcile()).toBe(0);
    const samples = await admin(gw);
    expect(valueOf(samples, 'gateway_reconcile_corrections_total')).toBe(1);
    // The correction went through ingestion like a callback: two agent-status events stored.
    expect(valueOf(samples, 'gateway_event_store_events', { topic: 'agent-status' })).toBe(2);
  });

  it('a GraphQL error counts with its code, a refused document once with its own, on the fast path and through yoga', async () => {
    const gw = await startGateway(disposer);
    const forbidden = await gw.gql('mutation Pause($id: ID!) { pauseTask(id: $id) { __typename } }', { id: 'VGFzazox' }, 'viewer');
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // A variable that does not coerce: the fast path executes, hands the request error over to yoga; counted once.
    const variable = await gw.gql('query Vars($n: Int) { agents(first: $n) { edges { node { extension } } } }', { n: 'x' });
    expect(variable.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    // Invalid: the fast path validates, hands over to yoga, which validates again: counted once.
    const invalid = await gw.gql('query Broken { noSuchField }');
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // A parse error: the name is the client's operationName, bounded like any other.
    const unparsable = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.admin}` },
      body: JSON.stringify({ query: '{', operationName: '+8613900001111' }),
    });
    expect(((await unparsable.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('GRAPHQL_PARSE_FAILED');

    const samples = await admin(gw);
    expect(samplesOf(samples, 'gateway_graphql_operations_total', { operation: 'Pause' }).map((s) => [s.labels.type, s.labels.outcome, s.value])).toEqual([
      ['mutation', 'FORBIDDEN', 1],
    ]);
    expect(samplesOf(samples, 'gateway_graphql_operations_total', { operation: 'Broken' }).map((s) => [s.labels.type, s.labels.outcome, s.value])).toEqual([
      ['query', 'GRAPHQL_VALIDATION_FAILED', 1],
    ]);
    expect(valueOf(samples, 'gateway_graphql_operations_total', { operation: 'other', outcome: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
    expect(samplesOf(samples, 'gateway_graphql_operations_total', { operation: 'Vars' }).map((s) => [s.labels.type, s.labels.outcome, s.value])).toEqual([
      ['query', 'INVALID_INPUT', 1],
    ]);
    expect(samples.some((s) => Object.values(s.labels).some((value) => value.includes('13900001111')))).toBe(false);
  });

  it('hostile operation names stay bounded: 500 distinct names, at most the cap as labels', async () => {
    const gw = await startGateway(disposer);
    for (let i = 0; i < 500; i += 1) {
      const answer = await gw.gql(`query Name${i} { gateway { version } }`);
      expect(answer.errors).toBeUndefined();
    }
    const samples = await admin(gw);
    const names = new Set(samplesOf(samples, 'gateway_graphql_operations_total').map((s) => s.labels.operation));
    expect(names.size).toBeLessThanOrEqual(MAX_OPERATION_NAMES + 1);
    expect(names.has('Name0')).toBe(true);
    expect(names.has('Name499')).toBe(false);
    expect(valueOf(samples, 'gateway_graphql_operations_total', { operation: 'other', outcome: 'ok' })).toBe(500 - MAX_OPERATION_NAMES);
    expect(valueOf(samples, 'gateway_graphql_operations_total', { type: 'query', outcome: 'ok' })).toBe(500);
  });

  it('a subscription shows its subscriber by topic and the events delivered; closing it takes the subscriber away', async () => {
    const gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET } });
    const client = wsClient(disposer, gw, 'viewer');
    // With `after`, whenever each stream starts listening it gets the event (replayed or live): no race with the post.
    const events = collectSubscription<{ eventId: string }>(client, AGENT_EVENTS, { after: '0' });
    const ready = collectSubscription<{ eventId: string }>(client, AGENT_EVENTS, { after: '0' });
    expect((await postCallback(gw, 'extension-status', extensionStatus('8002', 'metrics-sub-1', 'ring'))).status).toBe(200);
    await events.until(1);
    await ready.until(1);

    let samples = await admin(gw);
    expect(valueOf(samples, 'gateway_subscribers', { topic: 'agent-status' })).toBe(2);
    expect(valueOf(samples, 'gateway_subscribers', { topic: 'call-record' })).toBe(0);
    expect(valueOf(samples, 'gateway_events_delivered_total', { topic: 'agent-status' })).toBe(2);
    expect(valueOf(samples, 'gateway_graphql_operations_total', { operation: 'Watch', type: 'subscription', outcome: 'ok' })).toBe(2);
    // Queries over graphql-ws are counted like HTTP ones.
    const version = await new Promise<unknown>((resolve, reject) => {
      client.subscribe({ query: 'query OverWs { gateway { version } }' }, { next: resolve, error: reject, complete: () => undefined });
    });
    expect(version).toMatchObject({ data: { gateway: { version: expect.any(String) } } });
    samples = await admin(gw);
    expect(valueOf(samples, 'gateway_graphql_operations_total', { operation: 'OverWs', type: 'query', outcome: 'ok' })).toBe(1);
    // Each replay of `after: 0` is observed once it has read the store (it may finish just after its event went out).
    for (let i = 0; i < 50 && valueOf(samples, 'gateway_subscription_replay_events_count', { topic: 'agent-status' }) < 2; i += 1) samples = await admin(gw);
    expect(valueOf(samples, 'gateway_subscription_replay_events_count', { topic: 'agent-status' })).toBe(2);
    expect(valueOf(samples, 'gateway_subscription_replay_events_sum', { topic: 'agent-status' })).toBeLessThanOrEqual(2);

    events.stop();
    ready.stop();
    // graphql-ws's `complete` reaches the server asynchronously: a bounded number of scrapes until both are gone.
    for (let i = 0; i < 50 && valueOf(samples, 'gateway_subscribers', { topic: 'agent-status' }) > 0; i += 1) samples = await admin(gw);
    expect(valueOf(samples, 'gateway_subscribers', { topic: 'agent-status' })).toBe(0);
    expect(valueOf(samples, 'gateway_slow_consumers_dropped_total')).toBe(0);
  });
});

describe('slow consumers', () => {
  it('a subscriber too far behind is closed with 4030 and counted', async () => {
    const gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET, SUBSCRIBER_QUEUE_LIMIT: '3' } });
    const client = wsClient(disposer, gw, 'viewer');
    const extension = '88880003';
    const slow = collectSubscription(client, `subscription Slow { agentStatusChanged(extensions: ["${extension}"]) { eventId agent { validity } } }`, {});
    let failed = false;
    slow.failed.catch(() => (failed = true));
    // Subscribed once a query behind it on the same socket has answered (messages are handled in order).
    await new Promise((resolve, reject) => client.subscribe({ query: '{ gateway { version } }' }, { next: resolve, error: reject, complete: () => undefined }));
    // Each event's selection asks the PBX, which hangs: the subscriber cannot take the next event, so they queue.
    gw.sim.control.hang(true);
    disposer.add(() => gw.sim.control.hang(false));
    const base = Math.floor(Date.now() / 1000) + 7200;
    for (let call = 0; call < 10 && !failed; call += 1) {
      for (const status of ['ring', 'answer', 'hangup'] as const) {
        if (!failed) await postCallback(gw, 'extension-status', extensionStatus(extension, `slow-${call}`, status, base + call * 60));
      }
    }
    await expect(slow.failed).rejects.toMatchObject({ code: 4030 });
    gw.sim.control.hang(false);
    const samples = await admin(gw);
    expect(valueOf(samples, 'gateway_slow_consumers_dropped_total', { reason: 'queue_overflow' })).toBe(1);
    expect(valueOf(samples, 'gateway_slow_consumers_dropped_total', { reason: 'socket_buffer' })).toBe(0);
  });
});

describe('the /metrics endpoint', () => {
  it('on the main port: 401 without a key, 200 with METRICS_TOKEN or an admin key, 403 for a viewer key', async () => {
    const gw = await startGateway(disposer, { env: { METRICS_TOKEN: TOKEN } });
    const get = (authorization?: string) => fetch(`${gw.url}/metrics`, { headers: authorization ? { authorization } : {} });
    const none = await get();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toEqual({ error: 'unauthorized', reason: 'metrics need METRICS_TOKEN or an admin API key' });
    expect((await get('Bearer not-the-token-at-all-000')).status).toBe(401);
    expect((await get(`Bearer ${KEYS.viewer}`)).status).toBe(403);
    expect((await get(`Bearer ${KEYS.operator}`)).status).toBe(403);
    const byToken = await get(`Bearer ${TOKEN}`);
    expect(byToken.status).toBe(200);
    expect(byToken.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await byToken.text();
    expect(parseMetrics(text).length).toBeGreaterThan(0);
    // Process metrics (CPU, memory, event-loop lag) with the prefix.
    expect(text).toMatch(/^gateway_process_cpu_seconds_total /m);
    expect(text).toMatch(/^gateway_nodejs_eventloop_lag_seconds /m);
    expect((await get(`Bearer ${KEYS.admin}`)).status).toBe(200);
    // The request id is set on every answer, this one included.
    expect(none.headers.get('x-request-id')).toMatch(/./);
  });

  it('refuses what a scrape never is: other methods (405), a body (413); HEAD has no body', async () => {
    const gw = await startGateway(disposer, { env: { METRICS_TOKEN: TOKEN } });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const post = await fetch(`${gw.url}/metrics`, { method: 'POST', headers: auth, body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const withBody = await rawRequest(`${gw.url}/metrics`, { method: 'GET', headers: { ...auth, 'content-length': '3' }, body: 'abc' });
    expect(withBody.status).toBe(413);
    const head = await rawRequest(`${gw.url}/metrics`, { method: 'HEAD', headers: auth });
    expect(head).toEqual({ status: 200, body: '' });
    // Scrapes at once share one collection and all get the text.
    const many = await Promise.all(Array.from({ length: 5 }, () => fetch(`${gw.url}/metrics`, { headers: auth })));
    expect(many.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('METRICS_PORT: a separate listener serves /metrics without auth, and the main port has none', async () => {
    const gw = await startGateway(disposer, { env: { METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' } });
    const metricsUrl = gw.app.metricsUrl();
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(metricsUrl).not.toBe(gw.url);
    const samples = await scrape(metricsUrl as string, null);
    expect(samplesOf(samples, 'gateway_callbacks_total').length).toBeGreaterThan(0);
    expect((await fetch(`${metricsUrl}/graphql`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/metrics`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${KEYS.admin}` } })).status).toBe(404);
    // stop() closes it.
    await gw.app.stop();
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
  });

  it('METRICS=off: 404, and nothing is counted', async () => {
    const gw = await startGateway(disposer, { env: { METRICS: 'off', CALLBACK_SECRET: SECRET } });
    expect(gw.app.telemetry.metrics).toBeNull();
    expect((await gw.gql('query Off { gateway { version } }')).errors).toBeUndefined();
    expect((await postCallback(gw, 'extension-status', extensionStatus('8003', 'metrics-off-1', 'ring'))).status).toBe(200);
    const response = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${KEYS.admin}` } });
    expect(response.status).toBe(404);
    expect(gw.app.metricsUrl()).toBeNull();
  });

  it('METRICS_PORT and METRICS_TOKEN are checked at start', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config.ts');
    const base = { DATABASE_URL: 'file:./unused.db' };
    expect(() => loadConfig({ ...base, METRICS_PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ ...base, METRICS: 'maybe' })).toThrow(/METRICS/);
    const config = loadConfig({ ...base, METRICS_TOKEN: TOKEN });
    expect(config.metrics).toEqual({ port: null, host: '127.0.0.1', token: TOKEN });
    const { secretsOf } = await import('../../src/config.ts');
    expect(secretsOf(config)).toContain(TOKEN);
  });
});
