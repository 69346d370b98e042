import { describe, expect, it } from 'vitest';
import { createAiCallLoaders, createAiTaskOptionsCache } from '../../src/loaders/aicall.ts';
import { NotFoundError } from '../../src/errors.ts';
import type { AiCallClient } from '../../src/upstream/aicall/client.ts';
import type { AiTaskOptions } from '../../src/upstream/aicall/types.ts';
import { createDeferred, type Deferred } from '../utils/deferred.ts';

const OPTIONS = (free: number): AiTaskOptions => ({
  callerLines: [{ id: 'line-1', name: 'L1', callerNumber: null, totalConcurrency: 10, freeConcurrency: free, availableFrom: null }],
  doNotCallWindows: [{ id: 'w-1', name: 'W' }],
  redialRules: [{ id: 1, name: 'R', remark: null, enabled: true }],
  handoverGroups: [],
  scriptGroups: [],
});

/** A client whose answers the test releases one by one. */
function fakeClient() {
  const pending: Array<Deferred<AiTaskOptions>> = [];
  return {
    pending,
    client: {
      getTaskOptions() {
        const next = createDeferred<AiTaskOptions>();
        pending.push(next);
        return next.promise;
      },
    },
  };
}

describe('the AI task options cache', () => {
  it('shares one fetch between concurrent callers and serves the answer until the TTL ends', async () => {
    let clock = 1_000;
    const { client, pending } = fakeClient();
    const cache = createAiTaskOptionsCache(client, { ttlMs: 5_000, now: () => clock });
    const a = cache.get();
    const b = cache.get();
    const c = cache.fresh();
    expect(pending).toHaveLength(1);
    pending[0]?.resolve(OPTIONS(7));
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    expect(ra).toBe(rb);
    expect(rc.options.callerLines[0]?.freeConcurrency).toBe(7);
    expect(ra.fetchedAt.getTime()).toBe(1_000);

    clock += 4_999;
    expect((await cache.get()).options.callerLines[0]?.freeConcurrency).toBe(7);
    expect(pending).toHaveLength(1);

    clock += 1;
    const expired = cache.get();
    expect(pending).toHaveLength(2);
    pending[1]?.resolve(OPTIONS(6));
    expect((await expired).options.callerLines[0]?.freeConcurrency).toBe(6);
  });

  it('fetches again for fresh() once the answer is in, and after invalidate()', async () => {
    const { client, pending } = fakeClient();
    const cache = createAiTaskOptionsCache(client, { now: () => 0 });
    const first = cache.get();
    pending[0]?.resolve(OPTIONS(5));
    await first;
    const fresh = cache.fresh();
    expect(pending).toHaveLength(2);
    pending[1]?.resolve(OPTIONS(4));
    expect((await fresh).options.callerLines[0]?.freeConcurrency).toBe(4);
    // fresh() refreshed the cache for everyone.
    expect((await cache.get()).options.callerLines[0]?.freeConcurrency).toBe(4);

    cache.invalidate();
    const again = cache.get();
    expect(pending).toHaveLength(3);
    pending[2]?.resolve(OPTIONS(3));
    expect((await again).options.callerLines[0]?.freeConcurrency).toBe(3);
  });

  it('does not let an answer invalidated in flight overwrite a newer one, and keeps no failure', async () => {
    const { client, pending } = fakeClient();
    const cache = createAiTaskOptionsCache(client, { now: () => 0 });
    const old = cache.get();
    cache.invalidate();
    const newer = cache.get();
    expect(pending).toHaveLength(2);
    pending[1]?.resolve(OPTIONS(2));
    pending[0]?.resolve(OPTIONS(9));
    await Promise.all([old, newer]);
    expect((await cache.get()).options.callerLines[0]?.freeConcurrency).toBe(2);

    cache.invalidate();
    const failing = cache.get();
    pending[2]?.reject(new Error('down'));
    await expect(failing).rejects.toThrow('down');
    const retry = cache.get();
    expect(pending).toHaveLength(4);
    pending[3]?.resolve(OPTIONS(1));
    expect((await retry).options.callerLines[0]?.freeConcurrency).toBe(1);
  });
});

describe('per-request AI-call loaders', () => {
  it('read the task list once per request and the options once, and answer unknown ids with NotFoundError', async () => {
    let lists = 0;
    let options = 0;
    const client = {
      listTasks: async () => {
        lists += 1;
        return [{ id: 't-1' }, { id: 't-2' }];
      },
      getTaskOptions: async () => {
        options += 1;
        return OPTIONS(3);
      },
    } as unknown as AiCallClient;
    const cache = createAiTaskOptionsCache(client, { ttlMs: 0 });
    const loaders = createAiCallLoaders(client, cache);
    const [t1, t2, missing] = await loaders.task.loadMany(['t-1', 't-2', 't-9']);
    expect([t1, t2].map((t) => (t as { id: string }).id)).toEqual(['t-1', 't-2']);
    expect(missing).toBeInstanceOf(NotFoundError);
    await loaders.taskList();
    expect(lists).toBe(1);

    // TTL 0: the shared cache would fetch every time, but one request reads it once.
    await loaders.callerLine.load('line-1');
    await loaders.doNotCallWindow.load('w-1');
    await loaders.redialRule.load(1);
    await expect(loaders.scriptGroup.load(5)).rejects.toBeInstanceOf(NotFoundError);
    expect(options).toBe(1);

    loaders.clearTasks();
    loaders.clearOptions();
    await loaders.task.load('t-1');
    await loaders.callerLine.load('line-1');
    expect([lists, options]).toEqual([2, 2]);
  });
});
