/**
 * The events the gateway stores and publishes: one shape for the pub/sub (in-process or Redis), for replay from the
 * store (`store.events.eventsAfter`) and for subscribers. Everything here is JSON-safe (times are ISO-8601 strings),
 * so an event reads the same after a Redis round trip as in-process. See docs/events.md.
 */

// New topics go at the end: a topic's index names its PostgreSQL advisory lock (store/events.ts).
export const EVENT_TOPICS = ['agent-status', 'call-record', 'task-status', 'aicall-notify', 'abandon-guard'] as const;
export type EventTopic = (typeof EVENT_TOPICS)[number];

export function isEventTopic(value: string): value is EventTopic {
  return (EVENT_TOPICS as readonly string[]).includes(value);
}

/** The extension-status callback's `status`. */
export type AgentCallStatus = 'ring' | 'answer' | 'hangup';

/** `isbleg`: "false" is the agent's (extension's) side of the call, "true" the customer's phone. */
export type CallLeg = 'agent' | 'customer';

/** One extension-status callback, normalised. Codes stay raw text; the GraphQL layer decodes them. */
export interface AgentStatusPayload {
  extension: string;
  /** UNKNOWN for a word the manual does not list (kept in `statusCode`); such events never move the agent's state. */
  status: AgentCallStatus | 'UNKNOWN';
  statusCode: string;
  leg: CallLeg;
  /** The call's `uuid`. */
  callUuid: string;
  /** `buuid`: the B side's uuid. */
  bUuid: string | null;
  /** "callout" / "callin" as sent. */
  direction: string | null;
  caller: string | null;
  callee: string | null;
  /** `disnumber`. */
  displayNumber: string | null;
  /** `method`: the call-method code ("1"…"6"). */
  callMethod: string | null;
  /** `customuuid`. */
  customerId: string | null;
  companyCode: string | null;
  /** `starttime` (unix seconds on the wire). */
  callStartedAt: string;
  /** Absent or 'callback': the platform said so; 'reconcile': the gateway's correction after polling the PBX. */
  source?: 'callback' | 'reconcile';
}

/** What the gateway knows of an agent's call state: the `agent_status` projection at one moment. */
export interface AgentStateSnapshot {
  status: AgentCallStatus;
  leg: CallLeg;
  callUuid: string;
  callStartedAt: string;
  /** The event that set this state. */
  eventId: number;
  changedAt: string;
}

/**
 * The projection's answer to an agent-status event. Applied: `previous` → `current` is the change it made.
 * Not applied (stale, a duplicate leg, or an unknown status): both are the unchanged state.
 */
export interface AgentStatusEffect {
  previous: AgentStateSnapshot | null;
  current: AgentStateSnapshot | null;
}

/** One call-record callback, normalised to the fields a CallRecord (GetBill `Bill`) has, plus the callback's own. */
export interface CallRecordPayload {
  /** The platform's record id (`id`); absent from some callbacks (the predictive manual's example has none). */
  recordId: number | null;
  uuid: string | null;
  extension: string | null;
  /** `destnumber`. */
  destinationNumber: string | null;
  /** `disnumber`: the number shown to the callee. */
  displayNumber: string | null;
  /** `type`: "callout" / "callin". */
  direction: string | null;
  callMethod: string | null;
  startedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  /** `duration`: seconds waiting for an answer. */
  waitSeconds: number | null;
  /** `billsec`: seconds of conversation. */
  talkSeconds: number | null;
  /** `crmid`: the agent's employee id. */
  employeeId: string | null;
  memberId: string | null;
  /** `chengshudu`. */
  maturity: string | null;
  /** `customuuid`. */
  customerId: string | null;
  recordFileName: string | null;
  downloadIp: string | null;
  hangupDirection: string | null;
  hangupCause: string | null;
  /** `userkey`: keys the callee pressed. */
  keysPressed: string | null;
  companyCode: string | null;
}

export interface CallRecordEffect {
  /** The `call_records` row the callback was merged into. */
  recordKey: string;
}

/** A task status as the gateway names it (PredictiveTaskStatus's values; AI tasks are RUNNING or PAUSED). */
export type TaskStatusName = 'NOT_STARTED' | 'RUNNING' | 'PAUSED' | 'ENDED' | 'FINISHED';

/**
 * A task's status changed: the predictive PBX's task-status callback (it only ever sends 3, "finished"), or a change
 * the gateway made itself (source 'mutation': creation, startTask, pauseTask, endTask, deleteTask; either kind). The
 * optional fields were added later: an event stored before them is a PBX callback (`source` 'callback', `kind`
 * PREDICTIVE).
 */
export interface TaskStatusPayload {
  /** The task's platform id (PBX task id, or AI-task uuid). */
  taskId: string;
  companyCode: string | null;
  /** The status the change asks for; UNKNOWN for a callback code the manual does not list; DELETED for deleteTask. */
  status: TaskStatusName | 'UNKNOWN' | 'DELETED';
  /** The callback's code as sent; for a mutation, the status again. */
  statusCode: string;
  /** Absent: PREDICTIVE. */
  kind?: 'PREDICTIVE' | 'AI';
  /** Absent: 'callback'. */
  source?: 'callback' | 'mutation' | 'guard';
  /**
   * AI tasks only (the gateway keeps no store of them): the status the gateway read just before its command, null when
   * it could not read it or the task is new. A predictive task's previous status comes from its store (the effect).
   */
  previous?: TaskStatusName | null;
}

export interface TaskStatusEffect {
  /** Whether the gateway has this task (it only knows the predictive tasks it created; AI tasks it changed: true). */
  known: boolean;
  /** The task's status after the event (a PredictiveTaskStatus), null when unknown or deleted. */
  status: string | null;
  /**
   * The status before the event; null for a creation, an unknown task, or when not known. When the event changed
   * nothing (`applied` false) it is the unchanged status. Absent on events stored before it was added.
   */
  previous?: string | null;
}

/**
 * An AI-call hang-up notification: what could be recognised, and the body as received. The optional fields were added
 * later: events stored before them lack them (undefined), and readers recognise them from `raw` instead
 * (`aiCallNotificationExtras` in src/callbacks/schemas.ts).
 */
export interface AiCallNotifyPayload {
  taskId: string | null;
  callId: string | null;
  phone: string | null;
  startedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  talkSeconds: number | null;
  hangupCause: string | null;
  /** The task's name as the platform sent it (`task_name`). */
  taskName?: string | null;
  /** The number shown to the called party (`caller_number`). */
  callerNumber?: string | null;
  /** Seconds from dialling to hang-up (`duration`; else end − start when both are known). */
  durationSeconds?: number | null;
  /** The platform's own id of the dialled entry (`customer_id`), as text. */
  platformCustomerId?: string | null;
  /** The entry's custom fields as sent back (`fields`, …): what was imported with the number, values as text. */
  customerFields?: Record<string, string> | null;
  /** The platform's label for the call's result (an intention / label / outcome word), as sent. */
  outcome?: string | null;
  raw: unknown;
}

/** What the guard did when its task's abandon rate passed the target. */
export type AbandonGuardAction = 'PAUSED' | 'ALERT_ONLY' | 'NOT_RUNNING' | 'PAUSE_FAILED';

/**
 * A predictive task's abandon-rate guard tripped (src/stats/guard.ts): the rate over the task's last `calls` calls the
 * customer answered passed the target. Stored and published like a callback; subject = the task id.
 */
export interface AbandonGuardPayload {
  taskId: string;
  targetPercent: number;
  /** The guard's N. */
  lastCalls: number;
  /** Calls the rate was taken over (N) and how many of them were abandoned. */
  calls: number;
  abandoned: number;
  ratePercent: number;
  trippedAt: string;
  action: AbandonGuardAction;
  /** PAUSE_FAILED: the gateway's error code for the refused or failed TaskSet. */
  errorCode: string | null;
}

export interface EventPayloads {
  'agent-status': AgentStatusPayload;
  'call-record': CallRecordPayload;
  'task-status': TaskStatusPayload;
  'aicall-notify': AiCallNotifyPayload;
  'abandon-guard': AbandonGuardPayload;
}

export interface EventEffects {
  'agent-status': AgentStatusEffect;
  'call-record': CallRecordEffect;
  'task-status': TaskStatusEffect;
  'aicall-notify': null;
  'abandon-guard': null;
}

/** A stored event, as published and as replayed. */
export interface GatewayEvent<T extends EventTopic = EventTopic> {
  /** The store's id: increasing in commit order within a topic; subscribers resume after the last one they saw. */
  id: number;
  topic: T;
  /** What subscribers filter on: the extension (agent-status, call-record), the task id (task-status, aicall-notify). */
  subject: string | null;
  /** When it happened by the platform's account, when known. */
  occurredAt: string | null;
  receivedAt: string;
  /**
   * Whether the event changed what the gateway knows: false for a stale (out-of-order) agent status, a status for an
   * unknown or already finished task. Always set on published and replayed events.
   */
  applied: boolean;
  payload: EventPayloads[T];
  effect: EventEffects[T] | null;
}

/** Any topic's event, narrowed by `topic`. */
export type AnyGatewayEvent = { [T in EventTopic]: GatewayEvent<T> }[EventTopic];
