import { describe, expect, it } from 'vitest';
import { PrefetchLoader, PrefetchStore, valueOrLoad } from '../../src/loaders/prefetch.ts';
import { createDeferred, type Deferred } from '../utils/deferred.ts';

/** A source whose calls the test answers by hand, counting them: the loader's upstream calls are the mechanism. */
function source(size = 100) {
  const calls: Array<{ keys: string[]; answer: Deferred<Map<string, string>> }> = [];
  let called = createDeferred();
  const store = new PrefetchStore<string>({
    size,
    fetch: (keys) => {
      const answer = createDeferred<Map<string, string>>();
      calls.push({ keys, answer });
      called.resolve();
      called = createDeferred();
      return answer.promise;
    },
    absent: (key) => new Error(`no ${key}`),
  });
  const answerAll = (index: number) => {
    const call = calls[index];
    call?.answer.resolve(new Map(call.keys.filter((key) => key !== 'missing').map((key) => [key, `v${key}`])));
  };
  /** Resolves at the next upstream call. */
  const nextCall = () => called.promise;
  return { loader: new PrefetchLoader(store), calls, answerAll, nextCall };
}

describe('PrefetchLoader', () => {
  it('serves loads of prefetched keys from the one call in flight, then synchronously', async () => {
    const { loader, calls, answerAll, nextCall } = source();
    const prefetched = loader.prefetch(['1', '2', '2', 'missing']);
    expect(calls.map((call) => call.keys)).toEqual([['1', '2', 'missing']]);
    expect(loader.peek('1')).toBeUndefined();
    const loaded = loader.load('2');
    answerAll(0);
    await prefetched;
    expect(await loaded).toBe('v2');
    expect(valueOrLoad(loader, '1')).toBe('v1');
    expect(() => valueOrLoad(loader, 'missing')).toThrow('no missing');
    // A key outside the prefetch still costs one call of its own.
    const asked = nextCall();
    const other = loader.load('3');
    await asked;
    expect(calls.map((call) => call.keys)).toEqual([['1', '2', 'missing'], ['3']]);
    answerAll(1);
    expect(await other).toBe('v3');
  });

  it('keeps a failed call as the error of its own chunk only', async () => {
    const { loader, calls, answerAll } = source(2);
    const prefetched = loader.prefetch(['1', '2', '3']);
    expect(calls.map((call) => call.keys)).toEqual([['1', '2'], ['3']]);
    calls[0]?.answer.reject(new Error('down'));
    answerAll(1);
    await prefetched;
    expect(() => valueOrLoad(loader, '1')).toThrow('down');
    expect(valueOrLoad(loader, '3')).toBe('v3');
    await expect(loader.load('2')).rejects.toThrow('down');
    expect(calls).toHaveLength(2);
  });

  it('forgets what a prefetch brought, and an answer that predates clearAll', async () => {
    const { loader, calls, answerAll } = source();
    const first = loader.prefetch(['1']);
    loader.clearAll();
    answerAll(0);
    await first;
    expect(loader.peek('1')).toBeUndefined();
    const second = loader.prefetch(['1']);
    answerAll(1);
    await second;
    expect(loader.peek('1')).toBe('v1');
    loader.clearAll();
    expect(loader.peek('1')).toBeUndefined();
    expect(calls).toHaveLength(2);
  });

  it('primeAll makes every other key missing; prefetchAll stores a failure for every key', async () => {
    const { loader } = source();
    loader.primeAll(new Map([['a', 'va']]));
    expect(loader.peek('a')).toBe('va');
    expect(loader.peek('b')).toBeUndefined();

    const queues = new PrefetchLoader(
      new PrefetchStore<string>({ size: Number.POSITIVE_INFINITY, fetch: async () => new Map(), absent: (key) => new Error(`gone ${key}`) }, (key) => new Error(`gone ${key}`)),
    );
    queues.primeAll(new Map([['sales', 'S']]));
    expect(valueOrLoad(queues, 'sales')).toBe('S');
    expect(() => valueOrLoad(queues, 'other')).toThrow('gone other');
    queues.clearAll();
    await queues.prefetchAll(() => Promise.reject(new Error('list down')));
    expect(() => valueOrLoad(queues, 'sales')).toThrow('list down');
  });
});
