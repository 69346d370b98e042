import type { Principal } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import { createSipLoaders, type SipLoaders } from './loaders/sip.ts';
import type { Store } from './store/index.ts';
import type { AiCallClient } from './upstream/aicall/client.ts';
import type { SipClient } from './upstream/sip/client.ts';
import type { ZonedTime } from './upstream/time.ts';

/** Long-lived services shared by every request. */
export interface GatewayServices {
  config: GatewayConfig;
  /** Null when the deployment has no SIP API configured. */
  sip: SipClient | null;
  /** Null when the deployment has no AI-call API configured. */
  aicall: AiCallClient | null;
  time: ZonedTime;
  /** The gateway's own memory: tasks it created, idempotency keys. */
  store: Store;
  version: string;
}

/** What every resolver gets; built fresh for each request (and each WebSocket operation). */
export interface GatewayContext extends GatewayServices {
  requestId: string;
  /** Null only before authentication has run (never inside a resolver when auth is on). */
  principal: Principal | null;
  /** Fresh per request, so one request's batch never serves another's stale data. */
  loaders: SipLoaders;
}

export function createContext(services: GatewayServices, principal: Principal | null): GatewayContext {
  return {
    ...services,
    requestId: crypto.randomUUID(),
    principal,
    loaders: createSipLoaders(services.sip, services.config.sipListChunkSize),
  };
}
