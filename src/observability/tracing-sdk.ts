import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config.ts';
import { TraceKit } from './trace-kit.ts';
import type { TracingOptions } from './tracing.ts';

/**
 * The OpenTelemetry SDK side of tracing.ts, imported only when tracing is on: one provider per app, its processors
 * and exporters, and the TraceKit spans are made with. It imports nothing of the gateway's own at run time (trace-kit.ts
 * says why).
 */

const DEFAULT_SERVICE_NAME = 'callcentre-graphql-gateway';
/**
 * The longest stop() waits for the last spans to reach the collector: a collector that is down must not hold up a
 * SIGTERM (SHUTDOWN_TIMEOUT_SECONDS is for requests, not for traces). Spans still unsent then are lost.
 */
const FLUSH_AT_STOP_MS = 3_000;

export interface TracingSdk {
  kit: TraceKit;
  /** Flushes what is not exported yet (bounded by FLUSH_AT_STOP_MS) and stops. */
  shutdown(): Promise<void>;
}

export function startTracing(options: Omit<TracingOptions, 'config'> & { config: TracingConfig | null }): TracingSdk {
  const contexts = new AsyncLocalStorageContextManager().enable();
  const processors: SpanProcessor[] = [];
  // A test's exporter gets each span as it ends (nothing to wait for); OTLP gets them in batches, off the hot path.
  if (options.spanExporter) processors.push(new SimpleSpanProcessor(options.spanExporter));
  if (options.config) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: options.config.tracesUrl })));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.config?.serviceName ?? DEFAULT_SERVICE_NAME,
      [ATTR_SERVICE_VERSION]: options.version,
    }),
    sampler: samplerFor(options.config),
    spanProcessors: processors,
  });
  let closing: Promise<void> | undefined;
  return {
    kit: new TraceKit(provider.getTracer(DEFAULT_SERVICE_NAME, options.version), contexts),
    shutdown: () => (closing ??= boundedShutdown(provider, contexts)),
  };
}

async function boundedShutdown(provider: BasicTracerProvider, contexts: AsyncLocalStorageContextManager): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, FLUSH_AT_STOP_MS);
    timer.unref();
  });
  // An export that fails (collector down) is the exporter's to report; stopping goes on.
  await Promise.race([provider.shutdown().catch(() => undefined), late]);
  clearTimeout(timer);
  contexts.disable();
}

/**
 * Every trace, or OTEL_TRACES_SAMPLER_ARG of them chosen at the root (children follow their root's decision). Always
 * given explicitly: the provider would otherwise pick one from OTEL_TRACES_SAMPLER, which config.ts does not check.
 */
function samplerFor(config: TracingConfig | null): Sampler {
  const ratio = config?.sampleRatio ?? 1;
  return new ParentBasedSampler({ root: ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio) });
}
