import type { Span } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Plugin } from 'graphql-yoga';
import type { IngestResult, RunWithin } from '../callbacks/ingest.ts';
import type { TracingConfig } from '../config.ts';
import { observeQueries } from '../store/database.ts';
import type { Store } from '../store/index.ts';
import { type UpstreamCallEnd, type UpstreamCallObserver, UpstreamCallOutcome } from '../upstream/http.ts';
import { useOperationTracing } from './operation-tracing.ts';
import { CallbackOutcome, type RequestScope, Transport } from './request-scope.ts';
import { storeQueryObserver } from './store-tracing.ts';
import type { TraceKit } from './trace-kit.ts';

/**
 * OpenTelemetry tracing, off unless configured (docs/operations.md, "Traces"): on when an OTLP endpoint is set
 * (config.tracing) or a test brings its own exporter. Off, nothing of it runs: no OpenTelemetry module is loaded (the
 * SDK is imported dynamically, below, only when on: start-up time and memory were tuned, and
 * test/integration/startup-modules.test.ts checks what a plain start loads), no plugin, no observer, no context
 * manager, no span object; the app holds `telemetry.tracing === null` and each hook is one null check.
 *
 * The spans themselves are made here and in operation-tracing.ts and store-tracing.ts, through the TraceKit the SDK
 * side (tracing-sdk.ts, trace-kit.ts) hands back; those modules use OpenTelemetry's types only.
 */
export interface GatewayTracing {
  /** The envelop plugin making one span per GraphQL operation (src/server/yoga.ts installs it when tracing is on). */
  readonly plugin: Plugin;
  /** Makes a child span per upstream request (upstreamObservers in telemetry.ts). */
  readonly upstreamObserver: UpstreamCallObserver;
  /** Makes a span per statement of `store` from now on; returns what stops it. */
  traceStore(store: Store): () => void;
  /**
   * Runs one callback's ingestion (store, project, settle) inside its span; its store queries are the span's children.
   * `ingest` gets what runs code in the span's context, for the ingestor's group commit (CallbackIngestor.ingest).
   */
  traceIngestion(kind: string, scope: RequestScope | undefined, ingest: (within: RunWithin) => Promise<IngestResult>): Promise<IngestResult>;
  /** Flushes the spans not yet exported and stops the exporter (the app's stop() calls it). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** From the environment (OTEL_EXPORTER_OTLP_ENDPOINT …); null: no OTLP export. */
  config: TracingConfig | null;
  /** A test's exporter (an InMemorySpanExporter): spans are handed to it one by one as they end. */
  spanExporter?: SpanExporter;
  /** The release, as the `service.version` resource attribute. */
  version: string;
}

/** The app's tracing, or null (the default) when neither an OTLP endpoint nor an exporter is given. */
export async function createGatewayTracing(options: TracingOptions): Promise<GatewayTracing | null> {
  if (!options.config && !options.spanExporter) return null;
  const { startTracing } = await import('./tracing-sdk.ts');
  const { kit, shutdown } = startTracing(options);
  const queries = storeQueryObserver(kit);
  return {
    plugin: useOperationTracing(kit),
    upstreamObserver: upstreamSpans(kit),
    traceStore: (store) => observeQueries(store.db, queries),
    traceIngestion: (kind, scope, ingest) => traceIngestion(kit, kind, scope, ingest),
    shutdown,
  };
}

/** A client span per upstream request: platform, service, method, HTTP status, outcome; never the URL or a body. */
function upstreamSpans(kit: TraceKit): UpstreamCallObserver {
  return {
    started(call) {
      const span = kit.startClient(`${call.upstream} ${call.operation}`, {
        'gateway.upstream.platform': call.upstream,
        'gateway.upstream.service': call.operation,
        'http.request.method': call.method,
      });
      return (end: UpstreamCallEnd) => endUpstream(kit, span, end);
    },
  };
}

function endUpstream(kit: TraceKit, span: Span, end: UpstreamCallEnd): void {
  span.setAttribute('gateway.upstream.outcome', end.outcome);
  if (end.status !== null) span.setAttribute('http.response.status_code', end.status);
  if (end.outcome !== UpstreamCallOutcome.Answered) kit.fail(span, end.outcome);
  else if (end.status !== null && end.status >= 400) kit.fail(span, `HTTP ${end.status}`, String(end.status));
  span.end();
}

/** A root span per callback ingestion; the store statements it runs are its children. */
async function traceIngestion(
  kit: TraceKit,
  kind: string,
  scope: RequestScope | undefined,
  ingest: (within: RunWithin) => Promise<IngestResult>,
): Promise<IngestResult> {
  const { span, context } = kit.startRoot(`callback ${kind}`, scope?.requestId, {
    'gateway.transport': Transport.Callback,
    'gateway.callback.kind': kind,
  });
  try {
    const within: RunWithin = (fn) => kit.within(context, fn);
    const result = await within(() => ingest(within));
    span.setAttribute('gateway.callback.outcome', result.duplicate ? CallbackOutcome.Duplicate : CallbackOutcome.Stored);
    span.setAttribute('gateway.event_id', result.id);
    return result;
  } catch (error) {
    span.setAttribute('gateway.callback.outcome', CallbackOutcome.Failed);
    // The error's class only: a store error's message may quote the values it refused.
    kit.fail(span, error instanceof Error ? error.name : 'Error');
    throw error;
  } finally {
    span.end();
  }
}
