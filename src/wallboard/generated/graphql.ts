/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What told the gateway an agent's presence. */
export type AgentPresenceSource =
  /** The platform's extension-status callback (stored; no upstream call to read it). */
  | 'CALLBACK'
  /** No callback about this agent is stored: the PBX was asked now (GetSipCallStatus, batched). */
  | 'POLL'
  /** The gateway polled the PBX and recorded a hang-up whose callback was lost (stored). */
  | 'RECONCILE';

/** An agent's state, in one vocabulary for every view of it: `Agent.presence` (polled or from the callbacks), `AgentStatusEvent.state` (pushed), `AgentLiveState.state`, `QueueSeat.presenceState`, `ExtGroupMember.presenceState`. New values may come: show an unknown one as UNKNOWN. */
export type AgentPresenceState =
  /** Free: registered, enabled and in no call (after a hang-up; a queue seat waiting for calls). */
  | 'AVAILABLE'
  /** The extension is disabled on the switch. */
  | 'DISABLED'
  /** In a call (answered, talking, or off hook dialling). */
  | 'IN_CALL'
  /** No such extension on the switch. */
  | 'NOT_FOUND'
  /** No phone registered on the extension (polled: the PBX says not registered). */
  | 'OFFLINE'
  /** Free but showing busy in a queue: no queue calls offered (queue seats only). */
  | 'PAUSED'
  /** A call is ringing the agent. */
  | 'RINGING'
  /** A state this gateway cannot name (a code the manual does not list); the source field keeps the raw code. */
  | 'UNKNOWN';

/** What an API key may do (GATEWAY_API_KEYS `key:role`). */
export type ApiRole =
  /** Also the operator's view, backfills and introspection where limited to admins. */
  | 'ADMIN'
  /** Also run commands: tasks, queues, agents. */
  | 'OPERATOR'
  /** Read and subscribe. */
  | 'VIEWER';

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

/** A command on a task, as `Task.availableActions` lists them and `TaskStateConflictError.attempted` names them. Which ones a task takes depends on its kind and status only (no platform call). */
export type TaskAction =
  /** addTaskNumbers: add customers to dial. */
  | 'ADD_NUMBERS'
  /** deleteTask: remove an AI task from its platform. */
  | 'DELETE'
  /** endTask: end a predictive task for good (undialled numbers are dropped). */
  | 'END'
  /** pauseTask: stop dialling for now; startTask resumes. */
  | 'PAUSE'
  /** removeTaskNumbers: take numbers off a predictive task before they are dialled. */
  | 'REMOVE_NUMBERS'
  /** startTask: start a task not started yet, or resume a paused one. */
  | 'START'
  /** updateAiTask: change an AI task's settings. */
  | 'UPDATE';

/** Which platform runs a task. */
export type TaskKind =
  /** A voice-bot campaign on the AI-call platform. */
  | 'AI'
  /** A predictive-dial campaign on the SIP PBX: answered calls go to human agents. */
  | 'PREDICTIVE';

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

/** The platforms the gateway fronts. */
export type UpstreamKind =
  /** The AI-call (voice-bot) platform. */
  | 'AI_CALL'
  /** The predictive-call PBX ("SIP API"). */
  | 'SIP';

export type WallboardAgentsQueryVariables = Exact<{
  after?: string | null | undefined;
  withQueues: boolean;
}>;


export type WallboardAgentsQuery = { agents: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, extension: string, employeeId: number | null, presence: { state: AgentPresenceState, since: string | null, eventId: string | null, callUuid: string | null, source: AgentPresenceSource } | null, callStatus: { direction: CallDirection | null, caller: string | null, callee: string | null } | null, seats: Array<{ employeeId: number | null, paused: boolean, queue: { name: string } | null }> | null } }> } | null, queues?: Array<{ name: string }> | null };

export type WallboardAgentStatusSubscriptionVariables = Exact<{
  after: string | number;
}>;


export type WallboardAgentStatusSubscription = { agentStatusChanged: { eventId: string, extension: string, state: AgentPresenceState, receivedAt: string, call: { direction: CallDirection | null, customerNumber: string | null } } };

export type WallboardSetAgentAvailabilityMutationVariables = Exact<{
  extension: string;
  employeeId?: number | null | undefined;
  available: boolean;
}>;


export type WallboardSetAgentAvailabilityMutation = { setAgentsAvailability:
    | { __typename: 'InvalidInputError', message: string, code: ErrorCode }
    | { __typename: 'SetAgentsAvailabilityPayload', succeededCount: number, failedCount: number, agentsWithoutSeats: Array<string>, results: Array<{ ok: boolean, queue: string, error:
          | { message: string, code: ErrorCode }
          | { message: string, code: ErrorCode }
          | { message: string, code: ErrorCode }
          | { message: string, code: ErrorCode }
         | null }> }
   };

export type WallboardCallRecordFragment = { id: string, startedAt: string | null, endedAt: string | null, extension: string | null, direction: CallDirection, callerNumber: string | null, calleeNumber: string | null, answered: boolean, talkSeconds: number };

export type WallboardCallRecordsQueryVariables = Exact<{
  filter: CallRecordFilter;
  after?: string | null | undefined;
}>;


export type WallboardCallRecordsQuery = { callRecords: { edges: Array<{ node: { id: string, startedAt: string | null, endedAt: string | null, extension: string | null, direction: CallDirection, callerNumber: string | null, calleeNumber: string | null, answered: boolean, talkSeconds: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type WallboardCallRecordCreatedSubscriptionVariables = Exact<{
  after: string | number;
}>;


export type WallboardCallRecordCreatedSubscription = { callRecordCreated: { eventId: string, record: { id: string, startedAt: string | null, endedAt: string | null, extension: string | null, direction: CallDirection, callerNumber: string | null, calleeNumber: string | null, answered: boolean, talkSeconds: number } } };

export type WallboardGatewayQueryVariables = Exact<{ [key: string]: never; }>;


export type WallboardGatewayQuery = { gateway: { demo: boolean, version: string, access: { role: ApiRole, arbitraryOperations: boolean } } };

export type WallboardHorizonQueryVariables = Exact<{ [key: string]: never; }>;


export type WallboardHorizonQuery = { gateway: { a: string | null, c: string | null, t: string | null } };

export type WallboardQueueStatisticsSubscriptionVariables = Exact<{
  queues: Array<string> | string;
}>;


export type WallboardQueueStatisticsSubscription = { queueStatisticsUpdated: { at: string, queues: Array<{ queue: string, offered: number, answered: number, abandoned: number, averageSpeedOfAnswerSeconds: number | null, serviceLevel: { percent: number | null } }> } };

export type WallboardTaskStatisticsFragment = { abandonRatePercent: number | null, numbersUploaded: number, dialledAllTime: number, recentAbandonRate: { percent: number | null, calls: number }, abandonGuard: { targetPercent: number, tripped: boolean } | null };

type WallboardTask_AiTask_Fragment = { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, progress: { dialled: number | null, total: number, percent: number | null } };

type WallboardTask_PredictiveTask_Fragment = { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, statistics: { abandonRatePercent: number | null, numbersUploaded: number, dialledAllTime: number, recentAbandonRate: { percent: number | null, calls: number }, abandonGuard: { targetPercent: number, tripped: boolean } | null } | null, progress: { dialled: number | null, total: number, percent: number | null } };

export type WallboardTaskFragment =
  | WallboardTask_AiTask_Fragment
  | WallboardTask_PredictiveTask_Fragment
;

export type WallboardTasksQueryVariables = Exact<{ [key: string]: never; }>;


export type WallboardTasksQuery = { tasks: { unavailable: Array<UpstreamKind>, edges: Array<{ node:
        | { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, progress: { dialled: number | null, total: number, percent: number | null } }
        | { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, statistics: { abandonRatePercent: number | null, numbersUploaded: number, dialledAllTime: number, recentAbandonRate: { percent: number | null, calls: number }, abandonGuard: { targetPercent: number, tripped: boolean } | null } | null, progress: { dialled: number | null, total: number, percent: number | null } }
       }> } | null };

export type WallboardTaskStatusSubscriptionVariables = Exact<{
  after: string | number;
}>;


export type WallboardTaskStatusSubscription = { taskStatusChanged: { eventId: string, taskGlobalId: string, status: TaskStatus | null, previous: TaskStatus | null, deleted: boolean, task:
      | { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, progress: { dialled: number | null, total: number, percent: number | null } }
      | { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, statistics: { abandonRatePercent: number | null, numbersUploaded: number, dialledAllTime: number, recentAbandonRate: { percent: number | null, calls: number }, abandonGuard: { targetPercent: number, tripped: boolean } | null } | null, progress: { dialled: number | null, total: number, percent: number | null } }
     | null } };

export type WallboardTaskStatisticsSubscriptionVariables = Exact<{
  taskId: string | number;
}>;


export type WallboardTaskStatisticsSubscription = { taskStatisticsUpdated: { at: string, statistics: { abandonRatePercent: number | null, numbersUploaded: number, dialledAllTime: number, recentAbandonRate: { percent: number | null, calls: number }, abandonGuard: { targetPercent: number, tripped: boolean } | null } } };

export type WallboardTaskCommandResultFragment = { taskId: string, task:
    | { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, progress: { dialled: number | null, total: number, percent: number | null } }
    | { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, statistics: { abandonRatePercent: number | null, numbersUploaded: number, dialledAllTime: number, recentAbandonRate: { percent: number | null, calls: number }, abandonGuard: { targetPercent: number, tripped: boolean } | null } | null, progress: { dialled: number | null, total: number, percent: number | null } }
   | null };

export type WallboardPauseTaskMutationVariables = Exact<{
  taskId: string | number;
}>;


export type WallboardPauseTaskMutation = { pauseTask:
    | { __typename: 'InvalidInputError', message: string, code: ErrorCode }
    | { __typename: 'NotFoundError', message: string, code: ErrorCode }
    | { __typename: 'TaskPayload', taskId: string, task:
        | { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, progress: { dialled: number | null, total: number, percent: number | null } }
        | { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, statistics: { abandonRatePercent: number | null, numbersUploaded: number, dialledAllTime: number, recentAbandonRate: { percent: number | null, calls: number }, abandonGuard: { targetPercent: number, tripped: boolean } | null } | null, progress: { dialled: number | null, total: number, percent: number | null } }
       | null }
    | { __typename: 'TaskStateConflictError', message: string, code: ErrorCode }
    | { __typename: 'UpstreamRejectedError', message: string, code: ErrorCode }
   };

export type WallboardStartTaskMutationVariables = Exact<{
  taskId: string | number;
}>;


export type WallboardStartTaskMutation = { startTask:
    | { __typename: 'InvalidInputError', message: string, code: ErrorCode }
    | { __typename: 'NotFoundError', message: string, code: ErrorCode }
    | { __typename: 'TaskPayload', taskId: string, task:
        | { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, progress: { dialled: number | null, total: number, percent: number | null } }
        | { id: string, name: string, kind: TaskKind, status: TaskStatus, availableActions: Array<TaskAction>, statistics: { abandonRatePercent: number | null, numbersUploaded: number, dialledAllTime: number, recentAbandonRate: { percent: number | null, calls: number }, abandonGuard: { targetPercent: number, tripped: boolean } | null } | null, progress: { dialled: number | null, total: number, percent: number | null } }
       | null }
    | { __typename: 'TaskStateConflictError', message: string, code: ErrorCode }
    | { __typename: 'UpstreamRejectedError', message: string, code: ErrorCode }
   };

export const WallboardCallRecordFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WallboardCallRecord"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CallRecord"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}},{"kind":"Field","name":{"kind":"Name","value":"extension"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"callerNumber"}},{"kind":"Field","name":{"kind":"Name","value":"calleeNumber"}},{"kind":"Field","name":{"kind":"Name","value":"answered"}},{"kind":"Field","name":{"kind":"Name","value":"talkSeconds"}}]}}]} as unknown as DocumentNode<WallboardCallRecordFragment, unknown>;
export const WallboardTaskStatisticsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WallboardTaskStatistics"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TaskStatistics"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"abandonRatePercent"}},{"kind":"Field","name":{"kind":"Name","value":"recentAbandonRate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"calls"}}]}},{"kind":"Field","name":{"kind":"Name","value":"abandonGuard"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"targetPercent"}},{"kind":"Field","name":{"kind":"Name","value":"tripped"}}]}},{"kind":"Field","name":{"kind":"Name","value":"numbersUploaded"}},{"kind":"Field","name":{"kind":"Name","value":"dialledAllTime"}}]}}]} as unknown as DocumentNode<WallboardTaskStatisticsFragment, unknown>;
export const WallboardTaskFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WallboardTask"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Task"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"availableActions"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dialled"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PredictiveTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"statistics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WallboardTaskStatistics"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WallboardTaskStatistics"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TaskStatistics"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"abandonRatePercent"}},{"kind":"Field","name":{"kind":"Name","value":"recentAbandonRate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"calls"}}]}},{"kind":"Field","name":{"kind":"Name","value":"abandonGuard"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"targetPercent"}},{"kind":"Field","name":{"kind":"Name","value":"tripped"}}]}},{"kind":"Field","name":{"kind":"Name","value":"numbersUploaded"}},{"kind":"Field","name":{"kind":"Name","value":"dialledAllTime"}}]}}]} as unknown as DocumentNode<WallboardTaskFragment, unknown>;
export const WallboardTaskCommandResultFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WallboardTaskCommandResult"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TaskPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"taskId"}},{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WallboardTask"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WallboardTaskStatistics"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TaskStatistics"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"abandonRatePercent"}},{"kind":"Field","name":{"kind":"Name","value":"recentAbandonRate"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"calls"}}]}},{"kind":"Field","name":{"kind":"Name","value":"abandonGuard"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"targetPercent"}},{"kind":"Field","name":{"kind":"Name","value":"tripped"}}]}},{"kind":"Field","name":{"kind":"Name","value":"numbersUploaded"}},{"kind":"Field","name":{"kind":"Name","value":"dialledAllTime"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WallboardTask"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Task"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"availableActions"}},{"kind":"Field","name":{"kind":"Name","value":"progress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dialled"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PredictiveTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"statistics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WallboardTaskStatistics"}}]}}]}}]}}]} as unknown as DocumentNode<WallboardTaskCommandResultFragment, unknown>;
export const WallboardAgentsDocument = {"__meta__":{"operationName":"WallboardAgents","hash":"a92c7cfc230d42adc1ac42690ea7f556e549a92643d15964d0975933982af8c5"}} as unknown as DocumentNode<WallboardAgentsQuery, WallboardAgentsQueryVariables>;
export const WallboardAgentStatusDocument = {"__meta__":{"operationName":"WallboardAgentStatus","hash":"2047160558f33544ff7be1737e4cb2b7aec27b03f42e8a0df553b372b43db596"}} as unknown as DocumentNode<WallboardAgentStatusSubscription, WallboardAgentStatusSubscriptionVariables>;
export const WallboardSetAgentAvailabilityDocument = {"__meta__":{"operationName":"WallboardSetAgentAvailability","hash":"6aaf7bd8c89b1366dcda5a879a053eae64c0afcce3231033b4129ce2411c8f0d"}} as unknown as DocumentNode<WallboardSetAgentAvailabilityMutation, WallboardSetAgentAvailabilityMutationVariables>;
export const WallboardCallRecordsDocument = {"__meta__":{"operationName":"WallboardCallRecords","hash":"5dd74b176b7ae37317022fd5ef8830cde4f7d9a9d84929dbe20a81e7da6611a4"}} as unknown as DocumentNode<WallboardCallRecordsQuery, WallboardCallRecordsQueryVariables>;
export const WallboardCallRecordCreatedDocument = {"__meta__":{"operationName":"WallboardCallRecordCreated","hash":"95df063c2bcf4bcae241edf0c08d74727354d6983568be5a39c33a975a4fcae3"}} as unknown as DocumentNode<WallboardCallRecordCreatedSubscription, WallboardCallRecordCreatedSubscriptionVariables>;
export const WallboardGatewayDocument = {"__meta__":{"operationName":"WallboardGateway","hash":"cb0c7709145927b18231495367c883695e27f99ad9589ffa2402877d42dd0e55"}} as unknown as DocumentNode<WallboardGatewayQuery, WallboardGatewayQueryVariables>;
export const WallboardHorizonDocument = {"__meta__":{"operationName":"WallboardHorizon","hash":"32b906f2e544d549f67b247416c7d68d31137a043ca2249c2dd76e1961803002"}} as unknown as DocumentNode<WallboardHorizonQuery, WallboardHorizonQueryVariables>;
export const WallboardQueueStatisticsDocument = {"__meta__":{"operationName":"WallboardQueueStatistics","hash":"28d52521ff350013884774d4839186e9f6e7c1b8f67a6ba2993aea21ab3d4e84"}} as unknown as DocumentNode<WallboardQueueStatisticsSubscription, WallboardQueueStatisticsSubscriptionVariables>;
export const WallboardTasksDocument = {"__meta__":{"operationName":"WallboardTasks","hash":"d5eaf9ce479ebf8edde0c20b70dcf1fe2659757a5188ff0004b82e4b3b31552d"}} as unknown as DocumentNode<WallboardTasksQuery, WallboardTasksQueryVariables>;
export const WallboardTaskStatusDocument = {"__meta__":{"operationName":"WallboardTaskStatus","hash":"e1a4c3feb6dc745c56270c81925d8d65dc26b06c729392945bb3c96e5fe5c9fa"}} as unknown as DocumentNode<WallboardTaskStatusSubscription, WallboardTaskStatusSubscriptionVariables>;
export const WallboardTaskStatisticsDocument = {"__meta__":{"operationName":"WallboardTaskStatistics","hash":"543bf3b2b86d8f362abeab2638dc02a16f72fd8412756848935cd2b0781a8995"}} as unknown as DocumentNode<WallboardTaskStatisticsSubscription, WallboardTaskStatisticsSubscriptionVariables>;
export const WallboardPauseTaskDocument = {"__meta__":{"operationName":"WallboardPauseTask","hash":"7c11804a2bc58bdc3d861b603488712b9ce8fb38a2f32c1bf5b743d0b4e8b8b9"}} as unknown as DocumentNode<WallboardPauseTaskMutation, WallboardPauseTaskMutationVariables>;
export const WallboardStartTaskDocument = {"__meta__":{"operationName":"WallboardStartTask","hash":"73a8feeb1d3d8d4971a01068ed7c3c0588e3393ec9dfbc5016f9298a14823481"}} as unknown as DocumentNode<WallboardStartTaskMutation, WallboardStartTaskMutationVariables>;