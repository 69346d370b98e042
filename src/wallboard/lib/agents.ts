import type { AgentPresenceState, CallDirection, WallboardAgentsQuery } from '../generated/graphql.ts';
import { compareEventIds } from './event-ids.ts';

/**
 * The agents' state as the grid shows it, and the reducer that applies `agentStatusChanged` events to it. No DOM:
 * unit-tested in test/unit/wallboard-agents.test.ts.
 *
 * The map is replaced immutably per flush, and a tile object only when its agent changed, so memoised tiles
 * re-render exactly when their agent did.
 */

export interface AgentTile {
  extension: string;
  agentId: string;
  employeeId: number | null;
  /** The presence state (as the gateway names it; an unknown one shows as UNKNOWN). */
  state: AgentPresenceState;
  /** Epoch ms the state started; null when the gateway does not know (a poll without idle/talk seconds). */
  since: number | null;
  /** The stored event the state reflects; null for a polled state (then every event is newer). */
  eventId: string | null;
  direction: CallDirection | null;
  /** Unmasked: masking is the view's job (lib/mask.ts), so the state stays testable and searchable. */
  customerNumber: string | null;
  queues: readonly string[];
  /** Shows busy in every queue it sits in (setAgentsAvailability false): displayed as PAUSED when otherwise free. */
  paused: boolean;
}

export interface AgentStatusEventInput {
  eventId: string;
  extension: string;
  state: AgentPresenceState;
  receivedAt: string;
  call: { direction: CallDirection | null; customerNumber: string | null } | null;
}

export const PRESENCE_STATES: readonly AgentPresenceState[] = [
  'AVAILABLE',
  'RINGING',
  'IN_CALL',
  'PAUSED',
  'OFFLINE',
  'DISABLED',
  'NOT_FOUND',
  'UNKNOWN',
];

/** A state this page does not know (the schema says new values may come) is shown as UNKNOWN. */
export function knownState(state: string): AgentPresenceState {
  return (PRESENCE_STATES as readonly string[]).includes(state) ? (state as AgentPresenceState) : 'UNKNOWN';
}

/** States in which a call, and so its customer's number and direction, belongs on the tile. */
export function inCall(state: AgentPresenceState): boolean {
  return state === 'RINGING' || state === 'IN_CALL';
}

/** What the tile shows: a free agent who shows busy in its queues is PAUSED. */
export function displayState(tile: AgentTile): AgentPresenceState {
  return tile.state === 'AVAILABLE' && tile.paused ? 'PAUSED' : tile.state;
}

function parseTime(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export type AgentNode = NonNullable<WallboardAgentsQuery['agents']>['edges'][number]['node'];

export function tileFromAgent(node: AgentNode): AgentTile {
  const state = knownState(node.presence?.state ?? 'UNKNOWN');
  const call = node.callStatus;
  const direction = inCall(state) ? (call?.direction ?? null) : null;
  // The customer is the callee of an outbound call and the caller of an inbound one (as LiveCall.customerNumber).
  const customerNumber = inCall(state) && call ? (direction === 'INBOUND' ? call.caller : call.callee) : null;
  const seats = node.seats ?? [];
  const queues = [...new Set(seats.map((seat) => seat.queue?.name).filter((name): name is string => !!name))].sort();
  return {
    extension: node.extension,
    agentId: node.id,
    employeeId: node.employeeId ?? seats.find((seat) => seat.employeeId !== null)?.employeeId ?? null,
    state,
    since: parseTime(node.presence?.since),
    eventId: node.presence?.eventId ?? null,
    direction,
    customerNumber: customerNumber ?? null,
    queues,
    paused: seats.length > 0 && seats.every((seat) => seat.paused),
  };
}

export interface AgentsSnapshot {
  tiles: ReadonlyMap<string, AgentTile>;
  /** Extensions in the grid's order (numeric where they are numbers, as the PBX sorts them). */
  order: readonly string[];
  /** The highest presence eventId in the snapshot (what it reflects); null when none came from the store. */
  lastEventId: string | null;
}

export function compareExtensions(a: string, b: string): number {
  return a.length !== b.length && /^\d+$/.test(a) && /^\d+$/.test(b) ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

export function snapshotFromAgents(nodes: readonly AgentNode[]): AgentsSnapshot {
  const tiles = new Map<string, AgentTile>();
  let lastEventId: string | null = null;
  for (const node of nodes) {
    const tile = tileFromAgent(node);
    tiles.set(tile.extension, tile);
    if (tile.eventId !== null && (lastEventId === null || compareEventIds(tile.eventId, lastEventId) > 0)) lastEventId = tile.eventId;
  }
  return { tiles, order: [...tiles.keys()].sort(compareExtensions), lastEventId };
}

export interface ApplyResult {
  tiles: ReadonlyMap<string, AgentTile>;
  /** Events that changed a tile. */
  applied: number;
  /** Events the tile already reflected (eventId ≤ the tile's): the load and the replay overlap by design. */
  skipped: number;
  /** Events about extensions the grid does not list (added after the load): not shown until the next load. */
  unknown: number;
  /** The highest eventId applied in this batch; null when none. */
  lastApplied: string | null;
}

/**
 * Applies a batch of events in order. A tile is replaced (new object) only when an event moved it; the map is a new
 * one only when some tile changed, so an all-skipped batch costs no render.
 */
export function applyAgentEvents(tiles: ReadonlyMap<string, AgentTile>, events: readonly AgentStatusEventInput[]): ApplyResult {
  let next: Map<string, AgentTile> | null = null;
  let applied = 0;
  let skipped = 0;
  let unknown = 0;
  let lastApplied: string | null = null;
  for (const event of events) {
    const current = (next ?? tiles).get(event.extension);
    if (!current) {
      unknown++;
      continue;
    }
    if (current.eventId !== null && compareEventIds(event.eventId, current.eventId) <= 0) {
      skipped++;
      continue;
    }
    const state = knownState(event.state);
    const call = inCall(state) ? event.call : null;
    const tile: AgentTile = {
      ...current,
      state,
      since: parseTime(event.receivedAt) ?? current.since,
      eventId: event.eventId,
      direction: call?.direction ?? null,
      customerNumber: call?.customerNumber ?? null,
    };
    next ??= new Map(tiles);
    next.set(event.extension, tile);
    applied++;
    if (lastApplied === null || compareEventIds(event.eventId, lastApplied) > 0) lastApplied = event.eventId;
  }
  return { tiles: next ?? tiles, applied, skipped, unknown, lastApplied };
}

/** After setAgentsAvailability: the tile shows busy (or free) without waiting for the next load. */
export function setPaused(tiles: ReadonlyMap<string, AgentTile>, extension: string, paused: boolean): ReadonlyMap<string, AgentTile> {
  const tile = tiles.get(extension);
  if (!tile || tile.paused === paused) return tiles;
  const next = new Map(tiles);
  next.set(extension, { ...tile, paused });
  return next;
}
