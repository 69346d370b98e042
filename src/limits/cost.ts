import { type GraphQLField, getNamedType, getNullableType, isLeafType, isListType } from 'graphql';

/**
 * The cost model (docs/security.md, "Operation limits"): what one operation may ask of the platforms, estimated from
 * the document alone before anything runs. One unit is one object the gateway resolves for one parent; an upstream
 * call weighs UPSTREAM_CALL units. Each field declares its cost next to it, in its schema file, with the helpers below
 * (Pothos `complexity`: `field` is the field's own cost, `multiplier` how many items its sub-selection is counted for).
 */

/** Weight of one upstream request (PBX service call or AI-call route) in cost units. */
export const UPSTREAM_CALL = 10;

/** Items assumed in a list whose size the document does not say (the default list multiplier). */
export const DEFAULT_LIST_SIZE = 10;

type Cost = number | { field: number; multiplier: number };

/** The costs made by `listCall` and `batchedList`: lists whose items come from an upstream call (see isUpstreamList). */
const upstreamLists = new WeakSet<object>();
const upstreamList = (value: { field: number; multiplier: number }) => (upstreamLists.add(value), value);

/**
 * Whether a field's declared complexity says its list is read from an upstream platform (`cost.listCall`,
 * `cost.batchedList`). The schema lint (test/unit/schema-lint.test.ts) uses it: such a list must be a connection or
 * be allow-listed with the reason it stays bounded.
 */
export function isUpstreamList(complexity: unknown): boolean {
  return typeof complexity === 'object' && complexity !== null && upstreamLists.has(complexity);
}

/**
 * The cost of a field that declares none: a scalar or enum reads what its parent already holds (0); an object is
 * one more object to resolve (1); a list of objects is assumed to hold DEFAULT_LIST_SIZE of them.
 */
export function defaultFieldCost(_args: unknown, _ctx: unknown, field: GraphQLField<unknown, any, any>): Cost {
  if (isLeafType(getNamedType(field.type))) return 0;
  return isListType(getNullableType(field.type)) ? { field: 1, multiplier: DEFAULT_LIST_SIZE } : 1;
}

export const cost = {
  /** Read from the gateway's memory or store, or from a cache shared by the request: one object, no upstream call. */
  local: 1,
  /**
   * Read through a batching DataLoader: every parent of the request shares one upstream call (chunked lists), so a
   * parent costs one object; `items` (a list) is how many entries one parent typically has.
   */
  batched: 1,
  batchedList: (items: number): Cost => upstreamList({ field: 1, multiplier: items }),
  /**
   * One upstream call per parent (per distinct key, not batched). Weighed five calls, so the cost limit (5,000) stops
   * a document at ~100 such calls, before the upstream budget (MAX_UPSTREAM_CALLS_PER_OPERATION, 100) has to.
   */
  perKey: 5 * UPSTREAM_CALL,
  /** One store query per parent (SQLite/PostgreSQL, no upstream call); `items` entries typically. */
  storeList: (items: number): Cost => ({ field: 2, multiplier: items }),
  /** One upstream list call (per parent); `items` is how many entries the list typically holds. */
  listCall: (items: number): Cost => upstreamList({ field: UPSTREAM_CALL, multiplier: items }),
  /** One upstream call that returns one object. */
  call: UPSTREAM_CALL,
  /** `calls` upstream calls (a mutation that looks something up first, or sends several requests). */
  calls: (calls: number): number => calls * UPSTREAM_CALL,
  /** `count` objects by id (node lookups): up to one upstream call each, each with its sub-selection. */
  perId: (count: number): Cost => ({ field: count * UPSTREAM_CALL, multiplier: count }),
  /** A page of a connection: one upstream read per page, `first` (or its default) as the multiplier of the edges. */
  page:
    (defaultFirst: number) =>
    (args: { first?: number | null }): Cost => ({
      field: UPSTREAM_CALL,
      multiplier: Math.max(1, Math.min(args.first ?? defaultFirst, 1_000_000)),
    }),
  /**
   * A page of a connection whose items' fields are all batched (agents: every status kind is one upstream call per
   * SIP_LIST_CHUNK_SIZE agents of the page, whatever the page holds): one upstream list read per page, and
   * `itemsPerUnit` items of the page counted as one for what each selects, so `first` multiplies the sub-selection
   * by ceil(first / itemsPerUnit). A 2,000-agent page at 20 per unit counts as 100 agents, what the unpaged `agents`
   * list was counted as; the upstream budget bounds the calls either way.
   */
  batchedPage:
    (defaultFirst: number, itemsPerUnit: number) =>
    (args: { first?: number | null }): Cost => ({
      field: UPSTREAM_CALL,
      multiplier: Math.max(1, Math.ceil(Math.min(args.first ?? defaultFirst, 1_000_000) / itemsPerUnit)),
    }),
  /** Edges of a connection: the page's size is already the connection field's multiplier. */
  edges: { field: 0, multiplier: 1 } satisfies Cost,
} as const;
