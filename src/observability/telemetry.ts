import type { Logger } from '../logger.ts';
import type { UpstreamCallObserver } from '../upstream/http.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { GatewayTracing } from './tracing.ts';

/**
 * The gateway's three views of itself, made once per app (buildApp) and handed to the parts that report into them:
 * structured logs (always), Prometheus metrics (METRICS=off: null, nothing counted) and OpenTelemetry traces (null
 * unless an OTLP endpoint is configured or a test brings its own exporter). docs/operations.md says what each holds.
 */
export interface Telemetry {
  logger: Logger;
  metrics: GatewayMetrics | null;
  tracing: GatewayTracing | null;
}

/** Everything that watches upstream requests, in the order they are told. */
export function upstreamObservers(_telemetry: Telemetry): UpstreamCallObserver[] {
  const observers: UpstreamCallObserver[] = [];
  return observers;
}
