import { builder } from '../builder.ts';
import { InvalidInputError } from '../errors.ts';
import { type Coded, UNKNOWN } from '../upstream/sip/codes.ts';

/**
 * A GraphQL enum over one upstream code table, always with UNKNOWN: the platform sends codes its manual does not
 * list, and a query must not fail on one. Fields using it come with a sibling `…Code` field carrying the raw value.
 */
export function defineCodeEnum<E extends string | number, N extends string>(
  name: string,
  description: string,
  entries: ReadonlyArray<readonly [N, E, string]>,
) {
  const byUpstream = new Map<E, N>(entries.map(([gql, upstream]) => [upstream, gql]));
  const values = Object.fromEntries([
    ...entries.map(([gql, , text]) => [gql, { value: gql, description: text }]),
    [UNKNOWN, { value: UNKNOWN, description: 'A code this gateway does not know; the raw value is in the sibling `…Code` field.' }],
  ]) as Record<N | typeof UNKNOWN, { value: N | typeof UNKNOWN; description: string }>;
  const ref = builder.enumType(name, { description, values });
  return {
    ref,
    /** The GraphQL value of a decoded upstream code. */
    of(coded: Coded<unknown>): N | typeof UNKNOWN {
      return coded.value === UNKNOWN ? UNKNOWN : (byUpstream.get(coded.value as E) ?? UNKNOWN);
    },
    /** The upstream value of a GraphQL value (for inputs). */
    /** The upstream value of a GraphQL value (for inputs); UNKNOWN, an output-only value, is refused as input. */
    toUpstream(value: N | typeof UNKNOWN, field?: string): E {
      const entry = entries.find(([gql]) => gql === value);
      if (!entry) throw new InvalidInputError(`${name}.${value} is only ever read, never sent: choose one of ${entries.map(([gql]) => gql).join(', ')}`, field);
      return entry[1];
    },
  };
}

/**
 * GraphQL enum values from a string TS enum, named by the enum's *values* (SCREAMING_CASE), which Pothos would
 * otherwise take from the member names.
 */
export function valuesOf<E extends Record<string, string>>(table: E, descriptions: Record<E[keyof E], string>) {
  return Object.fromEntries(Object.values(table).map((value) => [value, { value, description: descriptions[value as E[keyof E]] }])) as {
    [K in E[keyof E]]: { value: K; description: string };
  };
}
