import type { Logger } from '../logger.ts';
import type { UpstreamCallObserver } from '../upstream/http.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { GatewayTracing } from './tracing.ts';
import type { UpstreamHealth } from './upstream-health.ts';
import type { ConnectionCounter } from '../server/connection-limits.ts';

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
