import {
  type GraphQLInputType,
  type GraphQLNamedType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway } from '../utils/gateway.ts';

/**
 * Every field of Mutation, read from the built schema (a new mutation is covered with no change here), called with a
 * viewer's key and arguments that pass GraphQL's own coercion: each answers FORBIDDEN with no data, and the platforms
 * see no call at all. Auth runs before input validation (src/auth-before-input.ts), so the values need not be valid
 * for the field, only well-typed.
 */

const SCALARS: Record<string, unknown> = {
  String: 'x',
  ID: 'x',
  Int: 1,
  Float: 1,
  Boolean: false,
  DateTime: '2024-03-15T06:00:00Z',
};

/** A well-typed value for an input type: every required field filled, lists of one. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  const named: GraphQLNamedType = getNamedType(type);
  if (isScalarType(named)) {
    if (!(named.name in SCALARS)) throw new Error(`no sample value for scalar ${named.name}: add one`);
    return SCALARS[named.name];
  }
  if (isEnumType(named)) return named.getValues()[0]?.value;
  if (isInputObjectType(named)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(named.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined) value[field.name] = sample(field.type);
    }
    return value;
  }
  throw new Error(`unexpected input type ${String(type)}`);
}

const mutationType = schema.getMutationType();
if (!mutationType) throw new Error('the schema has no Mutation type');
const fields = Object.values(mutationType.getFields());

/** `mutation($a: T!, …) { field(a: $a, …) { __typename } }` with every required argument given (optional ones too, for commands). */
function operationFor(name: string): { query: string; variables: Record<string, unknown> } {
  const field = mutationType!.getFields()[name]!;
  const args = field.args.filter((arg) => isNonNullType(arg.type) || (field.args.every((a) => !isNonNullType(a.type)) && arg.name === 'input'));
  const variables = Object.fromEntries(args.map((arg) => [arg.name, sample(arg.type)]));
  const declared = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const passed = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = isScalarType(getNamedType(field.type)) || isEnumType(getNamedType(field.type)) ? '' : ' { __typename }';
  const query = `mutation${declared ? `(${declared})` : ''} { ${name}${passed ? `(${passed})` : ''}${selection} }`;
  return { query, variables };
}

describe('every mutation refuses a viewer', () => {
  const disposer = createDisposer();
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway(disposer, { simulator: { seed: 3 } });
  });
  afterAll(() => disposer.dispose());

  it('the schema has the mutations this file must cover, including the task commands', () => {
    expect(fields.length).toBeGreaterThan(20);
    expect(fields.map((f) => f.name)).toEqual(expect.arrayContaining(['startTask', 'pauseTask', 'endTask', 'createPredictiveTask', 'createAiTask']));
  });

  it.each(fields.map((f) => f.name))('%s: FORBIDDEN, no data, no upstream call', async (name) => {
    const { query, variables } = operationFor(name);
    gw.sim.stats.reset();
    const result = await gw.gql(query, variables, 'viewer');
    expect(result.errors).toEqual([
      { message: `role viewer may not use Mutation.${name}`, locations: expect.any(Array), path: [name], extensions: { code: 'FORBIDDEN' } },
    ]);
    expect(result.data).toBeNull();
    expect(gw.sim.stats.total()).toBe(0);
  });

  it.each(['startTask', 'pauseTask', 'endTask'])('%s with input { taskId } and with the deprecated id: FORBIDDEN, nothing sent', async (name) => {
    const task = 'UHJlZGljdGl2ZVRhc2s6MjAyNDAzMTUxMzAwMDAwMDAwMDE='; // PredictiveTask:20240315130000000001
    gw.sim.stats.reset();
    for (const [query, variables] of [
      [`mutation($input: TaskCommandInput) { ${name}(input: $input) { __typename } }`, { input: { taskId: task } }],
      [`mutation($id: ID) { ${name}(id: $id) { __typename } }`, { id: task }],
    ] as const) {
      const result = await gw.gql(query, variables, 'viewer');
      expect(result.errors?.map((e) => [e.path, e.extensions?.code, e.message])).toEqual([[[name], 'FORBIDDEN', `role viewer may not use Mutation.${name}`]]);
      expect(result.data).toBeNull();
    }
    expect(gw.sim.stats.total()).toBe(0);
    // The same call with an operator key does reach the command (an unknown task: NotFoundError), so the refusal above is the role's.
    const allowed = await gw.gql(`mutation($input: TaskCommandInput) { ${name}(input: $input) { __typename } }`, { input: { taskId: task } }, 'operator');
    expect(allowed.errors).toBeUndefined();
  });
});
