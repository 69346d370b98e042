import {
  buildSchema,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { isUpstreamList } from '../../src/limits/cost.ts';
import { schema } from '../../src/schema.ts';

/**
 * Schema lint: the rules the API evolves by (docs/api.md, "Evolution policy"), checked on the executable schema.
 * Every rule returns its violations as `Type.field: why` lines; the real schema must have none. Each rule also runs on
 * a small schema that breaks it, so a rule that silently stopped checking fails too. Descriptions (every type, field,
 * argument, enum value and input field) are checked in schema-docs.test.ts.
 *
 * Allow-lists name each exception with its reason: a new exception fails until it is listed here, and an entry
 * whose exception is gone fails as stale, so the lists stay honest.
 */

/** Output-only: the value a code enum reads for a code the gateway does not know. */
const UNKNOWN = 'UNKNOWN';

/** Names that break a naming rule on purpose. None today. */
const NAMING_EXCEPTIONS: Record<string, string> = {};

/** Subscription fields that are not named as past-tense events. None today. */
const SUBSCRIPTION_EXCEPTIONS: Record<string, string> = {};

/** Lists read from an upstream call (declared `cost.listCall` / `cost.batchedList`) that are not connections. */
const UNBOUNDED_LIST_EXCEPTIONS: Record<string, string> = {
  'Query.queues': "bounded by the PBX's queue configuration (tens of queues, set up by an administrator); GetQueueList has no paging",
  'Query.extGroups': "bounded by the PBX's extension-group configuration (set up by an administrator); GetExtgroupInfo has no paging",
  'Queue.seats': 'bounded by the agents checked in to one queue; GetQueueSipStatus has no paging',
  'Agent.seats': 'bounded by the queues one agent is checked in to',
  'ExtGroup.members': "bounded by one group's size; GetGroupExt has no paging",
};

type Violations = string[];

const isUserType = (type: GraphQLNamedType) => !type.name.startsWith('__');
const userTypes = (s: GraphQLSchema) => Object.values(s.getTypeMap()).filter(isUserType);
const fieldsOf = (s: GraphQLSchema) =>
  userTypes(s).flatMap((type) =>
    isObjectType(type) || isInterfaceType(type) ? Object.values(type.getFields()).map((field) => ({ type, field })) : [],
  );

/** Enums used in an input position: an argument (of a field or directive) or an input-object field, transitively. */
export function inputEnums(s: GraphQLSchema): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  const visited = new Set<string>();
  const walk = (typeRef: Parameters<typeof getNamedType>[0], at: string) => {
    const type = getNamedType(typeRef);
    if (isEnumType(type)) uses.set(type.name, [...(uses.get(type.name) ?? []), at]);
    if (isInputObjectType(type) && !visited.has(type.name)) {
      visited.add(type.name);
      for (const field of Object.values(type.getFields())) walk(field.type, `${type.name}.${field.name}`);
    }
  };
  for (const { type, field } of fieldsOf(s)) for (const arg of field.args) walk(arg.type, `${type.name}.${field.name}(${arg.name})`);
  for (const directive of s.getDirectives()) for (const arg of directive.args) walk(arg.type, `@${directive.name}(${arg.name})`);
  // An input object no argument reaches is still an input position.
  for (const type of userTypes(s)) if (isInputObjectType(type)) walk(type, type.name);
  return uses;
}

/** (a) No input enum has UNKNOWN; an input twin `<Name>Input` of a code enum has exactly its values but UNKNOWN. */
export function lintInputEnums(s: GraphQLSchema): Violations {
  const violations: Violations = [];
  for (const [name, uses] of inputEnums(s)) {
    const type = s.getType(name);
    if (isEnumType(type) && type.getValue(UNKNOWN)) violations.push(`${name}.${UNKNOWN}: an input enum (used at ${uses.join(', ')}) must not offer UNKNOWN`);
  }
  for (const type of userTypes(s)) {
    if (!isEnumType(type) || !type.name.endsWith('Input')) continue;
    const output = s.getType(type.name.slice(0, -'Input'.length));
    if (!isEnumType(output)) continue;
    const expected = output.getValues().map((v) => v.name).filter((v) => v !== UNKNOWN).sort();
    const actual = type.getValues().map((v) => v.name).sort();
    if (JSON.stringify(expected) !== JSON.stringify(actual)) violations.push(`${type.name}: must have the values of ${output.name} except UNKNOWN`);
  }
  return violations;
}

const PASCAL = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL = /^[a-z][A-Za-z0-9]*$/;
const SCREAMING_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
const pascalOf = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * (c) Naming: types PascalCase; fields, arguments and input fields camelCase; enum values SCREAMING_SNAKE_CASE; input
 * objects end in `Input` or `Filter`; a mutation returns a union `<Mutation>Result` of one `…Payload` object and
 * error types (implementing `Error`).
 */
export function lintNaming(s: GraphQLSchema, exceptions: Record<string, string> = NAMING_EXCEPTIONS): Violations {
  const violations: Violations = [];
  const check = (ok: boolean, at: string, why: string) => {
    if (!ok && !(at in exceptions)) violations.push(`${at}: ${why}`);
  };
  for (const type of userTypes(s)) {
    check(PASCAL.test(type.name), type.name, 'type names are PascalCase');
    if (isInputObjectType(type)) {
      check(/(Input|Filter)$/.test(type.name), type.name, 'input types end in Input or Filter');
      for (const field of Object.values(type.getFields())) check(CAMEL.test(field.name), `${type.name}.${field.name}`, 'input fields are camelCase');
    }
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(CAMEL.test(field.name), `${type.name}.${field.name}`, 'fields are camelCase');
        for (const arg of field.args) check(CAMEL.test(arg.name), `${type.name}.${field.name}(${arg.name})`, 'arguments are camelCase');
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) check(SCREAMING_SNAKE.test(value.name), `${type.name}.${value.name}`, 'enum values are SCREAMING_SNAKE_CASE');
    }
  }
  const errorInterface = s.getType('Error');
  for (const field of Object.values(s.getMutationType()?.getFields() ?? {})) {
    const at = `Mutation.${field.name}`;
    const result = getNamedType(field.type);
    if (!isUnionType(result)) {
      check(false, at, 'a mutation returns a union of its payload and error types');
      continue;
    }
    check(result.name === `${pascalOf(field.name)}Result`, at, `its result union is named ${pascalOf(field.name)}Result, not ${result.name}`);
    const payloads = result.getTypes().filter((member) => !member.getInterfaces().some((i) => i === errorInterface));
    check(payloads.length === 1, at, `${result.name} has exactly one member that is not an Error (has ${payloads.map(String).join(', ') || 'none'})`);
    for (const payload of payloads) check(payload.name.endsWith('Payload'), at, `its payload type ends in Payload, not ${payload.name}`);
  }
  return violations;
}

/** (d) Subscription fields are events that happened: past tense (`…Changed`, `…Created`, `…Ended`). */
export function lintSubscriptions(s: GraphQLSchema, exceptions: Record<string, string> = SUBSCRIPTION_EXCEPTIONS): Violations {
  return Object.values(s.getSubscriptionType()?.getFields() ?? {})
    .filter((field) => !/[a-z]ed$/.test(field.name) && !(`Subscription.${field.name}` in exceptions))
    .map((field) => `Subscription.${field.name}: subscription fields are past-tense events (…Changed, …Created, …Ended)`);
}

/** Whether a type is a Relay connection (has `edges` and `pageInfo`); its edges are paged by definition. */
const isConnection = (type: GraphQLNamedType) => isObjectType(type) && 'edges' in type.getFields() && 'pageInfo' in type.getFields();

/**
 * (e) A list read from an upstream call is a connection or has a reason to stay bounded. Upstream-backed is what the
 * field's declared complexity says (src/limits/cost.ts, `isUpstreamList`); connection edges are paged.
 */
export function lintUpstreamLists(
  s: GraphQLSchema,
  isUpstream: (field: GraphQLField<unknown, unknown>) => boolean = (field) => isUpstreamList(field.extensions?.complexity),
  exceptions: Record<string, string> = UNBOUNDED_LIST_EXCEPTIONS,
): Violations {
  const violations: Violations = [];
  const listed = new Set<string>();
  for (const { type, field } of fieldsOf(s)) {
    if (!isListType(getNullableType(field.type)) || isConnection(type) || !isUpstream(field)) continue;
    const at = `${type.name}.${field.name}`;
    listed.add(at);
    if (!(at in exceptions)) violations.push(`${at}: a list read from an upstream call must be a connection (or be allow-listed with why it is bounded)`);
  }
  for (const at of Object.keys(exceptions)) if (!listed.has(at)) violations.push(`${at}: stale allow-list entry (no longer an upstream list)`);
  return violations;
}

/** Mutations that may break rule (f), with why. None today. */
const MUTATION_INPUT_EXCEPTIONS: Record<string, string> = {};

/**
 * (f) Mutation conventions (docs/api.md, "Mutations"): every mutation takes exactly one argument, `input`, of an input
 * object type, non-null; other arguments may stay only deprecated (a bare argument being replaced by `input`), and
 * then `input` is nullable until they are removed. Every `create…` mutation's input has an `idempotencyKey`.
 */
export function lintMutationInputs(s: GraphQLSchema, exceptions: Record<string, string> = MUTATION_INPUT_EXCEPTIONS): Violations {
  const violations: Violations = [];
  for (const field of Object.values(s.getMutationType()?.getFields() ?? {})) {
    const at = `Mutation.${field.name}`;
    if (at in exceptions) continue;
    const input = field.args.find((arg) => arg.name === 'input');
    const others = field.args.filter((arg) => arg.name !== 'input');
    if (!input) {
      violations.push(`${at}: takes its arguments as one \`input\` argument`);
      continue;
    }
    const type = getNamedType(input.type);
    if (!isInputObjectType(type)) violations.push(`${at}(input): is an input object type`);
    for (const arg of others) if (!arg.deprecationReason) violations.push(`${at}(${arg.name}): a mutation's only argument is \`input\` (deprecate ${arg.name} in its favour)`);
    if (others.length === 0 && !isNonNullType(input.type)) violations.push(`${at}(input): is non-null (nullable only beside a deprecated argument)`);
    if (field.name.startsWith('create') && isInputObjectType(type) && !('idempotencyKey' in type.getFields())) {
      violations.push(`${at}: a create takes an \`idempotencyKey\` in its input`);
    }
  }
  return violations;
}

/** Filter fields and arguments naming agents that may break rule (g), with why. None today. */
const AGENT_LIST_EXCEPTIONS: Record<string, string> = {};

/** A name that speaks of agents or extensions (`agents`, `agentExtensions`, `extNumbers`, `exts`, …). */
const NAMES_AGENTS = /agent|^ext/i;

/**
 * (g) One name for "only these agents" (issue 11 item 10): a list of strings or ids that names agents, as a field of a
 * `…Filter` input or as an argument, is called `extensions` (as AgentFilter, CallRecordFilter, CallRecordEventFilter and
 * agentStatusChanged take it), or is deprecated in its favour.
 */
export function lintAgentLists(s: GraphQLSchema, exceptions: Record<string, string> = AGENT_LIST_EXCEPTIONS): Violations {
  const violations: Violations = [];
  const isNameList = (typeRef: Parameters<typeof getNamedType>[0]) => {
    const nullable = getNullableType(typeRef);
    return isListType(nullable) && ['String', 'ID'].includes(getNamedType(nullable).name);
  };
  const check = (at: string, name: string, typeRef: Parameters<typeof getNamedType>[0], deprecationReason: string | null | undefined) => {
    if (name === 'extensions' || deprecationReason || at in exceptions) return;
    if (NAMES_AGENTS.test(name) && isNameList(typeRef)) violations.push(`${at}: a list of agents is named \`extensions\` (or deprecated in its favour)`);
  };
  for (const type of userTypes(s)) {
    if (isInputObjectType(type) && type.name.endsWith('Filter')) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.name, field.type, field.deprecationReason);
    }
  }
  for (const { type, field } of fieldsOf(s)) {
    for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name})`, arg.name, arg.type, arg.deprecationReason);
  }
  return violations;
}

/** Allow-list entries must name something that still breaks the rule, with a reason. */
function staleExceptions(exceptions: Record<string, string>, violationsWithout: Violations): Violations {
  return Object.entries(exceptions).flatMap(([at, reason]) => [
    ...(reason.trim() === '' ? [`${at}: allow-list entry without a reason`] : []),
    ...(violationsWithout.some((v) => v.startsWith(`${at}:`)) ? [] : [`${at}: stale allow-list entry (no longer an exception)`]),
  ]);
}

describe('schema lint', () => {
  it('(a) no input enum offers UNKNOWN; each `…Input` enum twins its output enum', () => {
    expect(lintInputEnums(schema)).toEqual([]);
  });

  it('(a) the code enums used as input have input twins', () => {
    const used = [...inputEnums(schema).keys()];
    for (const name of ['QueueStrategyInput', 'ExtGroupMemberStateInput', 'CallMethodInput', 'CallDirectionInput']) expect(used).toContain(name);
  });

  it('(c) naming rules hold, and the exceptions are current', () => {
    expect(lintNaming(schema)).toEqual([]);
    expect(staleExceptions(NAMING_EXCEPTIONS, lintNaming(schema, {}))).toEqual([]);
  });

  it('(d) subscription fields are past-tense events, and the exceptions are current', () => {
    expect(lintSubscriptions(schema)).toEqual([]);
    expect(staleExceptions(SUBSCRIPTION_EXCEPTIONS, lintSubscriptions(schema, {}))).toEqual([]);
  });

  it('(e) no unbounded upstream list outside a connection; each exception has a reason and is current', () => {
    expect(lintUpstreamLists(schema)).toEqual([]);
    for (const [at, reason] of Object.entries(UNBOUNDED_LIST_EXCEPTIONS)) expect(reason.length, at).toBeGreaterThan(10);
  });

  it('(f) every mutation takes one `input` (other arguments only deprecated); every create takes an idempotencyKey', () => {
    expect(lintMutationInputs(schema)).toEqual([]);
    expect(staleExceptions(MUTATION_INPUT_EXCEPTIONS, lintMutationInputs(schema, {}))).toEqual([]);
  });

  it('(g) lists of agents in filters and arguments are named `extensions` (or deprecated); the exceptions are current', () => {
    expect(lintAgentLists(schema)).toEqual([]);
    expect(staleExceptions(AGENT_LIST_EXCEPTIONS, lintAgentLists(schema, {}))).toEqual([]);
  });

  it('(g) sees the agent lists of the filters', () => {
    const filter = schema.getType('CallRecordFilter');
    expect(isInputObjectType(filter) && filter.getFields().agents?.deprecationReason).toMatch(/extensions/);
  });

  it('(e) sees the lists the cost model declares as upstream lists', () => {
    const upstream = fieldsOf(schema).filter(({ field }) => isUpstreamList(field.extensions?.complexity));
    expect(upstream.map(({ type, field }) => `${type.name}.${field.name}`)).toContain('Query.queues');
  });
});

describe('schema lint catches violations', () => {
  const bad = buildSchema(/* GraphQL */ `
    interface Error { message: String! }
    enum Color { RED UNKNOWN }
    enum ShadeInput { LIGHT }
    enum Shade { LIGHT DARK UNKNOWN }
    enum bad_enum { lowerCase }
    input PaintArgs { color: Color }
    type Thing { Name: String, parts: [Thing!]!, paint(Color: Color): Thing }
    type Query { things: [Thing!]!, thing(args: PaintArgs, shade: ShadeInput): Thing }
    type Oops implements Error { message: String! }
    type Painted { thing: Thing }
    union PaintResult = Painted | Oops
    union Wrong = Thing | Painted
    type Mutation { paint: PaintResult!, polish: Wrong!, strip: Thing }
    type Subscription { thingChanges: Thing, thingChanged: Thing }
  `);

  it('(a) an input enum with UNKNOWN, directly or in an input object, and an input twin with missing values', () => {
    expect(lintInputEnums(bad)).toEqual([
      'Color.UNKNOWN: an input enum (used at Thing.paint(Color), PaintArgs.color) must not offer UNKNOWN',
      'ShadeInput: must have the values of Shade except UNKNOWN',
    ]);
  });

  it('(c) names, input suffixes and mutation results', () => {
    expect(lintNaming(bad)).toEqual([
      'bad_enum: type names are PascalCase',
      'bad_enum.lowerCase: enum values are SCREAMING_SNAKE_CASE',
      'PaintArgs: input types end in Input or Filter',
      'Thing.Name: fields are camelCase',
      'Thing.paint(Color): arguments are camelCase',
      'Mutation.paint: its payload type ends in Payload, not Painted',
      'Mutation.polish: its result union is named PolishResult, not Wrong',
      'Mutation.polish: Wrong has exactly one member that is not an Error (has Thing, Painted)',
      'Mutation.polish: its payload type ends in Payload, not Thing',
      'Mutation.polish: its payload type ends in Payload, not Painted',
      'Mutation.strip: a mutation returns a union of its payload and error types',
    ]);
    expect(lintNaming(bad, { 'Thing.Name': 'test' })).not.toContain('Thing.Name: fields are camelCase');
  });

  it('(f) bare arguments, a nullable or scalar input, a create without idempotencyKey', () => {
    const mutations = buildSchema(/* GraphQL */ `
      type Query { ok: Boolean }
      input CreateThingInput { name: String }
      input TouchThingInput { id: ID! }
      type Mutation {
        deleteThing(id: ID!): Boolean
        touchThing(input: TouchThingInput): Boolean
        renameThing(input: String!): Boolean
        moveThing(input: TouchThingInput, id: ID @deprecated(reason: "Use input.")): Boolean
        createThing(input: CreateThingInput!): Boolean
        polishThing(input: TouchThingInput!, hard: Boolean): Boolean
      }
    `);
    expect(lintMutationInputs(mutations)).toEqual([
      'Mutation.deleteThing: takes its arguments as one `input` argument',
      'Mutation.touchThing(input): is non-null (nullable only beside a deprecated argument)',
      'Mutation.renameThing(input): is an input object type',
      'Mutation.createThing: a create takes an `idempotencyKey` in its input',
      "Mutation.polishThing(hard): a mutation's only argument is `input` (deprecate hard in its favour)",
    ]);
  });

  it('(g) a filter field or an argument listing agents under another name', () => {
    const agentLists = buildSchema(/* GraphQL */ `
      input CallFilter { agents: [String!], extNumbers: [ID!], extensions: [String!], old: [String!], agent: String, queues: [String!] }
      input RowFilter { agentIds: [String!] @deprecated(reason: "Use extensions.") }
      input CheckInInput { agents: [String!] }
      type Query { calls(filter: CallFilter, agentExtensions: [String!], extensions: [String!]): Boolean, rows(filter: RowFilter): Boolean, x(input: CheckInInput): Boolean }
    `);
    expect(lintAgentLists(agentLists)).toEqual([
      'CallFilter.agents: a list of agents is named `extensions` (or deprecated in its favour)',
      'CallFilter.extNumbers: a list of agents is named `extensions` (or deprecated in its favour)',
      'Query.calls(agentExtensions): a list of agents is named `extensions` (or deprecated in its favour)',
    ]);
  });

  it('(d) a subscription not named as an event', () => {
    expect(lintSubscriptions(bad)).toEqual(['Subscription.thingChanges: subscription fields are past-tense events (…Changed, …Created, …Ended)']);
  });

  it('(e) an upstream list that is not a connection, and a stale exception', () => {
    const upstream = (field: GraphQLField<unknown, unknown>) => field.name === 'things' || field.name === 'parts';
    expect(lintUpstreamLists(bad, upstream, { 'Thing.parts': 'bounded', 'Query.gone': 'was removed' })).toEqual([
      'Query.things: a list read from an upstream call must be a connection (or be allow-listed with why it is bounded)',
      'Query.gone: stale allow-list entry (no longer an upstream list)',
    ]);
  });
});
