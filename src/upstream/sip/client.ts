import type { z } from 'zod';
import {
  InvalidInputError,
  SipBusinessError,
  SipRequestError,
  UnavailableReason,
  UpstreamInvalidResponseError,
  UpstreamUnavailableError,
} from '../../errors.ts';
import { encodeForm, type FormEncoding } from '../form.ts';
import { UpstreamCodeKind, upstreamCodeOf, type UpstreamHttp } from '../http.ts';
import type { ZonedTime } from '../time.ts';
import {
  AssignType,
  BillDirectionFilter,
  BillSyncFlag,
  CallMethod,
  ExtensionStatusFilter,
  ExtGroupStatusFilter,
  type ExtGroupMemberState,
  MAX_NUMBERS_PER_CALL,
  QueueStrategy,
  SeatStateFilter,
  SipService,
  type TaskCommand,
} from './codes.ts';
import { type EnvelopeOutcome, readEnvelope, refusalCode } from './envelope.ts';
import { createSipSchemas } from './schemas.ts';
import { createSipSession, type SipSession } from './session.ts';
import { outsideOperation } from '../budget.ts';
import type {
  BillPage,
  BillQuery,
  ExtensionCallStatus,
  ExtensionInfo,
  ExtensionQuery,
  ExtensionRegistration,
  ExtensionValidity,
  ExtGroup,
  ExtGroupMember,
  ExtGroupQuery,
  Queue,
  QueueCreate,
  QueueSeat,
  QueueUpdate,
  RecordingLink,
  SeatAvailability,
  SeatCommand,
  SeatQuery,
  SipLogin,
  TaskCreate,
  TaskCreated,
  TaskNumber,
  TaskNumbersAdded,
} from './types.ts';

export interface SipClientOptions {
  http: UpstreamHttp;
  /** The one URL every service is POSTed to. */
  url: string;
  appId: string;
  accessKey: string;
  time: ZonedTime;
  formEncoding?: FormEncoding;
  /** Token lifetime (12 h on the platform). */
  tokenTtlMs?: number;
  /** Renew this long before the token's end (default 10 min). */
  tokenRefreshMarginMs?: number;
  now?: () => number;
}

export type SipFields = Record<string, string | number | undefined>;

const TWELVE_HOURS_MS = 12 * 60 * 60 * 1000;
const TEN_MINUTES_MS = 10 * 60 * 1000;
const MAX_BILL_PAGE_SIZE = 1000;

export type SipClient = ReturnType<typeof createSipClient>;

/** One typed function per SIP service; token life and envelope handled underneath. */
export function createSipClient(options: SipClientOptions) {
  const url = new URL(options.url);
  const encoding = options.formEncoding ?? 'multipart';
  const now = options.now ?? Date.now;
  const schemas = createSipSchemas(options.time);
  const at = (instant: Date) => options.time.format(instant);

  async function post(service: SipService, fields: SipFields): Promise<string> {
    const form: Record<string, string> = { service };
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) form[name] = String(value);
    const { body, contentType } = encodeForm(form, encoding);
    const response = await options.http.request(url, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: 'application/json' },
      body,
      context: { upstream: 'sip', operation: service },
    });
    // The envelope carries the platform's own errors; an HTTP 5xx is a proxy or server in trouble, worth a retry later.
    if (response.status >= 500) {
      const error = new UpstreamUnavailableError({ upstream: 'sip', operation: service }, UnavailableReason.ServerError, `HTTP ${response.status}`);
      options.http.reportRejected?.({ upstream: 'sip', operation: service, method: 'POST' }, upstreamCodeOf(UpstreamCodeKind.Http, response.status), error.code);
      throw error;
    }
    return response.text;
  }

  /**
   * A refusal the caller is about to get, told to the upstream observers first (the operator's health, metrics): they
   * saw the request answered at the HTTP level and cannot read the envelope.
   */
  function refused<E extends SipRequestError | SipBusinessError>(error: E): E {
    options.http.reportRejected?.({ upstream: 'sip', operation: error.operation, method: 'POST' }, refusalCode(error), error.code);
    return error;
  }

  /** readEnvelope, with the refusals it throws reported (a `renew` outcome is reported only if it is thrown). */
  function read(service: SipService, text: string): EnvelopeOutcome {
    try {
      return readEnvelope(service, text);
    } catch (error) {
      if (error instanceof SipRequestError || error instanceof SipBusinessError) refused(error);
      throw error;
    }
  }

  function parse<S extends z.ZodType>(service: SipService, schema: S, result: unknown): z.output<S> {
    const parsed = schema.safeParse(result);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'result';
      throw new UpstreamInvalidResponseError(
        { upstream: 'sip', operation: service },
        `${where}: ${issue?.message ?? 'invalid'}`,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }

  async function login(): Promise<SipLogin> {
    const text = await post(SipService.Login, { appid: options.appId, accesskey: options.accessKey });
    const outcome = read(SipService.Login, text);
    // A ret 600 on Login itself cannot be cured by logging in again.
    if (outcome.kind === 'renew') throw refused(outcome.error);
    return parse(SipService.Login, schemas.login, outcome.result);
  }

  async function sendLogout(token: string): Promise<void> {
    const outcome = read(SipService.Logout, await post(SipService.Logout, { token }));
    if (outcome.kind === 'renew') throw refused(outcome.error);
  }

  const session: SipSession = createSipSession({
    // Single-flight: every operation in flight may wait for the same login, so none of their budgets owns it.
    login: () => outsideOperation(async () => (await login()).token),
    logout: (token) => outsideOperation(() => sendLogout(token)),
    ttlMs: options.tokenTtlMs ?? TWELVE_HOURS_MS,
    refreshMarginMs: options.tokenRefreshMarginMs ?? TEN_MINUTES_MS,
    now,
  });

  /** Sends a service with a token; renews the token once and retries once when the platform asks for it. */
  async function call<S extends z.ZodType>(service: SipService, fields: SipFields, schema: S): Promise<z.output<S>> {
    let token = await session.token();
    let outcome = read(service, await post(service, { ...fields, token }));
    if (outcome.kind === 'renew') {
      token = await session.renew(token, { logoutFirst: outcome.logoutFirst });
      outcome = read(service, await post(service, { ...fields, token }));
      if (outcome.kind === 'renew') throw refused(outcome.error);
    }
    return parse(service, schema, outcome.result);
  }

  return {
    session,
    /** Low-level access for diagnostics; prefer the typed functions. */
    call,

    // Auth
    login,
    async logout(): Promise<void> {
      const token = await session.token();
      session.clear();
      await sendLogout(token);
    },

    // Call records and recordings
    async getBills(query: BillQuery): Promise<BillPage> {
      const pageSize = query.pageSize ?? 100;
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_BILL_PAGE_SIZE) {
        throw new InvalidInputError(`pageSize must be 1…${MAX_BILL_PAGE_SIZE}`, 'pageSize');
      }
      return call(
        SipService.GetBill,
        {
          starttime: at(query.from),
          endtime: at(query.to),
          syncflag: query.sync ?? BillSyncFlag.All,
          direction: query.direction ?? BillDirectionFilter.All,
          callmethod: query.callMethod ?? CallMethod.Any,
          currentpage: query.page ?? 1,
          itemsperpage: pageSize,
          extnumber: commaList(query.extensions ?? [], 'extensions'),
          destnumber: query.destinationNumber ?? '',
          userid: query.userId ?? '',
          memberid: query.memberId ?? '',
          chengshudu: query.maturity,
          customuuid: query.customerId,
        },
        schemas.billPage,
      );
    },
    async getRecordingLink(fileName: string): Promise<RecordingLink> {
      return call(SipService.GetRecordFile, { filename: fileName }, schemas.recordingLink);
    },

    // Extensions (agents): the three status services answer many extensions in one call.
    async getExtensions(query: ExtensionQuery = {}): Promise<ExtensionInfo[]> {
      return call(
        SipService.GetSipNumberInfo,
        {
          status: query.status ?? ExtensionStatusFilter.All,
          extnumber: commaList(query.extensions ?? [], 'extensions'),
        },
        schemas.extensionInfos,
      );
    },
    async getCallStatuses(extensions: readonly string[]): Promise<ExtensionCallStatus[]> {
      if (extensions.length === 0) return [];
      return call(SipService.GetSipCallStatus, { extnumber: commaList(extensions, 'extensions') }, schemas.callStatuses);
    },
    async getValidities(extensions: readonly string[]): Promise<ExtensionValidity[]> {
      if (extensions.length === 0) return [];
      return call(SipService.GetSipValidStatus, { extnumber: commaList(extensions, 'extensions') }, schemas.validities);
    },
    async getRegistrations(extensions: readonly string[]): Promise<ExtensionRegistration[]> {
      if (extensions.length === 0) return [];
      return call(
        SipService.GetSipRegisterStatus,
        { extnumber: commaList(extensions, 'extensions') },
        schemas.registrations,
      );
    },

    // Queues
    async getQueues(name?: string): Promise<Queue[]> {
      return call(SipService.GetQueueList, { queuename: name || undefined }, schemas.queues);
    },
    async createQueue(queue: QueueCreate): Promise<void> {
      return call(
        SipService.AddQueue,
        {
          queuename: queue.name,
          autocall: queue.autoCall ? 'yes' : 'no',
          remark: queue.remark,
          strategy: queue.strategy ?? QueueStrategy.LongestIdle,
        },
        schemas.none,
      );
    },
    async updateQueue(queue: QueueUpdate): Promise<void> {
      return call(
        SipService.EditQueue,
        {
          queuename: queue.name,
          remark: queue.remark,
          strategy: queue.strategy,
          announcefreq: queue.announceFrequencySeconds,
          ringdelay: queue.ringDelaySeconds,
          maxwaittime: queue.maxWaitSeconds,
          withnoagenttime: queue.noAgentTimeoutSeconds,
          noagentrejoiningtime: queue.noAgentRejoinSeconds,
          discardtime: queue.discardSeconds,
        },
        schemas.none,
      );
    },
    async deleteQueue(name: string): Promise<void> {
      return call(SipService.DelQueue, { queuename: name }, schemas.none);
    },
    async checkIn(seat: SeatCommand): Promise<void> {
      return call(SipService.SipSignIn, seatFields(seat), schemas.none);
    },
    async checkOut(seat: SeatCommand): Promise<void> {
      return call(SipService.SipSignOut, seatFields(seat), schemas.none);
    },
    async setSeatAvailability(seat: SeatAvailability): Promise<void> {
      return call(SipService.SetSeatsStatus, { settype: seat.setting, ...seatFields(seat) }, schemas.none);
    },
    async getSeats(query: SeatQuery = {}): Promise<QueueSeat[]> {
      return call(
        SipService.GetQueueSipStatus,
        {
          queuename: query.queue ?? '',
          extnumber: commaList(query.extensions ?? [], 'extensions'),
          state: query.state ?? SeatStateFilter.Any,
        },
        schemas.seats,
      );
    },

    // Extension groups
    async createExtGroup(name: string, enabled = true): Promise<void> {
      return call(
        SipService.AddExtgroup,
        { name, status: enabled ? ExtGroupStatusFilter.Enabled : ExtGroupStatusFilter.Disabled },
        schemas.none,
      );
    },
    async getExtGroups(query: ExtGroupQuery = {}): Promise<ExtGroup[]> {
      return call(
        SipService.GetExtgroupInfo,
        { name: query.name ?? '', status: query.status ?? ExtGroupStatusFilter.All },
        schemas.extGroups,
      );
    },
    async addExtGroupMember(group: string, extension: string): Promise<void> {
      return call(SipService.AddExtnumber, { name: group, extnumber: extension }, schemas.none);
    },
    async removeExtGroupMember(group: string, extension: string): Promise<void> {
      return call(SipService.DelExtnumber, { name: group, extnumber: extension }, schemas.none);
    },
    async setExtGroupMemberState(group: string, extension: string, state: ExtGroupMemberState): Promise<void> {
      return call(SipService.EditExtnumber, { name: group, extnumber: extension, state }, schemas.none);
    },
    async getExtGroupMembers(group: string, extension?: string): Promise<ExtGroupMember[]> {
      return call(SipService.GetGroupExt, { name: group, extnumber: extension }, schemas.extGroupMembers);
    },

    // Predictive tasks: at most MAX_NUMBERS_PER_CALL numbers per call; splitting larger lists is the caller's job.
    async createTask(task: TaskCreate): Promise<TaskCreated> {
      if (!Object.values(AssignType).includes(task.assignType)) {
        throw new InvalidInputError(`unknown assign type ${String(task.assignType)}`, 'assignType');
      }
      return call(
        SipService.TaskCreate,
        {
          assigntype: task.assignType,
          assignagent: task.assignee,
          telphone: numbersJson(task.numbers, now),
          taskscale: pacing(task.pacing),
          disnumber: commaList(task.callerNumbers ?? [], 'callerNumbers'),
          taskname: task.name,
        },
        schemas.taskCreated,
      );
    },
    async addTaskNumbers(taskId: string, numbers: readonly TaskNumber[]): Promise<TaskNumbersAdded> {
      return call(SipService.TaskAdd, { taskid: taskId, telphone: numbersJson(numbers, now) }, schemas.taskNumbersAdded);
    },
    async removeTaskNumbers(taskId: string, phones: readonly string[]): Promise<void> {
      return call(SipService.TaskDelPhone, { taskid: taskId, telphone: commaList(phones, 'phones') }, schemas.none);
    },
    async setTaskStatus(taskId: string, command: TaskCommand): Promise<void> {
      return call(SipService.TaskSet, { taskid: taskId, taskstatus: command }, schemas.none);
    },
  };
}

function seatFields(seat: SeatCommand): SipFields {
  if (!Number.isInteger(seat.employeeId) || seat.employeeId < 0) {
    throw new InvalidInputError('employeeId must be a whole number', 'employeeId');
  }
  return { queuename: seat.queue, extnumber: seat.extension, crmid: seat.employeeId };
}

/** The platform's comma lists: an item containing a comma would silently become two. */
function commaList(items: readonly string[], field: string): string {
  for (const item of items) {
    if (item.includes(',')) throw new InvalidInputError(`${field}: "${item}" contains a comma`, field);
  }
  return items.map((item) => item.trim()).join(',');
}

function pacing({ agents, calls }: TaskCreate['pacing']): string {
  if (!Number.isInteger(agents) || !Number.isInteger(calls) || agents < 1 || calls < 1) {
    throw new InvalidInputError('pacing needs whole numbers of agents and calls, each at least 1', 'pacing');
  }
  return `${agents}:${calls}`;
}

/** The `telphone` field: a JSON string of entries, each with its earliest dial time in unix seconds. */
function numbersJson(numbers: readonly TaskNumber[], now: () => number): string {
  if (numbers.length === 0) throw new InvalidInputError('at least one number is needed', 'numbers');
  if (numbers.length > MAX_NUMBERS_PER_CALL) {
    throw new InvalidInputError(`at most ${MAX_NUMBERS_PER_CALL} numbers per call, got ${numbers.length}`, 'numbers');
  }
  const nowSeconds = Math.floor(now() / 1000);
  return JSON.stringify(
    numbers.map((n) => ({
      phone: n.phone,
      time: n.dialAfter ? Math.floor(n.dialAfter.getTime() / 1000) : nowSeconds,
      userid: n.userId ?? '',
      memberid: n.memberId ?? '',
      chengshudu: n.maturity ?? '',
      customuuid: n.customerId ?? '',
    })),
  );
}
