import { Registry } from 'prom-client';

/** Every metric the gateway exports (docs/operations.md), on one registry per app. */
export interface GatewayMetrics {
  readonly registry: Registry;
}

export function createGatewayMetrics(): GatewayMetrics {
  return { registry: new Registry() };
}
