import type { GatewayContext } from '../context.ts';
import { UpstreamNotConfiguredError } from '../errors.ts';
import type { AiCallClient } from '../upstream/aicall/client.ts';
import type { SipClient } from '../upstream/sip/client.ts';

/** The SIP client, or UPSTREAM_NOT_CONFIGURED when this deployment has none. */
export function requireSip(ctx: GatewayContext): SipClient {
  if (!ctx.sip) throw new UpstreamNotConfiguredError({ upstream: 'sip', operation: 'query' });
  return ctx.sip;
}

/** The AI-call client, or UPSTREAM_NOT_CONFIGURED when this deployment has none. */
export function requireAiCall(ctx: GatewayContext): AiCallClient {
  if (!ctx.aicall) throw new UpstreamNotConfiguredError({ upstream: 'aicall', operation: 'query' });
  return ctx.aicall;
}
