/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** More customers for a task of either kind that is not over. */
export type AddTaskNumbersInput = {
  /** Validate and report per entry without calling the platform. */
  dryRun?: boolean | null | undefined;
  /** Makes retries safe: the same key returns the first result instead of adding the numbers twice. */
  idempotencyKey?: string | null | undefined;
  /** The customers to dial (or `numbersCsv`). At most MAX_INPUT_LIST_LENGTH (10 000) entries per list: send longer lists as `numbersCsv`. */
  numbers?: Array<TaskNumberInput> | null | undefined;
  /** The customers as CSV text instead of `numbers`, for long lists (a list of input objects is coerced in one go, a string is read in slices): a header row naming the columns — `phone` (required), `dialAfter` (RFC 3339 with offset), `userId`, `memberId`, `maturity`, `customerId`, any other name a custom field (AI tasks) — then one row per customer. RFC 4180 quoting; entry indexes count data rows from 0. */
  numbersCsv?: string | null | undefined;
  /** The task's global id (either kind). */
  taskId: string | number;
};

/** An agent's phone, right now. */
export type AgentCallState =
  /** In a call. */
  | 'CALLING'
  /** The extension is disabled. */
  | 'DISABLED'
  /** Registered, enabled and free. */
  | 'IDLE'
  /** No such extension on the switch. */
  | 'NOT_FOUND'
  /** No phone registered on the extension. */
  | 'NOT_REGISTERED'
  /** Off hook (dialling or talking). */
  | 'OFF_HOOK'
  /** Ringing. */
  | 'RINGING'
  /** A code this gateway does not know; the raw value is in the sibling `…Code` field. */
  | 'UNKNOWN';

/** Which agents to list. All conditions must hold. */
export type AgentFilter = {
  /** Only enabled (true) or disabled (false) extensions. */
  enabled?: boolean | null | undefined;
  /** Only these extensions. */
  extensions?: Array<string> | null | undefined;
  /** Only agents checked in to this queue. */
  queue?: string | null | undefined;
};

/** The switch's live check of an extension (GetSipValidStatus). */
export type AgentValidity =
  /** Exists and is disabled. */
  | 'DISABLED'
  /** Exists and is enabled. */
  | 'ENABLED'
  /** Not an extension of this company. */
  | 'NOT_FOUND'
  /** A code this gateway does not know. */
  | 'UNKNOWN';

/** Which way a call went, seen from the call centre. */
export type CallDirection =
  /** Came in from a customer. */
  | 'INBOUND'
  /** Dialled out to a customer. */
  | 'OUTBOUND'
  /** A code this gateway does not know; the raw value is in the sibling `…Code` field. */
  | 'UNKNOWN';

/** Which way a call went, seen from the call centre. As input: the values of `CallDirection` except UNKNOWN, which is only ever read. */
export type CallDirectionInput =
  /** Came in from a customer. */
  | 'INBOUND'
  /** Dialled out to a customer. */
  | 'OUTBOUND';

/** How a call was made. */
export type CallMethod =
  /** Started through the API (click-to-call). */
  | 'API_CALL'
  /** Callback style: both sides called by the platform. */
  | 'API_DOUBLE_CALL'
  /** Between two extensions. */
  | 'EXTENSION_TO_EXTENSION'
  /** IVR or group call. */
  | 'IVR_GROUP_CALL'
  /** Dialled by hand on a phone. */
  | 'MANUAL_DIAL'
  /** Dialled by a predictive task. */
  | 'PREDICTIVE'
  /** A code this gateway does not know; the raw value is in the sibling `…Code` field. */
  | 'UNKNOWN';

/** How a call was made. As input: the values of `CallMethod` except UNKNOWN, which is only ever read. */
export type CallMethodInput =
  /** Started through the API (click-to-call). */
  | 'API_CALL'
  /** Callback style: both sides called by the platform. */
  | 'API_DOUBLE_CALL'
  /** Between two extensions. */
  | 'EXTENSION_TO_EXTENSION'
  /** IVR or group call. */
  | 'IVR_GROUP_CALL'
  /** Dialled by hand on a phone. */
  | 'MANUAL_DIAL'
  /** Dialled by a predictive task. */
  | 'PREDICTIVE';

/** Which call records to read. `from` and `to` bound the dial time (both included, whole seconds; at most 31 days); every other condition must hold too. */
export type CallRecordFilter = {
  /**
   * Only calls of these extensions.
   * @deprecated Use `extensions` (the same list; every filter names agents by `extensions`). Not together with it.
   */
  agents?: Array<string> | null | undefined;
  /** Only calls made this way; any way when absent. */
  callMethod?: CallMethodInput | null | undefined;
  /** Only calls whose called number (GetBill's destnumber) is exactly this: the customer on outbound calls, the company number on inbound ones. */
  calleeNumber?: string | null | undefined;
  /** Only records whose custom field `customuuid` (customer id) is exactly this. */
  customerId?: string | null | undefined;
  /** Only INBOUND or only OUTBOUND calls; both when absent. */
  direction?: CallDirectionInput | null | undefined;
  /** Only calls of these extensions (agents), at most 500. Not together with the deprecated `agents`. */
  extensions?: Array<string> | null | undefined;
  /** Dialled at or after this instant. */
  from: string;
  /** Only records whose custom field `chengshudu` (maturity) is exactly this. */
  maturity?: string | null | undefined;
  /** Only records whose custom field `memberid` is exactly this. */
  memberId?: string | null | undefined;
  /** Which records by the platform's "already fetched" flag. Default ALL, which never changes the flag. NOT_YET_FETCHED MARKS EVERY RECORD IT RETURNS AS FETCHED ON THE PLATFORM (see CallRecordSyncMode). */
  syncMode?: CallRecordSyncMode | null | undefined;
  /** Dialled at or before this instant; after `from`, at most 31 days later. */
  to: string;
  /** Only records whose custom field `userid` is exactly this. */
  userId?: string | null | undefined;
};

/** Which records to read by the platform's own "already fetched" flag (GetBill's syncflag). Only NOT_YET_FETCHED changes anything on the platform. */
export type CallRecordSyncMode =
  /** Every record, fetched or not. Reading does not change the flag. The default. */
  | 'ALL'
  /** Only records already fetched by someone. Reading does not change the flag. */
  | 'ALREADY_FETCHED'
  /** WARNING: CONSUMING READ. Only records nobody has fetched yet, and the platform MARKS EVERY RECORD RETURNED AS FETCHED, for every client of the account, even if this response never reaches you. Use it only for one sync job that owns the flag. Each page continues with what is still unfetched (use pageInfo.endCursor; records after a cursor in the middle of a page are already marked and will not come back in this mode). totalCount is what was still unfetched before the page was read. */
  | 'NOT_YET_FETCHED';

/** A new AI task. Ids are the global ids read from aiTaskOptions. The task starts paused: startTask starts it. */
export type CreateAiTaskInput = {
  /** The caller line (CallerLine.id); it must have free concurrency. */
  callerLineId: string | number;
  /** Calls at once; at most the line's free concurrency. */
  concurrency: number;
  /** How long a number may ring (default 60). */
  dialTimeoutSeconds?: number | null | undefined;
  /** When not to dial (DoNotCallWindow.id). */
  doNotCallWindowId: string | number;
  /** Human group to hand calls over to (HandoverGroup.id); it must be usable. None when absent. */
  handoverGroupId?: string | number | null | undefined;
  /** Makes retries safe: a retry with the same key (kept 24 hours) returns the first result instead of creating a second one; the same key with a different input is a ConflictError. */
  idempotencyKey?: string | null | undefined;
  /** Task name. */
  name: string;
  /** Pause between calls on one channel (default: 10 for concurrency 1, as the platform advises, else 0). */
  pauseSeconds?: number | null | undefined;
  /** How failed calls are dialled again (RedialRule.id); it must be enabled. */
  redialRuleId: string | number;
  /** Free text about the task. */
  remark?: string | null | undefined;
  /** The scripts the bot follows (ScriptGroup.id). */
  scriptGroupId: string | number;
};

/** A new predictive task. Any number of entries: the gateway sends them in platform-sized chunks. */
export type CreatePredictiveTaskInput = {
  /** Who takes the answered calls. */
  assignment: PredictiveAssignmentInput;
  /** Numbers shown to customers (default: the platform picks). */
  callerNumbers?: Array<string> | null | undefined;
  /** Validate and report per entry without calling the platform. */
  dryRun?: boolean | null | undefined;
  /** Makes retries safe: the same key returns the first result instead of creating a second task. */
  idempotencyKey?: string | null | undefined;
  /** Task name. */
  name: string;
  /** The customers to dial (or `numbersCsv`). At most MAX_INPUT_LIST_LENGTH (10 000) entries per list: send longer lists as `numbersCsv`. */
  numbers?: Array<TaskNumberInput> | null | undefined;
  /** The customers as CSV text instead of `numbers`, for long lists (a list of input objects is coerced in one go, a string is read in slices): a header row naming the columns — `phone` (required), `dialAfter` (RFC 3339 with offset), `userId`, `memberId`, `maturity`, `customerId`, any other name a custom field (AI tasks) — then one row per customer. RFC 4180 quoting; entry indexes count data rows from 0. */
  numbersCsv?: string | null | undefined;
  /** Calls per idle agent (default 1:1). */
  pacing?: TaskPacingInput | null | undefined;
};

/** Stable error codes; the same strings appear in `extensions.code` of top-level errors. */
export type ErrorCode =
  /** Collides with another request or with the object's current state (an idempotency key reused for a different request, a command the task's status forbids, a queue name in use). */
  | 'CONFLICT'
  /** `after` is newer than every stored event (the store was restored or replaced; `extensions.newestEventId` says how far it goes): reload the state, then subscribe without `after`. */
  | 'EVENT_ID_AHEAD'
  /** The events right after `after` were pruned (older than the retention; `extensions.oldestEventId`, `retentionDays`): reload the state, then subscribe again. */
  | 'EVENT_ID_EXPIRED'
  /** The API key's role does not allow this. */
  | 'FORBIDDEN'
  /** An unexpected failure inside the gateway: its details are masked (`Unexpected error.`) and logged. Report it. */
  | 'INTERNAL_SERVER_ERROR'
  /** The input was refused before anything was sent. */
  | 'INVALID_INPUT'
  /** No such object. */
  | 'NOT_FOUND'
  /** The document asks for more than the gateway allows (depth, aliases, cost, …); `extensions` name the limit, its maximum and the measured value. Nothing ran. */
  | 'OPERATION_LIMIT_EXCEEDED'
  /** No trusted document has the hash sent: the client was built against another version of the gateway. */
  | 'PERSISTED_QUERY_NOT_FOUND'
  /** This gateway runs only trusted documents (TRUSTED_DOCUMENTS=on) and this API key may not send document text: send `extensions.persistedQuery.sha256Hash` of a persisted document. */
  | 'PERSISTED_QUERY_ONLY'
  /** `after` is further back than a subscription may replay: reload the state, then subscribe with the newer eventId. */
  | 'REPLAY_LIMIT_EXCEEDED'
  /** This gateway replica is shutting down and ended the subscription cleanly: resubscribe (the load balancer sends you to another replica) with `after` = the last eventId received. */
  | 'SERVER_DRAINING'
  /** This gateway runs with STATISTICS=off: it counts no statistics and watches no abandon rate. */
  | 'STATISTICS_DISABLED'
  /** More live events waited for this subscriber than allowed: it was ended (over WebSocket the socket closes with 4030). Resubscribe with `after` = the last eventId received. */
  | 'SUBSCRIBER_TOO_SLOW'
  /** The socket or API key already holds as many subscriptions or connections as allowed. */
  | 'SUBSCRIPTION_LIMIT_EXCEEDED'
  /** No valid API key. */
  | 'UNAUTHENTICATED'
  /** The task's platform has no such command (e.g. endTask on an AI task). */
  | 'UNSUPPORTED_FOR_TASK_KIND'
  /** The operation made as many platform calls as one operation may; the rest were not sent. Ask for less in one document. */
  | 'UPSTREAM_BUDGET_EXCEEDED'
  /** The platform answered something the gateway could not understand. */
  | 'UPSTREAM_INVALID_RESPONSE'
  /** This deployment has no such platform. */
  | 'UPSTREAM_NOT_CONFIGURED'
  /** The platform refused the command; see its code and message. */
  | 'UPSTREAM_REJECTED'
  /** The platform could not be reached, timed out or failed on its side; retry later. */
  | 'UPSTREAM_UNAVAILABLE';

/** The kinds of events the gateway stores from callbacks (and its own task changes) and streams to subscribers. */
export type EventTopicKind =
  /** Predictive tasks' abandon-rate guard tripping: abandonRateExceeded. */
  | 'ABANDON_GUARD'
  /** Agents' call states (the extension-status callback): agentStatusChanged, queueSeatsChanged. */
  | 'AGENT_STATUS'
  /** The AI-call platform's hang-up notifications: aiCallEnded. */
  | 'AICALL_NOTIFY'
  /** Call records (the call-record callback): callRecordCreated. */
  | 'CALL_RECORD'
  /** Task status changes (the PBX's task-status callback and the gateway's own commands). */
  | 'TASK_STATUS';

/** Why a call ended. */
export type HangupCause =
  /** The callee was busy. */
  | 'BUSY'
  /** Cancelled before answer. */
  | 'CANCELLED'
  /** Outbound line failure. */
  | 'LINE_FAILURE'
  /** Normal hang-up. */
  | 'NORMAL'
  /** Refused by the callee. */
  | 'REFUSED'
  /** The callee did not answer in time. */
  | 'TIMEOUT'
  /** A code this gateway does not know; the raw value is in the sibling `…Code` field. */
  | 'UNKNOWN';

/** Which side of a call hung up. */
export type HangupSide =
  /** The callee hung up. */
  | 'CALLEE_HUNG_UP'
  /** The caller hung up. */
  | 'CALLER_HUNG_UP'
  /** A code this gateway does not know; the raw value is in the sibling `…Code` field. */
  | 'UNKNOWN';

/** Why an entry is not on the task. */
export type NumberRejectionReason =
  /** The same number appears earlier in the list (see duplicateOf). */
  | 'DUPLICATE_IN_REQUEST'
  /** No number given. */
  | 'EMPTY'
  /** dialAfter is not a usable time. */
  | 'INVALID_DIAL_TIME'
  /** Not a Chinese mobile or fixed-line prefix (or another country). */
  | 'INVALID_PREFIX'
  /** A local fixed-line number without its area code. */
  | 'MISSING_AREA_CODE'
  /** Contains something other than digits and separators. */
  | 'NOT_A_NUMBER'
  /** Not sent: an earlier call failed (see error and uncertain). */
  | 'NOT_SENT'
  /** The platform refused it. */
  | 'REFUSED_BY_PLATFORM'
  /** A service, hotline or emergency number (400/800/95xxx/1xxxx/11x). */
  | 'SERVICE_NUMBER'
  /** Too many digits. */
  | 'TOO_LONG'
  /** Too few digits for a phone number (an extension is not a customer number). */
  | 'TOO_SHORT';

/** How an upload of numbers went. */
export type NumberUploadOutcome =
  /** Every valid entry was sent (the platform may still have refused some; see rejected). */
  | 'COMPLETE'
  /** Only validated: nothing was sent. */
  | 'DRY_RUN'
  /** A call failed half-way: the accepted numbers are on the task, the rest are NOT_SENT. */
  | 'PARTIAL'
  /** createPredictiveTask only: no task exists (nothing valid to send). */
  | 'TASK_NOT_CREATED';

/** Who takes the answered calls. */
export type PredictiveAssignmentInput = {
  /** The extension number, queue name or extension-group name. */
  assignee: string;
  /** What `assignee` names. */
  type: PredictiveAssignmentType;
};

/** Who takes the answered calls of a predictive task. */
export type PredictiveAssignmentType =
  /** One agent (extension). */
  | 'EXTENSION'
  /** An extension group. */
  | 'EXT_GROUP'
  /** A queue, which rings its agents by its strategy. */
  | 'QUEUE';

/** Which waiting agent a queue rings first. */
export type QueueStrategy =
  /** The agent who answered the fewest calls. */
  | 'FEWEST_ANSWERED'
  /** The agent idle the longest. */
  | 'LONGEST_IDLE'
  /** By agent priority. */
  | 'PRIORITY'
  /** Any waiting agent. */
  | 'RANDOM'
  /** Every waiting agent at once. */
  | 'RING_ALL'
  /** Each agent in turn. */
  | 'ROUND_ROBIN'
  /** Always in the same order. */
  | 'SEQUENTIAL'
  /** The agent with the least talk time. */
  | 'SHORTEST_TALK_TIME'
  /** A code this gateway does not know; the raw value is in the sibling `…Code` field. */
  | 'UNKNOWN';

/** An agent's state inside one queue. */
export type SeatState =
  /** Checked in (no finer state reported). */
  | 'CHECKED_IN'
  /** Was offered a call and did not answer. */
  | 'MISSED'
  /** Shows busy: no calls offered. */
  | 'PAUSED'
  /** Rejected the offered call. */
  | 'REJECTED'
  /** A queue call is ringing this agent. */
  | 'RINGING'
  /** Talking on a queue call. */
  | 'TALKING'
  /** A code this gateway does not know; the raw value is in the sibling `…Code` field. */
  | 'UNKNOWN'
  /** Checked in and waiting for a call. */
  | 'WAITING';

/** Which tasks to list. All conditions must hold. */
export type TaskFilter = {
  /** Only tasks of this kind (PREDICTIVE never calls the AI-call platform). */
  kind?: TaskKind | null | undefined;
  /** Only tasks whose name contains this (case-insensitive). */
  nameContains?: string | null | undefined;
  /** Only tasks in one of these statuses (AI tasks are RUNNING or PAUSED). */
  status?: Array<TaskStatus> | null | undefined;
};

/** Which platform runs a task. */
export type TaskKind =
  /** A voice-bot campaign on the AI-call platform. */
  | 'AI'
  /** A predictive-dial campaign on the SIP PBX: answered calls go to human agents. */
  | 'PREDICTIVE';

/** A custom field of an AI-task customer, which the script may speak (e.g. name: "张三"). */
export type TaskNumberFieldInput = {
  /** Field name, as the script refers to it. */
  name: string;
  /** Field value. */
  value: string;
};

/** One customer to dial, with the fields the platform copies into its call record. For AI tasks, userId, memberId, maturity and customerId travel as custom fields under those names, beside `fields`. */
export type TaskNumberInput = {
  /** Your customer id (call records: customerId). */
  customerId?: string | null | undefined;
  /** Predictive tasks only: not dialled before this instant (default: as soon as possible). AI tasks have no dial time. */
  dialAfter?: string | null | undefined;
  /** AI tasks only: custom fields the script may speak (name, amount due, …). */
  fields?: Array<TaskNumberFieldInput> | null | undefined;
  /** Lead maturity (call records: maturity). */
  maturity?: string | null | undefined;
  /** Your member id (call records: memberId). */
  memberId?: string | null | undefined;
  /** Mobile or fixed line; separators and +86 are fine. */
  phone: string;
  /** Your user id (call records: userId). */
  userId?: string | null | undefined;
};

/** Calls placed per idle agent. */
export type TaskPacingInput = {
  /** Idle agents… */
  agents: number;
  /** …to this many simultaneous calls (e.g. 1 and 3 → "1:3"). */
  calls: number;
};

/** Where a task is in its life. */
export type TaskStatus =
  /** Ended on request; it cannot be restarted (predictive tasks only). */
  | 'ENDED'
  /** Every number was dialled (predictive tasks only, as the PBX reports it). */
  | 'FINISHED'
  /** Created, not started yet (predictive tasks only). */
  | 'NOT_STARTED'
  /** Paused; startTask resumes it. An AI task that is not running is PAUSED whether or not it ever ran: its platform knows no other state. */
  | 'PAUSED'
  /** Dialling. */
  | 'RUNNING';

/** Changes to an AI task: fields left out keep their value. `remark: null` and `handoverGroupId: null` clear them; null on any other field keeps its value. */
export type UpdateAiTaskInput = {
  /** The caller line (CallerLine.id). */
  callerLineId?: string | number | null | undefined;
  /** Calls at once; at most the line's free concurrency (a running task's own concurrency counts as free). */
  concurrency?: number | null | undefined;
  /** How long a number may ring, in seconds. */
  dialTimeoutSeconds?: number | null | undefined;
  /** When not to dial (DoNotCallWindow.id). */
  doNotCallWindowId?: string | number | null | undefined;
  /** Human group to hand calls over to (HandoverGroup.id); null removes the hand-over. */
  handoverGroupId?: string | number | null | undefined;
  /** The task's global id (AiTask.id). */
  id: string | number;
  /** Task name. */
  name?: string | null | undefined;
  /** Pause between calls on one channel, in seconds. */
  pauseSeconds?: number | null | undefined;
  /** How failed calls are dialled again (RedialRule.id). */
  redialRuleId?: string | number | null | undefined;
  /** Free text about the task; null clears it. */
  remark?: string | null | undefined;
  /** The scripts the bot follows (ScriptGroup.id). */
  scriptGroupId?: string | number | null | undefined;
};

/** The platforms the gateway fronts. */
export type UpstreamKind =
  /** The AI-call (voice-bot) platform. */
  | 'AI_CALL'
  /** The predictive-call PBX ("SIP API"). */
  | 'SIP';

export type AiTaskOptionsQueryVariables = Exact<{
  usableOnly?: boolean | null | undefined;
}>;


export type AiTaskOptionsQuery = { aiTaskOptions: { fetchedAt: string, callerLines: Array<{ id: string, lineId: string, name: string, callerNumber: string | null, totalConcurrency: number, freeConcurrency: number, usable: boolean, availableFrom: string | null }>, redialRules: Array<{ id: string, ruleId: number, name: string, remark: string | null, enabled: boolean }>, doNotCallWindows: Array<{ id: string, windowId: string, name: string }>, scriptGroups: Array<{ id: string, scriptGroupId: number, name: string, ttsDebug: boolean, isDefault: boolean }>, handoverGroups: Array<{ id: string, groupId: number, name: string, enabled: boolean, usable: boolean, callerLine: { id: string, name: string } | null }> } | null };

export type AiTasksWithResourcesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: TaskFilter | null | undefined;
}>;


export type AiTasksWithResourcesQuery = { tasks: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node:
        | { __typename: 'AiTask', taskId: string, remark: string | null, concurrency: number, pauseSeconds: number, dialTimeoutSeconds: number, changedAt: string | null, id: string, name: string, kind: TaskKind, status: TaskStatus, createdAt: string | null, callerLine: { id: string, name: string, callerNumber: string | null, totalConcurrency: number, freeConcurrency: number } | null, scriptGroup: { id: string, name: string, ttsDebug: boolean } | null, redialRule: { id: string, name: string, enabled: boolean } | null, doNotCallWindow: { id: string, name: string } | null, handoverGroup: { id: string, name: string, usable: boolean, callerLine: { name: string } | null } | null, progress: { total: number, dialled: number | null, percent: number | null } }
        | { __typename: 'PredictiveTask', id: string, name: string, kind: TaskKind, status: TaskStatus, createdAt: string | null, progress: { total: number, dialled: number | null, percent: number | null } }
       }> } | null };

export type CreateAiTaskMutationVariables = Exact<{
  input: CreateAiTaskInput;
}>;


export type CreateAiTaskMutation = { createAiTask:
    | { __typename: 'AiTaskPayload', task: { id: string, taskId: string, name: string, status: TaskStatus, concurrency: number, pauseSeconds: number, dialTimeoutSeconds: number, callerLine: { id: string, name: string, freeConcurrency: number } | null, scriptGroup: { id: string, name: string } | null, handoverGroup: { id: string, name: string } | null } }
    | { __typename: 'ConflictError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, issues: Array<{ path: Array<string>, message: string }> }
    | { __typename: 'UpstreamRejectedError', code: ErrorCode, message: string }
   };

export type UpdateAiTaskMutationVariables = Exact<{
  input: UpdateAiTaskInput;
}>;


export type UpdateAiTaskMutation = { updateAiTask:
    | { __typename: 'AiTaskPayload', task: { id: string, name: string, remark: string | null, concurrency: number, status: TaskStatus, handoverGroup: { id: string } | null, callerLine: { id: string } | null } }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, issues: Array<{ path: Array<string>, message: string }> }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'UnsupportedForTaskKindError', operation: string, kind: TaskKind, code: ErrorCode, message: string }
    | { __typename: 'UpstreamRejectedError', code: ErrorCode, message: string }
   };

export type StartTaskMutationVariables = Exact<{
  id: string | number;
}>;


export type StartTaskMutation = { startTask:
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'TaskPayload', task:
        | { id: string, kind: TaskKind, status: TaskStatus }
        | { id: string, kind: TaskKind, status: TaskStatus }
       | null }
    | { __typename: 'TaskStateConflictError', code: ErrorCode, message: string }
    | { __typename: 'UpstreamRejectedError', upstreamCode: string, upstreamMessage: string, code: ErrorCode, message: string }
   };

export type PauseTaskMutationVariables = Exact<{
  id: string | number;
}>;


export type PauseTaskMutation = { pauseTask:
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'TaskPayload', task:
        | { id: string, kind: TaskKind, status: TaskStatus }
        | { id: string, kind: TaskKind, status: TaskStatus }
       | null }
    | { __typename: 'TaskStateConflictError', code: ErrorCode, message: string }
    | { __typename: 'UpstreamRejectedError', code: ErrorCode, message: string }
   };

export type EndTaskMutationVariables = Exact<{
  id: string | number;
}>;


export type EndTaskMutation = { endTask:
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'TaskPayload', task:
        | { id: string, status: TaskStatus }
        | { id: string, status: TaskStatus }
       | null }
    | { __typename: 'TaskStateConflictError', code: ErrorCode, message: string }
    | { __typename: 'UnsupportedForTaskKindError', operation: string, kind: TaskKind, hint: string, code: ErrorCode, message: string }
    | { __typename: 'UpstreamRejectedError', code: ErrorCode, message: string }
   };

export type DeleteTaskMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteTaskMutation = { deleteTask:
    | { __typename: 'DeleteTaskPayload', deletedTaskId: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'UnsupportedForTaskKindError', operation: string, kind: TaskKind, hint: string, code: ErrorCode, message: string }
    | { __typename: 'UpstreamRejectedError', code: ErrorCode, message: string }
   };

export type AddTaskNumbersMutationVariables = Exact<{
  input: AddTaskNumbersInput;
}>;


export type AddTaskNumbersMutation = { addTaskNumbers:
    | { __typename: 'AddTaskNumbersPayload', outcome: NumberUploadOutcome, acceptedCount: number, rejectedCount: number, upstreamCalls: number, rejected: Array<{ index: number, input: string, reason: NumberRejectionReason, message: string, duplicateOf: number | null }>, task:
        | { id: string, kind: TaskKind, progress: { total: number, dialled: number | null } }
        | { id: string, kind: TaskKind, progress: { total: number, dialled: number | null } }
       | null }
    | { __typename: 'ConflictError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string, issues: Array<{ path: Array<string>, message: string }> }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'TaskStateConflictError', code: ErrorCode, message: string }
    | { __typename: 'UpstreamRejectedError', code: ErrorCode, message: string }
   };

export type TaskByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type TaskByIdQuery = { task:
    | { id: string, name: string, kind: TaskKind, status: TaskStatus }
    | { id: string, name: string, kind: TaskKind, status: TaskStatus }
   | null, node:
    | { id: string }
    | { name: string, kind: TaskKind, id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { name: string, kind: TaskKind, id: string }
    | { id: string }
    | { id: string }
    | { id: string }
   | null };

export type CallRecordsPageQueryVariables = Exact<{
  filter: CallRecordFilter;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CallRecordsPageQuery = { callRecords: { totalCount: number | null, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, recordId: number | null, direction: CallDirection, callMethod: CallMethod, extension: string | null, customerId: string | null } }> } | null };

export type CallRecordDetailsQueryVariables = Exact<{
  filter: CallRecordFilter;
}>;


export type CallRecordDetailsQuery = { callRecords: { totalCount: number | null, edges: Array<{ node: { id: string, recordId: number | null, uuid: string | null, direction: CallDirection, directionCode: string, callMethod: CallMethod, callMethodCode: string, extension: string | null, callerNumber: string | null, calleeNumber: string | null, displayNumber: string | null, startedAt: string | null, answeredAt: string | null, endedAt: string | null, waitSeconds: number, talkSeconds: number, answered: boolean, hangupSide: HangupSide | null, hangupSideCode: string | null, hangupCause: HangupCause | null, hangupCauseCode: string | null, keysPressed: string | null, userId: string | null, memberId: string | null, maturity: string | null, customerId: string | null, agent: { extension: string } | null } }> } | null };

export type CallRecordRecordingsQueryVariables = Exact<{
  filter: CallRecordFilter;
}>;


export type CallRecordRecordingsQuery = { callRecords: { edges: Array<{ node: { recordId: number | null, recording: { url: string, expiresAt: string | null } | null } }> } | null };

export type CallRecordNodeQueryVariables = Exact<{
  id: string | number;
}>;


export type CallRecordNodeQuery = { node:
    | { id: string }
    | { id: string }
    | { recordId: number | null, startedAt: string | null, calleeNumber: string | null, id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
   | null };

export type GatewayInfoQueryVariables = Exact<{ [key: string]: never; }>;


export type GatewayInfoQuery = { gateway: { version: string, demo: boolean, upstreamTimeZone: string, upstreams: Array<{ kind: UpstreamKind, configured: boolean, simulated: boolean }> } };

export type GatewayOperatorViewQueryVariables = Exact<{ [key: string]: never; }>;


export type GatewayOperatorViewQuery = { gateway: { version: string, operator: { checkedAt: string, openConnections: number, upstreams: Array<{ kind: UpstreamKind, configured: boolean, lastSuccessAt: string | null, secondsSinceSuccess: number | null, requestsInFlight: number, poolSize: number, lastFailure: { at: string, code: ErrorCode, upstreamCode: string | null, operation: string } | null, session: { loggedInAt: string | null, loginAgeSeconds: number | null, logins: number, renewals: number } | null }>, eventTopics: Array<{ topic: EventTopicKind, subscribers: number, lastEventId: string | null, lastEventAt: string | null, lastReceivedAt: string | null, lastPublishedAt: string | null, publishLagSeconds: number | null, lagSeconds: number | null, secondsSinceLastEvent: number | null, pendingEvents: number, oldestPendingAgeSeconds: number | null }> } | null } };

export type WallboardQueryVariables = Exact<{
  filter?: AgentFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type WallboardQuery = { agents: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, extension: string, enabled: boolean | null, validity: AgentValidity | null, registration: { registered: boolean, clientIp: string | null, serverIp: string | null } | null, callStatus: { state: AgentCallState, stateCode: string, caller: string | null, callee: string | null, direction: CallDirection | null, idleSeconds: number | null, talkSeconds: number | null } | null, seats: Array<{ state: SeatState, paused: boolean, answeredCount: number, missedCount: number, lastAnsweredAt: string | null, queue: { name: string, strategy: QueueStrategy } | null }> | null } }> } | null };

export type CreatePredictiveTaskMutationVariables = Exact<{
  input: CreatePredictiveTaskInput;
}>;


export type CreatePredictiveTaskMutation = { createPredictiveTask:
    | { __typename: 'ConflictError', code: ErrorCode, message: string }
    | { __typename: 'CreatePredictiveTaskPayload', outcome: NumberUploadOutcome, acceptedCount: number, rejectedCount: number, upstreamCalls: number, rejected: Array<{ index: number, input: string, reason: NumberRejectionReason, duplicateOf: number | null, uncertain: boolean, error: { code: ErrorCode, upstreamCode: string | null } | null }>, task:
        | { id: string, name: string, status: TaskStatus }
        | { taskId: string, assigneeName: string, id: string, name: string, status: TaskStatus, assignee:
            | { __typename: 'Agent' }
            | { __typename: 'ExtGroup' }
            | { __typename: 'Queue', name: string }
           | null, pacing: { ratio: string }, numberCounts: { submitted: number, accepted: number, refused: number } }
       | null }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'UpstreamRejectedError', code: ErrorCode, message: string }
   };

export type TasksPageQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: TaskFilter | null | undefined;
}>;


export type TasksPageQuery = { tasks: { totalCount: number | null, unavailable: Array<UpstreamKind>, edges: Array<{ cursor: string, node:
        | { id: string, name: string, kind: TaskKind, status: TaskStatus, createdAt: string | null }
        | { id: string, name: string, kind: TaskKind, status: TaskStatus, createdAt: string | null }
       }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };


export const AiTaskOptionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AiTaskOptions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"usableOnly"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"aiTaskOptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fetchedAt"}},{"kind":"Field","name":{"kind":"Name","value":"callerLines"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"usableOnly"},"value":{"kind":"Variable","name":{"kind":"Name","value":"usableOnly"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"lineId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"callerNumber"}},{"kind":"Field","name":{"kind":"Name","value":"totalConcurrency"}},{"kind":"Field","name":{"kind":"Name","value":"freeConcurrency"}},{"kind":"Field","name":{"kind":"Name","value":"usable"}},{"kind":"Field","name":{"kind":"Name","value":"availableFrom"}}]}},{"kind":"Field","name":{"kind":"Name","value":"redialRules"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"usableOnly"},"value":{"kind":"Variable","name":{"kind":"Name","value":"usableOnly"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"ruleId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"remark"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}}]}},{"kind":"Field","name":{"kind":"Name","value":"doNotCallWindows"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"windowId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"scriptGroups"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"scriptGroupId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"ttsDebug"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoverGroups"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"usableOnly"},"value":{"kind":"Variable","name":{"kind":"Name","value":"usableOnly"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"groupId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"usable"}},{"kind":"Field","name":{"kind":"Name","value":"callerLine"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]} as unknown as DocumentNode<AiTaskOptionsQuery, AiTaskOptionsQueryVariables>;
export const AiTasksWithResourcesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AiTasksWithResources"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TaskFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tasks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"dialled"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AiTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"taskId"}},{"kind":"Field","name":{"kind":"Name","value":"remark"}},{"kind":"Field","name":{"kind":"Name","value":"concurrency"}},{"kind":"Field","name":{"kind":"Name","value":"pauseSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"dialTimeoutSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"changedAt"}},{"kind":"Field","name":{"kind":"Name","value":"callerLine"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"callerNumber"}},{"kind":"Field","name":{"kind":"Name","value":"totalConcurrency"}},{"kind":"Field","name":{"kind":"Name","value":"freeConcurrency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"scriptGroup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"ttsDebug"}}]}},{"kind":"Field","name":{"kind":"Name","value":"redialRule"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}}]}},{"kind":"Field","name":{"kind":"Name","value":"doNotCallWindow"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoverGroup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"usable"}},{"kind":"Field","name":{"kind":"Name","value":"callerLine"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<AiTasksWithResourcesQuery, AiTasksWithResourcesQueryVariables>;
export const CreateAiTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateAiTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateAiTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createAiTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AiTaskPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"taskId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"concurrency"}},{"kind":"Field","name":{"kind":"Name","value":"pauseSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"dialTimeoutSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"callerLine"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"freeConcurrency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"scriptGroup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoverGroup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<CreateAiTaskMutation, CreateAiTaskMutationVariables>;
export const UpdateAiTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateAiTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateAiTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateAiTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AiTaskPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"remark"}},{"kind":"Field","name":{"kind":"Name","value":"concurrency"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"handoverGroup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"callerLine"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UnsupportedForTaskKindError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"operation"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateAiTaskMutation, UpdateAiTaskMutationVariables>;
export const StartTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StartTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TaskPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UpstreamRejectedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upstreamCode"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamMessage"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<StartTaskMutation, StartTaskMutationVariables>;
export const PauseTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PauseTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pauseTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TaskPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<PauseTaskMutation, PauseTaskMutationVariables>;
export const EndTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"EndTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TaskPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UnsupportedForTaskKindError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"operation"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"hint"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<EndTaskMutation, EndTaskMutationVariables>;
export const DeleteTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteTaskPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedTaskId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UnsupportedForTaskKindError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"operation"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"hint"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<DeleteTaskMutation, DeleteTaskMutationVariables>;
export const AddTaskNumbersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddTaskNumbers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AddTaskNumbersInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addTaskNumbers"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AddTaskNumbersPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedCount"}},{"kind":"Field","name":{"kind":"Name","value":"rejectedCount"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamCalls"}},{"kind":"Field","name":{"kind":"Name","value":"rejected"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"input"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"duplicateOf"}}]}},{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"dialled"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInputError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<AddTaskNumbersMutation, AddTaskNumbersMutationVariables>;
export const TaskByIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TaskById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"task"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Task"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]} as unknown as DocumentNode<TaskByIdQuery, TaskByIdQueryVariables>;
export const CallRecordsPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CallRecordsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CallRecordFilter"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"callRecords"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"callMethod"}},{"kind":"Field","name":{"kind":"Name","value":"extension"}},{"kind":"Field","name":{"kind":"Name","value":"customerId"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CallRecordsPageQuery, CallRecordsPageQueryVariables>;
export const CallRecordDetailsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CallRecordDetails"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CallRecordFilter"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"callRecords"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"uuid"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"directionCode"}},{"kind":"Field","name":{"kind":"Name","value":"callMethod"}},{"kind":"Field","name":{"kind":"Name","value":"callMethodCode"}},{"kind":"Field","name":{"kind":"Name","value":"extension"}},{"kind":"Field","name":{"kind":"Name","value":"agent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"extension"}}]}},{"kind":"Field","name":{"kind":"Name","value":"callerNumber"}},{"kind":"Field","name":{"kind":"Name","value":"calleeNumber"}},{"kind":"Field","name":{"kind":"Name","value":"displayNumber"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"answeredAt"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}},{"kind":"Field","name":{"kind":"Name","value":"waitSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"talkSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"answered"}},{"kind":"Field","name":{"kind":"Name","value":"hangupSide"}},{"kind":"Field","name":{"kind":"Name","value":"hangupSideCode"}},{"kind":"Field","name":{"kind":"Name","value":"hangupCause"}},{"kind":"Field","name":{"kind":"Name","value":"hangupCauseCode"}},{"kind":"Field","name":{"kind":"Name","value":"keysPressed"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"memberId"}},{"kind":"Field","name":{"kind":"Name","value":"maturity"}},{"kind":"Field","name":{"kind":"Name","value":"customerId"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CallRecordDetailsQuery, CallRecordDetailsQueryVariables>;
export const CallRecordRecordingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CallRecordRecordings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CallRecordFilter"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"callRecords"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"recording"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CallRecordRecordingsQuery, CallRecordRecordingsQueryVariables>;
export const CallRecordNodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CallRecordNode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CallRecord"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"calleeNumber"}}]}}]}}]}}]} as unknown as DocumentNode<CallRecordNodeQuery, CallRecordNodeQueryVariables>;
export const GatewayInfoDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GatewayInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gateway"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"demo"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamTimeZone"}},{"kind":"Field","name":{"kind":"Name","value":"upstreams"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"simulated"}}]}}]}}]}}]} as unknown as DocumentNode<GatewayInfoQuery, GatewayInfoQueryVariables>;
export const GatewayOperatorViewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GatewayOperatorView"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gateway"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"operator"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"checkedAt"}},{"kind":"Field","name":{"kind":"Name","value":"openConnections"}},{"kind":"Field","name":{"kind":"Name","value":"upstreams"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"lastSuccessAt"}},{"kind":"Field","name":{"kind":"Name","value":"secondsSinceSuccess"}},{"kind":"Field","name":{"kind":"Name","value":"requestsInFlight"}},{"kind":"Field","name":{"kind":"Name","value":"poolSize"}},{"kind":"Field","name":{"kind":"Name","value":"lastFailure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamCode"}},{"kind":"Field","name":{"kind":"Name","value":"operation"}}]}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"loggedInAt"}},{"kind":"Field","name":{"kind":"Name","value":"loginAgeSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"logins"}},{"kind":"Field","name":{"kind":"Name","value":"renewals"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"eventTopics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"topic"}},{"kind":"Field","name":{"kind":"Name","value":"subscribers"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventId"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastReceivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastPublishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"publishLagSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"lagSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"secondsSinceLastEvent"}},{"kind":"Field","name":{"kind":"Name","value":"pendingEvents"}},{"kind":"Field","name":{"kind":"Name","value":"oldestPendingAgeSeconds"}}]}}]}}]}}]}}]} as unknown as DocumentNode<GatewayOperatorViewQuery, GatewayOperatorViewQueryVariables>;
export const WallboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Wallboard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AgentFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"extension"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"validity"}},{"kind":"Field","name":{"kind":"Name","value":"registration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registered"}},{"kind":"Field","name":{"kind":"Name","value":"clientIp"}},{"kind":"Field","name":{"kind":"Name","value":"serverIp"}}]}},{"kind":"Field","name":{"kind":"Name","value":"callStatus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"stateCode"}},{"kind":"Field","name":{"kind":"Name","value":"caller"}},{"kind":"Field","name":{"kind":"Name","value":"callee"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"idleSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"talkSeconds"}}]}},{"kind":"Field","name":{"kind":"Name","value":"seats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queue"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}}]}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"paused"}},{"kind":"Field","name":{"kind":"Name","value":"answeredCount"}},{"kind":"Field","name":{"kind":"Name","value":"missedCount"}},{"kind":"Field","name":{"kind":"Name","value":"lastAnsweredAt"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<WallboardQuery, WallboardQueryVariables>;
export const CreatePredictiveTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreatePredictiveTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreatePredictiveTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createPredictiveTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CreatePredictiveTaskPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedCount"}},{"kind":"Field","name":{"kind":"Name","value":"rejectedCount"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamCalls"}},{"kind":"Field","name":{"kind":"Name","value":"rejected"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"input"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"duplicateOf"}},{"kind":"Field","name":{"kind":"Name","value":"uncertain"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamCode"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PredictiveTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"taskId"}},{"kind":"Field","name":{"kind":"Name","value":"assigneeName"}},{"kind":"Field","name":{"kind":"Name","value":"assignee"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Queue"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pacing"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ratio"}}]}},{"kind":"Field","name":{"kind":"Name","value":"numberCounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"submitted"}},{"kind":"Field","name":{"kind":"Name","value":"accepted"}},{"kind":"Field","name":{"kind":"Name","value":"refused"}}]}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<CreatePredictiveTaskMutation, CreatePredictiveTaskMutationVariables>;
export const TasksPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TasksPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TaskFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tasks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"unavailable"}}]}}]}}]} as unknown as DocumentNode<TasksPageQuery, TasksPageQueryVariables>;