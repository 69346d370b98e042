import { type DocumentNode, type ExecutionResult, Kind, type OperationDefinitionNode, visit } from 'graphql';
import type { CapturedSource } from '../events/subscriber-source.ts';
import { createPushIterator, EMPTY, isPushIterator, type PushIterator, type PushReader } from '../events/push-iterator.ts';

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
  /** Whole `next` frames encoded (one per result and operation id, by the WebSocket transport). */
  frames: 0,
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

/**
 * A group's result for one event: pending while the group's pipeline runs it, then its result (null: the group can
 * give none) or the pipeline's error. Subscribers that ask meanwhile wait in `waiters` and are resumed in one loop
 * when it settles: no promise per subscriber per event.
 */
export interface Outcome {
  state: 'pending' | 'done' | 'failed';
  result: ExecutionResult | null;
  error: unknown;
  waiters: Array<OutcomeWaiter>;
}

export interface OutcomeWaiter {
  /** Must not throw: one waiter's failure is its own, not the next waiter's. */
  resume(outcome: Outcome): void;
}

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

  /** The group's outcome for one event, started by the first subscriber that asks. */
  outcome(event: object): Outcome {
    let byGroup = cache.get(event);
    const cached = byGroup?.get(this);
    if (cached) return cached;
    const outcome: Outcome = { state: 'pending', result: null, error: undefined, waiters: [] };
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
    this.tail = turn.then(
      (result) => settle(outcome, 'done', result, undefined),
      (error: unknown) => settle(outcome, 'failed', null, error),
    );
    if (!byGroup) {
      byGroup = new Map();
      cache.set(event, byGroup);
    }
    byGroup.set(this, outcome);
    return outcome;
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

function settle(outcome: Outcome, state: 'done' | 'failed', result: ExecutionResult | null, error: unknown): void {
  outcome.state = state;
  outcome.result = result;
  outcome.error = error;
  const { waiters } = outcome;
  outcome.waiters = [];
  for (const waiter of waiters) {
    try {
      waiter.resume(outcome);
    } catch {
      // A waiter's own failure (it promises none): the others still get the outcome.
    }
  }
}

/** Per event object (the feed's, shared by all listeners): each group's outcome. */
const cache = new WeakMap<object, Map<Group, Outcome>>();

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
   * Writes one shared result (serializedPayload has its JSON) to the subscriber: true when the next may follow at once,
   * false when the subscriber is gone, or a promise of either once the write is out (so a socket holds about one frame
   * per operation). Synchronous when it can be: thousands of subscribers per event make a promise each count.
   */
  deliver(subscriber: S, result: ExecutionResult): boolean | Promise<boolean>;
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

type Step = IteratorResult<ExecutionResult>;
const DONE: Step = Object.freeze({ done: true, value: undefined }) as Step;

/**
 * One subscriber's operation (a class: one per subscription for its life, no closures of its own).
 *
 * It writes the subscriber's events itself (the group's result, serialized once) for as long as the stream lasts;
 * what it gives graphql-ws is only the stream's end or error, which graphql-ws sends as usual. Events are taken from
 * the stream, checked, matched with the group's outcome and written synchronously whenever each step can be: a stream
 * that has a value calls `ready()` from its push, a pending outcome resumes its waiters in one loop, and only a
 * `keep` that answers with a promise or a socket that holds too much makes a step wait.
 */
class SharedIterator<S> implements AsyncIterableIterator<ExecutionResult>, PushReader, OutcomeWaiter {
  private left = false;
  /** A step waits on something (a `keep` answer, the group's outcome, a write); `pump` resumes when it is back. */
  private waiting = false;
  /** graphql-ws's pending `next()`, settled only when the stream ends or the subscriber leaves. */
  private settle: ((step: Step) => void) | null = null;
  private fail: ((error: unknown) => void) | null = null;
  private readonly push: PushIterator<unknown> | null;

  constructor(
    private readonly group: Group,
    private readonly source: CapturedSource,
    private readonly subscriber: S,
    private readonly transport: FanOutTransport<S>,
  ) {
    this.push = isPushIterator(source.stream) ? source.stream : null;
  }

  private leave(): void {
    if (this.left) return;
    this.left = true;
    this.group.leave();
  }

  /** graphql-ws's `for await` asks once at a time: a call while one is pending is not expected. */
  next(): Promise<Step> {
    if (this.left) return this.return();
    if (this.settle) return Promise.reject(new Error('next() while the previous one is pending'));
    return new Promise<Step>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
      this.pump();
    });
  }

  /** Answers graphql-ws's pending `next()` (once). */
  private answer(step: Step, error?: unknown, failed = false): void {
    const settle = this.settle;
    const fail = this.fail;
    this.settle = null;
    this.fail = null;
    if (failed) fail?.(error);
    else settle?.(step);
  }

  /**
   * graphql-ws sends a thrown error and forgets the operation without calling `return()`: the subscriber leaves and
   * its stream is closed here, or it would stay in its group and listening to the feed.
   */
  private failWith(error: unknown): void {
    this.waiting = true;
    this.leave();
    this.answer(DONE, error, true);
    void Promise.resolve(this.source.stream.return?.()).catch(() => undefined);
  }

  /** Takes, checks and writes events for as long as each step is synchronous. */
  private pump(): void {
    const stream = this.push;
    if (!stream) {
      this.pull();
      return;
    }
    try {
      while (!this.left && !this.waiting && this.settle) {
        const event = stream.take();
        if (event === EMPTY) {
          if (stream.finished) this.finish();
          else stream.whenReady(this);
          return;
        }
        this.consider(event as object);
      }
    } catch (error) {
      this.failWith(error);
    }
  }

  /** A stream that is not a push iterator: one `next()` per event. */
  private pull(): void {
    if (this.left || this.waiting || !this.settle) return;
    this.waiting = true;
    this.source.stream.next().then(
      (step) => {
        this.waiting = false;
        if (this.left) return;
        if (step.done) return this.finish();
        try {
          this.consider(step.value as object);
        } catch (error) {
          return this.failWith(error);
        }
        this.pull();
      },
      () => {
        this.waiting = false;
        this.finish();
      },
    );
  }

  /** The stream has a value (or ended). */
  ready(): void {
    if (!this.waiting) this.pump();
  }

  private consider(event: object): void {
    const keep = this.source.keep;
    if (keep) {
      const kept = keep(event);
      if (typeof kept !== 'boolean') {
        this.waiting = true;
        kept.then(
          (yes) => {
            this.waiting = false;
            if (this.left) return;
            if (yes) {
              try {
                this.execute(event);
              } catch (error) {
                return this.failWith(error);
              }
            }
            this.pump();
          },
          (error: unknown) => this.failWith(error),
        );
        return;
      }
      if (!kept) return;
    }
    this.execute(event);
  }

  private execute(event: object): void {
    const outcome = this.group.outcome(event);
    if (outcome.state === 'pending') {
      this.waiting = true;
      outcome.waiters.push(this);
      return;
    }
    this.write(outcome);
  }

  /** The group's outcome for the event this subscriber waited on. */
  resume(outcome: Outcome): void {
    this.waiting = false;
    if (this.left) return;
    try {
      this.write(outcome);
    } catch (error) {
      this.failWith(error);
      return;
    }
    this.pump();
  }

  private write(outcome: Outcome): void {
    if (outcome.state === 'failed') return this.failWith(outcome.error);
    const { result } = outcome;
    if (!result) return this.stop();
    const written = this.transport.deliver(this.subscriber, result);
    if (written === true) return;
    if (written === false) return this.stop();
    this.waiting = true;
    written.then(
      (ok) => {
        this.waiting = false;
        if (ok) this.pump();
        else this.stop();
      },
      (error: unknown) => this.failWith(error),
    );
  }

  /** The subscriber is gone (its socket closed) or its group can give no more: it ends without a word. */
  private stop(): void {
    this.waiting = true;
    void this.return();
  }

  /**
   * The stream ended (failed: replay limit, expired id, too slow; or finished): the same stream goes through an
   * ordinary pipeline of its own, so the subscriber gets exactly the error (masked, coded) or end it gives.
   */
  private finish(): void {
    this.waiting = true;
    this.leave();
    this.transport.run(this.subscriber, this.source.stream).then(
      (result) => (isAsyncIterable(result) ? result[Symbol.asyncIterator]().next() : DONE),
    ).then(
      (step) => this.answer(step),
      (error: unknown) => this.answer(DONE, error, true),
    );
  }

  async return(): Promise<Step> {
    this.leave();
    this.waiting = true;
    this.answer(DONE);
    await this.source.stream.return?.();
    return DONE;
  }

  async throw(error?: unknown): Promise<Step> {
    this.leave();
    this.waiting = true;
    this.answer(DONE);
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
