import { describe, expect, it } from 'vitest';
import {
  aiTaskIsAfter,
  decodeTaskCursor,
  encodeTaskCursor,
  type ListPosition,
  mergeTaskPages,
  predictiveKeysetAfter,
  sortAiTasks,
} from '../../src/domain/task-list.ts';
import { InvalidInputError } from '../../src/errors.ts';
import { taskCursor } from '../../src/store/index.ts';

interface Row {
  id: string;
  at: number;
}

/** The store's keyset page (createdAt desc, id desc; strictly after (createdAt, id)), as tasks.ts runs it in SQL. */
function storePage(rows: readonly Row[], first: number, after: { createdAt: Date; id: string } | null) {
  const sorted = [...rows].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const rest = after ? sorted.filter((r) => r.at < after.createdAt.getTime() || (r.at === after.createdAt.getTime() && r.id < after.id)) : sorted;
  return { rows: rest.slice(0, first), hasNextPage: rest.length > first };
}

/** One `tasks` request, as the resolver runs it. */
function listPage(predictive: readonly Row[], ai: readonly Row[], first: number, cursor: string | null) {
  const after = cursor ? decodeTaskCursor(cursor) : null;
  const stored = storePage(predictive, first, after ? predictiveKeysetAfter(after) : null);
  const aiRows = sortAiTasks(
    ai.filter((t) => after === null || aiTaskIsAfter(t.at, t.id, after)),
    (t) => t,
  );
  const page = mergeTaskPages(first, { tasks: stored.rows, hasMore: stored.hasNextPage, at: (t) => t.at }, { tasks: aiRows, at: (t) => t.at });
  const items = page.items.map((item) => ({ key: `${item.kind}:${item.task.id}`, position: { at: item.task.at, kind: item.kind, id: item.task.id } as ListPosition }));
  return { keys: items.map((i) => i.key), endCursor: items.length > 0 ? encodeTaskCursor(items[items.length - 1]!.position) : null, hasNextPage: page.hasNextPage };
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the merged task list', () => {
  it('round-trips cursors and reads a pre-AI predictive cursor', () => {
    const position: ListPosition = { at: 1_710_482_400_000, kind: 'AI', id: 'c0ffee00-0000-4000-8000-000000000001' };
    expect(decodeTaskCursor(encodeTaskCursor(position))).toEqual(position);
    const legacy = taskCursor({ id: '20240315140000123456', createdAt: new Date(5) });
    expect(decodeTaskCursor(legacy)).toEqual({ at: 5, kind: 'PREDICTIVE', id: '20240315140000123456' });
    for (const bad of ['', 'nope', Buffer.from('[1,"X","a"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
      expect(() => decodeTaskCursor(bad)).toThrow(InvalidInputError);
    }
  });

  it('puts predictive before AI on a tie and continues correctly after either', () => {
    expect(aiTaskIsAfter(10, 'b', { at: 10, kind: 'PREDICTIVE', id: 'zzz' })).toBe(true);
    expect(aiTaskIsAfter(10, 'b', { at: 10, kind: 'AI', id: 'c' })).toBe(true);
    expect(aiTaskIsAfter(10, 'c', { at: 10, kind: 'AI', id: 'c' })).toBe(false);
    expect(aiTaskIsAfter(11, 'a', { at: 10, kind: 'PREDICTIVE', id: 'a' })).toBe(false);
    expect(predictiveKeysetAfter({ at: 10, kind: 'AI', id: 'c' })).toEqual({ createdAt: new Date(10), id: '' });
    expect(predictiveKeysetAfter({ at: 10, kind: 'PREDICTIVE', id: '7' })).toEqual({ createdAt: new Date(10), id: '7' });
  });

  it('pages any mix with many ties so that every task appears exactly once, in merged order', () => {
    const random = rng(42);
    for (let round = 0; round < 60; round += 1) {
      // Few distinct times, so ties within and across kinds are the rule.
      const times = Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * 1_000_000));
      const pick = () => times[Math.floor(random() * times.length)] ?? 0;
      const predictive = Array.from({ length: Math.floor(random() * 12) }, (_, i) => ({ id: String(100_000 + i * 7 + Math.floor(random() * 7)), at: pick() }));
      const ai = Array.from({ length: Math.floor(random() * 12) }, (_, i) => ({ id: `${Math.floor(random() * 16).toString(16)}-${i}`, at: pick() }));

      const expected = [
        ...predictive.map((t) => ({ key: `PREDICTIVE:${t.id}`, at: t.at, rank: 0, id: t.id })),
        ...ai.map((t) => ({ key: `AI:${t.id}`, at: t.at, rank: 1, id: t.id })),
      ]
        .sort((a, b) => b.at - a.at || a.rank - b.rank || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
        .map((t) => t.key);

      for (const first of [1, 2, 3, 5, 50]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let guard = 0; guard < 100; guard += 1) {
          const page = listPage(predictive, ai, first, cursor);
          expect(page.keys.length).toBeLessThanOrEqual(first);
          seen.push(...page.keys);
          if (!page.hasNextPage) break;
          expect(page.keys.length).toBe(first);
          cursor = page.endCursor;
        }
        expect(seen).toEqual(expected);
      }
    }
  });
});
