import type { Principal } from '../auth.ts';
import { builder } from '../builder.ts';
import { Role } from '../config.ts';
import { cost } from '../limits/cost.ts';
import type { GatewayContext } from '../context.ts';
import type { UpstreamName } from '../errors.ts';
import { EVENT_TOPICS, type EventTopic } from '../events/types.ts';
import type { TopicFeedStats } from '../events/feed.ts';
import type { UpstreamFailure, UpstreamHealthSnapshot } from '../observability/upstream-health.ts';
import type { PendingEvents } from '../store/events.ts';
import { ErrorCodeRef } from './errors.ts';

export enum UpstreamKind {
  Sip = 'SIP',
  AiCall = 'AI_CALL',
}

interface GatewayInfoShape {
  version: string;
  demo: boolean;
  zone: string;
  upstreams: UpstreamStatusShape[];
}

interface UpstreamStatusShape {
  kind: UpstreamKind;
  configured: boolean;
  simulated: boolean;
}

export const UpstreamKindRef = builder.enumType('UpstreamKind', {
  description: 'The platforms the gateway fronts.',
  values: {
    SIP: { value: UpstreamKind.Sip, description: 'The predictive-call PBX ("SIP API").' },
    AI_CALL: { value: UpstreamKind.AiCall, description: 'The AI-call (voice-bot) platform.' },
  } as const,
});

const UpstreamStatus = builder.objectRef<UpstreamStatusShape>('UpstreamStatus').implement({
  description: 'How one upstream platform is wired in this deployment.',
  fields: (t) => ({
    kind: t.expose('kind', { type: UpstreamKindRef, description: 'Which platform.' }),
    configured: t.exposeBoolean('configured', {
      description: 'False when this deployment has no such platform; its fields then fail with UPSTREAM_NOT_CONFIGURED.',
    }),
    simulated: t.exposeBoolean('simulated', { description: 'True when the built-in simulator stands in for it.' }),
  }),
});

// ---- The operator's view (admins only) -------------------------------------------------------------------------

/** The gateway's name of each platform in errors and the upstream layer. */
const UPSTREAM_NAMES: Record<UpstreamKind, UpstreamName> = { [UpstreamKind.Sip]: 'sip', [UpstreamKind.AiCall]: 'aicall' };

/** When the view was read (epoch ms): every age and lag in it is measured from this one instant. */
interface OperatorViewShape {
  at: number;
}

interface UpstreamHealthShape extends UpstreamHealthSnapshot {
  kind: UpstreamKind;
  configured: boolean;
  poolSize: number;
  at: number;
}

interface SipSessionShape {
  loginCount: number;
  renewCount: number;
  lastLoginAt: number | null;
  at: number;
}

interface EventTopicHealthShape extends TopicFeedStats {
  pending: PendingEvents | null;
  at: number;
}

const seconds = (ms: number): number => ms / 1000;
const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export const EventTopicKindRef = builder.enumType('EventTopicKind', {
  description: 'The kinds of events the gateway stores from callbacks (and its own task changes) and streams to subscribers.',
  values: {
    AGENT_STATUS: { value: 'agent-status', description: "Agents' call states (the extension-status callback): agentStatusChanged, queueSeatsChanged." },
    CALL_RECORD: { value: 'call-record', description: 'Call records (the call-record callback): callRecordCreated.' },
    TASK_STATUS: { value: 'task-status', description: "Task status changes (the PBX's task-status callback and the gateway's own commands)." },
    AICALL_NOTIFY: { value: 'aicall-notify', description: "The AI-call platform's hang-up notifications: aiCallEnded." },
    ABANDON_GUARD: { value: 'abandon-guard', description: "Predictive tasks' abandon-rate guard tripping: abandonRateExceeded." },
  } as const satisfies Record<string, { value: EventTopic; description: string }>,
});

const UpstreamFailureRef = builder.objectRef<UpstreamFailure>('UpstreamFailure').implement({
  description:
    'The last failure of requests to a platform, as codes only: the platform\'s own message text is never shown here ' +
    '(it is in the log line of the failed request, redacted).',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When it happened.', resolve: (f) => new Date(f.at) }),
    code: t.field({
      type: ErrorCodeRef,
      description:
        'The code the caller got: UPSTREAM_UNAVAILABLE (not reached, timed out, or failing on its side), UPSTREAM_REJECTED ' +
        '(it answered and refused), UPSTREAM_INVALID_RESPONSE (an answer too large or cut).',
      resolve: (f) => f.code,
    }),
    upstreamCode: t.string({
      nullable: true,
      description:
        "The platform's or the connection's code: `ret:<ret>` (SIP envelope, e.g. `ret:600`), `code:<code>` (SIP business " +
        'code, e.g. `code:1010`), `http:<status>` (AI-call non-2xx, SIP 5xx), or the unavailable reason TIMEOUT, ' +
        'CONNECT_FAILED, NETWORK. Null for an answer too large or cut.',
      resolve: (f) => f.upstreamCode,
    }),
    operation: t.exposeString('operation', {
      description: 'The SIP service (`GetSipCallStatus`) or AI-call route (`GET /v1/task`) the request was for.',
    }),
  }),
});

const SipSessionHealthRef = builder.objectRef<SipSessionShape>('SipSessionHealth').implement({
  description: "The SIP API's login token (12 h, renewed before its end and when the PBX refuses it).",
  fields: (t) => ({
    loggedInAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the current token was obtained; null before the first successful login (the first SIP call logs in).',
      resolve: (s) => dateOrNull(s.lastLoginAt),
    }),
    loginAgeSeconds: t.float({
      nullable: true,
      description: 'Seconds since the current token was obtained; past 12 h (less the refresh margin) it is renewed at the next call.',
      resolve: (s) => (s.lastLoginAt === null ? null : seconds(s.at - s.lastLoginAt)),
    }),
    logins: t.int({
      description: 'Logins started since the process started: the first one and every renewal, failed attempts included.',
      resolve: (s) => s.loginCount,
    }),
    renewals: t.int({
      description:
        'Of those, renewals: after the PBX refused the token (`ret` 600, code 1010) or near its end. Climbing fast means ' +
        'tokens are being invalidated (another client logging in with the same app id?).',
      resolve: (s) => s.renewCount,
    }),
  }),
});

const UpstreamHealthRef = builder.objectRef<UpstreamHealthShape>('UpstreamHealth').implement({
  description:
    "One platform's health as this process sees its requests. There is no circuit breaker in the gateway (a failing " +
    'platform is asked again on the next request, bounded by timeouts and the per-operation budget), so there is no ' +
    'breaker state to show.',
  fields: (t) => ({
    kind: t.expose('kind', { type: UpstreamKindRef, description: 'Which platform.' }),
    configured: t.exposeBoolean('configured', { description: 'False when this deployment has no such platform (nothing else here then moves).' }),
    lastSuccessAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'The last request the platform answered without an HTTP error (status below 400): it is reachable and talking. A ' +
        'refusal inside such an answer (a SIP `ret` or business code) counts here too and shows in lastFailure just after, ' +
        'so lastFailure newer than this means the last word was a failure. Null when none since the process started.',
      resolve: (u) => dateOrNull(u.lastSuccessAt),
    }),
    lastFailure: t.field({
      type: UpstreamFailureRef,
      nullable: true,
      description: 'The last failed request: when, its codes and operation; null when none since the process started.',
      resolve: (u) => u.lastFailure,
    }),
    secondsSinceSuccess: t.float({
      nullable: true,
      description: 'Seconds since lastSuccessAt (null when none): grows while the platform is down or nothing is asked of it.',
      resolve: (u) => (u.lastSuccessAt === null ? null : seconds(u.at - u.lastSuccessAt)),
    }),
    requestsInFlight: t.exposeInt('inFlight', {
      description: 'Requests sent and not yet answered. Near poolSize, requests queue in the gateway for a connection.',
    }),
    poolSize: t.exposeInt('poolSize', {
      description: 'Connections the gateway opens to the platform at most (UPSTREAM_MAX_CONNECTIONS, per origin).',
    }),
    session: t.field({
      type: SipSessionHealthRef,
      nullable: true,
      description: 'The SIP login token; null for the AI-call platform (a static token) and when SIP is not configured.',
      resolve: (u, _args, ctx) => sipSessionOf(u, ctx),
    }),
  }),
});

function sipSessionOf(u: UpstreamHealthShape, ctx: GatewayContext): SipSessionShape | null {
  if (u.kind !== UpstreamKind.Sip || !ctx.sip) return null;
  const { loginCount, renewCount, lastLoginAt } = ctx.sip.session;
  return { loginCount, renewCount, lastLoginAt, at: u.at };
}

const EventTopicHealthRef = builder.objectRef<EventTopicHealthShape>('EventTopicHealth').implement({
  description:
    "One kind of event: who listens in this process, the last event handed to them, and what waits in the store. When a " +
    'wallboard freezes: events pending and ageing → callbacks arrive but are not published (store or projection trouble); ' +
    'no pending and an old last event → no callbacks arrive (the PBX, or its callback URL); a fresh last event but ' +
    'a frozen screen → the client side or its subscription.',
  fields: (t) => ({
    topic: t.field({ type: EventTopicKindRef, description: 'Which kind.', resolve: (e) => e.topic }),
    subscribers: t.exposeInt('subscribers', {
      description: 'Subscriptions of this kind open in this process (each graphql-ws or SSE subscription is one).',
    }),
    lastEventId: t.id({
      nullable: true,
      description:
        'The newest event the process handed to its subscribers; null when none since start (a kind is only read once ' +
        'someone subscribed to it).',
      resolve: (e) => (e.lastEventId === null ? null : String(e.lastEventId)),
    }),
    lastEventAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        "That event's own time by the platform's account, else when it was stored. For agent status it is the call's " +
        'start (the PBX sends no event time), for call records the hang-up.',
      resolve: (e) => dateOrNull(e.lastEventAt),
    }),
    lastReceivedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the gateway stored that event (its callback arrived).',
      resolve: (e) => dateOrNull(e.lastReceivedAt),
    }),
    lastPublishedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the process handed that event to its subscribers.',
      resolve: (e) => dateOrNull(e.lastPublishedAt),
    }),
    publishLagSeconds: t.float({
      nullable: true,
      description:
        "The gateway's own delay for that event: from storing it to handing it to subscribers (settle, publish, feed read). " +
        'Normally milliseconds; seconds mean the store or the pub/sub is slow.',
      resolve: (e) => (e.lastPublishedAt === null || e.lastReceivedAt === null ? null : seconds(e.lastPublishedAt - e.lastReceivedAt)),
    }),
    lagSeconds: t.float({
      nullable: true,
      description:
        'From the event\'s own time (lastEventAt) to its publication: the platform\'s delay in calling back plus the ' +
        "gateway's. For agent status it includes the call's duration so far (see lastEventAt).",
      resolve: (e) => (e.lastPublishedAt === null || e.lastEventAt === null ? null : seconds(e.lastPublishedAt - e.lastEventAt)),
    }),
    secondsSinceLastEvent: t.float({
      nullable: true,
      description: 'Seconds since lastPublishedAt: how long this kind has been quiet in this process.',
      resolve: (e) => (e.lastPublishedAt === null ? null : seconds(e.at - e.lastPublishedAt)),
    }),
    pendingEvents: t.int({
      description:
        'Events of this kind stored but not yet settled and published (every replica\'s: the store is shared). Normally ' +
        '0 or a handful for milliseconds; a count that stays up means they are stuck (catch-up retries them).',
      resolve: (e) => e.pending?.count ?? 0,
    }),
    oldestPendingAgeSeconds: t.float({
      nullable: true,
      description: 'Seconds since the oldest pending event of this kind was stored; null when none is pending.',
      resolve: (e) => (e.pending ? seconds(e.at - e.pending.oldestReceivedAt) : null),
    }),
  }),
});

async function eventTopicsOf(view: OperatorViewShape, ctx: GatewayContext): Promise<EventTopicHealthShape[]> {
  const pending = new Map((await ctx.store.events.pendingByTopic()).map((entry) => [entry.topic, entry]));
  return ctx.feed.stats().map((stats) => ({ ...stats, pending: pending.get(stats.topic) ?? null, at: view.at }));
}

function upstreamsOf(view: OperatorViewShape, ctx: GatewayContext): UpstreamHealthShape[] {
  const configured: Record<UpstreamKind, boolean> = { [UpstreamKind.Sip]: ctx.sip !== null, [UpstreamKind.AiCall]: ctx.aicall !== null };
  return Object.values(UpstreamKind).map((kind) => ({
    ...ctx.telemetry.upstreamHealth.snapshot(UPSTREAM_NAMES[kind]),
    kind,
    configured: configured[kind],
    poolSize: ctx.config.http.maxConnections,
    at: view.at,
  }));
}

/** WebSockets and SSE streams open: every one holds a place for its client address (connection-limits.ts). */
function openConnections(ctx: GatewayContext): number {
  let open = 0;
  for (const count of ctx.telemetry.connections.counts().addresses.values()) open += count;
  return open;
}

const OperatorViewRef = builder.objectRef<OperatorViewShape>('GatewayOperatorView').implement({
  description:
    'What an on-call engineer reads first when a wallboard froze or a campaign stopped dialling: is it the gateway, the ' +
    'PBX, the AI-call platform, the database or the callbacks? Per process, kept in memory since it started (nothing here ' +
    'survives a restart); the store counts are shared by every replica.',
  fields: (t) => ({
    checkedAt: t.field({ type: 'DateTime', description: 'When this view was read: every age and lag is measured from it.', resolve: (v) => new Date(v.at) }),
    upstreams: t.field({
      type: [UpstreamHealthRef],
      description: 'Each platform: last success, last failure, requests in flight, and for SIP the login token.',
      // Cost: memory (two platforms).
      complexity: { field: cost.local, multiplier: Object.values(UpstreamKind).length },
      resolve: (v, _args, ctx) => upstreamsOf(v, ctx),
    }),
    eventTopics: t.field({
      type: [EventTopicHealthRef],
      description: 'Each kind of event: subscribers, the last event published in this process and its lag, and what is pending in the store.',
      // Cost: one store read (pending events, over their small partial index) and the feed's counters in memory.
      complexity: cost.storeList(EVENT_TOPICS.length),
      resolve: (v, _args, ctx) => eventTopicsOf(v, ctx),
    }),
    openConnections: t.int({
      description:
        'Long-lived connections open to this process: WebSockets and SSE streams (what MAX_SOCKETS_PER_ADDRESS and ' +
        'MAX_SOCKETS_PER_KEY cap). Each may carry several subscriptions.',
      resolve: (_v, _args, ctx) => openConnections(ctx),
    }),
  }),
});

const ApiRoleRef = builder.enumType('ApiRole', {
  description: 'What an API key may do (GATEWAY_API_KEYS `key:role`).',
  values: {
    VIEWER: { value: Role.Viewer, description: 'Read and subscribe.' },
    OPERATOR: { value: Role.Operator, description: 'Also run commands: tasks, queues, agents.' },
    ADMIN: { value: Role.Admin, description: "Also the operator's view, backfills and introspection where limited to admins." },
  } as const,
});

const GatewayAccessRef = builder.objectRef<Principal>('GatewayAccess').implement({
  description: "What the API key of this request may do: a front-end shows only the commands it can run.",
  fields: (t) => ({
    role: t.field({
      type: ApiRoleRef,
      description: "The key's role; ADMIN when the gateway runs without keys (demo mode, GATEWAY_AUTH=off).",
      resolve: (principal) => principal.role,
    }),
    arbitraryOperations: t.exposeBoolean('arbitraryOperations', {
      description:
        'Whether this key may send document text: always, unless the gateway runs only trusted documents (TRUSTED_DOCUMENTS=on) ' +
        'and the key is not marked `:arbitrary`; then only persisted documents, sent by hash, run.',
    }),
  }),
});

const GatewayInfo = builder.objectRef<GatewayInfoShape>('GatewayInfo').implement({
  description: 'About this gateway deployment.',
  fields: (t) => ({
    version: t.exposeString('version', { description: 'The gateway version.' }),
    demo: t.exposeBoolean('demo', {
      description: 'True in demo mode: no upstream configured, the built-in simulator answers, no authentication.',
    }),
    upstreamTimeZone: t.exposeString('zone', {
      description: 'The zone the platforms write their times in; the API itself speaks ISO-8601 instants.',
    }),
    upstreams: t.expose('upstreams', { type: [UpstreamStatus], description: 'The platforms and how each is wired.' }),
    operator: t.field({
      type: OperatorViewRef,
      nullable: true,
      description:
        "The on-call engineer's view of this process (admins only; other roles get FORBIDDEN here and the rest of " +
        '`gateway` as usual): upstream health, event lag per topic, subscribers and open connections. Per process: ' +
        'behind a load balancer each replica answers for itself. docs/operations.md says how to read it.',
      // Cost: memory, plus one store read when eventTopics is selected (declared there).
      complexity: cost.local,
      authScopes: { admin: true },
      resolve: () => ({ at: Date.now() }),
    }),
    access: t.field({
      type: GatewayAccessRef,
      description: 'What the API key of this request may do.',
      // Cost: the request's principal, in memory.
      complexity: cost.local,
      resolve: (_info, _args, ctx) => ctx.principal ?? { role: Role.Viewer, keyId: null, arbitraryOperations: false },
    }),
    latestEventId: t.field({
      type: 'ID',
      nullable: true,
      args: { topic: t.arg({ type: EventTopicKindRef, required: true, description: 'Which kind of event.' }) },
      description:
        'The newest event of a topic a subscriber can be given now (null when there is none yet). How a front-end loads ' +
        'state and then follows it without a gap: read this first, in a request of its own; then load the state; then ' +
        'subscribe with `after` = this id, ignoring events its state already reflects (their eventId is not above the ' +
        "one the state shows, e.g. `Agent.presence.eventId`). docs/front-end.md walks through it.",
      // Cost: one indexed store read (the topic's greatest id).
      complexity: cost.local,
      resolve: async (_info, { topic }, ctx) => {
        const id = await ctx.store.events.latestId(topic);
        return id === 0 ? null : String(id);
      },
    }),
  }),
});

builder.queryField('gateway', (t) =>
  t.field({
    type: GatewayInfo,
    description: 'About this gateway: version, mode and upstream wiring.',
    // Cost: from the configuration in memory.
    complexity: cost.local,
    resolve: (_root, _args, { config, version }) => ({
      version,
      demo: config.demo,
      zone: config.upstreamTimeZone,
      upstreams: [
        { kind: UpstreamKind.Sip, configured: config.sip !== null, simulated: config.demo },
        { kind: UpstreamKind.AiCall, configured: config.aicall !== null, simulated: config.demo },
      ],
    }),
  }),
);
