import { describe, expect, it } from 'vitest';
import { createQueueMembership } from '../../src/events/queue-membership.ts';
import type { QueueSeat } from '../../src/upstream/sip/types.ts';

/** A SIP client whose GetQueueSipStatus answers from a mutable list and counts its calls. */
function fakeSip(initial: Record<string, string[]>) {
  const queues = new Map(Object.entries(initial));
  let reads = 0;
  return {
    queues,
    reads: () => reads,
    getSeats: async ({ queue }: { queue?: string }) => {
      reads += 1;
      return (queues.get(queue ?? '') ?? []).map((extension) => ({ queue, extension }) as unknown as QueueSeat);
    },
  };
}

describe('queue membership (agentStatusChanged(queue:))', () => {
  it('answers from one read while it is younger than refreshMs, then reads again once', async () => {
    let clock = 1_000;
    const sip = fakeSip({ q1: ['8001'] });
    const membership = createQueueMembership(sip as never, { refreshMs: 5_000, now: () => clock });
    expect(await membership.has('q1', '8001')).toBe(true);
    sip.queues.set('q1', ['8001', '8002']);
    clock += 4_999;
    expect(await membership.has('q1', '8002')).toBe(false);
    expect(sip.reads()).toBe(1);
    clock += 1;
    // Concurrent askers share the one re-read.
    const answers = await Promise.all([membership.has('q1', '8002'), membership.has('q1', '8002'), membership.members('q1')]);
    expect(answers.slice(0, 2)).toEqual([true, true]);
    expect(sip.reads()).toBe(2);
  });

  it('re-reads at once after forget (a check-in made through this gateway)', async () => {
    const sip = fakeSip({ q1: ['8001'] });
    const membership = createQueueMembership(sip as never, { refreshMs: 60_000, now: () => 0 });
    expect(await membership.has('q1', '8003')).toBe(false);
    sip.queues.set('q1', ['8001', '8003']);
    membership.forget('q1');
    expect(await membership.has('q1', '8003')).toBe(true);
    expect(sip.reads()).toBe(2);
  });

  it('keeps the last list when a re-read fails', async () => {
    let clock = 0;
    const sip = fakeSip({ q1: ['8001'] });
    let fail = false;
    const flaky = { getSeats: (args: { queue?: string }) => (fail ? Promise.reject(new Error('PBX down')) : sip.getSeats(args)) };
    const membership = createQueueMembership(flaky as never, { refreshMs: 10, now: () => clock });
    expect(await membership.has('q1', '8001')).toBe(true);
    fail = true;
    clock += 10;
    expect(await membership.has('q1', '8001')).toBe(true);
  });
});
