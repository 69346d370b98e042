import { z } from 'zod';
import { builder } from '../builder.ts';
import { loadNodes, loadOrNull } from '../loaders/batch.ts';
import { valueOrLoad } from '../loaders/prefetch.ts';
import { selectedFields } from '../loaders/selection.ts';
import { queuesByName } from '../loaders/sip.ts';
import type { GatewayContext } from '../context.ts';
import { ExtensionStatusFilter, SeatSetting, SipCode } from '../upstream/sip/codes.ts';
import type { ExtensionCallStatus, ExtensionRegistration, ExtensionValidity, QueueSeat } from '../upstream/sip/types.ts';
import { AgentCallStateEnum, CallDirectionEnum } from './call-enums.ts';
import { AgentPresenceStateEnum, presenceOfCallStatus } from './presence.ts';
import { mutationErrors, sipCommand } from './errors.ts';
import type { InputIssue } from '../errors.ts';
import { AGENT_REF, QUEUE_REF, referenceOf, throwIssues } from './mutation-input.ts';
import { type AgentShape, AgentRef, agentOf, QueueRef, QueueSeatRef } from './refs.ts';
import { requireSip } from './upstream.ts';
import { cost } from '../limits/cost.ts';
import { InvalidInputError } from '../errors.ts';
import { AFTER_ARG_DESCRIPTION, firstArgDescription, pageSize } from './paging.ts';
import { seatsChanged } from './seat-changes.ts';

const AgentRegistrationRef = builder.objectRef<ExtensionRegistration>('AgentRegistration').implement({
  description: 'Whether a phone is registered on the extension, and from where (GetSipRegisterStatus).',
  fields: (t) => ({
    registered: t.boolean({
      description: 'True when a phone is registered on the extension.',
      resolve: (r) => r.status.value === SipCode.ExtensionRegistered,
    }),
    clientIp: t.exposeString('clientIp', { nullable: true, description: "The phone's IP address." }),
    serverIp: t.exposeString('serverIp', { nullable: true, description: 'The switch it registered with.' }),
  }),
});

const AgentCallStatusRef = builder.objectRef<ExtensionCallStatus>('AgentCallStatus').implement({
  description: "The agent's phone right now (GetSipCallStatus).",
  fields: (t) => ({
    state: t.field({
      type: AgentCallStateEnum.ref,
      description: 'Idle, ringing, in a call, …',
      deprecationReason:
        'Use presenceState: the same poll in AgentPresenceState, the vocabulary of Agent.presence and agentStatusChanged (IDLE → AVAILABLE, ' +
        'RINGING → RINGING, OFF_HOOK and CALLING → IN_CALL, NOT_REGISTERED → OFFLINE, DISABLED, NOT_FOUND); stateCode keeps the raw code.',
      resolve: (s) => AgentCallStateEnum.of(s.status),
    }),
    presenceState: t.field({
      type: AgentPresenceStateEnum,
      description: "The polled state in the agents' one vocabulary (as Agent.presence.state and AgentStatusEvent.state).",
      resolve: (s) => presenceOfCallStatus(s.status.value),
    }),
    stateCode: t.string({ description: "The platform's raw status code.", resolve: (s) => s.status.raw }),
    caller: t.exposeString('caller', { nullable: true, description: 'Calling number of the current call.' }),
    callee: t.exposeString('callee', { nullable: true, description: 'Called number of the current call.' }),
    displayNumber: t.exposeString('displayNumber', { nullable: true, description: 'Number shown to the customer.' }),
    direction: t.field({
      type: CallDirectionEnum.ref,
      nullable: true,
      description: 'Direction of the current call.',
      resolve: (s) => (s.direction ? CallDirectionEnum.of(s.direction) : null),
    }),
    idleSeconds: t.exposeInt('idleSeconds', { nullable: true, description: 'Seconds since the last call ended.' }),
    talkSeconds: t.exposeInt('talkSeconds', { nullable: true, description: 'Seconds into the current call.' }),
  }),
});

const AgentValidityEnum = builder.enumType('AgentValidity', {
  description: 'The switch\'s live check of an extension (GetSipValidStatus).',
  values: {
    ENABLED: { description: 'Exists and is enabled.' },
    DISABLED: { description: 'Exists and is disabled.' },
    NOT_FOUND: { description: 'Not an extension of this company.' },
    UNKNOWN: { description: 'A code this gateway does not know.' },
  } as const,
});

builder.node(AgentRef, {
  description: 'An agent: one extension (seat phone) of the call centre, with its live state and queue memberships.',
  id: { resolve: (agent) => agent.extension },
  loadMany: async (ids, ctx) => (await loadNodes(ctx.loaders.extension, ids)).map((info) => (info ? agentOf(info.extension, info) : null)),
  fields: (t) => ({
    extension: t.exposeString('extension', { description: 'The extension number.' }),
    enabled: t.boolean({
      // Nullable: unless the agent came from the `agents` listing this is a GetSipnumberInfo read, and one failed read
      // must fail this field only (docs/api.md, "Partial results").
      nullable: true,
      description:
        'Whether the extension is enabled (GetSipnumberInfo); null with an error on this path when the switch could not be read ' +
        '(an agent listed by `agents` always has it).',
      // Cost: carried by the agents listing; otherwise one GetSipnumberInfo shared by every agent (batched).
      complexity: cost.batched,
      // Synchronous when the listing already carried it: no promise per agent for the common case.
      resolve: (agent, _args, ctx) => agent.info?.enabled ?? ctx.loaders.extension.load(agent.extension).then((info) => info.enabled),
    }),
    validity: t.field({
      type: AgentValidityEnum,
      nullable: true,
      description: 'Live validity check by the switch (GetSipValidStatus, batched for all agents in the request).',
      // Cost: one GetSipValidStatus for every agent of the request (batched).
      complexity: cost.batched,
      // Synchronous when `agents` prefetched the validities (prefetch.ts).
      resolve: (agent, _args, ctx) => {
        const validity = valueOrLoad(ctx.loaders.validity, agent.extension);
        return validity instanceof Promise ? validity.then(validityOf) : validityOf(validity);
      },
    }),
    registration: t.field({
      type: AgentRegistrationRef,
      // Nullable, like every live status field: one agent the switch did not answer for must not blank a wallboard.
      nullable: true,
      description: 'Phone registration (GetSipRegisterStatus, batched); null with an error if the switch did not report it.',
      // Cost: one GetSipRegisterStatus for every agent of the request (batched).
      complexity: cost.batched,
      resolve: (agent, _args, ctx) => valueOrLoad(ctx.loaders.registration, agent.extension),
    }),
    callStatus: t.field({
      type: AgentCallStatusRef,
      nullable: true,
      description: 'What the phone is doing now (GetSipCallStatus, batched); null with an error if the switch did not report it.',
      // Cost: one GetSipCallStatus for every agent of the request (batched).
      complexity: cost.batched,
      resolve: (agent, _args, ctx) => valueOrLoad(ctx.loaders.callStatus, agent.extension),
    }),
    employeeId: t.int({
      nullable: true,
      description:
        "The agent's employee id in your CRM (the platform's `crmid`), as its queue seats carry it (GetQueueSipStatus, batched): null when " +
        'the agent is in no queue, when the seats do not say it or disagree, and null with an error on this path when the switch could not be read.',
      // Cost: one GetQueueSipStatus for every agent of the request (batched), shared with `seats`.
      complexity: cost.batched,
      resolve: (agent, _args, ctx) => {
        const seats = valueOrLoad(ctx.loaders.seatsByExtension, agent.extension);
        return seats instanceof Promise ? seats.then(employeeIdOfSeats) : employeeIdOfSeats(seats);
      },
    }),
    seats: t.field({
      type: [QueueSeatRef],
      // Nullable list of non-null seats: a failed GetQueueSipStatus nulls this field only, never the agent.
      nullable: { list: true, items: false },
      description:
        'Queues the agent is checked in to, with the state in each (GetQueueSipStatus, batched); null with an error on this path when ' +
        'the switch could not be read (an empty list means: in no queue).',
      // Cost: one GetQueueSipStatus for every agent of the request (batched); an agent sits in a few queues.
      complexity: cost.batchedList(3),
      resolve: (agent, _args, ctx) => valueOrLoad(ctx.loaders.seatsByExtension, agent.extension),
    }),
  }),
});

function validityOf({ status }: ExtensionValidity): 'ENABLED' | 'DISABLED' | 'NOT_FOUND' | 'UNKNOWN' {
  if (status.value === SipCode.ExtensionEnabled) return 'ENABLED';
  if (status.value === SipCode.ExtensionDisabled) return 'DISABLED';
  if (status.value === SipCode.ExtensionNotFound || status.value === SipCode.IllegalExtension) return 'NOT_FOUND';
  return 'UNKNOWN';
}

/**
 * Starts, for these extensions, the upstream calls the page's agents will need (only the kinds selected below
 * `edges { node }`), and the queue list when `seats { queue }` is selected; resolves when all have settled (never
 * rejects: a failed call fails its own fields). The agents' fields then resolve synchronously.
 */
function prefetchForAgents(ctx: GatewayContext, node: ReturnType<typeof selectedFields>, extensions: readonly string[]): Promise<unknown> {
  const { loaders } = ctx;
  const started: Array<Promise<void>> = [];
  if (node.has('callStatus')) started.push(loaders.callStatus.prefetch(extensions));
  if (node.has('validity')) started.push(loaders.validity.prefetch(extensions));
  if (node.has('registration')) started.push(loaders.registration.prefetch(extensions));
  if (node.has('seats') || node.has('employeeId')) started.push(loaders.seatsByExtension.prefetch(extensions));
  if (node.below('seats').has('queue')) {
    const sip = requireSip(ctx);
    started.push(loaders.queue.prefetchAll(() => queuesByName(sip)));
  }
  return Promise.all(started);
}

/** The one employee id an agent's seats agree on, or null. */
export function employeeIdOfSeats(seats: readonly QueueSeat[]): number | null {
  const ids = new Set(seats.map((seat) => seat.employeeId));
  const [only] = ids;
  return ids.size === 1 && only !== undefined ? only : null;
}

// One collator for every sort: localeCompare with options builds one per comparison (2.4 ms per 200-agent wallboard).
const EXTENSION_ORDER = new Intl.Collator('en', { numeric: true });

const AgentFilter = builder.inputType('AgentFilter', {
  description: 'Which agents to list. All conditions must hold.',
  fields: (t) => ({
    extensions: t.stringList({ description: 'Only these extensions.' }),
    enabled: t.boolean({ description: 'Only enabled (true) or disabled (false) extensions.' }),
    queue: t.string({ description: 'Only agents checked in to this queue.' }),
  }),
  validate: z
    .object({
      extensions: z.array(z.string().regex(/^\d{2,10}$/, 'extensions are 2–10 digits')).max(10_000).nullish(),
      queue: z.string().max(64, 'queue names are at most 64 characters').nullish(),
    })
    .loose(),
});

/** `agents` pages: 500 by default, up to 2,000 (a 2,000-agent wallboard in one request). */
export const AGENT_PAGE = { defaultFirst: 500, maxFirst: 2_000 } as const;

/** Every 20 agents of a page weigh as one for what each selects (their fields are batched): src/limits/cost.ts. */
const AGENTS_PER_COST_UNIT = 20;

/** Total order of extensions: numeric ("9" before "10"), then plain string order for numeric ties ("010" / "10"). */
export function compareExtensions(a: string, b: string): number {
  // Plain numbers (ASCII digits, no leading zero) are in numeric order by length, then text: the collator's answer
  // without its cost (a 200-agent page sorts in a few µs instead of ~0.4 ms).
  if (isPlainNumber(a) && isPlainNumber(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return EXTENSION_ORDER.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

const DIGIT_0 = 48;
const DIGIT_1 = 49;
const DIGIT_9 = 57;

function isPlainNumber(text: string): boolean {
  const first = text.charCodeAt(0);
  if (!(first >= DIGIT_1 && first <= DIGIT_9)) return false;
  for (let i = 1; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < DIGIT_0 || code > DIGIT_9) return false;
  }
  return true;
}

/** An agents cursor: the last agent's extension, base64url (`a:<extension>`), opaque to clients. */
export function encodeAgentCursor(extension: string): string {
  return Buffer.from(`a:${extension}`).toString('base64url');
}

export function decodeAgentCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('a:') || text.length < 3 || text.length > 66 || encodeAgentCursor(text.slice(2)) !== cursor) {
    throw new InvalidInputError('invalid cursor', 'after');
  }
  return text.slice(2);
}

/** An edge of the agents page; its cursor is encoded only if the document asks for it (most wallboards do not). */
class AgentEdge {
  constructor(readonly node: AgentShape) {}
  get cursor(): string {
    return encodeAgentCursor(this.node.extension);
  }
}

interface AgentPage {
  edges: AgentEdge[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

const AgentConnectionRef = builder.connectionObject(
  {
    type: AgentRef,
    name: 'AgentConnection',
    description: 'A page of agents, in extension order.',
    edgesField: { description: 'The agents of this page, each with its cursor.' },
    fields: (tc) => ({
      totalCount: tc.int({
        description: 'Agents matching the filter, on every page (from the same GetSipnumberInfo call as the page: no extra call).',
        // Cost: none (a scalar in memory, from the page's own list call).
        resolve: (connection) => (connection as unknown as AgentPage).totalCount,
      }),
    }),
  },
  {
    name: 'AgentEdge',
    description: 'An agent and its cursor.',
    nodeField: { description: 'The agent.' },
  },
);

builder.queryFields((t) => ({
  agents: t.field({
    type: AgentConnectionRef,
    // Nullable: a failed GetSipnumberInfo nulls this field, not the whole response.
    nullable: true,
    description:
      `Agents (extensions), a page at a time in extension order (\`first\` 1…${AGENT_PAGE.maxFirst}, default ${AGENT_PAGE.defaultFirst}, ` +
      'and `after`). Each page is one GetSipnumberInfo call (the switch lists every extension at once; the page is a slice of it); ' +
      "the page's status fields are batched, one call per status kind per SIP_LIST_CHUNK_SIZE agents of the page. Cursors are " +
      'extensions: an extension added or removed while you page never makes another one repeat or go missing. Null with an error ' +
      'on this path when the switch could not be read or the arguments are refused; the rest of the document still resolves.',
    // Cost: one GetSipnumberInfo per page; `first` (default 500) multiplies what each agent selects, 20 agents to a unit.
    complexity: cost.batchedPage(AGENT_PAGE.defaultFirst, AGENTS_PER_COST_UNIT),
    authScopes: { viewer: true },
    args: {
      filter: t.arg({ type: AgentFilter, description: 'Which agents; all when absent.' }),
      first: t.arg.int({ description: firstArgDescription(AGENT_PAGE) }),
      after: t.arg.string({ description: AFTER_ARG_DESCRIPTION }),
    },
    resolve: async (_root, { filter, first: firstArg, after: afterArg }, ctx, info): Promise<AgentPage> => {
      const first = pageSize(firstArg, AGENT_PAGE);
      const after = afterArg != null ? decodeAgentCursor(afterArg) : null;
      const sip = requireSip(ctx);
      const status =
        filter?.enabled === true ? ExtensionStatusFilter.Enabled : filter?.enabled === false ? ExtensionStatusFilter.Disabled : ExtensionStatusFilter.All;
      const node = selectedFields(info).below('edges', 'node');
      // The extensions are known before the listing answers when the filter names them all and they fit on this first
      // page: the status calls then go out alongside GetSipnumberInfo (one round trip instead of two or three). Not with
      // `after` or more than a page: most of them would not be on this page.
      const known = filter?.extensions && after === null ? [...new Set(filter.extensions)] : null;
      const early = known && known.length > 0 && known.length <= first ? prefetchForAgents(ctx, node, known) : null;
      let infos = await sip.getExtensions({ status, extensions: filter?.extensions ?? [] });
      if (filter?.queue) {
        const seats = await ctx.loaders.seatsByQueue.load(filter.queue);
        const inQueue = new Set(seats.map((seat) => seat.extension));
        infos = infos.filter((info) => inQueue.has(info.extension));
      }
      infos.sort((a, b) => compareExtensions(a.extension, b.extension));
      const start = after === null ? 0 : infos.findIndex((info) => compareExtensions(info.extension, after) > 0);
      const from = start === -1 ? infos.length : start;
      const page = infos.slice(from, from + first);
      // Only the page's agents reach the loaders, so status fields batch per page. `enabled` reads the listing itself;
      // priming the extension loader is for other fields of the same request that load an agent by extension.
      for (const info of page) ctx.loaders.extension.prime(info.extension, info);
      // The page's status calls (all at once, queue list included), unless they went out with the listing; waited for
      // here so that every field below resolves without a promise.
      await (early ?? (page.length > 0 ? prefetchForAgents(ctx, node, page.map((info) => info.extension)) : null));
      const edges = page.map((info) => new AgentEdge(agentOf(info.extension, info)));
      return {
        edges,
        totalCount: infos.length,
        pageInfo: {
          hasNextPage: from + first < infos.length,
          hasPreviousPage: from > 0,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
  agent: t.field({
    type: AgentRef,
    nullable: true,
    description: 'One agent by extension number; null when the switch has no such extension.',
    // Cost: one GetSipnumberInfo, shared with every other agent the request loads (batched).
    complexity: cost.batched,
    authScopes: { viewer: true },
    args: {
      extension: t.arg.string({ required: true, description: 'The extension number (2–10 digits).', validate: z.string().regex(/^\d{2,10}$/, 'extension must be 2–10 digits') }),
    },
    resolve: async (_root, { extension }, ctx) => {
      requireSip(ctx);
      const info = await loadOrNull(ctx.loaders.extension, extension);
      return info ? agentOf(extension, info) : null;
    },
  }),
}));

// ---- Mutations: queue check-in/out and availability --------------------------------------------------------------

const SeatCommandFields = {
  queue: z.string().trim().min(1, 'queue is required').nullish(),
  extension: z.string().trim().regex(/^\d{2,10}$/, 'extension must be 2–10 digits').nullish(),
  employeeId: z.number().int().nonnegative(),
};

const SEAT_FIELDS = 'The agent as `agentId` (Agent.id) or `extension`, and the queue as `queueId` (Queue.id) or `queue` (its name): exactly one of each.';

const AgentSeatInput = builder.inputType('AgentSeatInput', {
  description: `An agent in a queue. \`employeeId\` is the agent's id in your CRM (the platform's \`crmid\`). ${SEAT_FIELDS}`,
  fields: (t) => ({
    queueId: t.id({ description: "The queue's global id (Queue.id); or give `queue`." }),
    queue: t.string({ description: 'Queue name; or give `queueId`.' }),
    agentId: t.id({ description: "The agent's global id (Agent.id); or give `extension`." }),
    extension: t.string({ description: "The agent's extension; or give `agentId`." }),
    employeeId: t.int({ required: true, description: "The agent's employee id in your CRM." }),
  }),
  validate: z.object(SeatCommandFields).loose(),
});

const SetAgentAvailabilityInput = builder.inputType('SetAgentAvailabilityInput', {
  description: `Show an agent as available (idle) or unavailable (busy) in one queue. ${SEAT_FIELDS}`,
  fields: (t) => ({
    queueId: t.id({ description: "The queue's global id (Queue.id); or give `queue`." }),
    queue: t.string({ description: 'Queue name; or give `queueId`.' }),
    agentId: t.id({ description: "The agent's global id (Agent.id); or give `extension`." }),
    extension: t.string({ description: "The agent's extension; or give `agentId`." }),
    employeeId: t.int({ required: true, description: "The agent's employee id in your CRM." }),
    available: t.boolean({ required: true, description: 'True: offer calls to the agent; false: show busy (pause).' }),
  }),
  validate: z.object({ ...SeatCommandFields, available: z.boolean() }).loose(),
});

/** The seat a command names (global id or name, exactly one of each), or INVALID_INPUT with an issue per problem. */
function seatOf(input: Record<string, unknown> & { employeeId: number }): SeatPayloadShape {
  const issues: InputIssue[] = [];
  const queue = referenceOf(input, QUEUE_REF, issues);
  const extension = referenceOf(input, AGENT_REF, issues);
  if (issues.length === 0 && !/^\d{2,10}$/.test(extension)) issues.push({ path: ['input', 'agentId'], message: 'not an agent id: use Agent.id' });
  throwIssues(issues);
  return { queue, extension, employeeId: input.employeeId };
}

interface SeatPayloadShape {
  extension: string;
  queue: string;
  employeeId: number;
}

const AgentSeatPayload = builder.objectRef<SeatPayloadShape>('AgentSeatPayload').implement({
  description:
    'The command was carried out. `extension` and `queueName` say what it acted on (no platform read); `queue` and `seat` read the ' +
    'platform again afterwards and are null with an error on their path when that read fails — the command still succeeded.',
  fields: (t) => ({
    extension: t.exposeString('extension', { description: 'The extension the command acted on.' }),
    queueName: t.exposeString('queue', { description: 'The queue the command acted on.' }),
    employeeId: t.exposeInt('employeeId', { description: "The employee id (the platform's `crmid`) the command sent." }),
    agent: t.field({ type: AgentRef, description: 'The agent.', resolve: (p) => agentOf(p.extension) }),
    queue: t.field({
      type: QueueRef,
      // Nullable: a read-back after the command; its failure must not report the command as failed.
      nullable: true,
      description: 'The queue, read again (GetQueueList): null when it no longer exists, and null with an error on this path when that read fails.',
      // Cost: one GetQueueList for the request (batched).
      complexity: cost.batched,
      resolve: (p, _a, ctx) => loadOrNull(ctx.loaders.queue, p.queue),
    }),
    seat: t.field({
      type: QueueSeatRef,
      nullable: true,
      // Cost: one GetQueueSipStatus for the request (batched).
      complexity: cost.batched,
      description:
        "The agent's seat in the queue now (GetQueueSipStatus); null after check-out, and null with an error on this path when the read fails.",
      resolve: async (p, _a, ctx) => (await ctx.loaders.seatsByExtension.load(p.extension)).find((s) => s.queue === p.queue) ?? null,
    }),
  }),
});

function seatMutation(
  name: 'checkInAgent' | 'checkOutAgent',
  description: string,
  run: (ctx: Parameters<typeof requireSip>[0], input: { queue: string; extension: string; employeeId: number }) => Promise<void>,
) {
  builder.mutationField(name, (t) =>
    t.field({
      type: AgentSeatPayload,
      description,
      // Cost: one SipSignIn / SipSignOut.
      complexity: cost.call,
      errors: mutationErrors(`${name[0]?.toUpperCase()}${name.slice(1)}Result`),
      args: { input: t.arg({ type: AgentSeatInput, required: true, description: 'The command, described by its input type.' }) },
      resolve: async (_root, { input }, ctx) => {
        const seat = seatOf(input);
        try {
          await sipCommand({ queue: seat.queue, extension: seat.extension }, () => run(ctx, seat));
        } finally {
          seatsChanged(ctx, [seat.queue]);
        }
        return seat;
      },
    }),
  );
}

seatMutation('checkInAgent', 'Checks an agent in to a queue (SipSignIn): the queue starts offering them calls.', (ctx, input) =>
  requireSip(ctx).checkIn(input),
);
seatMutation('checkOutAgent', 'Checks an agent out of a queue (SipSignOut).', (ctx, input) => requireSip(ctx).checkOut(input));

builder.mutationField('setAgentAvailability', (t) =>
  t.field({
    type: AgentSeatPayload,
    description: 'Shows an agent as available or busy in a queue (SetSeatsStatus), e.g. for a break.',
    // Cost: one SetSeatsStatus.
    complexity: cost.call,
    errors: mutationErrors('SetAgentAvailabilityResult'),
    args: { input: t.arg({ type: SetAgentAvailabilityInput, required: true, description: 'The command, described by its input type.' }) },
    resolve: async (_root, { input }, ctx) => {
      const seat = seatOf(input);
      await sipCommand({ queue: seat.queue, extension: seat.extension }, () =>
        requireSip(ctx).setSeatAvailability({ ...seat, setting: input.available ? SeatSetting.ShowIdle : SeatSetting.ShowBusy }),
      );
      return seat;
    },
  }),
);

