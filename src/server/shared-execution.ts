import { type DocumentNode, type ExecutionResult, Kind, type OperationDefinitionNode, visit } from 'graphql';
import type { CapturedSource } from '../events/subscriber-source.ts';
import { createPushIterator, type PushIterator } from '../events/push-iterator.ts';

/**
 * Subscription fan-out: an event is executed once per group of alike subscribers and its `next` payload serialized
 * once, however many sockets get it.
 *
 * A group is the subscribers of one (document text, operation name, the variables the selection reads, role). Each
 * subscriber keeps its own event stream (its `after` replay, gap-free, exactly-once, its overflow bound) and pulls it
 * itself; for each event it asks its group for the result. The feed hands the very same event object to every
 * listener of the process, so results are cached per (event object, group): the first subscriber to reach a live
 * event runs it through the group's pipeline, the others get the same result object. A replaying subscriber reads
 * its own copies from the store and so runs them itself (through the same pipeline), never someone else's.
 *
 * The group's pipeline is one ordinary subscription (the enveloped subscribe: auth scopes, upstream budget per event,
 * error masking, codes) whose source stream is fed by the group: results are the same objects, and carry the same
 * errors, that each subscriber's own execution would have produced with the same role. Subscription root fields
 * resolve to the event itself, so their arguments (`after`, filters) only shape each subscriber's stream and are not
 * part of the key.
 */

/** Counts for tests and benchmarks: they guard the mechanism without timing anything. */
export const fanOutMetrics = {
  /** Events executed through a group's pipeline. */
  executions: 0,
  /** `next` payloads serialized. */
  serializations: 0,
  /** Groups opened. */
  groups: 0,
};

const payloads = new WeakMap<ExecutionResult, string>();

/**
 * The result's `next` payload as JSON, exactly as graphql-ws would write it (errors through toJSON), made once per
 * result object. Undefined for a result that did not come from a group.
 */
export function serializedPayload(result: ExecutionResult): string | undefined {
  return payloads.get(result);
}

function serialize(result: ExecutionResult): string {
  let json = payloads.get(result);
  if (json === undefined) {
    const { errors, ...rest } = result;
    json = JSON.stringify(errors ? { ...rest, errors: errors.map((error) => error.toJSON()) } : rest);
    fanOutMetrics.serializations += 1;
    payloads.set(result, json);
  }
  return json;
}

type OperationResult = ExecutionResult | AsyncIterable<ExecutionResult>;

/** Runs the operation as an ordinary subscription whose resolver hands graphql `source` (overrideSource). */
export type RunWithSource = (source: AsyncIterable<unknown>) => Promise<OperationResult>;

class Group {
  members = 0;
  closed = false;
  private readonly input: PushIterator<unknown> = createPushIterator(() => undefined);
  private readonly results: Promise<AsyncIterator<ExecutionResult> | null>;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly key: string,
    run: RunWithSource,
    private readonly onClosed: (group: Group) => void,
  ) {
    fanOutMetrics.groups += 1;
    this.results = run(this.input).then(
      (result) => (isAsyncIterable(result) ? result[Symbol.asyncIterator]() : null),
      () => null,
    );
  }

  /** The group's result for one event; null once the group can give none (closed, or its pipeline refused). */
  execute(event: object): Promise<ExecutionResult | null> {
    let byGroup = cache.get(event);
    const cached = byGroup?.get(this);
    if (cached) return cached;
    // One event at a time, in request order: each push is paired with exactly the next result.
    const turn = this.tail.then(async () => {
      const results = await this.results;
      if (!results || this.closed) return null;
      fanOutMetrics.executions += 1;
      this.input.push(event);
      const step = await results.next();
      if (step.done) return null;
      serialize(step.value);
      return step.value;
    });
    this.tail = turn.catch(() => undefined);
    if (!byGroup) {
      byGroup = new Map();
      cache.set(event, byGroup);
    }
    byGroup.set(this, turn);
    return turn;
  }

  leave(): void {
    this.members -= 1;
    if (this.members > 0 || this.closed) return;
    this.closed = true;
    this.onClosed(this);
    this.input.end();
    void this.results.then((results) => results?.return?.()).catch(() => undefined);
  }
}

/** Per event object (the feed's, shared by all listeners): each group's result, or the turn computing it. */
const cache = new WeakMap<object, Map<Group, Promise<ExecutionResult | null>>>();

const variablesOfDocument = new WeakMap<DocumentNode, Map<string | null, readonly string[]>>();

/**
 * The variables the result can depend on: those read anywhere but in the root field's own arguments (which only shape
 * the subscriber's stream: the root field resolves to the event itself).
 */
function resultVariables(document: DocumentNode, operationName: string | null): readonly string[] {
  let byOperation = variablesOfDocument.get(document);
  const known = byOperation?.get(operationName);
  if (known) return known;
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION && (operationName === null || definition.name?.value === operationName),
  );
  const names = new Set<string>();
  const collect = (node: Parameters<typeof visit>[0]) =>
    visit(node, {
      Variable(variable) {
        names.add(variable.name.value);
      },
    });
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) collect(definition);
  for (const selection of operation?.selectionSet.selections ?? []) {
    if (selection.kind !== Kind.FIELD) {
      collect(selection);
      continue;
    }
    if (selection.selectionSet) collect(selection.selectionSet);
    for (const directive of selection.directives ?? []) collect(directive);
  }
  for (const directive of operation?.directives ?? []) collect(directive);
  const result = [...names].sort();
  if (!byOperation) {
    byOperation = new Map();
    variablesOfDocument.set(document, byOperation);
  }
  byOperation.set(operationName, result);
  return result;
}

/** How the transport runs and writes a subscriber's operation; one object for all subscribers (no closures each). */
export interface FanOutTransport<S> {
  /** Runs the subscriber's operation with another source: its group's pipeline, or its own ended stream. */
  run(subscriber: S, source: AsyncIterable<unknown>): Promise<OperationResult>;
  /**
   * Writes one shared result (serializedPayload has its JSON) to the subscriber and resolves once it is written (so a
   * socket holds about one frame per operation); false when the subscriber is gone.
   */
  deliver(subscriber: S, result: ExecutionResult): Promise<boolean>;
}

export interface SharedSubscription<S> {
  /** The document's text as sent: alike subscribers send alike text. */
  query: string;
  document: DocumentNode;
  operationName: string | null;
  variables: Readonly<Record<string, unknown>> | null | undefined;
  /** The subscriber's role: results differ by what a role may see. */
  role: string;
  /** The subscriber's own stream, as its subscribe resolver made it. */
  source: CapturedSource;
  /** What the transport needs to run and write this subscriber's operation. */
  subscriber: S;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

export interface SharedExecution<S> {
  /**
   * The subscriber's operation: its events are delivered through the transport as they come; the iterator itself
   * yields only the stream's ending (its error as the ordinary pipeline gives it), so graphql-ws sends that and
   * `complete`.
   */
  subscribe(subscription: SharedSubscription<S>): AsyncIterableIterator<ExecutionResult>;
  /** Groups open now. */
  readonly size: number;
}

/** One subscriber's operation (a class: one per subscription for its life, no closures of its own). */
class SharedIterator<S> implements AsyncIterableIterator<ExecutionResult> {
  private left = false;

  constructor(
    private readonly group: Group,
    private readonly source: CapturedSource,
    private readonly subscriber: S,
    private readonly transport: FanOutTransport<S>,
  ) {}

  private leave(): void {
    if (this.left) return;
    this.left = true;
    this.group.leave();
  }

  /**
   * The stream ended (failed: replay limit, expired id, too slow; or finished): the same stream goes through an
   * ordinary pipeline of its own, so the subscriber gets exactly the error (masked, coded) or end it gives.
   */
  private async finish(): Promise<IteratorResult<ExecutionResult>> {
    this.leave();
    const result = await this.transport.run(this.subscriber, this.source.stream);
    if (!isAsyncIterable(result)) return { done: true, value: undefined };
    return result[Symbol.asyncIterator]().next();
  }

  /**
   * Writes the subscriber's events itself (the group's result, serialized once) for as long as the stream lasts;
   * what it then gives graphql-ws is the stream's end or error, which graphql-ws sends as usual.
   */
  async next(): Promise<IteratorResult<ExecutionResult>> {
    const { source } = this;
    while (!this.left) {
      let step: IteratorResult<unknown>;
      try {
        step = await source.stream.next();
      } catch {
        return this.finish();
      }
      if (step.done) return this.finish();
      const event = step.value as object;
      if (source.keep && !(await source.keep(event))) continue;
      const result = await this.group.execute(event);
      if (!result || !(await this.transport.deliver(this.subscriber, result))) break;
    }
    await this.return();
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.leave();
    await this.source.stream.return?.();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.leave();
    await this.source.stream.return?.();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export function createSharedExecution<S>(transport: FanOutTransport<S>): SharedExecution<S> {
  const groups = new Map<string, Group>();
  const closed = (group: Group) => {
    if (groups.get(group.key) === group) groups.delete(group.key);
  };

  return {
    get size() {
      return groups.size;
    },
    subscribe(subscription) {
      const { source, subscriber } = subscription;
      const variables = subscription.variables ?? {};
      const key = JSON.stringify([
        subscription.role,
        subscription.operationName,
        subscription.query,
        resultVariables(subscription.document, subscription.operationName).map((name) => variables[name] ?? null),
      ]);
      let group = groups.get(key);
      if (!group) {
        group = new Group(key, (input) => transport.run(subscriber, input), closed);
        groups.set(key, group);
      }
      group.members += 1;
      return new SharedIterator(group, source, subscriber, transport);
    },
  };
}
