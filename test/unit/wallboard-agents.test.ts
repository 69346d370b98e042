import { describe, expect, it } from 'vitest';
import {
  type AgentStatusEventInput,
  applyAgentEvents,
  compareExtensions,
  displayState,
  setPaused,
  snapshotFromAgents,
} from '../../src/wallboard/lib/agents.ts';

type Node = Parameters<typeof snapshotFromAgents>[0][number];

function agent(extension: string, overrides: Partial<Node> = {}): Node {
  return {
    id: `Agent:${extension}`,
    extension,
    employeeId: null,
    presence: { state: 'AVAILABLE', since: '2026-01-01T00:00:00.000Z', eventId: null, callUuid: null, source: 'POLL' },
    callStatus: { direction: null, caller: null, callee: null },
    seats: [{ queue: { name: 'sales' }, employeeId: 7, paused: false }],
    ...overrides,
  };
}

function event(eventId: string, extension: string, state: AgentStatusEventInput['state'], customerNumber: string | null = '13812345678'): AgentStatusEventInput {
  return { eventId, extension, state, receivedAt: '2026-01-01T00:01:00.000Z', call: { direction: 'OUTBOUND', customerNumber } };
}

describe('wallboard snapshotFromAgents', () => {
  it('builds tiles in extension order with the highest eventId the load reflects', () => {
    const snapshot = snapshotFromAgents([
      agent('1010', { presence: { state: 'IN_CALL', since: null, eventId: '40', callUuid: 'u', source: 'CALLBACK' }, callStatus: { direction: 'INBOUND', caller: '13900001111', callee: '4000' } }),
      agent('999'),
      agent('1002', { presence: { state: 'RINGING', since: null, eventId: '41', callUuid: 'v', source: 'CALLBACK' }, callStatus: { direction: 'OUTBOUND', caller: '1002', callee: '13700002222' } }),
    ]);
    expect(snapshot.order).toEqual(['999', '1002', '1010']);
    expect(snapshot.lastEventId).toBe('41');
    // The customer: the caller of an inbound call, the callee of an outbound one.
    expect(snapshot.tiles.get('1010')).toMatchObject({ state: 'IN_CALL', customerNumber: '13900001111', direction: 'INBOUND', eventId: '40' });
    expect(snapshot.tiles.get('1002')).toMatchObject({ customerNumber: '13700002222', direction: 'OUTBOUND' });
    expect(snapshot.tiles.get('999')).toMatchObject({ customerNumber: null, direction: null, employeeId: 7, queues: ['sales'], since: Date.parse('2026-01-01T00:00:00.000Z') });
  });

  it('shows a state it does not know as UNKNOWN and a free agent paused in every queue as PAUSED', () => {
    const snapshot = snapshotFromAgents([
      agent('1', { presence: { state: 'SOMETHING_NEW' as never, since: null, eventId: null, callUuid: null, source: 'POLL' } }),
      agent('2', { seats: [{ queue: { name: 'a' }, employeeId: null, paused: true }, { queue: { name: 'b' }, employeeId: null, paused: true }] }),
      agent('3', { presence: null, seats: null }),
    ]);
    expect(snapshot.tiles.get('1')!.state).toBe('UNKNOWN');
    expect(displayState(snapshot.tiles.get('2')!)).toBe('PAUSED');
    expect(snapshot.tiles.get('3')).toMatchObject({ state: 'UNKNOWN', queues: [], paused: false });
  });

  it('orders numeric extensions numerically', () => {
    expect(['100', '20', '3', 'a1'].sort(compareExtensions)).toEqual(['3', '20', '100', 'a1']);
  });
});

describe('wallboard applyAgentEvents', () => {
  const loaded = snapshotFromAgents([
    agent('1001', { presence: { state: 'AVAILABLE', since: null, eventId: '50', callUuid: null, source: 'CALLBACK' } }),
    agent('1002'),
  ]).tiles;

  it('applies newer events, skips those the tile already reflects, counts both', () => {
    const result = applyAgentEvents(loaded, [event('48', '1001', 'RINGING'), event('50', '1001', 'RINGING'), event('51', '1001', 'RINGING'), event('52', '1002', 'IN_CALL')]);
    expect(result.applied).toBe(2);
    expect(result.skipped).toBe(2);
    expect(result.lastApplied).toBe('52');
    expect(result.tiles.get('1001')).toMatchObject({ state: 'RINGING', eventId: '51', customerNumber: '13812345678', direction: 'OUTBOUND', since: Date.parse('2026-01-01T00:01:00.000Z') });
    // A polled tile (no eventId) takes any event.
    expect(result.tiles.get('1002')).toMatchObject({ state: 'IN_CALL', eventId: '52' });
  });

  it('replaces only the changed tiles and the map only when something changed', () => {
    const untouched = applyAgentEvents(loaded, [event('10', '1001', 'RINGING')]);
    expect(untouched.tiles).toBe(loaded);
    const changed = applyAgentEvents(loaded, [event('60', '1001', 'RINGING')]);
    expect(changed.tiles).not.toBe(loaded);
    expect(changed.tiles.get('1002')).toBe(loaded.get('1002'));
    expect(loaded.get('1001')!.state).toBe('AVAILABLE'); // the input is never changed
  });

  it('applies events in order within a batch and clears the call on hang-up', () => {
    const result = applyAgentEvents(loaded, [event('60', '1001', 'RINGING'), event('61', '1001', 'IN_CALL'), event('62', '1001', 'AVAILABLE')]);
    expect(result.applied).toBe(3);
    expect(result.tiles.get('1001')).toMatchObject({ state: 'AVAILABLE', eventId: '62', customerNumber: null, direction: null });
    // The same batch again (a replay after a reconnect): all skipped.
    const again = applyAgentEvents(result.tiles, [event('60', '1001', 'RINGING'), event('61', '1001', 'IN_CALL'), event('62', '1001', 'AVAILABLE')]);
    expect(again).toMatchObject({ applied: 0, skipped: 3 });
    expect(again.tiles).toBe(result.tiles);
  });

  it('counts events about extensions the grid does not list apart', () => {
    expect(applyAgentEvents(loaded, [event('70', '4242', 'RINGING')])).toMatchObject({ applied: 0, skipped: 0, unknown: 1 });
  });

  it('setPaused replaces one tile', () => {
    const paused = setPaused(loaded, '1002', true);
    expect(displayState(paused.get('1002')!)).toBe('PAUSED');
    expect(paused.get('1001')).toBe(loaded.get('1001'));
    expect(setPaused(paused, '1002', true)).toBe(paused);
    expect(setPaused(loaded, 'nope', true)).toBe(loaded);
  });
});
