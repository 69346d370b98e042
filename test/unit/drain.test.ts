import { getEventListeners } from 'node:events';
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createPushIterator } from '../../src/events/push-iterator.ts';
import { createDrain, endOnDrain } from '../../src/server/drain.ts';

describe('endOnDrain', () => {
  it('passes results through, then ends a blocked stream with SERVER_DRAINING and returns the source', async () => {
    let returned = false;
    const source = createPushIterator<ExecutionResult>(() => (returned = true));
    const drain = createDrain();
    const stream = endOnDrain(source, drain.signal);
    source.push({ data: { n: 1 } });
    expect(await stream.next()).toEqual({ done: false, value: { data: { n: 1 } } });
    const blocked = stream.next();
    drain.begin();
    // Draining alone (readiness) ends nothing; closing does.
    expect(returned).toBe(false);
    drain.close();
    const last = await blocked;
    expect(last.done).toBe(false);
    expect((last.value as ExecutionResult).errors?.[0]?.extensions?.code).toBe('SERVER_DRAINING');
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(returned).toBe(true);
  });

  it('ends at once when subscribed after closing began, and lets go of the signal when a stream ends by itself', async () => {
    const drain = createDrain();
    const ended = endOnDrain(createPushIterator<ExecutionResult>(() => {}), drain.signal);
    await ended.return?.();
    expect(getEventListeners(drain.signal, 'abort')).toHaveLength(0);
    drain.close();
    const late = endOnDrain(createPushIterator<ExecutionResult>(() => {}), drain.signal);
    expect(((await late.next()).value as ExecutionResult).errors?.[0]?.extensions?.code).toBe('SERVER_DRAINING');
    expect((await late.next()).done).toBe(true);
  });
});
