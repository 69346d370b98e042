import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { GatewayConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { ConnectionCounter } from '../server/connection-limits.ts';
import type { Store } from '../store/index.ts';
import type { UpstreamCallObserver } from '../upstream/http.ts';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.ts';
import { createGatewayTracing, type GatewayTracing } from './tracing.ts';
import { createUpstreamHealth, type UpstreamHealth } from './upstream-health.ts';

/**
 * The gateway's three views of itself, made once per app (buildApp) and handed to the parts that report into them:
 * structured logs (always), Prometheus metrics (METRICS=off: null, nothing counted) and OpenTelemetry traces (null
 * unless an OTLP endpoint is configured or a test brings its own exporter). docs/operations.md says what each holds.
 */
export interface Telemetry {
  logger: Logger;
  metrics: GatewayMetrics | null;
  tracing: GatewayTracing | null;
  /** Each platform's last success, last failure and requests in flight (always on: a few fields per platform). */
  upstreamHealth: UpstreamHealth;
  /** Long-lived connections (WebSockets, SSE streams) open, per address: the operator's view counts them. */
  connections: Pick<ConnectionCounter, 'counts'>;
}

/** Everything that watches upstream requests, in the order they are told. */
export function upstreamObservers(telemetry: Telemetry): UpstreamCallObserver[] {
  const observers: UpstreamCallObserver[] = [telemetry.upstreamHealth];
  if (telemetry.metrics) observers.push(telemetry.metrics.upstream);
  // A child span per request, under the operation's span (tracing off: not added, nothing to check per call).
  if (telemetry.tracing) observers.push(telemetry.tracing.upstreamObserver);
  return observers;
}

export interface TelemetryOptions {
  config: GatewayConfig;
  /** The app's root logger. */
  logger: Logger;
  /** Where the metrics' own warnings go (a scrape's store read failing). */
  metricsLogger: Logger;
  /** The event store the metrics count (at most every 5 s, at scrape time). */
  store: Store;
  connections: ConnectionCounter;
  /** Turns tracing on with this exporter (tests), besides any OTLP endpoint configured. */
  spanExporter?: SpanExporter;
  version: string;
}

/** The app's telemetry as configured: metrics unless METRICS=off, tracing only when an endpoint or exporter is given. */
export async function createTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const { config } = options;
  return {
    logger: options.logger,
    metrics: config.metrics
      ? createGatewayMetrics({ maxConnections: config.http.maxConnections, store: options.store.events, logger: options.metricsLogger })
      : null,
    // The SDK is loaded only here, and only when tracing is on.
    tracing: await createGatewayTracing({ config: config.tracing, spanExporter: options.spanExporter, version: options.version }),
    upstreamHealth: createUpstreamHealth(),
    connections: options.connections,
  };
}
