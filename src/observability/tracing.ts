/** OpenTelemetry tracing, off unless configured (docs/operations.md). */
export interface GatewayTracing {
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}
