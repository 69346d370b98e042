import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors.ts';
import { byKey, chunk, chunkedLoader, groupByKey } from '../../src/loaders/batch.ts';

describe('batch helpers', () => {
  it('put rows back in key order with an Error for each missing key', () => {
    const rows = [{ ext: 'c' }, { ext: 'a' }];
    const result = byKey(['a', 'b', 'c'], rows, (r) => r.ext, 'Agent');
    expect(result[0]).toEqual({ ext: 'a' });
    expect(result[1]).toBeInstanceOf(NotFoundError);
    expect((result[1] as NotFoundError).key).toBe('b');
    expect(result[2]).toEqual({ ext: 'c' });
  });

  it('group one-to-many rows by key, with empty lists for keys without rows', () => {
    expect(groupByKey(['q1', 'q2', 'q3'], [{ q: 'q3', n: 1 }, { q: 'q1', n: 2 }, { q: 'q3', n: 3 }], (r) => r.q)).toEqual([
      [{ q: 'q1', n: 2 }],
      [],
      [{ q: 'q3', n: 1 }, { q: 'q3', n: 3 }],
    ]);
  });

  it('chunk lists', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
  });

  it('make one batch call per chunk and keep key order across chunks', async () => {
    const calls: string[][] = [];
    const loader = chunkedLoader<string, string>(2, async (keys) => {
      calls.push(keys);
      // Answer in reverse, and drop "k3": the helper must still line values up with keys.
      const rows = keys.filter((k) => k !== 'k3').reverse();
      return byKey(keys, rows, (r) => r, 'Agent');
    });
    const results = await Promise.allSettled(['k1', 'k2', 'k3', 'k4', 'k5'].map((k) => loader.load(k)));
    expect(calls).toEqual([['k1', 'k2'], ['k3', 'k4'], ['k5']]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).name))).toEqual([
      'k1', 'k2', 'NotFoundError', 'k4', 'k5',
    ]);
  });
});
