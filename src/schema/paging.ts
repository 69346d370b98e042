import { InvalidInputError } from '../errors.ts';

/**
 * Forward-only connections (`agents`, `tasks`, `callRecords`): they take `first` and `after` only. `last`/`before`
 * are not arguments at all (Pothos's `t.connection` always adds them, so these fields are declared with
 * `builder.connectionObject` and their own arguments): a document using them fails validation instead of being
 * refused at run time.
 */

/** The page size: `first`, or the default; an integer 1…max, else INVALID_INPUT on `first`. */
export function pageSize(first: number | null | undefined, limits: { defaultFirst: number; maxFirst: number }): number {
  const size = first ?? limits.defaultFirst;
  if (!Number.isInteger(size) || size < 1 || size > limits.maxFirst) throw new InvalidInputError(`first must be 1…${limits.maxFirst}`, 'first');
  return size;
}

/** The description of a forward-only connection's `first` argument. */
export const firstArgDescription = (limits: { defaultFirst: number; maxFirst: number }) =>
  `Page size: 1…${limits.maxFirst}, default ${limits.defaultFirst}.`;

/** The description of a forward-only connection's `after` argument. */
export const AFTER_ARG_DESCRIPTION = 'Continue after this cursor (an endCursor from the previous page).';
