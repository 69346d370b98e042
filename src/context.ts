import type { GatewayConfig } from './config.ts';
import type { AiCallClient } from './upstream/aicall/client.ts';
import type { SipClient } from './upstream/sip/client.ts';

/** Long-lived services shared by every request. */
export interface GatewayServices {
  config: GatewayConfig;
  /** Null when the deployment has no SIP API configured. */
  sip: SipClient | null;
  /** Null when the deployment has no AI-call API configured. */
  aicall: AiCallClient | null;
  version: string;
}

/** What every resolver gets; built fresh for each request (and each WebSocket operation). */
export interface GatewayContext extends GatewayServices {
  requestId: string;
}

export function createContext(services: GatewayServices): GatewayContext {
  return { ...services, requestId: crypto.randomUUID() };
}
