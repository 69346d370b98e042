import { type Compilable, CompiledQuery } from 'kysely';

/**
 * A Kysely query built and compiled once, then run with new values: for the statements every callback runs.
 *
 * Why: building a Kysely query (builder objects, frozen operation nodes) and compiling it to SQL costs more CPU than
 * SQLite spends running the statement, and a callback runs several. The query is built once with a placeholder in
 * every varying value's place; compiling records where each placeholder landed among the parameters; `bind` puts the
 * real values there. The SQL text is the same on every call, so the prepared-statement cache (sqlite-statements.ts)
 * always hits. Constants of the query (a literal null, a fixed string) stay as compiled.
 */

/** Where a value goes: only ever seen by Kysely as an opaque parameter value. */
class Slot {
  constructor(readonly index: number) {}
}

export type QueryTemplate<Args extends readonly unknown[], R> = (...args: Args) => CompiledQuery<R>;

/**
 * `build` receives `slot(i)` for the i-th argument and returns the query; it runs once, on the first call. Every slot
 * must become exactly one parameter (checked then): a value Kysely would inline or spread (an array for `in`) cannot be
 * a slot.
 */
export function queryTemplate<Args extends readonly unknown[], R>(
  arity: Args['length'],
  build: (slot: (index: number) => any) => Compilable<R>,
): QueryTemplate<Args, R> {
  let compiled: { sql: string; query: CompiledQuery<R>['query']; parameters: readonly unknown[]; positions: number[] } | undefined;

  function compile() {
    const query = build((index) => new Slot(index)).compile();
    const positions = new Array<number>(arity).fill(-1);
    query.parameters.forEach((parameter, position) => {
      if (!(parameter instanceof Slot)) return;
      if (positions[parameter.index] !== -1) throw new Error(`query template: slot ${parameter.index} used twice`);
      positions[parameter.index] = position;
    });
    if (positions.includes(-1)) throw new Error('query template: a slot did not become a parameter');
    return { sql: query.sql, query: query.query, parameters: query.parameters, positions };
  }

  return (...args) => {
    compiled ??= compile();
    const parameters = compiled.parameters.slice();
    for (let i = 0; i < args.length; i++) parameters[compiled.positions[i] as number] = args[i];
    return { ...CompiledQuery.raw(compiled.sql, parameters), query: compiled.query } as CompiledQuery<R>;
  };
}
