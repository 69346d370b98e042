import type { Principal } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import type { EventFeed } from './events/feed.ts';
import type { TaskChange } from './events/task-changes.ts';
import type { GatewayEvent } from './events/types.ts';
import type { PubSub } from './events/pubsub.ts';
import { type AiCallLoaders, type AiTaskOptionsCache, createAiCallLoaders } from './loaders/aicall.ts';
import { createSipLoaders, type SipLoaders } from './loaders/sip.ts';
import type { RequestScope } from './observability/request-scope.ts';
import type { Telemetry } from './observability/telemetry.ts';
import type { Store } from './store/index.ts';
import type { AiCallClient } from './upstream/aicall/client.ts';
import type { SipClient } from './upstream/sip/client.ts';
import type { Statistics } from './stats/index.ts';
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
  /** Call-centre statistics and the abandon-rate guard (src/stats/); null when STATISTICS=off. */
  statistics: Statistics | null;
  /** Logs, metrics and traces (src/observability/). */
  telemetry: Telemetry;
  version: string;
}

/** What every resolver gets; built fresh for each request (and each WebSocket operation). */
export interface GatewayContext extends GatewayServices {
  /** The request: its id (`x-request-id`), and what the access line, metrics and spans report about it. */
  scope: RequestScope;
  /** Null only before authentication has run (never inside a resolver when auth is on). */
  principal: Principal | null;
  /** Fresh per request, so one request's batch never serves another's stale data. */
  loaders: SipLoaders;
  /** AI-call reads of this request: one task list, one options read, resources by id. */
  aiLoaders: AiCallLoaders;
}

/**
 * How many per-request loader sets were built, for the count tests: a request that reads nothing upstream (say
 * `{ gateway { version } }`) must build none.
 */
export const loaderSetsCreated = { sip: 0, aiCall: 0 };

/** What a lazy loader set's proxy stands on: how to build the set, and the set once built. */
interface LazySet {
  build: (services: GatewayServices) => object;
  services: GatewayServices;
  built: object | null;
}

const real = (lazy: LazySet): object => (lazy.built ??= lazy.build(lazy.services));

/** One handler for every lazy set (no closures per request): each trap goes to the real set, built on first use. */
const LAZY_SET: ProxyHandler<LazySet> = {
  get: (lazy, key) => Reflect.get(real(lazy), key),
  set: (lazy, key, value) => Reflect.set(real(lazy), key, value),
  has: (lazy, key) => Reflect.has(real(lazy), key),
  ownKeys: (lazy) => Reflect.ownKeys(real(lazy)),
  getOwnPropertyDescriptor: (lazy, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(real(lazy), key);
    // A proxy may not report a non-configurable property its target (the LazySet) does not have.
    return descriptor ? { ...descriptor, configurable: true } : undefined;
  },
};

/**
 * A loader set built on first use. A set is ten-odd DataLoaders (a Map and closures each); most operations use one set
 * or none, so building both for every request and every WebSocket operation was a good part of the fixed cost per
 * request. The proxy keeps `context.loaders.x` as it was, so resolvers do not know; `set` (a test replacing a loader)
 * and `in` reach the real set.
 */
function lazy<T extends object>(build: (services: GatewayServices) => T, services: GatewayServices): T {
  return new Proxy<LazySet>({ build, services, built: null }, LAZY_SET) as unknown as T;
}

function buildSipLoaders(services: GatewayServices): SipLoaders {
  loaderSetsCreated.sip += 1;
  return createSipLoaders(services.sip, services.config.sipListChunkSize);
}

function buildAiCallLoaders(services: GatewayServices): AiCallLoaders {
  loaderSetsCreated.aiCall += 1;
  return createAiCallLoaders(services.aicall, services.aiTaskOptions);
}

/**
 * The services are copied field by field, not spread: on Node 20 `{ ...services, more }` leaves V8's object-clone
 * fast path and cost about 100 times a literal (microseconds per request, measured). A field added to
 * GatewayServices fails to compile here until it is copied too (the literal must be a whole GatewayContext).
 */
export function createContext(services: GatewayServices, principal: Principal | null, scope: RequestScope): GatewayContext {
  return {
    config: services.config,
    sip: services.sip,
    aicall: services.aicall,
    aiTaskOptions: services.aiTaskOptions,
    time: services.time,
    store: services.store,
    pubsub: services.pubsub,
    feed: services.feed,
    recordTaskChange: services.recordTaskChange,
    statistics: services.statistics,
    telemetry: services.telemetry,
    version: services.version,
    scope,
    principal,
    loaders: lazy(buildSipLoaders, services),
    aiLoaders: lazy(buildAiCallLoaders, services),
  };
}
