import { createRequester, GraphQLRequestError, type Requester, type RequestResult, UnauthenticatedError } from './api.ts';
import {
  type ApiRole,
  WallboardAgentsDocument,
  WallboardAgentStatusDocument,
  WallboardCallRecordCreatedDocument,
  WallboardCallRecordsDocument,
  type WallboardAgentsQuery,
  type WallboardCallRecordsQuery,
  WallboardGatewayDocument,
  WallboardHorizonDocument,
  WallboardPauseTaskDocument,
  WallboardQueueStatisticsDocument,
  WallboardSetAgentAvailabilityDocument,
  WallboardStartTaskDocument,
  WallboardTaskStatisticsDocument,
  WallboardTasksDocument,
  WallboardTaskStatusDocument,
} from './generated/graphql.ts';
import { type AgentNode, type AgentTile, setPaused, snapshotFromAgents } from './lib/agents.ts';
import { type Incoming, type QueueFigures, reduceBatch } from './lib/batch.ts';
import { backoffDelayMs } from './lib/backoff.ts';
import { maxEventId, TopicCursor } from './lib/event-ids.ts';
import { type CallRecordItem, newestRecords } from './lib/feed.ts';
import type { MessageKey, Params } from './lib/i18n.ts';
import { OUTDATED_CODE, type SubscriptionErrorAction } from './lib/resume-errors.ts';
import { liveStatisticsTaskIds, type TaskItem, type TaskStatistics } from './lib/tasks.ts';
import { type ConnectionState, Live } from './live.ts';

/**
 * The wallboard's state and everything that changes it: the loads, the subscriptions, the operators' commands.
 * Components only read `state` and call the methods; they never talk to the gateway.
 *
 * Loading is resume-correct (docs/events.md, "Resume points"): (1) the horizon (each topic's latest eventId) in a
 * request of its own, (2) the state, (3) the subscriptions with `after` = the horizon; an event the state already
 * reflects (eventId ≤ the tile's) is skipped and counted. Incoming events wait in a queue that one
 * requestAnimationFrame flushes into the state, so 100 events/s cost one render per frame, of the changed tiles only.
 */

export const KEY_STORAGE = 'wallboard.key';
const TASKS_REFRESH_MS = 60_000;
const TASKS_REFETCH_DEBOUNCE_MS = 500;
const MAX_QUEUE_SUBSCRIPTION = 200;
const MAX_STATISTICS_SUBSCRIPTIONS = 10;
const CALL_FEED_WINDOW_MS = 15 * 60_000;
const CALL_FEED_MAX_PAGES = 5;
/** 20,000 agents: past that a wall screen is the wrong view (and the load the wrong cost). */
const MAX_AGENT_PAGES = 10;
const TOAST_MS = 5_000;
const OUTDATED_RELOAD_KEY = 'wallboard.reloadedForDocuments';
const OUTDATED_RELOAD_GAP_MS = 60_000;


export interface Toast {
  id: number;
  kind: 'ok' | 'error';
  key: MessageKey;
  params?: Params;
}

export interface GatewaySummary {
  version: string;
  demo: boolean;
  role: ApiRole;
}

export interface ViewState {
  phase: 'loading' | 'key' | 'ready' | 'failed';
  keyRejected: boolean;
  failure: string | null;
  gateway: GatewaySummary | null;
  connection: ConnectionState;
  reloading: boolean;
  tiles: ReadonlyMap<string, AgentTile>;
  order: readonly string[];
  totalAgents: number;
  queues: readonly string[];
  queueStats: ReadonlyMap<string, QueueFigures>;
  tasks: readonly TaskItem[];
  aiUnavailable: boolean;
  taskStats: ReadonlyMap<string, TaskStatistics>;
  calls: readonly CallRecordItem[];
  toasts: readonly Toast[];
}

const EMPTY_STATE: ViewState = {
  phase: 'loading',
  keyRejected: false,
  failure: null,
  gateway: null,
  connection: 'connecting',
  reloading: false,
  tiles: new Map(),
  order: [],
  totalAgents: 0,
  queues: [],
  queueStats: new Map(),
  tasks: [],
  aiUnavailable: false,
  taskStats: new Map(),
  calls: [],
  toasts: [],
};

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export class WallboardController {
  state: ViewState = EMPTY_STATE;
  readonly #listeners = new Set<(state: ViewState) => void>();
  readonly #root: HTMLElement;
  readonly #request: Requester;
  #key: string | null = storage()?.getItem(KEY_STORAGE) ?? null;

  #live: Live | null = null;
  /** Bumped by every (re)load: events from subscriptions of an older generation are dropped. */
  #generation = 0;
  #subscriptions: Array<() => void> = [];
  readonly #statisticsSubscriptions = new Map<string, () => void>();
  #cursors = { a: new TopicCursor(null), c: new TopicCursor(null), t: new TopicCursor(null) };
  #reload: Promise<void> | null = null;
  #tasksTimer: ReturnType<typeof setInterval> | undefined;
  #refetchTimer: ReturnType<typeof setTimeout> | undefined;
  #startRetry = 0;
  #startToken = 0;
  #startRetryTimer: ReturnType<typeof setTimeout> | undefined;

  #incoming: Incoming[] = [];
  #frame = 0;
  #applied = 0;
  #skipped = 0;
  #lastEventId: string | null = null;
  #toastId = 0;

  constructor(root: HTMLElement) {
    this.#root = root;
    this.#request = createRequester(() => this.#key);
    this.#writeCounters();
  }

  subscribe(listener: (state: ViewState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(patch: Partial<ViewState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.#listeners) listener(this.state);
  }

  /** The browser tests read these (common contract): the highest agent-status eventId reflected, and the counters. */
  #writeCounters(): void {
    const data = this.#root.dataset;
    data.lastEventId = this.#lastEventId ?? '';
    data.appliedEvents = String(this.#applied);
    data.skippedEvents = String(this.#skipped);
  }

  // ---- start, keys ----------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    // A newer start (a key submitted, a key forgotten, a retry) supersedes one still waiting for the gateway.
    const token = ++this.#startToken;
    clearTimeout(this.#startRetryTimer);
    this.#set({ phase: 'loading' });
    try {
      const { data } = await this.#request(WallboardGatewayDocument, {});
      if (token !== this.#startToken) return;
      const gateway = data!.gateway;
      this.#set({ gateway: { version: gateway.version, demo: gateway.demo, role: gateway.access.role } });
      await this.#loadAll(() => token === this.#startToken);
      if (token !== this.#startToken) return;
      this.#startRetry = 0;
      this.#set({ phase: 'ready', keyRejected: false, failure: null });
      this.#ensureLive();
      this.#subscribeAll();
      clearInterval(this.#tasksTimer);
      // AI tasks' progress is only read from the platform: the list is read again every minute.
      this.#tasksTimer = setInterval(() => void this.#refreshTasks(), TASKS_REFRESH_MS);
    } catch (error) {
      if (token === this.#startToken) this.#onLoadError(error);
    }
  }

  #onLoadError(error: unknown): void {
    if (error instanceof UnauthenticatedError) {
      this.#askForKey(this.#key !== null);
      return;
    }
    if (error instanceof GraphQLRequestError && error.codes.includes(OUTDATED_CODE) && this.#reloadPage()) return;
    const message = error instanceof Error ? error.message : String(error);
    this.#set({ phase: 'failed', failure: message });
    // The gateway may be restarting: try again, backing off like the socket does.
    this.#startRetryTimer = setTimeout(() => void this.start(), backoffDelayMs(this.#startRetry++));
  }

  #askForKey(rejected: boolean): void {
    this.#stopLive();
    // A refused key is not kept: a reload of a shared screen should not send it again.
    if (rejected) {
      this.#key = null;
      storage()?.removeItem(KEY_STORAGE);
    }
    this.#set({ phase: 'key', keyRejected: rejected });
  }

  submitKey(key: string): void {
    this.#key = key.trim() || null;
    if (this.#key) storage()?.setItem(KEY_STORAGE, this.#key);
    else storage()?.removeItem(KEY_STORAGE);
    void this.start();
  }

  forgetKey(): void {
    this.#key = null;
    storage()?.removeItem(KEY_STORAGE);
    this.#stopLive();
    // Without a key the gateway answers 401 (then the key form shows), or, in demo mode, the page simply goes on.
    void this.start();
  }

  #stopLive(): void {
    this.#generation++;
    this.#unsubscribeAll();
    this.#live?.dispose();
    this.#live = null;
    clearInterval(this.#tasksTimer);
    clearTimeout(this.#refetchTimer);
    clearTimeout(this.#startRetryTimer);
  }

  // ---- loading --------------------------------------------------------------------------------------------------

  /** Horizon first, in a request of its own, then the state: every event after the horizon comes by subscription. */
  async #loadAll(current: () => boolean = () => true): Promise<void> {
    const horizon = (await this.#request(WallboardHorizonDocument, {})).data!.gateway;
    const [agents, tasks, calls] = await Promise.all([this.#loadAgents(), this.#request(WallboardTasksDocument, {}), this.#loadCalls()]);
    if (!current()) return;
    const { nodes, totalCount } = agents;
    const snapshot = snapshotFromAgents(nodes);
    const queues = [...agents.queues].sort();
    this.#generation++;
    this.#cursors = { a: new TopicCursor(horizon.a), c: new TopicCursor(horizon.c), t: new TopicCursor(horizon.t) };
    this.#lastEventId = maxEventId(this.#lastEventId, snapshot.lastEventId);
    this.#incoming = [];
    this.#writeCounters();
    const taskList = tasks.data?.tasks?.edges.map((edge) => edge.node) ?? [];
    this.#set({
      tiles: snapshot.tiles,
      order: snapshot.order,
      totalAgents: totalCount ?? nodes.length,
      queues,
      tasks: taskList,
      aiUnavailable: (tasks.data?.tasks?.unavailable ?? []).length > 0,
      taskStats: this.#statisticsFromTasks(taskList, new Map()),
      calls,
      failure: null,
    });
  }

  /** Every agent, 2,000 a page (a page is one slice of one GetSipnumberInfo), and the queue names with the first. */
  async #loadAgents(): Promise<{ nodes: AgentNode[]; totalCount: number | null; queues: string[] }> {
    const nodes: AgentNode[] = [];
    let totalCount: number | null = null;
    let queues: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < MAX_AGENT_PAGES; page++) {
      const result: RequestResult<WallboardAgentsQuery> = await this.#request(WallboardAgentsDocument, { after, withQueues: page === 0 });
      const connection = result.data?.agents;
      if (page === 0) queues = (result.data?.queues ?? []).map((queue) => queue.name);
      if (!connection) break;
      totalCount = connection.totalCount;
      nodes.push(...connection.edges.map((edge) => edge.node));
      if (!connection.pageInfo.hasNextPage || !connection.pageInfo.endCursor) break;
      after = connection.pageInfo.endCursor;
    }
    return { nodes, totalCount, queues };
  }

  /** The newest records of the last minutes (GetBill answers oldest first, forwards only: a few pages at most). */
  async #loadCalls(): Promise<CallRecordItem[]> {
    const to = new Date();
    const filter = { from: new Date(to.getTime() - CALL_FEED_WINDOW_MS).toISOString(), to: to.toISOString() };
    const records: CallRecordItem[] = [];
    let after: string | null = null;
    for (let page = 0; page < CALL_FEED_MAX_PAGES; page++) {
      const result: RequestResult<WallboardCallRecordsQuery> = await this.#request(WallboardCallRecordsDocument, { filter, after });
      const connection = result.data?.callRecords;
      if (!connection) break;
      records.push(...connection.edges.map((edge) => edge.node));
      // Keep only what could still be among the newest: pages are big, the feed is short.
      if (records.length > 400) records.splice(0, records.length - 400);
      if (!connection.pageInfo.hasNextPage || !connection.pageInfo.endCursor) break;
      after = connection.pageInfo.endCursor;
    }
    return newestRecords(records);
  }

  #statisticsFromTasks(tasks: readonly TaskItem[], current: ReadonlyMap<string, TaskStatistics>): Map<string, TaskStatistics> {
    const next = new Map<string, TaskStatistics>();
    for (const task of tasks) {
      const live = current.get(task.id);
      const loaded = 'statistics' in task ? task.statistics : null;
      if (live) next.set(task.id, live);
      else if (loaded) next.set(task.id, loaded);
    }
    return next;
  }

  async #refreshTasks(): Promise<void> {
    const generation = this.#generation;
    try {
      const { data } = await this.#request(WallboardTasksDocument, {});
      if (generation !== this.#generation || !data?.tasks) return;
      const tasks = data.tasks.edges.map((edge) => edge.node);
      this.#set({ tasks, aiUnavailable: data.tasks.unavailable.length > 0, taskStats: this.#statisticsFromTasks(tasks, this.state.taskStats) });
      this.#syncStatisticsSubscriptions();
    } catch (error) {
      if (error instanceof UnauthenticatedError) this.#askForKey(true);
    }
  }

  #scheduleTasksRefetch(): void {
    clearTimeout(this.#refetchTimer);
    this.#refetchTimer = setTimeout(() => void this.#refreshTasks(), TASKS_REFETCH_DEBOUNCE_MS);
  }

  /** EVENT_ID_AHEAD / EVENT_ID_EXPIRED / REPLAY_LIMIT_EXCEEDED: the events in between are not to be had; start over. */
  #reloadEverything(): Promise<void> {
    this.#reload ??= (async () => {
      this.#set({ reloading: true });
      this.#unsubscribeAll();
      for (;;) {
        try {
          // The old cursors came from another store (or fell behind): the reload's horizon replaces them.
          this.#lastEventId = null;
          await this.#loadAll();
          this.#startRetry = 0;
          this.#subscribeAll();
          break;
        } catch (error) {
          if (error instanceof UnauthenticatedError) {
            this.#askForKey(true);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(this.#startRetry++)));
        }
      }
      this.#set({ reloading: false });
      this.#reload = null;
    })();
    return this.#reload;
  }

  // ---- live -----------------------------------------------------------------------------------------------------

  #ensureLive(): void {
    this.#live ??= new Live({
      key: this.#key,
      onState: (connection) => this.#set({ connection }),
      onForbidden: () => this.#askForKey(true),
    });
  }

  #unsubscribeAll(): void {
    for (const unsubscribe of this.#subscriptions) unsubscribe();
    this.#subscriptions = [];
    for (const unsubscribe of this.#statisticsSubscriptions.values()) unsubscribe();
    this.#statisticsSubscriptions.clear();
  }

  /**
   * PERSISTED_QUERY_NOT_FOUND: the gateway was upgraded under this page and knows other document hashes; the page
   * (served no-cache) loads again, at most once a minute so a gateway that lacks the manifest cannot make it loop.
   */
  #reloadPage(): boolean {
    const last = Number(storage()?.getItem(OUTDATED_RELOAD_KEY) ?? 0);
    if (Date.now() - last < OUTDATED_RELOAD_GAP_MS) return false;
    storage()?.setItem(OUTDATED_RELOAD_KEY, String(Date.now()));
    window.location.reload();
    return true;
  }

  #failed = (action: SubscriptionErrorAction, errors: unknown): void => {
    if (action === 'reload') void this.#reloadEverything();
    else if (action === 'unauthenticated') this.#askForKey(true);
    else if (action === 'outdated' && this.#reloadPage()) return;
    // Anything else (a refused document, FORBIDDEN): that panel stays as loaded; the console says why.
    else console.warn('wallboard: subscription ended', errors);
  };

  #subscribeAll(): void {
    const live = this.#live;
    if (!live) return;
    const generation = this.#generation;
    const cursors = this.#cursors;
    const current = () => generation === this.#generation;
    this.#subscriptions.push(
      live.subscribe(WallboardAgentStatusDocument, () => ({ after: cursors.a.after }), {
        next: (data) => {
          if (!current()) return;
          const event = data.agentStatusChanged;
          cursors.a.advance(event.eventId);
          this.#enqueue({ kind: 'agent', event });
        },
        failed: this.#failed,
      }),
      live.subscribe(WallboardCallRecordCreatedDocument, () => ({ after: cursors.c.after }), {
        next: (data) => {
          if (current() && cursors.c.advance(data.callRecordCreated.eventId)) this.#enqueue({ kind: 'call', record: data.callRecordCreated.record });
        },
        failed: this.#failed,
      }),
      live.subscribe(WallboardTaskStatusDocument, () => ({ after: cursors.t.after }), {
        next: (data) => {
          if (current() && cursors.t.advance(data.taskStatusChanged.eventId)) this.#enqueue({ kind: 'task', event: data.taskStatusChanged });
        },
        failed: this.#failed,
      }),
    );
    const queues = this.state.queues.slice(0, MAX_QUEUE_SUBSCRIPTION);
    if (queues.length > 0) {
      this.#subscriptions.push(
        live.subscribe(WallboardQueueStatisticsDocument, () => ({ queues }), {
          next: (data) => {
            if (current()) this.#enqueue({ kind: 'queues', figures: data.queueStatisticsUpdated.queues });
          },
          failed: this.#failed,
        }),
      );
    }
    this.#syncStatisticsSubscriptions();
  }

  /** Live figures for at most 10 running or paused predictive tasks (a socket carries at most 20 subscriptions). */
  #syncStatisticsSubscriptions(): void {
    const live = this.#live;
    if (!live) return;
    const wanted = new Set(liveStatisticsTaskIds(this.state.tasks, MAX_STATISTICS_SUBSCRIPTIONS));
    for (const [taskId, unsubscribe] of this.#statisticsSubscriptions) {
      if (!wanted.has(taskId)) {
        unsubscribe();
        this.#statisticsSubscriptions.delete(taskId);
      }
    }
    const generation = this.#generation;
    for (const taskId of wanted) {
      if (this.#statisticsSubscriptions.has(taskId)) continue;
      this.#statisticsSubscriptions.set(
        taskId,
        live.subscribe(WallboardTaskStatisticsDocument, () => ({ taskId }), {
          next: (data) => {
            if (generation === this.#generation) this.#enqueue({ kind: 'taskStats', taskId, statistics: data.taskStatisticsUpdated.statistics });
          },
          // A task deleted meanwhile, statistics disabled: its row keeps what the list read.
          failed: (action, errors) => (action === 'give-up' ? undefined : this.#failed(action, errors)),
        }),
      );
    }
  }

  // ---- batching -------------------------------------------------------------------------------------------------

  #enqueue(item: Incoming): void {
    this.#incoming.push(item);
    if (this.#frame === 0) this.#frame = requestAnimationFrame(this.#flush);
  }

  #flush = (): void => {
    this.#frame = 0;
    const batch = this.#incoming;
    this.#incoming = [];
    const result = reduceBatch(this.state, batch);
    if (result.applied + result.skipped > 0) {
      this.#applied += result.applied;
      this.#skipped += result.skipped;
      this.#lastEventId = maxEventId(this.#lastEventId, result.lastApplied);
      this.#writeCounters();
    }
    if (Object.keys(result.patch).length > 0) this.#set(result.patch);
    // A task that started or paused gains or loses its live statistics.
    if (result.tasksChanged) this.#syncStatisticsSubscriptions();
    if (result.refetch) this.#scheduleTasksRefetch();
  };

  // ---- commands -------------------------------------------------------------------------------------------------

  #toast(kind: Toast['kind'], key: MessageKey, params?: Params): void {
    const id = ++this.#toastId;
    this.#set({ toasts: [...this.state.toasts, { id, kind, key, ...(params ? { params } : {}) }].slice(-4) });
    setTimeout(() => this.dismissToast(id), TOAST_MS);
  }

  dismissToast(id: number): void {
    if (this.state.toasts.some((toast) => toast.id === id)) this.#set({ toasts: this.state.toasts.filter((toast) => toast.id !== id) });
  }

  #commandFailed(error: unknown): void {
    if (error instanceof UnauthenticatedError) {
      this.#askForKey(true);
      return;
    }
    const message = error instanceof GraphQLRequestError || error instanceof Error ? error.message : String(error);
    this.#toast('error', 'toast.failed', { message });
  }

  async runTaskCommand(taskId: string, command: 'pause' | 'start'): Promise<void> {
    const name = this.state.tasks.find((task) => task.id === taskId)?.name ?? taskId;
    try {
      // Two mutations with results of the same shape (TaskPayload or an error): one handling for both.
      const result =
        command === 'pause'
          ? (await this.#request(WallboardPauseTaskDocument, { taskId })).data!.pauseTask
          : (await this.#request(WallboardStartTaskDocument, { taskId })).data!.startTask;
      if (result.__typename === 'TaskPayload') {
        this.#replaceTask(result.task);
        this.#toast('ok', command === 'pause' ? 'toast.taskPaused' : 'toast.taskStarted', { name });
      } else if ('message' in result) this.#toast('error', 'toast.failed', { message: result.message });
    } catch (error) {
      this.#commandFailed(error);
    }
  }

  #replaceTask(task: TaskItem | null): void {
    if (!task) return;
    const tasks = this.state.tasks.map((item) => (item.id === task.id ? task : item));
    this.#set({ tasks });
    this.#syncStatisticsSubscriptions();
  }

  async setAvailability(extension: string, available: boolean): Promise<void> {
    const tile = this.state.tiles.get(extension);
    try {
      const { data } = await this.#request(WallboardSetAgentAvailabilityDocument, {
        extension,
        employeeId: tile?.employeeId ?? null,
        available,
      });
      const result = data!.setAgentsAvailability;
      if (result.__typename !== 'SetAgentsAvailabilityPayload') {
        if ('message' in result) this.#toast('error', 'toast.failed', { message: result.message });
        return;
      }
      if (result.agentsWithoutSeats.includes(extension)) {
        this.#toast('error', 'toast.noSeats', { extension });
        return;
      }
      if (result.succeededCount > 0) this.#set({ tiles: setPaused(this.state.tiles, extension, !available) });
      if (result.failedCount > 0) {
        const message = result.results.find((seat) => !seat.ok)?.error?.message ?? '';
        this.#toast('error', 'toast.partial', { extension, failed: result.failedCount, message });
      } else {
        this.#toast('ok', available ? 'toast.agentIdle' : 'toast.agentBusy', { extension, count: result.succeededCount });
      }
    } catch (error) {
      this.#commandFailed(error);
    }
  }
}
