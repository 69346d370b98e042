import type { GatewayConfig } from '../config.ts';
import { type AiTaskOptionsCache, createAiTaskOptionsCache } from '../loaders/aicall.ts';
import { type AiCallClient, createAiCallClient } from './aicall/client.ts';
import { createUpstreamHttp, type UpstreamCallObserver, type UpstreamHttp } from './http.ts';
import { createSipClient, type SipClient } from './sip/client.ts';
import { createZonedTime, type ZonedTime } from './time.ts';

/** The two platforms' clients over one set of undici pools (one per origin), as configured; null when not. */
export interface UpstreamClients {
  http: UpstreamHttp;
  time: ZonedTime;
  sip: SipClient | null;
  aicall: AiCallClient | null;
  aiTaskOptions: AiTaskOptionsCache | null;
}

export function createUpstreamClients(config: GatewayConfig, observers: readonly UpstreamCallObserver[] = []): UpstreamClients {
  const http = createUpstreamHttp({ ...config.http, observers });
  const time = createZonedTime(config.upstreamTimeZone);
  const aicall = config.aicall
    ? createAiCallClient({
        http,
        time,
        baseUrl: config.aicall.url,
        token: config.aicall.token,
        authHeader: config.aicall.authHeader,
        authScheme: config.aicall.authScheme,
      })
    : null;
  const sip = config.sip
    ? createSipClient({
        http,
        time,
        url: config.sip.url,
        appId: config.sip.appId,
        accessKey: config.sip.accessKey,
        formEncoding: config.sip.formEncoding,
        tokenTtlMs: config.sip.tokenTtlMs,
      })
    : null;
  return { http, time, sip, aicall, aiTaskOptions: aicall ? createAiTaskOptionsCache(aicall) : null };
}
