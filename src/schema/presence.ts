import DataLoader from 'dataloader';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import type { AgentCallStatus } from '../events/types.ts';
import { cost } from '../limits/cost.ts';
import type { AgentCallState } from '../store/agent-status.ts';
import { ExtensionCallEvent, SipCode } from '../upstream/sip/codes.ts';
import type { ExtensionCallStatus, QueueSeat } from '../upstream/sip/types.ts';
import { AgentRef, QueueSeatRef } from './refs.ts';

/**
 * One vocabulary for an agent's state (issue 11 item 5), whatever told it: the extension-status callbacks (stored, and
 * pushed by `agentStatusChanged`), the reconciler, the PBX's polled call status (GetSipCallStatus), a queue seat's
 * state (GetQueueSipStatus) or an extension-group member's call status (GetGroupExt). Each older vocabulary maps onto
 * it here, and nowhere else.
 */

export type PresenceState = 'OFFLINE' | 'DISABLED' | 'NOT_FOUND' | 'AVAILABLE' | 'RINGING' | 'IN_CALL' | 'PAUSED' | 'UNKNOWN';

export const AgentPresenceStateEnum = builder.enumType('AgentPresenceState', {
  description:
    "An agent's state, in one vocabulary for every view of it: `Agent.presence` (polled or from the callbacks), " +
    '`AgentStatusEvent.state` (pushed), `AgentLiveState.state`, `QueueSeat.presenceState`, `ExtGroupMember.presenceState`. New values may come: show an unknown one as UNKNOWN.',
  values: {
    OFFLINE: { description: 'No phone registered on the extension (polled: the PBX says not registered).' },
    DISABLED: { description: 'The extension is disabled on the switch.' },
    NOT_FOUND: { description: 'No such extension on the switch.' },
    AVAILABLE: { description: 'Free: registered, enabled and in no call (after a hang-up; a queue seat waiting for calls).' },
    RINGING: { description: 'A call is ringing the agent.' },
    IN_CALL: { description: 'In a call (answered, talking, or off hook dialling).' },
    PAUSED: { description: 'Free but showing busy in a queue: no queue calls offered (queue seats only).' },
    UNKNOWN: { description: 'A state this gateway cannot name (a code the manual does not list); the source field keeps the raw code.' },
  } as const,
});

/** The callbacks' verbs: ring, answer, hang-up. */
export function presenceOfCallback(status: AgentCallStatus | string): PresenceState {
  if (status === 'ring') return 'RINGING';
  if (status === 'answer') return 'IN_CALL';
  if (status === 'hangup') return 'AVAILABLE';
  return 'UNKNOWN';
}

/** GetSipCallStatus' codes (`AgentCallState`). */
export function presenceOfCallStatus(code: unknown): PresenceState {
  switch (code) {
    case SipCode.ExtensionIdle:
    case SipCode.ExtensionNotInCall:
      return 'AVAILABLE';
    case SipCode.ExtensionRinging:
      return 'RINGING';
    case SipCode.ExtensionOffHook:
    case SipCode.ExtensionCalling:
      return 'IN_CALL';
    case SipCode.ExtensionNotRegistered:
      return 'OFFLINE';
    case SipCode.ExtensionDisabled:
      return 'DISABLED';
    case SipCode.ExtensionNotFound:
    case SipCode.IllegalExtension:
      return 'NOT_FOUND';
    default:
      return 'UNKNOWN';
  }
}

/** A queue seat (`SeatState`, and the seat's pause flag). */
export function presenceOfSeat(seat: Pick<QueueSeat, 'state' | 'status'>): PresenceState {
  const paused = seat.state.value === SipCode.SeatPaused || seat.status.value === SipCode.SeatPaused;
  switch (seat.state.value) {
    case SipCode.SeatReceiving:
      return 'RINGING';
    case SipCode.SeatAnswered:
      return 'IN_CALL';
    case SipCode.SeatPaused:
      return 'PAUSED';
    case SipCode.SeatWaiting:
    case SipCode.SeatCheckedIn:
    case SipCode.SeatNoAnswer:
    case SipCode.SeatRejected:
      return paused ? 'PAUSED' : 'AVAILABLE';
    default:
      return 'UNKNOWN';
  }
}

/** An extension-group member's call status (`ExtGroupMemberCallStatus`: the callbacks' verbs). */
export function presenceOfMemberCallStatus(code: unknown): PresenceState {
  if (code === ExtensionCallEvent.Ring) return 'RINGING';
  if (code === ExtensionCallEvent.Answer) return 'IN_CALL';
  if (code === ExtensionCallEvent.Hangup) return 'AVAILABLE';
  return 'UNKNOWN';
}

// ---- Agent.presence -------------------------------------------------------------------------------------------------

export type PresenceSource = 'CALLBACK' | 'RECONCILE' | 'POLL';

export interface PresenceView {
  state: PresenceState;
  since: Date | null;
  source: PresenceSource;
  eventId: number | null;
  callUuid: string | null;
}

const AgentPresenceSourceEnum = builder.enumType('AgentPresenceSource', {
  description: 'What told the gateway an agent\'s presence.',
  values: {
    CALLBACK: { description: "The platform's extension-status callback (stored; no upstream call to read it)." },
    RECONCILE: { description: 'The gateway polled the PBX and recorded a hang-up whose callback was lost (stored).' },
    POLL: { description: 'No callback about this agent is stored: the PBX was asked now (GetSipCallStatus, batched).' },
  } as const,
});

const AgentPresenceRef = builder.objectRef<PresenceView>('AgentPresence').implement({
  description:
    "An agent's state merged from what the gateway knows: the last stored callback (or reconciler correction) about the agent, or — when " +
    'there is none yet — the PBX polled now. In the same vocabulary as the pushed `AgentStatusEvent.state`.',
  fields: (t) => ({
    state: t.field({ type: AgentPresenceStateEnum, description: 'The state.', resolve: (p) => p.state }),
    since: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'Since when: for CALLBACK / RECONCILE when the gateway took the event in; for POLL derived from the PBX\'s idle or talk seconds, ' +
        'null when the PBX does not say.',
      resolve: (p) => p.since,
    }),
    source: t.field({ type: AgentPresenceSourceEnum, description: 'What told it: a stored callback, a reconciliation, or a poll now.', resolve: (p) => p.source }),
    eventId: t.id({
      nullable: true,
      description: 'The stored event that set this state (subscribe to `agentStatusChanged` with `after` = the largest one); null for POLL.',
      resolve: (p) => (p.eventId === null ? null : String(p.eventId)),
    }),
    callUuid: t.string({ nullable: true, description: 'The call the state is about, from the callbacks; null for POLL.', resolve: (p) => p.callUuid }),
  }),
});

const liveLoaders = new WeakMap<GatewayContext, DataLoader<string, AgentCallState | null>>();

/** The stored states of the request's agents: one store statement for all of them (a consistent snapshot). */
export function liveStatusLoader(ctx: GatewayContext): DataLoader<string, AgentCallState | null> {
  let loader = liveLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader((extensions) => ctx.store.agentStatus.getMany(extensions), { maxBatchSize: 10_000 });
    liveLoaders.set(ctx, loader);
  }
  return loader;
}

/** A stored state as presence. */
export function presenceOfStored(state: AgentCallState): PresenceView {
  return {
    state: presenceOfCallback(state.status),
    since: state.changedAt,
    source: state.source === 'reconcile' ? 'RECONCILE' : 'CALLBACK',
    eventId: state.eventId,
    callUuid: state.call.uuid,
  };
}

/** A polled call status as presence; `since` from the PBX's idle / talk seconds when it gives them. */
export function presenceOfPoll(status: ExtensionCallStatus, now: number = Date.now()): PresenceView {
  const state = presenceOfCallStatus(status.status.value);
  const seconds = state === 'AVAILABLE' ? status.idleSeconds : state === 'IN_CALL' ? status.talkSeconds : null;
  return {
    state,
    since: typeof seconds === 'number' && seconds >= 0 ? new Date(now - seconds * 1000) : null,
    source: 'POLL',
    eventId: null,
    callUuid: null,
  };
}

builder.objectField(AgentRef, 'presence', (t) =>
  t.field({
    type: AgentPresenceRef,
    // Nullable only for a failed poll (with its error on this path): never merely because no callback came.
    nullable: true,
    description:
      "The agent's state in one vocabulary (AgentPresenceState), the same as `agentStatusChanged` pushes. From the store when a callback " +
      'about the agent was received (no upstream call); otherwise polled now (GetSipCallStatus, one call for every such agent of the ' +
      'request). Null with an error on this path only when that poll failed. A stored state is only as fresh as the callbacks: ' +
      'registration and enabling are not called back, so OFFLINE / DISABLED show for agents without callbacks (see `registration`, `validity`).',
    // Cost: one store statement for every agent of the request, plus at most one GetSipCallStatus for those without a stored state (batched).
    complexity: cost.batched,
    resolve: async (agent, _args, ctx) => {
      const stored = await liveStatusLoader(ctx).load(agent.extension);
      if (stored) return presenceOfStored(stored);
      return presenceOfPoll(await ctx.loaders.callStatus.load(agent.extension));
    },
  }),
);

builder.objectField(QueueSeatRef, 'presenceState', (t) =>
  t.field({
    type: AgentPresenceStateEnum,
    description:
      'The seat\'s state in the agents\' one vocabulary: WAITING and CHECKED_IN → AVAILABLE (PAUSED when the seat shows busy), RINGING → ' +
      'RINGING, TALKING → IN_CALL, PAUSED → PAUSED, MISSED and REJECTED (free after an offer not taken) → AVAILABLE or PAUSED.',
    // Cost: none beyond the seat's own read.
    complexity: cost.local,
    resolve: (seat) => presenceOfSeat(seat),
  }),
);
