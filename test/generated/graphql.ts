/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
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

/** Which call records to read. `from` and `to` bound the dial time (both included, whole seconds; at most 31 days); every other condition must hold too. */
export type CallRecordFilter = {
  /** Only calls of these extensions. */
  agents?: Array<string> | null | undefined;
  /** Only calls made this way (UNKNOWN is refused). */
  callMethod?: CallMethod | null | undefined;
  /** Only calls whose called number (GetBill's destnumber) is exactly this: the customer on outbound calls, the company number on inbound ones. */
  calleeNumber?: string | null | undefined;
  /** Only records whose custom field `customuuid` (customer id) is exactly this. */
  customerId?: string | null | undefined;
  /** Only INBOUND or only OUTBOUND calls (UNKNOWN is refused). */
  direction?: CallDirection | null | undefined;
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
  /** The customers to dial. */
  numbers: Array<TaskNumberInput>;
  /** Calls per idle agent (default 1:1). */
  pacing?: TaskPacingInput | null | undefined;
};

/** Stable error codes; the same strings appear in `extensions.code` of top-level errors. */
export type ErrorCode =
  /** Collides with another request (e.g. an idempotency key reused for a different request). */
  | 'CONFLICT'
  /** The API key's role does not allow this. */
  | 'FORBIDDEN'
  /** The input was refused before anything was sent. */
  | 'INVALID_INPUT'
  /** No such object. */
  | 'NOT_FOUND'
  /** No valid API key. */
  | 'UNAUTHENTICATED'
  /** The platform answered something the gateway could not understand. */
  | 'UPSTREAM_INVALID_RESPONSE'
  /** This deployment has no such platform. */
  | 'UPSTREAM_NOT_CONFIGURED'
  /** The platform refused the command; see its code and message. */
  | 'UPSTREAM_REJECTED'
  /** The platform could not be reached, timed out or failed on its side; retry later. */
  | 'UPSTREAM_UNAVAILABLE';

/** Why, or by whom, a call ended. */
export type HangupCode =
  /** The callee was busy. */
  | 'BUSY'
  /** The callee hung up. */
  | 'CALLEE_HUNG_UP'
  /** The caller hung up. */
  | 'CALLER_HUNG_UP'
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
  /** Only tasks of this kind. */
  kind?: TaskKind | null | undefined;
  /** Only tasks whose name contains this (case-insensitive). */
  nameContains?: string | null | undefined;
  /** Only tasks in one of these statuses. */
  status?: Array<TaskStatus> | null | undefined;
};

/** Which platform runs a task. */
export type TaskKind =
  /** A voice-bot campaign on the AI-call platform. */
  | 'AI'
  /** A predictive-dial campaign on the SIP PBX: answered calls go to human agents. */
  | 'PREDICTIVE';

/** One customer to dial, with the fields the platform copies into its call record. */
export type TaskNumberInput = {
  /** Your customer id (call records: customerId). */
  customerId?: string | null | undefined;
  /** Not dialled before this instant (default: as soon as possible). */
  dialAfter?: string | null | undefined;
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
  /** Ended on request; it cannot be restarted. */
  | 'ENDED'
  /** Every number was dialled. */
  | 'FINISHED'
  /** Created, not started yet. */
  | 'NOT_STARTED'
  /** Paused; startTask resumes it. */
  | 'PAUSED'
  /** Dialling. */
  | 'RUNNING';

/** The platforms the gateway fronts. */
export type UpstreamKind =
  /** The AI-call (voice-bot) platform. */
  | 'AI_CALL'
  /** The predictive-call PBX ("SIP API"). */
  | 'SIP';

export type CallRecordsPageQueryVariables = Exact<{
  filter: CallRecordFilter;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CallRecordsPageQuery = { callRecords: { totalCount: number | null, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, recordId: number, direction: CallDirection, callMethod: CallMethod, extension: string | null, customerId: string | null } }> } };

export type CallRecordDetailsQueryVariables = Exact<{
  filter: CallRecordFilter;
}>;


export type CallRecordDetailsQuery = { callRecords: { totalCount: number | null, edges: Array<{ node: { id: string, recordId: number, uuid: string | null, direction: CallDirection, directionCode: string, callMethod: CallMethod, callMethodCode: string, extension: string | null, callerNumber: string | null, calleeNumber: string | null, displayNumber: string | null, startedAt: string | null, answeredAt: string | null, endedAt: string | null, waitSeconds: number, talkSeconds: number, answered: boolean, hangupSide: HangupCode | null, hangupSideCode: string | null, hangupCause: HangupCode | null, hangupCauseCode: string | null, keysPressed: string | null, userId: string | null, memberId: string | null, maturity: string | null, customerId: string | null, agent: { extension: string } | null } }> } };

export type CallRecordRecordingsQueryVariables = Exact<{
  filter: CallRecordFilter;
}>;


export type CallRecordRecordingsQuery = { callRecords: { edges: Array<{ node: { recordId: number, recording: { url: string, expiresAt: string | null } | null } }> } };

export type CallRecordNodeQueryVariables = Exact<{
  id: string | number;
}>;


export type CallRecordNodeQuery = { node:
    | { id: string }
    | { recordId: number, startedAt: string | null, calleeNumber: string | null, id: string }
    | { id: string }
    | { id: string }
    | { id: string }
   | null };

export type GatewayInfoQueryVariables = Exact<{ [key: string]: never; }>;


export type GatewayInfoQuery = { gateway: { version: string, demo: boolean, upstreamTimeZone: string, upstreams: Array<{ kind: UpstreamKind, configured: boolean, simulated: boolean }> } };

export type WallboardQueryVariables = Exact<{
  filter?: AgentFilter | null | undefined;
}>;


export type WallboardQuery = { agents: Array<{ id: string, extension: string, enabled: boolean, validity: AgentValidity | null, registration: { registered: boolean, clientIp: string | null, serverIp: string | null } | null, callStatus: { state: AgentCallState, stateCode: string, caller: string | null, callee: string | null, direction: CallDirection | null, idleSeconds: number | null, talkSeconds: number | null } | null, seats: Array<{ state: SeatState, paused: boolean, answeredCount: number, missedCount: number, lastAnsweredAt: string | null, queue: { name: string, strategy: QueueStrategy } | null }> }> };

export type CreatePredictiveTaskMutationVariables = Exact<{
  input: CreatePredictiveTaskInput;
}>;


export type CreatePredictiveTaskMutation = { createPredictiveTask:
    | { __typename: 'ConflictError', code: ErrorCode, message: string }
    | { __typename: 'CreatePredictiveTaskPayload', outcome: NumberUploadOutcome, acceptedCount: number, rejectedCount: number, upstreamCalls: number, rejected: Array<{ index: number, input: string, reason: NumberRejectionReason, duplicateOf: number | null, uncertain: boolean, error: { code: string, upstreamCode: string | null } | null }>, task: { taskId: string, assigneeName: string, id: string, name: string, status: TaskStatus, assignee:
          | { __typename: 'Agent' }
          | { __typename: 'ExtGroup' }
          | { __typename: 'Queue', name: string }
         | null, pacing: { ratio: string }, numberCounts: { submitted: number, accepted: number, refused: number } } | null }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'UpstreamRejectedError', code: ErrorCode, message: string }
   };

export type TasksPageQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: TaskFilter | null | undefined;
}>;


export type TasksPageQuery = { tasks: { edges: Array<{ cursor: string, node: { id: string, name: string, kind: TaskKind, status: TaskStatus, createdAt: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };


export const CallRecordsPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CallRecordsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CallRecordFilter"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"callRecords"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"callMethod"}},{"kind":"Field","name":{"kind":"Name","value":"extension"}},{"kind":"Field","name":{"kind":"Name","value":"customerId"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CallRecordsPageQuery, CallRecordsPageQueryVariables>;
export const CallRecordDetailsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CallRecordDetails"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CallRecordFilter"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"callRecords"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"uuid"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"directionCode"}},{"kind":"Field","name":{"kind":"Name","value":"callMethod"}},{"kind":"Field","name":{"kind":"Name","value":"callMethodCode"}},{"kind":"Field","name":{"kind":"Name","value":"extension"}},{"kind":"Field","name":{"kind":"Name","value":"agent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"extension"}}]}},{"kind":"Field","name":{"kind":"Name","value":"callerNumber"}},{"kind":"Field","name":{"kind":"Name","value":"calleeNumber"}},{"kind":"Field","name":{"kind":"Name","value":"displayNumber"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"answeredAt"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}},{"kind":"Field","name":{"kind":"Name","value":"waitSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"talkSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"answered"}},{"kind":"Field","name":{"kind":"Name","value":"hangupSide"}},{"kind":"Field","name":{"kind":"Name","value":"hangupSideCode"}},{"kind":"Field","name":{"kind":"Name","value":"hangupCause"}},{"kind":"Field","name":{"kind":"Name","value":"hangupCauseCode"}},{"kind":"Field","name":{"kind":"Name","value":"keysPressed"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"memberId"}},{"kind":"Field","name":{"kind":"Name","value":"maturity"}},{"kind":"Field","name":{"kind":"Name","value":"customerId"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CallRecordDetailsQuery, CallRecordDetailsQueryVariables>;
export const CallRecordRecordingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CallRecordRecordings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CallRecordFilter"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"callRecords"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"recording"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CallRecordRecordingsQuery, CallRecordRecordingsQueryVariables>;
export const CallRecordNodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CallRecordNode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CallRecord"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recordId"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"calleeNumber"}}]}}]}}]}}]} as unknown as DocumentNode<CallRecordNodeQuery, CallRecordNodeQueryVariables>;
export const GatewayInfoDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GatewayInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gateway"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"demo"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamTimeZone"}},{"kind":"Field","name":{"kind":"Name","value":"upstreams"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"simulated"}}]}}]}}]}}]} as unknown as DocumentNode<GatewayInfoQuery, GatewayInfoQueryVariables>;
export const WallboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Wallboard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AgentFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"extension"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"validity"}},{"kind":"Field","name":{"kind":"Name","value":"registration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registered"}},{"kind":"Field","name":{"kind":"Name","value":"clientIp"}},{"kind":"Field","name":{"kind":"Name","value":"serverIp"}}]}},{"kind":"Field","name":{"kind":"Name","value":"callStatus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"stateCode"}},{"kind":"Field","name":{"kind":"Name","value":"caller"}},{"kind":"Field","name":{"kind":"Name","value":"callee"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"idleSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"talkSeconds"}}]}},{"kind":"Field","name":{"kind":"Name","value":"seats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queue"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}}]}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"paused"}},{"kind":"Field","name":{"kind":"Name","value":"answeredCount"}},{"kind":"Field","name":{"kind":"Name","value":"missedCount"}},{"kind":"Field","name":{"kind":"Name","value":"lastAnsweredAt"}}]}}]}}]}}]} as unknown as DocumentNode<WallboardQuery, WallboardQueryVariables>;
export const CreatePredictiveTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreatePredictiveTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreatePredictiveTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createPredictiveTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CreatePredictiveTaskPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedCount"}},{"kind":"Field","name":{"kind":"Name","value":"rejectedCount"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamCalls"}},{"kind":"Field","name":{"kind":"Name","value":"rejected"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"input"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"duplicateOf"}},{"kind":"Field","name":{"kind":"Name","value":"uncertain"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamCode"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PredictiveTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"taskId"}},{"kind":"Field","name":{"kind":"Name","value":"assigneeName"}},{"kind":"Field","name":{"kind":"Name","value":"assignee"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Queue"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pacing"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ratio"}}]}},{"kind":"Field","name":{"kind":"Name","value":"numberCounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"submitted"}},{"kind":"Field","name":{"kind":"Name","value":"accepted"}},{"kind":"Field","name":{"kind":"Name","value":"refused"}}]}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<CreatePredictiveTaskMutation, CreatePredictiveTaskMutationVariables>;
export const TasksPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TasksPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TaskFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tasks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<TasksPageQuery, TasksPageQueryVariables>;