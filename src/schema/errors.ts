import { builder } from '../builder.ts';
import {
  AiCallHttpError,
  ConflictError,
  ErrorCode,
  type GatewayError,
  InvalidInputError,
  NotFoundError,
  UnsupportedForTaskKindError,
  UpstreamRejectedError,
  type InputIssue,
  type NotFoundEntity,
  type UpstreamName,
} from '../errors.ts';
import { SipBusinessError } from '../errors.ts';
import { SipCode } from '../upstream/sip/codes.ts';
import { TaskKindEnum } from './task-kind.ts';
import { UpstreamKind, UpstreamKindRef } from './gateway.ts';

/**
 * Domain errors as GraphQL types. Mutations return them in their result unions (errors plugin), so a front end
 * handles "unknown queue" as data; infrastructure failures (upstream down, auth) stay top-level errors with
 * `extensions.code`.
 */

const CODE_DESCRIPTIONS: Record<ErrorCode, string> = {
  [ErrorCode.UpstreamUnavailable]: 'The platform could not be reached, timed out or failed on its side; retry later.',
  [ErrorCode.UpstreamRejected]: 'The platform refused the command; see its code and message.',
  [ErrorCode.UpstreamInvalidResponse]: 'The platform answered something the gateway could not understand.',
  [ErrorCode.UpstreamNotConfigured]: 'This deployment has no such platform.',
  [ErrorCode.InvalidInput]: 'The input was refused before anything was sent.',
  [ErrorCode.NotFound]: 'No such object.',
  [ErrorCode.Conflict]:
    "Collides with another request or with the object's current state (an idempotency key reused for a different request, a command the task's status forbids, a queue name in use).",
  [ErrorCode.UnsupportedForTaskKind]: "The task's platform has no such command (e.g. endTask on an AI task).",
  [ErrorCode.Unauthenticated]: 'No valid API key.',
  [ErrorCode.Forbidden]: "The API key's role does not allow this.",
  [ErrorCode.OperationLimitExceeded]:
    'The document asks for more than the gateway allows (depth, aliases, cost, …); `extensions` name the limit, its maximum and the measured value. Nothing ran.',
  [ErrorCode.UpstreamBudgetExceeded]:
    'The operation made as many platform calls as one operation may; the rest were not sent. Ask for less in one document.',
  [ErrorCode.SubscriptionLimitExceeded]: 'The socket or API key already holds as many subscriptions or connections as allowed.',
  [ErrorCode.ReplayLimitExceeded]: '`after` is further back than a subscription may replay: reload the state, then subscribe with the newer eventId.',
  [ErrorCode.SubscriberTooSlow]:
    'More live events waited for this subscriber than allowed: it was ended (over WebSocket the socket closes with 4030). Resubscribe with `after` = the last eventId received.',
  [ErrorCode.EventIdAhead]:
    '`after` is newer than every stored event (the store was restored or replaced; `extensions.newestEventId` says how far it goes): reload the state, then subscribe without `after`.',
  [ErrorCode.EventIdExpired]:
    'The events right after `after` were pruned (older than the retention; `extensions.oldestEventId`, `retentionDays`): reload the state, then subscribe again.',
  [ErrorCode.ServerDraining]:
    'This gateway replica is shutting down and ended the subscription cleanly: resubscribe (the load balancer sends you to another replica) with `after` = the last eventId received.',
  [ErrorCode.StatisticsDisabled]: 'This gateway runs with STATISTICS=off: it counts no statistics and watches no abandon rate.',
  [ErrorCode.PersistedQueryOnly]:
    'This gateway runs only trusted documents (TRUSTED_DOCUMENTS=on) and this API key may not send document text: send `extensions.persistedQuery.sha256Hash` of a persisted document.',
  [ErrorCode.PersistedQueryNotFound]: 'No trusted document has the hash sent: the client was built against another version of the gateway.',
};

/**
 * Not a GatewayError code: what yoga puts in `extensions.code` of an error it masks (`Unexpected error.`), and what
 * `NumberSendError.code` says when an upload stopped on one. Listed so that every code a client can see is in the enum.
 */
export const INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR';

export const ErrorCodeRef = builder.enumType('ErrorCode', {
  description: 'Stable error codes; the same strings appear in `extensions.code` of top-level errors.',
  values: {
    ...(Object.fromEntries(Object.values(ErrorCode).map((code) => [code, { value: code, description: CODE_DESCRIPTIONS[code] }])) as Record<
      ErrorCode,
      { value: ErrorCode; description: string }
    >),
    [INTERNAL_SERVER_ERROR]: {
      value: INTERNAL_SERVER_ERROR,
      description: 'An unexpected failure inside the gateway: its details are masked (`Unexpected error.`) and logged. Report it.',
    },
  } as Record<ErrorCode | typeof INTERNAL_SERVER_ERROR, { value: ErrorCode | typeof INTERNAL_SERVER_ERROR; description: string }>,
});

const NOT_FOUND_ENTITIES: Record<NotFoundEntity, [name: string, description: string]> = {
  Agent: ['AGENT', 'An agent (extension); `key` is the extension.'],
  Queue: ['QUEUE', 'A queue; `key` is its name.'],
  ExtGroup: ['EXT_GROUP', 'An extension group; `key` is its name.'],
  Task: ['TASK', 'A task of either kind; `key` is the id that was given.'],
  CallerLine: ['CALLER_LINE', "An AI-call platform caller line; `key` is the line's id."],
  ScriptGroup: ['SCRIPT_GROUP', "An AI-call platform script group; `key` is the group's id."],
  RedialRule: ['REDIAL_RULE', "An AI-call platform redial rule; `key` is the rule's id."],
  DoNotCallWindow: ['DO_NOT_CALL_WINDOW', "An AI-call platform do-not-call window; `key` is the window's id."],
  HandoverGroup: ['HANDOVER_GROUP', "An AI-call platform hand-over group; `key` is the group's id."],
};

const NotFoundEntityRef = builder.enumType('NotFoundEntity', {
  description: 'What kind of object was not found.',
  values: Object.fromEntries(
    Object.entries(NOT_FOUND_ENTITIES).map(([entity, [name, description]]) => [name, { value: entity as NotFoundEntity, description }]),
  ) as Record<string, { value: NotFoundEntity; description: string }>,
});

const UPSTREAM_KINDS: Record<UpstreamName, UpstreamKind> = { sip: UpstreamKind.Sip, aicall: UpstreamKind.AiCall };

export const ErrorInterface = builder.interfaceRef<GatewayError>('Error').implement({
  description: 'Something the gateway refused or the platform rejected, with a stable code.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for people.' }),
    code: t.field({ type: ErrorCodeRef, description: 'What went wrong, for programs.', resolve: (error) => error.code }),
  }),
});

const InputIssueRef = builder.objectRef<InputIssue>('InputIssue').implement({
  description: 'One problem with the input.',
  fields: (t) => ({
    path: t.exposeStringList('path', { description: 'Argument and field names (and list indices) leading to the value.' }),
    message: t.exposeString('message', { description: 'What is wrong with it.' }),
  }),
});

builder.objectType(InvalidInputError, {
  name: 'InvalidInputError',
  description: 'The input was refused before anything was sent to the platform.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidInputError,
  fields: (t) => ({
    issues: t.field({ type: [InputIssueRef], description: 'Every problem found.', resolve: (error) => [...error.issues] }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The named object does not exist on the platform.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({
    entity: t.field({ type: NotFoundEntityRef, description: 'What kind of object.', resolve: (error) => error.entity }),
    key: t.exposeString('key', { description: 'The name or id that was asked for.' }),
  }),
});

// The class is abstract (SIP and AI-call errors extend it); the errors plugin only needs it for `instanceof`.
export const UpstreamRejected = UpstreamRejectedError as unknown as new (...args: any[]) => UpstreamRejectedError;

builder.objectType(UpstreamRejected, {
  name: 'UpstreamRejectedError',
  description: 'The platform understood the command and refused it; its own code and message are kept.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof UpstreamRejectedError,
  fields: (t) => ({
    upstream: t.field({ type: UpstreamKindRef, description: 'Which platform refused.', resolve: (error) => UPSTREAM_KINDS[error.upstream] }),
    operation: t.exposeString('operation', { description: 'The platform operation (SIP service or HTTP route).' }),
    upstreamCode: t.exposeString('upstreamCode', { description: "The platform's code (SIP `ret` or business code, or HTTP status)." }),
    upstreamMessage: t.exposeString('upstreamMessage', {
      description:
        "The platform's own message, untranslated but redacted: credentials, secrets, hosts, addresses, tracebacks and phone numbers are masked, and it is cut at about 200 characters.",
    }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The request collides with another one; see the message.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ConflictError,
  fields: () => ({}),
});

builder.objectType(UnsupportedForTaskKindError, {
  name: 'UnsupportedForTaskKindError',
  description:
    "The command does not exist for this kind of task on its platform (endTask on an AI task, deleteTask or removeTaskNumbers on a predictive task, …); nothing was sent.",
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof UnsupportedForTaskKindError,
  fields: (t) => ({
    operation: t.exposeString('operation', { description: 'The mutation that was refused.' }),
    kind: t.field({ type: TaskKindEnum, description: 'The kind of the task it was asked for.', resolve: (error) => error.kind }),
    hint: t.exposeString('hint', { description: 'What to do instead.' }),
  }),
});

/** The error types every mutation result may carry. */
export const MUTATION_ERRORS = [InvalidInputError, NotFoundError, UpstreamRejected] as const;

/** The errors-plugin options of a mutation: its payload type directly in a union named `<Mutation>Result`. */
export function mutationErrors(union: string, extra: Array<new (...args: any[]) => Error> = []) {
  return {
    types: [...MUTATION_ERRORS, ...extra],
    directResult: true,
    union: { name: union, description: 'The payload, or a typed error saying why not (every error implements Error).' },
  };
}

/**
 * The errors-plugin options of a mutation whose result union lists exactly `types` (docs/api.md: a union names the
 * errors the mutation can return, no more, no fewer); mutationErrors adds the three common ones to its extras.
 */
export function resultErrors(union: string, types: Array<new (...args: any[]) => Error>) {
  return {
    types,
    directResult: true,
    union: { name: union, description: 'The payload, or a typed error saying why not (every error implements Error).' },
  };
}

/**
 * Turns the SIP business codes that mean "no such thing" into NotFoundError, so the front end gets one shape for
 * unknown queues, tasks and extensions whichever service reported it.
 */
export function explainSipError(error: unknown, keys: { queue?: string; task?: string; extension?: string; group?: string }): never {
  if (error instanceof SipBusinessError) {
    const code = error.sipCode.value;
    if (code === SipCode.IllegalQueue && keys.queue !== undefined) throw new NotFoundError('Queue', keys.queue);
    if (code === SipCode.TaskNotFound && keys.task !== undefined) throw new NotFoundError('Task', keys.task);
    if ((code === SipCode.ExtensionNotFound || code === SipCode.IllegalExtension) && keys.extension !== undefined) {
      throw new NotFoundError('Agent', keys.extension);
    }
  }
  throw error;
}

/** Runs a SIP command, translating "not found" codes for the keys it names. */
export async function sipCommand<T>(
  keys: Parameters<typeof explainSipError>[1],
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    explainSipError(error, keys);
  }
}

/**
 * The AI-call counterpart of explainSipError: a 404 on a task route becomes NotFoundError; a 4xx whose message is
 * Laravel's generic "The given data was invalid." gets its per-field messages appended, so `upstreamMessage` says why.
 */
export function explainAiCallError(error: unknown, keys: { task?: string }): never {
  if (error instanceof AiCallHttpError) {
    if (error.status === 404 && keys.task !== undefined) throw new NotFoundError('Task', keys.task);
    const details = Object.entries(error.fieldErrors).flatMap(([field, messages]) => messages.map((m) => `${field}: ${m}`));
    if (error.status < 500 && details.length > 0 && !details.some((d) => error.upstreamMessage.includes(d))) {
      const message = [error.upstreamMessage, ...details].filter((part) => part !== '').join(' ');
      throw new AiCallHttpError(error.operation, error.status, message, error.fieldErrors);
    }
  }
  throw error;
}

/** Runs an AI-call command, translating "not found" for the task it names. */
export async function aiCallCommand<T>(keys: Parameters<typeof explainAiCallError>[1], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    explainAiCallError(error, keys);
  }
}
