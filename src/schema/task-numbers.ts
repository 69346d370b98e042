import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { builder } from '../builder.ts';
import type { GatewayContext } from '../context.ts';
import {
  ConflictError,
  ErrorCode,
  GatewayError,
  type InputIssue,
  InvalidInputError,
  NotFoundError,
  TaskStateConflictError,
  UnsupportedForTaskKindError,
} from '../errors.ts';
import { TaskAction } from '../domain/task-actions.ts';
import {
  checkPhoneNumber,
  createNumberPreparer,
  forEachInSlices,
  NumberRejectionReason,
  type PreparedTaskNumbers,
  type RejectedNumber,
} from '../domain/phone-numbers.ts';
import { type NumberInput, parseNumbersCsv } from '../domain/numbers-csv.ts';
import { type TaskUploadResult, UploadOutcome, uploadTaskNumbers } from '../domain/task-upload.ts';
import { PredictiveAssignmentType, type PredictiveTask, PredictiveTaskStatus } from '../store/index.ts';
import type { AiCustomerInput } from '../upstream/aicall/types.ts';
import { AssignType } from '../upstream/sip/codes.ts';
import type { TaskNumber } from '../upstream/sip/types.ts';
import { valuesOf } from './codes.ts';
import { parseDateTime } from './scalars.ts';
import { ErrorCodeRef, explainAiCallError, explainSipError, INTERNAL_SERVER_ERROR, mutationErrors, resultErrors, UpstreamRejected } from './errors.ts';
import {
  AssignmentTypeEnum,
  assertTaskAllows,
  explainPredictiveTaskError,
  findAiTask,
  predictiveTaskCommand,
  requireAiTask,
  requirePredictiveTask,
  TaskRef,
  taskIdOf,
} from './task.ts';
import { requireAiCall, requireSip } from './upstream.ts';
import { cost } from '../limits/cost.ts';

/**
 * Feeding tasks of both kinds: any number of entries, validated by one rule set (domain/phone-numbers.ts), sent in
 * platform-sized chunks (domain/task-upload.ts), every entry accounted for, and safe to retry with an idempotency key.
 */

const RejectionReasonEnum = builder.enumType('NumberRejectionReason', {
  description: 'Why an entry is not on the task.',
  values: valuesOf(NumberRejectionReason, {
    [NumberRejectionReason.Empty]: 'No number given.',
    [NumberRejectionReason.NotANumber]: 'Contains something other than digits and separators.',
    [NumberRejectionReason.TooShort]: 'Too few digits for a phone number (an extension is not a customer number).',
    [NumberRejectionReason.TooLong]: 'Too many digits.',
    [NumberRejectionReason.InvalidPrefix]: 'Not a Chinese mobile or fixed-line prefix (or another country).',
    [NumberRejectionReason.MissingAreaCode]: 'A local fixed-line number without its area code.',
    [NumberRejectionReason.ServiceNumber]: 'A service, hotline or emergency number (400/800/95xxx/1xxxx/11x).',
    [NumberRejectionReason.InvalidDialTime]: 'dialAfter is not a usable time.',
    [NumberRejectionReason.DuplicateInRequest]: 'The same number appears earlier in the list (see duplicateOf).',
    [NumberRejectionReason.RefusedByPlatform]: 'The platform refused it.',
    [NumberRejectionReason.NotSent]: 'Not sent: an earlier call failed (see error and uncertain).',
  }),
});

/** Codes of a NumberSendError as ErrorCode values; anything else (`INTERNAL`, kept in stored results) is internal. */
const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

const NumberSendErrorRef = builder.objectRef<NonNullable<RejectedNumber['error']>>('NumberSendError').implement({
  description: 'The failure that stopped an upload.',
  fields: (t) => ({
    code: t.field({
      type: ErrorCodeRef,
      description: 'The error code (as in extensions.code); INTERNAL_SERVER_ERROR for a failure inside the gateway.',
      resolve: (e) => (CODES.has(e.code) ? (e.code as ErrorCode) : INTERNAL_SERVER_ERROR),
    }),
    message: t.exposeString('message', { description: 'What happened.' }),
    upstreamCode: t.exposeString('upstreamCode', { nullable: true, description: "The platform's code, when it gave one." }),
  }),
});

const RejectedNumberRef = builder.objectRef<RejectedNumber>('RejectedNumber').implement({
  description: 'An entry that is not on the task, and why.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position of the entry in the list sent (0-based).' }),
    input: t.exposeString('input', { description: 'The phone as it was sent.' }),
    reason: t.field({ type: RejectionReasonEnum, description: 'Why.', resolve: (r) => r.reason }),
    message: t.exposeString('message', { description: 'Why, for people.' }),
    duplicateOf: t.exposeInt('duplicateOf', { nullable: true, description: 'DUPLICATE_IN_REQUEST: the index of the entry that was kept.' }),
    error: t.field({ type: NumberSendErrorRef, nullable: true, description: 'NOT_SENT: the failure that stopped the upload.', resolve: (r) => r.error ?? null }),
    uncertain: t.boolean({
      description: 'NOT_SENT: true when the failed call may have reached the platform, so the number may be on the task anyway.',
      resolve: (r) => r.uncertain ?? false,
    }),
  }),
});

const UploadOutcomeEnum = builder.enumType('NumberUploadOutcome', {
  description: 'How an upload of numbers went.',
  values: {
    COMPLETE: { description: 'Every valid entry was sent (the platform may still have refused some; see rejected).' },
    PARTIAL: { description: 'A call failed half-way: the accepted numbers are on the task, the rest are NOT_SENT.' },
    TASK_NOT_CREATED: { description: 'createPredictiveTask only: no task exists (nothing valid to send).' },
    DRY_RUN: { description: 'Only validated: nothing was sent.' },
  } as const,
});

type Outcome = UploadOutcome | 'DRY_RUN';

/** What a number upload returns; also what an idempotency key remembers, so it must stay JSON-serialisable. */
interface NumbersPayloadShape {
  /** AI for an AI task (`taskId` is then its uuid); absent for a predictive task (as in payloads stored before AI tasks). */
  kind?: 'AI';
  taskId: string | null;
  outcome: Outcome;
  acceptedCount: number;
  rejected: RejectedNumber[];
  upstreamCalls: number;
  /** True when this is the stored result of an earlier request with the same idempotency key (never stored as true). */
  replayed?: boolean;
}

function numbersPayload(name: string, description: string) {
  return builder.objectRef<NumbersPayloadShape>(name).implement({
    description,
    fields: (t) => ({
      task: t.field({
        type: TaskRef,
        nullable: true,
        description: 'The task; null on a dry run of a new task, or when it was not created (or no longer exists).',
        resolve: (p, _a, ctx) => (p.taskId === null ? null : p.kind === 'AI' ? findAiTask(ctx, p.taskId) : ctx.store.tasks.get(p.taskId)),
      }),
      outcome: t.field({ type: UploadOutcomeEnum, description: 'How it went.', resolve: (p) => p.outcome }),
      acceptedCount: t.exposeInt('acceptedCount', { description: 'Entries now on the task (on a dry run: entries that would be sent).' }),
      rejectedCount: t.int({ description: 'Entries not on the task.', resolve: (p) => p.rejected.length }),
      rejected: t.field({ type: [RejectedNumberRef], description: 'Every entry not on the task, in list order, with the reason.', resolve: (p) => p.rejected }),
      upstreamCalls: t.exposeInt('upstreamCalls', {
        description: 'Calls made to the platform: TaskCreat/TaskAdd, or AI-task imports (0 on a dry run or a replay).',
        deprecationReason: 'Diagnostic, not part of the result: use `replayed` to tell a retried request (idempotencyKey) from a new one.',
      }),
      replayed: t.boolean({
        description:
          'True when this is the stored result of an earlier request with the same idempotencyKey: nothing was sent this time.',
        resolve: (p) => p.replayed === true,
      }),
    }),
  });
}

const CreatePredictiveTaskPayload = numbersPayload('CreatePredictiveTaskPayload', 'A new predictive task and what became of each number.');
const AddTaskNumbersPayload = numbersPayload('AddTaskNumbersPayload', 'What became of each number added to a task.');

const TaskNumberFieldInput = builder.inputType('TaskNumberFieldInput', {
  description: 'A custom field of an AI-task customer, which the script may speak (e.g. name: "张三").',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Field name, as the script refers to it.' }),
    value: t.string({ required: true, description: 'Field value.' }),
  }),
});

const TaskNumberInput = builder.inputType('TaskNumberInput', {
  description:
    'One customer to dial, with the fields the platform copies into its call record. For AI tasks, userId, memberId, maturity and ' +
    'customerId travel as custom fields under those names, beside `fields`.',
  fields: (t) => ({
    phone: t.string({ required: true, description: 'Mobile or fixed line; separators and +86 are fine.' }),
    dialAfter: t.field({
      type: 'DateTime',
      description: 'Predictive tasks only: not dialled before this instant (default: as soon as possible). AI tasks have no dial time.',
    }),
    userId: t.string({ description: 'Your user id (call records: userId).' }),
    memberId: t.string({ description: 'Your member id (call records: memberId).' }),
    maturity: t.string({ description: 'Lead maturity (call records: maturity).' }),
    customerId: t.string({ description: 'Your customer id (call records: customerId).' }),
    fields: t.field({ type: [TaskNumberFieldInput], description: 'AI tasks only: custom fields the script may speak (name, amount due, …).' }),
  }),
});

const AssignmentInput = builder.inputType('PredictiveAssignmentInput', {
  description: 'Who takes the answered calls.',
  fields: (t) => ({
    type: t.field({ type: AssignmentTypeEnum, required: true, description: 'What `assignee` names.' }),
    assignee: t.string({ required: true, description: 'The extension number, queue name or extension-group name.' }),
  }),
});

const PacingInput = builder.inputType('TaskPacingInput', {
  description: 'Calls placed per idle agent.',
  fields: (t) => ({
    agents: t.int({ required: true, description: 'Idle agents…' }),
    calls: t.int({ required: true, description: '…to this many simultaneous calls (e.g. 1 and 3 → "1:3").' }),
  }),
});

const idempotencyKey = z.string().trim().min(8, 'idempotencyKey needs at least 8 characters').max(128).nullish();
/** Most characters of userId, memberId, maturity and customerId. */
const MAX_CUSTOM_FIELD_CHARS = 128;
const customField = z.string().max(MAX_CUSTOM_FIELD_CHARS, `custom fields are at most ${MAX_CUSTOM_FIELD_CHARS} characters`).nullish();
const numberField = z.object({
  name: z.string().trim().min(1, 'a field needs a name').max(64, 'field names are at most 64 characters').refine((n) => n !== 'phone', 'phone is the number itself, not a field'),
  value: z.string().max(1_000, 'field values are at most 1000 characters'),
});
/**
 * One entry's own limits. Checked entry by entry in the resolver (checkNumbers), in time slices, not by the input
 * type's `validate`: zod over a 300 000-entry list in one go holds the event loop for 100–150 ms. The input types only
 * check that the list is not empty.
 */
const numberSchema = z
  .object({
    phone: z.string(),
    userId: customField,
    memberId: customField,
    maturity: customField,
    customerId: customField,
    fields: z.array(numberField).max(50, 'at most 50 fields per number').nullish(),
  })
  .loose();

/** Only the length: each entry is checked by checkNumbers. */
const nonEmptyList = z.custom<unknown[]>((value) => Array.isArray(value) && value.length > 0, 'numbers must not be empty').nullish();
const numbersCsv = z.string().nullish();
/** Exactly one of the two ways to send a list. */
const oneList = (input: { numbers?: unknown; numbersCsv?: unknown }) => (input.numbers != null) !== (input.numbersCsv != null);
const ONE_LIST = { message: 'give the numbers either as `numbers` or as `numbersCsv`, not both', path: ['numbers'] };
const NUMBERS_CSV_DESCRIPTION =
  'The customers as CSV text instead of `numbers`, for long lists (a list of input objects is coerced in one go, a string is read in slices): ' +
  'a header row naming the columns — `phone` (required), `dialAfter` (RFC 3339 with offset), `userId`, `memberId`, `maturity`, `customerId`, ' +
  'any other name a custom field (AI tasks) — then one row per customer. RFC 4180 quoting; entry indexes count data rows from 0.';

const CreatePredictiveTaskInput = builder.inputType('CreatePredictiveTaskInput', {
  description: 'A new predictive task. Any number of entries: the gateway sends them in platform-sized chunks.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Task name.' }),
    assignment: t.field({ type: AssignmentInput, required: true, description: 'Who takes the answered calls.' }),
    pacing: t.field({ type: PacingInput, description: 'Calls per idle agent (default 1:1).' }),
    callerNumbers: t.stringList({ description: 'Numbers shown to customers (default: the platform picks).' }),
    numbers: t.field({ type: [TaskNumberInput], description: 'The customers to dial (or `numbersCsv`). At most MAX_INPUT_LIST_LENGTH (10 000) entries per list: send longer lists as `numbersCsv`.' }),
    numbersCsv: t.string({ description: NUMBERS_CSV_DESCRIPTION }),
    dryRun: t.boolean({ description: 'Validate and report per entry without calling the platform.' }),
    idempotencyKey: t.string({ description: 'Makes retries safe: the same key returns the first result instead of creating a second task.' }),
  }),
  validate: z
    .object({
      name: z.string().trim().min(1, 'name is required').max(100),
      assignment: z.object({ assignee: z.string().trim().min(1, 'assignee is required') }).loose(),
      pacing: z.object({ agents: z.number().int().min(1).max(100), calls: z.number().int().min(1).max(100) }).nullish(),
      callerNumbers: z.array(z.string().trim().regex(/^\d{3,20}$/, 'caller numbers are digits only')).max(100).nullish(),
      numbers: nonEmptyList,
      numbersCsv,
      idempotencyKey,
    })
    .loose()
    .refine(oneList, ONE_LIST),
});

const AddTaskNumbersInput = builder.inputType('AddTaskNumbersInput', {
  description: 'More customers for a task of either kind that is not over.',
  fields: (t) => ({
    taskId: t.id({ required: true, description: "The task's global id (either kind)." }),
    numbers: t.field({ type: [TaskNumberInput], description: 'The customers to dial (or `numbersCsv`). At most MAX_INPUT_LIST_LENGTH (10 000) entries per list: send longer lists as `numbersCsv`.' }),
    numbersCsv: t.string({ description: NUMBERS_CSV_DESCRIPTION }),
    dryRun: t.boolean({ description: 'Validate and report per entry without calling the platform.' }),
    idempotencyKey: t.string({ description: 'Makes retries safe: the same key returns the first result instead of adding the numbers twice.' }),
  }),
  validate: z.object({ numbers: nonEmptyList, numbersCsv, idempotencyKey }).loose().refine(oneList, ONE_LIST),
});

const RemoveTaskNumbersInput = builder.inputType('RemoveTaskNumbersInput', {
  description: 'Numbers to take off a task before they are dialled.',
  fields: (t) => ({
    taskId: t.id({ required: true, description: "The task's global id." }),
    phones: t.stringList({ required: true, description: 'The numbers, written as when they were added (they are normalised the same way).' }),
  }),
  validate: z.object({ phones: z.array(z.string()).min(1).max(10_000) }).loose(),
});

const RemoveTaskNumbersPayload = builder.objectRef<{ task: PredictiveTask; removed: string[]; rejected: RejectedNumber[] }>('RemoveTaskNumbersPayload').implement({
  description: 'Numbers taken off a task.',
  fields: (t) => ({
    task: t.field({ type: TaskRef, description: 'The task.', resolve: (p) => p.task }),
    requestedPhones: t.stringList({ description: 'Normalised numbers sent to the platform (it removes those not yet dialled; it does not say which).', resolve: (p) => p.removed }),
    rejected: t.field({ type: [RejectedNumberRef], description: 'Entries that are not valid numbers and were not sent.', resolve: (p) => p.rejected }),
  }),
});

/** How many input problems an InvalidInputError message spells out (its `issues` list them all). */
const MESSAGE_ISSUES = 10;

function invalidEntries(issues: InputIssue[], message: string): InvalidInputError {
  const more = issues.length > MESSAGE_ISSUES ? `; and ${issues.length - MESSAGE_ISSUES} more` : '';
  return new InvalidInputError(message || issues.slice(0, MESSAGE_ISSUES).map((issue) => issue.message).join('; ') + more, undefined, issues);
}

/** A field one kind of task has and the other has not, with what to tell a caller who sets it. */
interface RefusedField {
  field: 'fields' | 'dialAfter';
  message: string;
}

const plainField = (value: unknown) => value == null || (typeof value === 'string' && value.length <= MAX_CUSTOM_FIELD_CHARS);
/** An entry numberSchema passes for certain: no custom fields, ids short strings or absent. */
const plainEntry = (n: NumberInput) =>
  n.fields == null && plainField(n.userId) && plainField(n.memberId) && plainField(n.maturity) && plainField(n.customerId);

const isSet = (value: unknown) => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);

/**
 * One pass over a request's entries, in time slices (forEachInSlices: a 300 000-entry list never holds the event
 * loop for more than a few milliseconds at a time): each entry's own limits (numberSchema), the field its task kind
 * refuses, the platform entry it becomes, and the phone rules (createNumberPreparer). Problems of the first two kinds
 * refuse the whole request with an InvalidInputError naming each entry's path; the phone rules reject single entries.
 */
async function checkNumbers(
  input: { numbers?: readonly NumberInput[] | null; numbersCsv?: string | null },
  refused: RefusedField,
): Promise<{ numbers: readonly NumberInput[]; entries: TaskNumber[]; prepared: PreparedTaskNumbers }> {
  const source = input.numbersCsv != null ? 'numbersCsv' : 'numbers';
  const numbers = input.numbersCsv != null ? await parseNumbersCsv(input.numbersCsv, parseDateTime) : (input.numbers ?? []);
  const schemaIssues: InputIssue[] = [];
  const refusedIssues: InputIssue[] = [];
  const entries: TaskNumber[] = new Array<TaskNumber>(numbers.length);
  const preparer = createNumberPreparer();
  // Entries read from CSV are made by parseNumbersCsv with only the fields that have a value: each is its own
  // platform entry (toEntry would copy it field for field) unless it carries custom fields.
  const fromCsv = input.numbersCsv != null;
  await forEachInSlices(numbers, (n, index) => {
    // Most entries carry a phone and short ids only: nothing for zod to look at (numberSchema says the same of them).
    if (!plainEntry(n)) {
      const checked = numberSchema.safeParse(n);
      if (!checked.success) {
        for (const issue of checked.error.issues) {
          schemaIssues.push({ path: ['input', source, String(index), ...issue.path.map(String)], message: issue.message });
        }
      }
    }
    if (isSet(n[refused.field])) refusedIssues.push({ path: ['input', source, String(index), refused.field], message: refused.message });
    if (schemaIssues.length > 0 || refusedIssues.length > 0) return; // refused anyway: no need to prepare the rest
    const entry = fromCsv && n.fields == null ? (n as TaskNumber) : toEntry(n);
    entries[index] = entry;
    preparer.add(entry, index);
  });
  if (schemaIssues.length > 0) throw invalidEntries(schemaIssues, '');
  if (refusedIssues.length > 0) {
    const count = refusedIssues.length;
    throw invalidEntries(refusedIssues, `${count} entr${count === 1 ? 'y sets' : 'ies set'} ${refused.field}: ${refused.message}`);
  }
  return { numbers, entries, prepared: preparer.result() };
}

const PREDICTIVE_REFUSES: RefusedField = {
  field: 'fields',
  message: 'custom fields are for AI tasks; predictive numbers carry userId, memberId, maturity and customerId',
};
const AI_REFUSES: RefusedField = {
  field: 'dialAfter',
  message: 'AI tasks dial as soon as they can: dialAfter is for predictive tasks',
};

/**
 * An AI-task customer from an entry: the custom fields, plus the predictive per-number fields under their GraphQL
 * names when given (so your ids reach the platform's records too). ASSUMPTION: docs/aicall-assumptions.md, "Import".
 */
function toCustomer(phone: string, n: NumberInput): AiCustomerInput {
  const fields: Record<string, string> = {};
  for (const field of n.fields ?? []) fields[field.name.trim()] = field.value;
  for (const key of ['userId', 'memberId', 'maturity', 'customerId'] as const) {
    const value = n[key];
    if (value) fields[key] = value;
  }
  return Object.keys(fields).length > 0 ? { phone, fields } : { phone };
}

/** Numbers per AI-task import call. The platform states no limit; the PBX's 10 000 is assumed (one place to change). */
const AI_IMPORT_CHUNK_SIZE = 10_000;

function toEntry(n: NumberInput): TaskNumber {
  const entry: TaskNumber = { phone: n.phone };
  if (n.dialAfter) entry.dialAfter = n.dialAfter;
  if (n.userId) entry.userId = n.userId;
  if (n.memberId) entry.memberId = n.memberId;
  if (n.maturity) entry.maturity = n.maturity;
  if (n.customerId) entry.customerId = n.customerId;
  return entry;
}

const ASSIGN_TYPES: Record<PredictiveAssignmentType, AssignType> = {
  [PredictiveAssignmentType.Extension]: AssignType.Extension,
  [PredictiveAssignmentType.Queue]: AssignType.Queue,
  [PredictiveAssignmentType.ExtGroup]: AssignType.ExtGroup,
};

/**
 * SHA-256 of `JSON.stringify(request)`, the text stored hashes were made of, with a long `numbers` list serialised in
 * time slices: 300 000 entries in one JSON.stringify hold the event loop for ~100 ms.
 */
export async function requestHash(request: unknown): Promise<string> {
  const hash = createHash('sha256');
  const numbers = (request as { numbers?: unknown } | null)?.numbers;
  if (!Array.isArray(numbers) || numbers.length <= SLICED_HASH_ENTRIES) return hash.update(JSON.stringify(request)).digest('hex');
  // The text around the list, cut where a unique placeholder stands for it; then the list, a slice at a time.
  const placeholder = `\u0000numbers-${randomUUID()}`;
  const [before = '', after = ''] = JSON.stringify({ ...(request as object), numbers: placeholder }).split(JSON.stringify(placeholder));
  hash.update(before).update('[');
  const slices: unknown[][] = [];
  for (let start = 0; start < numbers.length; start += SLICED_HASH_ENTRIES) slices.push(numbers.slice(start, start + SLICED_HASH_ENTRIES));
  await forEachInSlices(slices, (slice, index) => {
    const text = JSON.stringify(slice);
    hash.update(index === 0 ? text.slice(1, -1) : `,${text.slice(1, -1)}`);
  });
  return hash.update(']').update(after).digest('hex');
}
/** Entries serialised per step of requestHash. */
const SLICED_HASH_ENTRIES = 2_000;

/**
 * Runs `work` at most once per (scope, key): a retry of the same request gets the stored payload back; the same key
 * with another request, or while the first still runs, is a ConflictError. A failure releases the key for a retry.
 */
async function once(
  ctx: GatewayContext,
  scope: string,
  key: string | null | undefined,
  request: unknown,
  work: () => Promise<NumbersPayloadShape>,
): Promise<NumbersPayloadShape> {
  if (!key) return work();
  const hash = await requestHash(request);
  const claim = await ctx.store.idempotency.claim(scope, key, hash);
  if (claim.state === 'done') return { ...(claim.result as NumbersPayloadShape), upstreamCalls: 0, replayed: true };
  if (claim.state === 'mismatch') throw new ConflictError(`idempotencyKey "${key}" was already used for a different request`);
  if (claim.state === 'in-progress') throw new ConflictError(`a request with idempotencyKey "${key}" is still running; retry shortly`);
  try {
    const payload = await work();
    await ctx.store.idempotency.complete(scope, key, payload);
    return payload;
  } catch (error) {
    await ctx.store.idempotency.release(scope, key);
    throw error;
  }
}

function payloadOf(result: TaskUploadResult): NumbersPayloadShape {
  return { taskId: result.taskId, outcome: result.outcome, acceptedCount: result.accepted.length, rejected: result.rejected, upstreamCalls: result.calls.length };
}

/** Keeps the stored counts in step with an upload: what was submitted, taken, and not taken. */
async function recordCounts(ctx: GatewayContext, taskId: string, submitted: number, result: TaskUploadResult): Promise<void> {
  await ctx.store.tasks.addCounts(taskId, { submitted, accepted: result.accepted.length, refused: result.rejected.length });
  // The numbers sent, so the statistics can tell which task a call record belongs to (docs/statistics.md).
  if (ctx.statistics) {
    const sent = result.accepted.map((n) => ({ phone: n.entry.phone, customerId: n.entry.customerId ?? null }));
    await ctx.store.statistics.addTaskNumbers(taskId, sent, Date.now());
  }
}

builder.mutationFields((t) => ({
  createPredictiveTask: t.field({
    type: CreatePredictiveTaskPayload,
    description:
      'Creates a predictive task with any number of entries: the first 10 000 valid numbers go with TaskCreat, the rest with TaskAdd in chunks of 10 000. ' +
      'Every entry the gateway or the platform refused is reported with its index. The task starts NOT_STARTED: call startTask.',
    // Cost: TaskCreat and TaskAdd per further 10 000 numbers (counted as 3 calls; the list's size is bounded by the body limit).
    complexity: cost.calls(3),
    errors: mutationErrors('CreatePredictiveTaskResult', [ConflictError]),
    args: { input: t.arg({ type: CreatePredictiveTaskInput, required: true, description: 'The command, described by its input type.' }) },
    resolve: async (_root, { input }, ctx) => {
      const { entries, prepared } = await checkNumbers(input, PREDICTIVE_REFUSES);
      if (input.dryRun) {
        return { taskId: null, outcome: 'DRY_RUN' as const, acceptedCount: prepared.accepted.length, rejected: prepared.rejected, upstreamCalls: 0 };
      }
      if (prepared.accepted.length === 0) {
        return { taskId: null, outcome: UploadOutcome.TaskNotCreated, acceptedCount: 0, rejected: prepared.rejected, upstreamCalls: 0 };
      }
      const sip = requireSip(ctx);
      const storedType = input.assignment.type;
      const assignType = ASSIGN_TYPES[storedType];
      const name = input.name.trim();
      const assignee = input.assignment.assignee.trim();
      const pacing = { agents: input.pacing?.agents ?? 1, calls: input.pacing?.calls ?? 1 };
      const callerNumbers = input.callerNumbers ?? [];
      const { idempotencyKey: key, ...request } = input;
      return once(ctx, 'createPredictiveTask', key, request, async () => {
        const result = await uploadTaskNumbers(prepared, {
          destination: { create: (numbers) => sip.createTask({ assignType, assignee, numbers, pacing, callerNumbers, name }) },
          add: sip.addTaskNumbers,
        });
        if (result.outcome === UploadOutcome.TaskNotCreated) {
          // No task exists: the caller gets the typed reason (unknown queue, platform refusal, invalid numbers…).
          if (result.error instanceof GatewayError) explainSipError(result.error, { queue: assignee, extension: assignee });
          throw result.error;
        }
        await ctx.store.tasks.insert({ id: result.taskId, name, assignment: { type: storedType, assignee }, pacing, callerNumbers, status: PredictiveTaskStatus.NotStarted });
        await recordCounts(ctx, result.taskId, entries.length, result);
        await ctx.recordTaskChange({ kind: 'PREDICTIVE', taskId: result.taskId, status: 'NOT_STARTED', key: ['created'] });
        return payloadOf(result);
      });
    },
  }),
  addTaskNumbers: t.field({
    type: AddTaskNumbersPayload,
    description:
      'Adds any number of entries to a task of either kind, reporting every refused entry with its index. Predictive: TaskAdd in chunks of 10 000. ' +
      'AI: `POST /v1/task/import_task_customer` in chunks of 10 000, with each entry\'s custom fields; numbers the platform refuses come back as REFUSED_BY_PLATFORM. ' +
      'An ended or finished predictive task gets TaskStateConflictError (nothing sent, also on a dry run).',
    // Cost: TaskAdd (AI: one import) per 10 000 numbers, counted as 3 calls; the list's size is bounded by the body limit.
    complexity: cost.calls(3),
    errors: resultErrors('AddTaskNumbersResult', [InvalidInputError, NotFoundError, UpstreamRejected, ConflictError, TaskStateConflictError]),
    args: { input: t.arg({ type: AddTaskNumbersInput, required: true, description: 'The command, described by its input type.' }) },
    resolve: async (_root, { input }, ctx) => {
      const ref = taskIdOf(String(input.taskId));
      if (ref?.kind === 'AI') return addAiTaskNumbers(ctx, String(input.taskId), ref.id, input);
      const { entries, prepared } = await checkNumbers(input, PREDICTIVE_REFUSES);
      const task = await requirePredictiveTask(ctx, String(input.taskId));
      if (input.dryRun) {
        // The real run would be refused: so is its rehearsal.
        assertTaskAllows(String(input.taskId), task, TaskAction.AddNumbers);
        return { taskId: task.id, outcome: 'DRY_RUN' as const, acceptedCount: prepared.accepted.length, rejected: prepared.rejected, upstreamCalls: 0 };
      }
      const sip = requireSip(ctx);
      const { idempotencyKey: key, ...request } = input;
      return once(ctx, `addTaskNumbers:${task.id}`, key, request, async () => {
        // Inside `once`: a retry of a request that went through gets its result back even after the task ended.
        assertTaskAllows(String(input.taskId), task, TaskAction.AddNumbers);
        const result = await uploadTaskNumbers(prepared, { destination: { taskId: task.id }, add: sip.addTaskNumbers });
        // Nothing reached the task and the first call was refused outright (task over, unknown): a typed error says why.
        if (result.outcome === UploadOutcome.Partial && result.accepted.length === 0 && result.failure.chunk === 0 && !result.failure.uncertain) {
          explainPredictiveTaskError(result.error, String(input.taskId), task, TaskAction.AddNumbers);
        }
        await recordCounts(ctx, task.id, entries.length, result);
        return payloadOf(result);
      });
    },
  }),
  removeTaskNumbers: t.field({
    type: RemoveTaskNumbersPayload,
    description:
      'Takes numbers off a predictive task before they are dialled (taskDelPhone). The AI-call platform has no such call: AI tasks get UnsupportedForTaskKindError; ' +
      'an ended or finished task gets TaskStateConflictError (nothing sent).',
    // Cost: one taskDelPhone.
    complexity: cost.call,
    // InvalidInputError: the input's own rule (1…10 000 phones); an unusable phone is reported in `rejected` instead.
    errors: resultErrors('RemoveTaskNumbersResult', [InvalidInputError, NotFoundError, UpstreamRejected, UnsupportedForTaskKindError, TaskStateConflictError]),
    args: { input: t.arg({ type: RemoveTaskNumbersInput, required: true, description: 'The command, described by its input type.' }) },
    resolve: async (_root, { input }, ctx) => {
      if (taskIdOf(String(input.taskId))?.kind === 'AI') {
        throw new UnsupportedForTaskKindError('removeTaskNumbers', 'AI', 'the AI-call platform cannot take numbers off a task; pause or delete it instead');
      }
      const task = await requirePredictiveTask(ctx, String(input.taskId));
      assertTaskAllows(String(input.taskId), task, TaskAction.RemoveNumbers);
      const removed: string[] = [];
      const rejected: RejectedNumber[] = [];
      input.phones.forEach((phone, index) => {
        const check = checkPhoneNumber(phone);
        if (check.ok) removed.push(check.phone);
        else rejected.push({ index, input: phone, reason: check.reason, message: check.message });
      });
      if (removed.length > 0) {
        await predictiveTaskCommand(String(input.taskId), task, TaskAction.RemoveNumbers, () => requireSip(ctx).removeTaskNumbers(task.id, [...new Set(removed)]));
      }
      return { task, removed: [...new Set(removed)], rejected };
    },
  }),
}));

/**
 * addTaskNumbers for an AI task: the same phone rules and per-entry report as predictive tasks, sent with
 * `importCustomers` (whose refusals are matched back to entries by number), and safe to retry with an idempotency key.
 * The task is not read first: an unknown one answers 404, which becomes NotFoundError (a dry run reads the list).
 */
async function addAiTaskNumbers(
  ctx: GatewayContext,
  globalId: string,
  uuid: string,
  input: { numbers?: readonly NumberInput[] | null; numbersCsv?: string | null; dryRun?: boolean | null; idempotencyKey?: string | null; taskId: string | number },
): Promise<NumbersPayloadShape> {
  const aicall = requireAiCall(ctx);
  const { numbers, prepared } = await checkNumbers(input, AI_REFUSES);
  if (input.dryRun) {
    await requireAiTask(ctx, globalId, uuid);
    return { kind: 'AI', taskId: uuid, outcome: 'DRY_RUN', acceptedCount: prepared.accepted.length, rejected: prepared.rejected, upstreamCalls: 0 };
  }
  // Duplicates are refused by the number preparer, so a normalised number names one entry.
  const entryOf = new Map<string, NumberInput>();
  await forEachInSlices(prepared.accepted, (a) => {
    const n = numbers[a.index];
    if (n) entryOf.set(a.entry.phone, n);
  });
  const { idempotencyKey: key, ...request } = input;
  return once(ctx, `addTaskNumbers:ai:${uuid}`, key, request, async () => {
    const result = await uploadTaskNumbers(prepared, {
      destination: { taskId: uuid },
      chunkSize: AI_IMPORT_CHUNK_SIZE,
      operations: { create: 'POST /v1/task', add: 'POST /v1/task/import_task_customer/{id}' },
      add: async (taskId, numbers) => {
        const answer = await aicall.importCustomers(taskId, numbers.map((n) => toCustomer(n.phone, entryOf.get(n.phone) ?? n)));
        return { accepted: answer.accepted, refused: answer.refused };
      },
    });
    // Nothing reached the task and the first call was refused outright (unknown task, …): a typed error says why.
    if (result.outcome === UploadOutcome.Partial && result.accepted.length === 0 && result.failure.chunk === 0 && !result.failure.uncertain) {
      explainAiCallError(result.error, { task: globalId });
    }
    // Progress changed: a later read in this request fetches the list again.
    ctx.aiLoaders.clearTasks();
    return { ...payloadOf(result), kind: 'AI' as const };
  });
}
