import { InvalidInputError } from '../errors.ts';

/**
 * One newest-first list over two sources: predictive tasks from the gateway's store (keyset-paged there) and AI tasks
 * from the platform's one unpaged list (filtered and sorted here). Pure: no I/O.
 *
 * The merged order is total and deterministic:
 *   1. creation time, newest first;
 *   2. on equal times, predictive before AI;
 *   3. within a kind, id descending — the store's own tie-break for predictive tasks (so its keyset pages are
 *      slices of this order), and plain string order for AI task uuids.
 * A cursor is the position of the last task of a page, `[createdAtMs, kind, id]` as base64url JSON. "After the
 * cursor" is decided on each side on its own terms, so every task appears exactly once across pages whatever the
 * mix and however many ties, and ids of the two kinds are never compared with each other.
 */

export type ListKind = 'PREDICTIVE' | 'AI';

export interface ListPosition {
  /** Creation time, epoch ms. */
  at: number;
  kind: ListKind;
  id: string;
}

const KIND_CODES: Record<ListKind, string> = { PREDICTIVE: 'P', AI: 'A' };

export function encodeTaskCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.at, KIND_CODES[position.kind], position.id])).toString('base64url');
}

/** Reads a cursor; a two-element `[at, id]` cursor from before AI tasks were listed reads as predictive. */
export function decodeTaskCursor(cursor: string): ListPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && Number.isSafeInteger(value[0])) {
      if (value.length === 3 && (value[1] === 'P' || value[1] === 'A') && typeof value[2] === 'string') {
        return { at: value[0] as number, kind: value[1] === 'P' ? 'PREDICTIVE' : 'AI', id: value[2] };
      }
      if (value.length === 2 && typeof value[1] === 'string') return { at: value[0] as number, kind: 'PREDICTIVE', id: value[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw new InvalidInputError('invalid cursor', 'after');
}

/**
 * The store's own keyset position (createdAt, id) that starts the predictive side after `position`: after a
 * predictive task, the store continues after it; after an AI task at time t, every predictive task at t came before
 * it (rule 2), so the store continues after (t, '') — no id sorts below the empty string.
 */
export function predictiveKeysetAfter(position: ListPosition): { createdAt: Date; id: string } {
  return { createdAt: new Date(position.at), id: position.kind === 'PREDICTIVE' ? position.id : '' };
}

/** Whether an AI task at (`at`, `id`) comes after `position` in the merged order. */
export function aiTaskIsAfter(at: number, id: string, position: ListPosition): boolean {
  if (at !== position.at) return at < position.at;
  // Same time: every AI task follows a predictive one (rule 2); among AI tasks, smaller ids follow.
  return position.kind === 'PREDICTIVE' || id < position.id;
}

/** Sorts AI tasks into the merged order (newest first, then id descending). */
export function sortAiTasks<T>(tasks: readonly T[], positionOf: (task: T) => { at: number; id: string }): T[] {
  return tasks
    .map((task) => ({ task, ...positionOf(task) }))
    .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((entry) => entry.task);
}

export interface MergedPage<P, A> {
  items: Array<{ kind: 'PREDICTIVE'; task: P } | { kind: 'AI'; task: A }>;
  hasNextPage: boolean;
}

/**
 * Merges the two sides' next tasks (each already in merged order and after the cursor) into a page of `first`.
 * `predictiveHasMore` says whether the store holds more predictive tasks than it returned.
 */
export function mergeTaskPages<P, A>(
  first: number,
  predictive: { tasks: readonly P[]; hasMore: boolean; at: (task: P) => number },
  ai: { tasks: readonly A[]; at: (task: A) => number },
): MergedPage<P, A> {
  const items: MergedPage<P, A>['items'] = [];
  let p = 0;
  let a = 0;
  while (items.length < first) {
    const nextP = predictive.tasks[p];
    const nextA = ai.tasks[a];
    if (nextP === undefined && nextA === undefined) break;
    // Ties go to the predictive task (rule 2).
    if (nextP !== undefined && (nextA === undefined || predictive.at(nextP) >= ai.at(nextA))) {
      items.push({ kind: 'PREDICTIVE', task: nextP });
      p += 1;
    } else if (nextA !== undefined) {
      items.push({ kind: 'AI', task: nextA });
      a += 1;
    }
  }
  const hasNextPage = p < predictive.tasks.length || predictive.hasMore || a < ai.tasks.length;
  return { items, hasNextPage };
}
