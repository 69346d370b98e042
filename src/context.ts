import type { Principal } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import type { EventFeed } from './events/feed.ts';
import type { TaskChange } from './events/task-changes.ts';
import type { GatewayEvent } from './events/types.ts';
import type { PubSub } from './events/pubsub.ts';
import { type AiCallLoaders, type AiTaskOptionsCache, createAiCallLoaders } from './loaders/aicall.ts';
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
  /** What a new AI task may use (`GET /v1/task/create`), cached for seconds and shared; null without the AI-call API. */
  aiTaskOptions: AiTaskOptionsCache | null;
  time: ZonedTime;
  /** The gateway's own memory: tasks it created, idempotency keys. */
  store: Store;
  /** Stored callback events, published after their 2xx: in-process, or Redis across replicas (docs/events.md). */
  pubsub: PubSub;
  /** Ordered, gap-free event streams for this process's subscribers (the pub/sub only wakes it). */
  feed: EventFeed;
  /**
   * Records a task status change the gateway made (a mutation) as a task-status event: appended, projected, settled
   * and published like a callback (src/events/task-changes.ts). Resolves to the settled event, or null (duplicate,
   * projection retried later, or not stored: logged).
   */
  recordTaskChange: (change: TaskChange) => Promise<GatewayEvent | null>;
  version: string;
}

/** What every resolver gets; built fresh for each request (and each WebSocket operation). */
export interface GatewayContext extends GatewayServices {
  requestId: string;
  /** Null only before authentication has run (never inside a resolver when auth is on). */
  principal: Principal | null;
  /** Fresh per request, so one request's batch never serves another's stale data. */
  loaders: SipLoaders;
  /** AI-call reads of this request: one task list, one options read, resources by id. */
  aiLoaders: AiCallLoaders;
}

export function createContext(services: GatewayServices, principal: Principal | null): GatewayContext {
  return {
    ...services,
    requestId: crypto.randomUUID(),
    principal,
    loaders: createSipLoaders(services.sip, services.config.sipListChunkSize),
    aiLoaders: createAiCallLoaders(services.aicall, services.aiTaskOptions),
  };
}
