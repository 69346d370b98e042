import DataLoader from 'dataloader';
import { type NotFoundEntity, UpstreamNotConfiguredError } from '../errors.ts';
import type { AiCallClient } from '../upstream/aicall/client.ts';
import type {
  AiCallerLine,
  AiDoNotCallWindow,
  AiHandoverGroup,
  AiRedialRule,
  AiScriptGroup,
  AiTask,
  AiTaskOptions,
} from '../upstream/aicall/types.ts';
import { byKey } from './batch.ts';
import { outsideOperation } from '../upstream/budget.ts';

/**
 * The AI-call platform behind the schema, at a bounded cost:
 * - `GET /v1/task/create` (what a task may use) changes rarely but is read by every form render and by every nested
 *   resource of an AI task: a short-TTL cache in the long-lived services, single-flight, serves all requests.
 * - `GET /v1/task` has no by-id form and no paging: one call per request, memoised, serves every AI task read in it.
 * So any request costs at most one call of each, whatever it asks for.
 */

/** How long `GET /v1/task/create` is served from memory: long enough for a re-rendering form, short for free concurrency. */
export const AI_TASK_OPTIONS_TTL_MS = 5_000;

export interface CachedTaskOptions {
  options: AiTaskOptions;
  /** When the platform answered. */
  fetchedAt: Date;
}

/** The options of `GET /v1/task/create`, shared by all requests. */
export interface AiTaskOptionsCache {
  /** At most `ttlMs` old; concurrent callers share one fetch, and a failed fetch is not kept. */
  get(): Promise<CachedTaskOptions>;
  /**
   * Fetched for this caller, for checks before a write: joins a fetch already in flight (it started moments ago),
   * otherwise starts one; the answer refreshes the cache.
   */
  fresh(): Promise<CachedTaskOptions>;
  /** Drops the cached answer, e.g. after a write that changed a line's free concurrency. */
  invalidate(): void;
}

export function createAiTaskOptionsCache(
  client: Pick<AiCallClient, 'getTaskOptions'>,
  options: { ttlMs?: number; now?: () => number } = {},
): AiTaskOptionsCache {
  const ttlMs = options.ttlMs ?? AI_TASK_OPTIONS_TTL_MS;
  const now = options.now ?? Date.now;
  /** `settledAt` null while in flight. `generation` lets a late answer know it was invalidated meanwhile. */
  let entry: { promise: Promise<CachedTaskOptions>; settledAt: number | null; generation: number } | null = null;
  let generation = 0;

  function start(): Promise<CachedTaskOptions> {
    const mine = ++generation;
    // Shared by every request that asks meanwhile: outside any one operation's upstream budget.
    const promise = outsideOperation(() => client.getTaskOptions()).then(
      (answer) => {
        const at = now();
        if (entry?.generation === mine) entry.settledAt = at;
        return { options: answer, fetchedAt: new Date(at) };
      },
      (error: unknown) => {
        if (entry?.generation === mine) entry = null;
        throw error;
      },
    );
    entry = { promise, settledAt: null, generation: mine };
    return promise;
  }

  return {
    get() {
      if (entry && (entry.settledAt === null || now() - entry.settledAt < ttlMs)) return entry.promise;
      return start();
    },
    fresh() {
      if (entry && entry.settledAt === null) return entry.promise;
      return start();
    },
    invalidate() {
      entry = null;
    },
  };
}

/** Per-request AI-call loaders: fresh for each request, so one request's list never serves another. */
export interface AiCallLoaders {
  /** Every task (`GET /v1/task`), fetched once per request. */
  taskList(): Promise<AiTask[]>;
  /** A task by uuid, from taskList(); NotFoundError for an unknown one. */
  task: DataLoader<string, AiTask>;
  /** The options for this request: one cache read per request, so a long request cannot fetch twice. */
  options(): Promise<CachedTaskOptions>;
  callerLine: DataLoader<string, AiCallerLine>;
  scriptGroup: DataLoader<number, AiScriptGroup>;
  redialRule: DataLoader<number, AiRedialRule>;
  doNotCallWindow: DataLoader<string, AiDoNotCallWindow>;
  handoverGroup: DataLoader<number, AiHandoverGroup>;
  /** Forgets the task list after a write, so the next read in this request sees it. */
  clearTasks(): void;
  /** Forgets the options after a write (the services' cache is invalidated by the caller). */
  clearOptions(): void;
}

/**
 * One read shared by every field of a request. A failure is not remembered: a later field of the same request may
 * try again.
 */
function onePerRequest<T>(read: () => Promise<T>): { read: () => Promise<T>; forget: () => void } {
  let current: Promise<T> | null = null;
  return {
    read: () => {
      if (!current) {
        const pending = read();
        current = pending;
        pending.catch(() => {
          if (current === pending) current = null;
        });
      }
      return current;
    },
    forget: () => {
      current = null;
    },
  };
}

export function createAiCallLoaders(aicall: AiCallClient | null, cache: AiTaskOptionsCache | null): AiCallLoaders {
  const notConfigured = () => new UpstreamNotConfiguredError({ upstream: 'aicall', operation: 'load' });
  const tasks = onePerRequest(() => (aicall ? aicall.listTasks() : Promise.reject(notConfigured())));
  const options = onePerRequest(() => (cache ? cache.get() : Promise.reject(notConfigured())));
  const taskList = tasks.read;
  const readOptions = options.read;
  const fromOptions = <K, V>(entity: NotFoundEntity, pick: (o: AiTaskOptions) => V[], keyOf: (v: V) => K) =>
    new DataLoader<K, V>(async (keys) => byKey(keys, pick((await readOptions()).options), keyOf, entity));

  const task = new DataLoader<string, AiTask>(async (keys) => byKey(keys, await taskList(), (t) => t.id, 'Task'));
  const loaders = {
    callerLine: fromOptions('CallerLine', (o) => o.callerLines, (l) => l.id),
    scriptGroup: fromOptions('ScriptGroup', (o) => o.scriptGroups, (g) => g.id),
    redialRule: fromOptions('RedialRule', (o) => o.redialRules, (r) => r.id),
    doNotCallWindow: fromOptions('DoNotCallWindow', (o) => o.doNotCallWindows, (w) => w.id),
    handoverGroup: fromOptions('HandoverGroup', (o) => o.handoverGroups, (g) => g.id),
  };
  return {
    taskList,
    task,
    options: readOptions,
    ...loaders,
    clearTasks() {
      tasks.forget();
      task.clearAll();
    },
    clearOptions() {
      options.forget();
      for (const loader of Object.values(loaders)) loader.clearAll();
    },
  };
}
