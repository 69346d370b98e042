import type { IncomingMessage } from 'node:http';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackIngestor } from '../../src/callbacks/ingest.ts';
import { normaliseCallback } from '../../src/callbacks/schemas.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { ErrorCode } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { RequestScope, Transport } from '../../src/observability/request-scope.ts';
import { sqliteCommits } from '../../src/store/sqlite-statements.ts';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { CreatePredictiveTaskDocument, WallboardDocument } from '../generated/graphql.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { demoQueue, KEYS, startGateway, type TestGateway, wsClient } from '../utils/gateway.ts';
import { collectSubscription } from '../utils/subscription.ts';
import { startLoopbackServer } from '../utils/loopback-server.ts';

/**
 * OpenTelemetry traces (docs/operations.md, "Traces"), checked with an in-process exporter handed to buildApp: one
 * span per operation whose children are exactly the upstream requests it made (counted against the simulator's own
 * count) and the store queries it ran; a span per callback ingestion with its store queries; the request id on all
 * of them; no upstream text on any. And once over OTLP/HTTP, to a loopback server standing in for a collector.
 */

const SECRET = 'trace-cb-secret-0123456789';
/** Text the simulator answers with on an injected failure: it must reach no span. */
const UPSTREAM_TEXT = 'upstream-said-something-private-4711';

const attribute = (span: ReadableSpan, name: string) => span.attributes[name];
const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan) =>
  spans.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
const isUpstream = (span: ReadableSpan) => attribute(span, 'gateway.upstream.platform') !== undefined;
const isStore = (span: ReadableSpan) => attribute(span, 'db.system.name') !== undefined;

/** POSTs an operation with our own x-request-id; resolves with the JSON body and the request id the gateway answered. */
async function post(gw: TestGateway, query: string, variables: Record<string, unknown>, requestId: string, key: keyof typeof KEYS = 'admin') {
  const response = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS[key]}`, 'x-request-id': requestId },
    body: JSON.stringify({ query, variables }),
  });
  return { requestId: response.headers.get('x-request-id'), body: (await response.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> } };
}

describe('traces with an in-process exporter', () => {
  const disposer = createDisposer();
  const exporter = new InMemorySpanExporter();
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET }, app: { spanExporter: exporter } });
    // Logs in (shared work) before anything is counted.
    expect((await gw.gql('{ agents(first: 1) { edges { node { extension } } } }')).errors).toBeUndefined();
  });
  afterAll(() => disposer.dispose());

  it('a wallboard query is one operation span whose upstream children are exactly the requests it made', async () => {
    exporter.reset();
    gw.sim.stats.reset();
    const fastPathAnswered = gw.app.fastPath!.answered;
    const { requestId, body } = await post(gw, print(WallboardDocument), { first: 20 }, 'wallboard-trace-1');
    expect(body.errors).toBeUndefined();
    // Answered by the HTTP fast path, which runs the same enveloped execute as yoga and graphql-ws.
    expect(gw.app.fastPath!.answered).toBe(fastPathAnswered + 1);
    expect(requestId).toBe('wallboard-trace-1');
    const spans = exporter.getFinishedSpans();
    const operations = spans.filter((span) => span.name === 'graphql.query Wallboard');
    expect(operations).toHaveLength(1);
    const operation = operations[0]!;
    expect(operation.kind).toBe(SpanKind.SERVER);
    expect(operation.parentSpanContext).toBeUndefined();
    expect(operation.attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'graphql.operation.name': 'Wallboard',
      'gateway.request_id': 'wallboard-trace-1',
      'gateway.role': 'admin',
      'gateway.transport': 'http',
      'gateway.outcome': 'ok',
      'gateway.upstream_calls': gw.sim.stats.total(),
    });
    expect(operation.status.code).not.toBe(SpanStatusCode.ERROR);

    const upstream = spans.filter(isUpstream);
    expect(gw.sim.stats.total()).toBeGreaterThan(1);
    expect(upstream).toHaveLength(gw.sim.stats.total());
    expect(childrenOf(spans, operation).filter(isUpstream)).toHaveLength(gw.sim.stats.total());
    for (const span of upstream) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.spanContext().traceId).toBe(operation.spanContext().traceId);
      expect(span.attributes).toMatchObject({
        'gateway.upstream.platform': 'sip',
        'gateway.upstream.outcome': 'answered',
        'http.response.status_code': 200,
        'gateway.request_id': 'wallboard-trace-1',
      });
    }
    // Each service as often as the simulator saw it.
    const byService = new Map<string, number>();
    for (const span of upstream) {
      const service = String(attribute(span, 'gateway.upstream.service'));
      byService.set(service, (byService.get(service) ?? 0) + 1);
    }
    for (const [service, count] of byService) expect(gw.sim.stats.count(service)).toBe(count);
    // The request's spans are exactly the operation's trace (background work, such as the event store's sweeps, makes
    // root spans of its own without a request id).
    const inTrace = spans.filter((span) => span.spanContext().traceId === operation.spanContext().traceId);
    expect(spans.filter((span) => attribute(span, 'gateway.request_id') === 'wallboard-trace-1')).toEqual(inTrace);
  });

  it('yoga\'s own HTTP handler (a request the fast path leaves to it) is traced the same way', async () => {
    exporter.reset();
    const handedOver = gw.app.fastPath!.answered;
    const response = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      // A declared content coding: the fast path does not take it, yoga does.
      headers: { 'content-type': 'application/json', 'content-encoding': 'identity', authorization: `Bearer ${KEYS.viewer}`, 'x-request-id': 'yoga-1' },
      body: JSON.stringify({ query: 'query ThroughYoga { queues { name } }' }),
    });
    expect(response.status).toBe(200);
    expect(gw.app.fastPath!.answered).toBe(handedOver);
    const operation = exporter.getFinishedSpans().find((span) => span.name === 'graphql.query ThroughYoga')!;
    expect(operation.attributes).toMatchObject({ 'gateway.request_id': 'yoga-1', 'gateway.role': 'viewer', 'gateway.transport': 'http', 'gateway.outcome': 'ok' });
  });

  it('an upstream failure marks the request and the operation as errors, with codes and no upstream text', async () => {
    const extension = (await gw.gql('{ agents(first: 1) { edges { node { extension } } } }')).data?.agents.edges[0].node.extension as string;
    exporter.reset();
    gw.sim.stats.reset();
    gw.sim.control.failNext(1, { httpStatus: 500, body: UPSTREAM_TEXT }, SipService.GetSipCallStatus);
    const { body } = await post(gw, 'query Failing($e: String!) { agent(extension: $e) { extension callStatus { state } } }', { e: extension }, 'failing-1');
    expect(body.errors?.map((error) => error.extensions?.code)).toContain(ErrorCode.UpstreamUnavailable);

    const spans = exporter.getFinishedSpans();
    const operation = spans.find((span) => span.name === 'graphql.query Failing')!;
    expect(operation.status).toEqual({ code: SpanStatusCode.ERROR, message: ErrorCode.UpstreamUnavailable });
    expect(operation.attributes).toMatchObject({ 'gateway.outcome': 'error', 'gateway.error_codes': [ErrorCode.UpstreamUnavailable] });
    const upstream = childrenOf(spans, operation).filter(isUpstream);
    expect(upstream).toHaveLength(gw.sim.stats.total());
    const failed = upstream.filter((span) => span.status.code === SpanStatusCode.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.attributes).toMatchObject({ 'http.response.status_code': 500, 'gateway.upstream.service': expect.stringMatching(/GetSipCallStatus$/) });
    expect(JSON.stringify(spans.map((span) => [span.name, span.attributes, span.status, span.events]))).not.toContain(UPSTREAM_TEXT);
  });

  it('a mutation traces the store queries it runs as children of its operation span', async () => {
    exporter.reset();
    const { body } = await post(
      gw,
      print(CreatePredictiveTaskDocument),
      { input: { name: 'traced', assignment: { type: 'QUEUE', assignee: demoQueue(gw.sim) }, numbers: [{ phone: '13900000001' }] } },
      'mutation-1',
      'operator',
    );
    expect(body.errors).toBeUndefined();
    const spans = exporter.getFinishedSpans();
    const operation = spans.find((span) => span.name === 'graphql.mutation CreatePredictiveTask')!;
    expect(operation.attributes).toMatchObject({ 'gateway.role': 'operator', 'gateway.outcome': 'ok', 'gateway.request_id': 'mutation-1' });
    const queries = childrenOf(spans, operation).filter(isStore);
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.some((span) => /^INSERT /.test(span.name))).toBe(true);
    for (const span of queries) {
      expect(span.attributes).toMatchObject({ 'db.system.name': 'sqlite', 'gateway.request_id': 'mutation-1', 'db.query.text': expect.any(String) });
      // Statement text with placeholders; the phone number went as a parameter and is nowhere.
      expect(JSON.stringify(span.attributes)).not.toContain('13900000001');
    }
  });

  it('a callback is one ingestion span with its request id, event id and outcome, its store queries as children', async () => {
    exporter.reset();
    const response = await fetch(`${gw.url}/callbacks/${SECRET}/extension-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'callback-1' },
      body: JSON.stringify({ ...EXTENSION_STATUS_COMMON, extnumber: '7301', uuid: 'trace-cb-1' }),
    });
    const answer = (await response.json()) as { id: number; duplicate: boolean };
    expect(response.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    const ingestion = spans.filter((span) => span.name === 'callback extension-status');
    expect(ingestion).toHaveLength(1);
    expect(ingestion[0]!.attributes).toMatchObject({
      'gateway.request_id': 'callback-1',
      'gateway.transport': 'callback',
      'gateway.callback.kind': 'extension-status',
      'gateway.callback.outcome': 'stored',
      'gateway.event_id': answer.id,
    });
    const queries = childrenOf(spans, ingestion[0]!);
    expect(queries.length).toBeGreaterThan(2);
    expect(queries.every(isStore)).toBe(true);
    // The transaction's statements, run on SQLite's connection directly, are there too.
    expect(queries.map((span) => span.name)).toEqual(expect.arrayContaining(['BEGIN', 'INSERT events', 'COMMIT']));
    for (const span of queries) expect(attribute(span, 'gateway.request_id')).toBe('callback-1');

    // The same callback again: a duplicate.
    exporter.reset();
    await fetch(`${gw.url}/callbacks/${SECRET}/extension-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...EXTENSION_STATUS_COMMON, extnumber: '7301', uuid: 'trace-cb-1' }),
    });
    const again = exporter.getFinishedSpans().find((span) => span.name === 'callback extension-status')!;
    expect(again.attributes).toMatchObject({ 'gateway.callback.outcome': 'duplicate', 'gateway.event_id': answer.id });
  });

  it('over graphql-ws: an operation span per query and one for a subscription\'s subscribe phase; its events resolve under it', async () => {
    // A gateway of its own: a subscription to agents starts background work (reconciliation) the other tests would count.
    const exporter = new InMemorySpanExporter();
    const gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET }, app: { spanExporter: exporter } });
    const ws = wsClient(disposer, gw, 'admin');
    const answered = createDeferred<unknown>();
    ws.subscribe({ query: 'query OverWs { queues { name } }' }, { next: answered.resolve, error: answered.reject, complete: () => undefined });
    await answered.promise;
    const query = exporter.getFinishedSpans().find((span) => span.name === 'graphql.query OverWs')!;
    expect(query.attributes).toMatchObject({ 'gateway.transport': 'ws', 'gateway.outcome': 'ok', 'gateway.request_id': expect.any(String) });

    exporter.reset();
    const watch = collectSubscription<{ eventId: string }>(
      ws,
      'subscription Watch($e: [String!]) { agentStatusChanged(extensions: $e) { eventId agent { callStatus { state } } } }',
      { e: ['7302'] },
    );
    // The callback below is sent once the subscribe phase is over (its span has ended).
    for (let i = 0; i < 200 && !exporter.getFinishedSpans().some((span) => span.name === 'graphql.subscription Watch'); i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const subscribed = exporter.getFinishedSpans().filter((span) => span.name === 'graphql.subscription Watch');
    expect(subscribed.length).toBeGreaterThanOrEqual(1);
    expect(subscribed[0]!.attributes).toMatchObject({ 'graphql.operation.type': 'subscription', 'gateway.transport': 'ws' });
    await fetch(`${gw.url}/callbacks/${SECRET}/extension-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...EXTENSION_STATUS_COMMON, extnumber: '7302', uuid: 'trace-ws-1' }),
    });
    await watch.until(1);
    watch.stop();
    const spans = exporter.getFinishedSpans();
    const subscriptionTraces = new Set(spans.filter((span) => span.name === 'graphql.subscription Watch').map((span) => span.spanContext().traceId));
    const eventCalls = spans.filter((span) => isUpstream(span) && attribute(span, 'gateway.upstream.service') === SipService.GetSipCallStatus);
    expect(eventCalls.length).toBeGreaterThanOrEqual(1);
    for (const span of eventCalls) expect(subscriptionTraces.has(span.spanContext().traceId)).toBe(true);
  });

  it('callbacks sharing a group commit (SQLite) each get their own statements as children', async () => {
    exporter.reset();
    const { store, pubsub, time } = gw.app.services;
    const ingestor = createCallbackIngestor({ store, pubsub, logger: createLogger('silent') });
    const tracing = gw.app.telemetry.tracing!;
    const extensions = ['7311', '7312', '7313', '7314'];
    // Queued in one tick, as callbacks read in one poll phase are: one transaction for the four.
    const commits = sqliteCommits();
    const results = await Promise.all(
      extensions.map((extnumber) => {
        const callback = normaliseCallback('extension-status', { ...EXTENSION_STATUS_COMMON, extnumber, uuid: `trace-group-${extnumber}` }, time);
        return tracing.traceIngestion('extension-status', new RequestScope(`group-${extnumber}`, Transport.Callback), (within) => ingestor.ingest(callback, within));
      }),
    );
    ingestor.close();
    expect(results.every((result) => !result.duplicate)).toBe(true);
    expect(sqliteCommits() - commits).toBe(1);
    const spans = exporter.getFinishedSpans();
    for (const extnumber of extensions) {
      const ingestion = spans.find((span) => span.name === 'callback extension-status' && attribute(span, 'gateway.request_id') === `group-${extnumber}`)!;
      const own = childrenOf(spans, ingestion);
      expect(own.filter((span) => span.name === 'INSERT events')).toHaveLength(1);
      for (const span of own) expect(attribute(span, 'gateway.request_id')).toBe(`group-${extnumber}`);
    }
  });

  it('a refused callback (bad input) is not ingested and makes no ingestion span', async () => {
    exporter.reset();
    const response = await fetch(`${gw.url}/callbacks/${SECRET}/extension-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"not":',
    });
    expect(response.status).toBe(400);
    expect(exporter.getFinishedSpans().filter((span) => span.name.startsWith('callback '))).toEqual([]);
  });
});

describe('tracing off (the default)', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('makes no tracing at all: telemetry.tracing is null and a query exports nothing', async () => {
    const exporter = new InMemorySpanExporter();
    const gw = await startGateway(disposer);
    expect(gw.app.telemetry.tracing).toBeNull();
    expect((await gw.gql('{ agents(first: 1) { edges { node { extension } } } }')).errors).toBeUndefined();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});

describe('OTLP/HTTP export', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('POSTs the spans to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces, flushed at the latest when the app stops', async () => {
    const received = createDeferred<{ path: string; contentType: string; body: string }>();
    const collector = await startLoopbackServer(disposer, (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        received.resolve({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const gw = await startGateway(disposer, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: `${collector}/`, OTEL_SERVICE_NAME: 'gateway-under-test' } });
    expect((await gw.gql('query Exported { queues { name } }')).errors).toBeUndefined();
    await gw.app.telemetry.tracing!.shutdown();
    const request = await received.promise;
    expect(request.path).toBe('/v1/traces');
    expect(request.contentType).toContain('application/');
    expect(request.body).toContain('graphql.query Exported');
    expect(request.body).toContain('gateway-under-test');
  });
});

describe('tracing configuration', () => {
  const base = { DATABASE_URL: 'file::memory:' };

  it('is off unless an endpoint is set; the traces endpoint is used as given, the general one gets /v1/traces', () => {
    expect(loadConfig(base).tracing).toBeNull();
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      serviceName: 'callcentre-graphql-gateway',
      sampleRatio: 1,
    });
    expect(
      loadConfig({
        ...base,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/in',
        OTEL_SERVICE_NAME: 'gw-eu',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }).tracing,
    ).toEqual({ tracesUrl: 'https://traces.example.com/in', serviceName: 'gw-eu', sampleRatio: 0.25 });
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).tracing).toBeNull();
  });

  it('refuses a malformed endpoint, a ratio outside 0..1 and a bad OTEL_SDK_DISABLED, naming each variable', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({
        ...base,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://x/',
        OTEL_TRACES_SAMPLER_ARG: '1.5',
        OTEL_SDK_DISABLED: 'yes',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:// or https:// URL',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: must be an http:// or https:// URL',
      'OTEL_TRACES_SAMPLER_ARG: must be from 0 to 1',
      expect.stringMatching(/^OTEL_SDK_DISABLED: /),
    ]);
  });
});
