import { builder } from '../builder.ts';
import { InvalidInputError } from '../errors.ts';
import { type Coded, UNKNOWN } from '../upstream/sip/codes.ts';

/**
 * A GraphQL enum over one upstream code table, always with UNKNOWN: the platform sends codes its manual does not
 * list, and a query must not fail on one. Fields using it come with a sibling `…Code` field carrying the raw value.
 *
 * UNKNOWN is output-only. Input positions (arguments, input fields, filters) use `inputRef`: a second enum named
 * `<Name>Input` with only the real values, so a client cannot send UNKNOWN and a generated form never offers it. It is
 * created on first use, so code tables that are only ever read add no input enum to the schema. Enums without an
 * UNKNOWN value (TaskStatus, TaskKind, …) serve both directions under one name.
 */
export function defineCodeEnum<E extends string | number, N extends string>(
  name: string,
  description: string,
  entries: ReadonlyArray<readonly [N, E, string]>,
) {
  const byUpstream = new Map<E, N>(entries.map(([gql, upstream]) => [upstream, gql]));
  const known = Object.fromEntries(entries.map(([gql, , text]) => [gql, { value: gql, description: text }])) as Record<N, { value: N; description: string }>;
  const values = {
    ...known,
    [UNKNOWN]: { value: UNKNOWN, description: 'A code this gateway does not know; the raw value is in the sibling `…Code` field.' },
  } as Record<N | typeof UNKNOWN, { value: N | typeof UNKNOWN; description: string }>;
  const ref = builder.enumType(name, { description, values });
  const defineInput = () =>
    builder.enumType(`${name}Input`, {
      description: `${description} As input: the values of \`${name}\` except UNKNOWN, which is only ever read.`,
      values: known,
    });
  let inputRef: ReturnType<typeof defineInput> | undefined;
  return {
    ref,
    /** The same values without UNKNOWN, for arguments, input fields and filters (`<Name>Input`). */
    get inputRef() {
      inputRef ??= defineInput();
      return inputRef;
    },
    /** The GraphQL value of a decoded upstream code. */
    of(coded: Coded<unknown>): N | typeof UNKNOWN {
      return coded.value === UNKNOWN ? UNKNOWN : (byUpstream.get(coded.value as E) ?? UNKNOWN);
    },
    /**
     * The upstream value of a GraphQL input value. Input enums have no UNKNOWN, so GraphQL refuses it before a
     * resolver runs; a value without an upstream code still ends as an InvalidInputError (INVALID_INPUT), never as
     * an internal error.
     */
    toUpstream(value: N, path?: readonly string[]): E {
      const entry = entries.find(([gql]) => gql === value);
      if (!entry) {
        const message = `${name}.${String(value)} cannot be sent: choose one of ${entries.map(([gql]) => gql).join(', ')}`;
        throw new InvalidInputError(message, path?.at(-1), path ? [{ path, message }] : undefined);
      }
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
