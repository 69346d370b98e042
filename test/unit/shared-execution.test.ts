import { createHook } from 'node:async_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createPushIterator, EMPTY, type PushIterator } from '../../src/events/push-iterator.ts';
import { createSharedExecution, fanOutMetrics, type FanOutTransport, serializedPayload } from '../../src/server/shared-execution.ts';
import { createDeferred } from '../utils/deferred.ts';

/**
 * The promise-free paths of the fan-out (src/server/shared-execution.ts) and the push iterator's `take`/`whenReady`
 * (src/events/push-iterator.ts), with a transport that records its calls: counts and order, never time.
 */

interface Event {
  id: number;
}

interface Member {
  name: string;
  delivered: number[];
  /** What deliver answers for this member: true (written), false (gone), or a promise (a write that waits). */
  answer: () => boolean | Promise<boolean>;
}

const DOCUMENT = parse('subscription { agentStatusChanged { eventId } }');

/** A group pipeline that turns each pushed event into `{ data: { id } }`; an ended stream's error into `errors`. */
function transport(runs: { count: number }): FanOutTransport<Member> {
  return {
    async run(_member, source) {
      runs.count += 1;
      return (async function* () {
        try {
          for await (const event of source) yield { data: { id: (event as Event).id } } as ExecutionResult;
        } catch (error) {
          yield { errors: [{ message: (error as Error).message }] } as unknown as ExecutionResult;
        }
      })();
    },
    deliver(member, result) {
      member.delivered.push((result.data as { id: number }).id);
      return member.answer();
    },
  };
}

function subscribeAll(count: number, options: { limit?: number } = {}) {
  const runs = { count: 0 };
  const shared = createSharedExecution<Member>(transport(runs));
  const members = Array.from({ length: count }, (_, i): Member => ({ name: `m${i}`, delivered: [], answer: () => true }));
  const streams: Array<PushIterator<Event>> = [];
  const iterators = members.map((member) => {
    const stream = createPushIterator<Event>(() => undefined, { limit: options.limit ?? 1_000 });
    streams.push(stream);
    return shared.subscribe({ query: 'q', document: DOCUMENT, operationName: null, variables: {}, role: 'viewer', source: { stream }, subscriber: member });
  });
  // graphql-ws's for-await: one pending next() per operation.
  const endings = iterators.map((iterator) => iterator.next());
  return { runs, shared, members, streams, iterators, endings };
}

/** Resolves once the group's pipeline has answered and its waiters ran (a few turns, no timer). */
async function settled(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await nextTurn();
}

describe('push iterator: take and whenReady', () => {
  it('take gives what waits without a promise, EMPTY otherwise; the reader is called once per wait', () => {
    const stream = createPushIterator<number>(() => undefined);
    expect(stream.take()).toBe(EMPTY);
    let calls = 0;
    const reader = { ready: () => (calls += 1) };
    stream.whenReady(reader);
    stream.push(1);
    stream.push(2);
    expect(calls).toBe(1);
    expect([stream.take(), stream.take(), stream.take()]).toEqual([1, 2, EMPTY]);
    stream.whenReady(reader);
    stream.end();
    expect(calls).toBe(2);
    expect(stream.take()).toBe(EMPTY);
    expect(stream.finished).toBe(true);
  });

  it('an overflow wakes the reader (its stream is over); return() forgets it', () => {
    let overflows = 0;
    const stream = createPushIterator<number>(() => undefined, { limit: 1, onOverflow: () => (overflows += 1) });
    stream.push(1);
    let calls = 0;
    const reader = { ready: () => (calls += 1) };
    stream.push(2);
    expect([overflows, stream.finished, stream.take()]).toEqual([1, true, EMPTY]);
    const other = createPushIterator<number>(() => undefined);
    other.whenReady(reader);
    void other.return?.();
    other.push(1);
    expect(calls).toBe(0);
  });
});

describe('shared execution without a promise per delivery', () => {
  it('one execution per event for the whole group; every member gets it in order, synchronously once it is out', async () => {
    const { runs, members, streams } = subscribeAll(50);
    const before = { ...fanOutMetrics };
    for (const id of [1, 2, 3]) {
      const event = { id };
      for (const stream of streams) stream.push(event);
    }
    await settled();
    expect(fanOutMetrics.executions - before.executions).toBe(3);
    expect(fanOutMetrics.serializations - before.serializations).toBe(3);
    for (const member of members) expect(member.delivered).toEqual([1, 2, 3]);
    // One pipeline for the group; nobody's own ran.
    expect(runs.count).toBe(1);
  });

  it('the promises one event makes do not grow with the number of members', async () => {
    /** Promises created while one event reaches `n` members (after a first one, so groups and streams are warm). */
    const promisesFor = async (n: number): Promise<number> => {
      const { streams, members, iterators } = subscribeAll(n);
      const warm = { id: 1 };
      for (const stream of streams) stream.push(warm);
      await settled();
      let promises = 0;
      const hook = createHook({
        init(_id, type) {
          if (type === 'PROMISE') promises += 1;
        },
      });
      hook.enable();
      const event = { id: 2 };
      for (const stream of streams) stream.push(event);
      await settled();
      hook.disable();
      for (const member of members) expect(member.delivered).toEqual([1, 2]);
      await Promise.all(iterators.map((iterator) => iterator.return?.()));
      return promises;
    };
    const few = await promisesFor(2);
    const many = await promisesFor(200);
    // The group's pipeline and the turns waited here make a fixed number; a promise per member would add 198 or more.
    expect(many - few).toBeLessThan(10);
  });

  it('a member whose write waits queues its events and goes on in order when the write is out; the others are not held', async () => {
    const { members, streams } = subscribeAll(3);
    const write = createDeferred<boolean>();
    const slow = members[1] as Member;
    slow.answer = () => write.promise;
    const first = { id: 1 };
    for (const stream of streams) stream.push(first);
    await settled();
    const second = { id: 2 };
    for (const stream of streams) stream.push(second);
    await settled();
    expect(members.map((m) => m.delivered)).toEqual([[1, 2], [1], [1, 2]]);
    expect(streams[1]?.size).toBe(1);
    slow.answer = () => true;
    write.resolve(true);
    await settled();
    expect(slow.delivered).toEqual([1, 2]);
    expect(streams[1]?.size).toBe(0);
  });

  it('a member whose socket is gone stops: its next() ends, its stream closes, the others go on', async () => {
    const { members, streams, endings } = subscribeAll(2);
    (members[0] as Member).answer = () => false;
    const event = { id: 1 };
    for (const stream of streams) stream.push(event);
    await settled();
    await expect(endings[0]).resolves.toEqual({ done: true, value: undefined });
    expect(streams[0]?.finished).toBe(true);
    const next = { id: 2 };
    for (const stream of streams) stream.push(next);
    await settled();
    expect(members.map((m) => m.delivered)).toEqual([[1], [1, 2]]);
  });

  it('return() while waiting for the group answers the pending next() and leaves; the group closes with its last member', async () => {
    const { shared, iterators, endings, members, streams } = subscribeAll(2);
    const event = { id: 1 };
    for (const stream of streams) stream.push(event);
    // Both wait on the group's pending outcome; both leave before it comes.
    await Promise.all(iterators.map((iterator) => iterator.return?.()));
    await expect(Promise.all(endings)).resolves.toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
    await settled();
    expect(members.map((m) => m.delivered)).toEqual([[], []]);
    expect(shared.size).toBe(0);
  });

  it("a stream that ends with an error goes through the member's own pipeline: next() gives that error", async () => {
    const { runs, endings, streams, members } = subscribeAll(2);
    (streams[0] as PushIterator<Event>).end(new Error('SUBSCRIBER_TOO_SLOW'));
    const ending = await endings[0];
    expect(ending?.value).toEqual({ errors: [{ message: 'SUBSCRIBER_TOO_SLOW' }] });
    // The group's pipeline and the ended member's own.
    expect(runs.count).toBe(2);
    const event = { id: 1 };
    (streams[1] as PushIterator<Event>).push(event);
    await settled();
    expect(members.map((m) => m.delivered)).toEqual([[], [1]]);
  });

  it('the serialized payload is the group result as JSON, made once', async () => {
    const seen: ExecutionResult[] = [];
    const shared = createSharedExecution<null>({
      async run(_s, source) {
        return (async function* () {
          for await (const event of source) yield { data: { id: (event as Event).id } } as ExecutionResult;
        })();
      },
      deliver(_s, result) {
        seen.push(result);
        return true;
      },
    });
    const streams = [0, 1].map(() => createPushIterator<Event>(() => undefined));
    const iterators = streams.map((stream) => shared.subscribe({ query: 'q', document: DOCUMENT, operationName: null, variables: {}, role: 'r', source: { stream }, subscriber: null }));
    for (const iterator of iterators) void iterator.next();
    const event = { id: 7 };
    for (const stream of streams) stream.push(event);
    await settled();
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    expect(serializedPayload(seen[0] as ExecutionResult)).toBe('{"data":{"id":7}}');
    for (const iterator of iterators) await iterator.return?.();
  });
});
