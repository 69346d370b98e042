import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { request } from 'undici';
import { type Simulator, createSimulator } from '../../src/simulator/server.ts';
import { CHROMIUM_PATH } from './backends.ts';
import { createDisposer, type Disposer } from './disposer.ts';
import { type SpawnedGateway, spawnGateway } from './spawn-gateway.ts';
import { tempDatabaseUrl } from './temp-db.ts';

/**
 * The wallboard's harness, shared by test/browser/wallboard.test.ts and bench/wallboard.ts: a simulator in this process
 * (no dialer, so nothing changes an agent but what the caller posts) with as many agents as asked, the real gateway
 * in a process of its own in front of it (so it can be stopped and started again on the same port and database),
 * agent-status callbacks posted to its real callback endpoint at a given rate, and Chromium with long-task entries
 * collected from the first byte of the page on.
 */

/** The callback path segment of every gateway this harness starts (≥ 16 characters, as the config demands). */
export const CALLBACK_SECRET = 'wallboard-callback-secret-0123456789';

/** API keys for gateways started with `keys: true`: one per role, each ≥ 16 characters. */
export const WALLBOARD_KEYS = {
  viewer: 'wallboard-viewer-key-0123456789',
  operator: 'wallboard-operator-key-0123456789',
  admin: 'wallboard-admin-key-0123456789',
} as const;
export type WallboardRole = keyof typeof WALLBOARD_KEYS;

/** The extensions the harness adds beyond the simulator's 40 demo agents: 8 digits, after the demo's 9024xxxx. */
const ADDED_PREFIX = '9031';

// ---- the page's build ------------------------------------------------------------------------------------------------

// ---- gateway and simulator -------------------------------------------------------------------------------------------

export interface WallboardGatewayOptions {
  /** Agents in all: the simulator's 40 demo agents plus as many added (registered, enabled, in the demo queues). */
  agents?: number;
  /** API keys for every role (WALLBOARD_KEYS); without, GATEWAY_AUTH=off (everyone is admin, as in demo mode). */
  keys?: boolean;
  /** More environment for the gateway (e.g. TRUSTED_DOCUMENTS); wins over the harness's. */
  env?: Record<string, string>;
  /** A fixed port; default one the OS picks (restart() comes back on the same port either way). */
  port?: number;
  /** Default a fresh SQLite file removed by the disposer. */
  databaseUrl?: string;
  /** Run dist/main.js (as `npm start`) instead of src/main.ts through tsx. */
  dist?: boolean;
}

export interface WallboardGateway {
  /** The gateway's base URL (http://127.0.0.1:<port>). */
  url: string;
  /** The page. */
  wallboardUrl: string;
  /** `<url>/callbacks/<secret>`: append `/extension-status` and the like. */
  callbackBase: string;
  sim: Simulator;
  /** Every agent's extension, in extension order. */
  extensions: string[];
  /** The running gateway process; replaced by restart(). */
  process: SpawnedGateway;
  /** SIGTERMs the gateway and waits for it to exit (a clean shutdown: WebSockets closed with 1001). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Starts the gateway again with the same environment: same port, same database. */
  restart(): Promise<void>;
  /** One GraphQL POST over HTTP, raw query text; `key` picks a role's key when the gateway has keys. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, key?: WallboardRole | null): Promise<GraphQLReply<T>>;
}

export interface GraphQLReply<T> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
}

/** Adds agents until the simulator has `total`, each checked in to a demo queue in turn. */
export function addAgents(sim: Simulator, total: number): void {
  const queues = [...sim.sip.queues.keys()];
  const now = sim.context.now();
  for (let i = 1; sim.sip.extensions.size < total; i++) {
    const number = `${ADDED_PREFIX}${String(i).padStart(4, '0')}`;
    sim.sip.addExtension({ number, password: `pw-${number}`, registration: { clientIp: '192.168.20.1', serverIp: '10.0.0.1', since: now - 60_000 } });
    const queue = queues[i % queues.length];
    if (queue) sim.sip.signIn(queue, number, String(100_000 + i));
  }
}

export async function startWallboardGateway(disposer: Disposer, options: WallboardGatewayOptions = {}): Promise<WallboardGateway> {
  const sim = disposer.use(createSimulator({ dialer: false }), (s) => s.stop());
  const simUrl = await sim.start();
  if (options.agents !== undefined) addAgents(sim, options.agents);
  const env: Record<string, string> = {
    SIP_API_URL: simUrl,
    SIP_APPID: sim.credentials.appId,
    SIP_ACCESSKEY: sim.credentials.accessKey,
    AICALL_API_URL: simUrl,
    AICALL_API_TOKEN: sim.credentials.aicallToken,
    DATABASE_URL: options.databaseUrl ?? tempDatabaseUrl(disposer),
    // Port 0 unless asked: the OS picks, and restart() comes back on the port the first start got.
    PORT: String(options.port ?? 0),
    HOST: '127.0.0.1',
    CALLBACK_SECRET,
    // Nothing but the test's own callbacks moves an agent: the reconciler would otherwise hang up, 15 s on, every
    // ring the test posted for an agent the simulator knows to be idle.
    RECONCILE_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'warn',
    // spawnGateway passes only PATH on: a bench measuring in production mode passes its NODE_ENV to the gateway too.
    ...(process.env.NODE_ENV ? { NODE_ENV: process.env.NODE_ENV } : {}),
    ...(options.keys
      ? { GATEWAY_API_KEYS: Object.entries(WALLBOARD_KEYS).map(([role, key]) => `${key}:${role}`).join(',') }
      : { GATEWAY_AUTH: 'off' }),
    ...options.env,
  };
  const spawnOptions = { dist: options.dist ?? false };
  const first = await spawnGateway(disposer, env, spawnOptions);
  const url = first.url;
  env.PORT = new URL(url).port;
  const gateway: WallboardGateway = {
    url,
    wallboardUrl: `${url}/wallboard`,
    callbackBase: `${url}/callbacks/${CALLBACK_SECRET}`,
    sim,
    extensions: [...sim.sip.extensions.keys()].sort(),
    process: first,
    async stop() {
      gateway.process.child.kill('SIGTERM');
      return gateway.process.exited;
    },
    async restart() {
      gateway.process = await spawnGateway(disposer, env, spawnOptions);
    },
    async gql(query, variables, key = null) {
      const response = await request(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${WALLBOARD_KEYS[key]}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.statusCode, ...((await response.body.json()) as object) };
    },
  };
  return gateway;
}

/**
 * Every agent as the gateway has it: the state a tile must show (presence.state, except that a free agent who shows
 * busy in every queue it sits in shows PAUSED), and the stored event that set the presence (null: polled).
 */
export async function presenceOf(
  gateway: Pick<WallboardGateway, 'gql'>,
  key: WallboardRole | null = null,
): Promise<Map<string, { state: string | null; eventId: string | null }>> {
  type Node = { extension: string; presence: { state: string; eventId: string | null } | null; seats: Array<{ paused: boolean }> | null };
  const reply = await gateway.gql<{ agents: { edges: Array<{ node: Node }> } }>(
    '{ agents(first: 2000) { edges { node { extension presence { state eventId } seats { paused } } } } }',
    {},
    key,
  );
  if (!reply.data?.agents) throw new Error(`agents not read: ${JSON.stringify(reply.errors)}`);
  const shown = ({ presence, seats }: Node) => {
    const paused = (seats ?? []).length > 0 && (seats ?? []).every((seat) => seat.paused);
    return presence?.state === 'AVAILABLE' && paused ? 'PAUSED' : (presence?.state ?? null);
  };
  return new Map(reply.data.agents.edges.map(({ node }) => [node.extension, { state: shown(node), eventId: node.presence?.eventId ?? null }]));
}

// ---- agent-status callbacks --------------------------------------------------------------------------------------

export type AgentCallStatus = 'ring' | 'answer' | 'hangup';
const STAGES: readonly AgentCallStatus[] = ['ring', 'answer', 'hangup'];

/** An extension-status callback as the PBX posts it (cf. src/simulator/dialer/payloads.ts). */
export function extensionStatusPayload(extension: string, status: AgentCallStatus, call: { uuid: string; startedAtSeconds: number; customer: string }) {
  return {
    buuid: `${call.uuid}-b`,
    callee: call.customer,
    caller: extension,
    companycode: '9024',
    direction: 'callout',
    disnumber: '2190240001',
    extnumber: extension,
    isbleg: 'false',
    method: '5',
    starttime: String(call.startedAtSeconds),
    status,
    type: 'call',
    uuid: call.uuid,
  };
}

export interface AgentEvent {
  extension: string;
  status: AgentCallStatus;
  payload: ReturnType<typeof extensionStatusPayload>;
}

/**
 * Agent-status callbacks that each move an agent's state, so the gateway applies and publishes every one: all agents
 * ring, then all answer, then all hang up, then the next round of calls. A new call starts a second after the
 * previous one of the same agent (the store orders calls by their start), and a call's events rise in rank.
 */
export function createAgentEventSource(extensions: readonly string[], runId = `${process.pid}-${Date.now()}`) {
  if (extensions.length === 0) throw new Error('no extensions');
  const base = Math.floor(Date.now() / 1000);
  let produced = 0;
  return {
    get produced() {
      return produced;
    },
    next(): AgentEvent {
      const i = produced++;
      const agent = i % extensions.length;
      const round = Math.floor(i / extensions.length);
      const status = STAGES[round % 3] as AgentCallStatus;
      const callNo = Math.floor(round / 3);
      const extension = extensions[agent] as string;
      const customer = `13${String(800_000_000 + agent * 37 + callNo).padStart(9, '0')}`;
      const call = { uuid: `wb-${runId}-${extension}-${callNo}`, startedAtSeconds: base + callNo, customer };
      return { extension, status, payload: extensionStatusPayload(extension, status, call) };
    },
  };
}

export interface PostedCallback {
  status: number;
  /** The stored event's id. */
  id: number | null;
  duplicate: boolean | null;
  text: string;
  /** Date.now() when the answer arrived. */
  answeredAt: number;
}

/** POSTs one callback to the gateway's real endpoint, as JSON. */
export async function postCallback(callbackBase: string, kind: string, payload: object): Promise<PostedCallback> {
  const response = await request(`${callbackBase}/${kind}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const text = await response.body.text();
  const answeredAt = Date.now();
  let json: { id?: number; duplicate?: boolean } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // not JSON: the caller reads `text`
  }
  return { status: response.statusCode, id: json.id ?? null, duplicate: json.duplicate ?? null, text, answeredAt };
}

export interface DriveResult {
  /** Callbacks answered 200 with a new event (duplicate: false). */
  posted: number;
  failed: number;
  firstFailure: string | null;
  /** Wall time from the first send to the last answer. */
  seconds: number;
  /** The highest event id the gateway answered. */
  lastEventId: number;
}

/**
 * Posts `ratePerSecond` callbacks a second for `durationMs`, on a schedule (each sent at its due time, not when the
 * previous one was answered, so a slow answer does not slow the rate), at most `maxInFlight` at once.
 */
export async function driveAgentEvents(options: {
  callbackBase: string;
  source: { next(): AgentEvent };
  ratePerSecond: number;
  durationMs: number;
  maxInFlight?: number;
}): Promise<DriveResult> {
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const maxInFlight = options.maxInFlight ?? 32;
  const interval = 1000 / options.ratePerSecond;
  const result: DriveResult = { posted: 0, failed: 0, firstFailure: null, seconds: 0, lastEventId: 0 };
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const event = options.source.next();
    const sent = postCallback(options.callbackBase, 'extension-status', event.payload).then(
      (answer) => {
        if (answer.status === 200 && answer.duplicate === false && answer.id !== null) {
          result.posted += 1;
          result.lastEventId = Math.max(result.lastEventId, answer.id);
        } else {
          result.failed += 1;
          result.firstFailure ??= `${answer.status} ${answer.text.slice(0, 200)}`;
        }
      },
      (error: unknown) => {
        result.failed += 1;
        result.firstFailure ??= String(error);
      },
    );
    const tracked = sent.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }
  await Promise.all(inFlight);
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

// ---- the browser ---------------------------------------------------------------------------------------------------

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Installed before the page's first script: every long task (main-thread work over 50 ms) from the start, and when the
 * tile count first reached what `__wallboardExpectedTiles` says (the initial render), on a rAF loop.
 */
export const LONG_TASK_INIT_SCRIPT = `(() => {
  const w = window;
  w.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (error) {
    w.__longTaskError = String(error);
  }
  w.__tilesRenderedAt = null;
  const expected = Number(sessionStorage.getItem('wallboard.test.expectedTiles') || 0);
  if (expected > 0) {
    const check = () => {
      if (document.querySelectorAll('[data-testid=agent-tile]').length >= expected) {
        w.__tilesRenderedAt = performance.now();
        return;
      }
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }
})();`;

export interface LongTaskSummary {
  count: number;
  maxMs: number;
  p95Ms: number;
  totalMs: number;
  durations: number[];
  /** Each long task's start, ms after the window's start (or the navigation), and its duration: where to look. */
  entries: Array<{ at: number; duration: number }>;
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}

export async function longTasks(page: Page, range: { from?: number; to?: number } = {}): Promise<LongTaskSummary> {
  const { entries, error } = await page.evaluate(() => {
    const w = window as unknown as { __longTasks?: Array<{ start: number; duration: number }>; __longTaskError?: string };
    return { entries: w.__longTasks ?? [], error: w.__longTaskError ?? null };
  });
  if (error) throw new Error(`no long-task observer in this browser: ${error}`);
  const inside = entries.filter((e) => e.start >= (range.from ?? -Infinity) && e.start < (range.to ?? Infinity));
  const durations = inside.map((e) => e.duration);
  return {
    entries: inside.map((e) => ({ at: Math.round(e.start - (range.from ?? 0)), duration: Math.round(e.duration) })),
    count: durations.length,
    maxMs: durations.length ? Math.max(...durations) : 0,
    p95Ms: percentile(durations, 0.95),
    totalMs: durations.reduce((a, b) => a + b, 0),
    durations,
  };
}

/** What the page shows as its bookkeeping on #app. */
export interface AppCounters {
  lastEventId: string | null;
  applied: number;
  skipped: number;
  connection: string | null;
}

export async function appCounters(page: Page): Promise<AppCounters> {
  return page.evaluate(() => {
    const app = document.getElementById('app');
    return {
      lastEventId: app?.getAttribute('data-last-event-id') ?? null,
      applied: Number(app?.getAttribute('data-applied-events') ?? Number.NaN),
      skipped: Number(app?.getAttribute('data-skipped-events') ?? Number.NaN),
      connection: document.querySelector('[data-testid=connection]')?.getAttribute('data-state') ?? null,
    };
  });
}

/**
 * Records every state the connection indicator takes from now on (the element is looked up again when replaced).
 * Text, not a function: tsx (the bench) would wrap the inner functions in a `__name` helper the page does not have.
 */
export async function watchConnection(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const w = window;
    w.__connectionStates = [];
    let last = null;
    const record = () => {
      const state = document.querySelector('[data-testid=connection]')?.getAttribute('data-state') ?? 'absent';
      if (state !== last) w.__connectionStates.push(state);
      last = state;
    };
    record();
    const observer = new MutationObserver(record);
    const watch = () => {
      const indicator = document.querySelector('[data-testid=connection]');
      if (indicator) observer.observe(indicator, { attributes: true, attributeFilter: ['data-state'] });
    };
    watch();
    // A re-created indicator: the parent's child list changes, and the new element gets watched too.
    const parent = document.querySelector('[data-testid=connection]')?.parentElement;
    if (parent) new MutationObserver(() => { record(); watch(); }).observe(parent, { childList: true });
  })()`);
}

export async function connectionStates(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __connectionStates?: string[] }).__connectionStates ?? []);
}

export interface OpenOptions {
  /** Put into sessionStorage before the page's scripts run, as if entered in the key form earlier in the session. */
  key?: string;
  viewport?: { width: number; height: number };
  /** Tiles the initial render must reach (LONG_TASK_INIT_SCRIPT times it). */
  expectedTiles?: number;
  locale?: string;
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Requests to anything but the gateway (blob: and data: aside), WebSockets included. */
  offsite: string[];
  /** console.error lines and uncaught page errors. */
  errors: string[];
}

/** A fresh context (own storage) on the wallboard, with long tasks collected and off-site requests and errors recorded. */
export async function openWallboard(browser: Browser, gatewayUrl: string, options: OpenOptions = {}): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1600, height: 900 }, locale: options.locale ?? 'zh-CN' });
  const setup = JSON.stringify({ key: options.key ?? null, expected: options.expectedTiles ?? 0 });
  // Session storage is per tab: set before every document of this context, first thing, only when not set yet (a
  // reload keeps what the page stored itself).
  await context.addInitScript(`(() => {
    const s = ${setup};
    if (s.key !== null && sessionStorage.getItem('wallboard.test.keySet') === null) {
      sessionStorage.setItem('wallboard.key', s.key);
      sessionStorage.setItem('wallboard.test.keySet', '1');
    }
    if (s.expected > 0) sessionStorage.setItem('wallboard.test.expectedTiles', String(s.expected));
  })();`);
  await context.addInitScript(LONG_TASK_INIT_SCRIPT);
  const page = await context.newPage();
  const offsite: string[] = [];
  const errors: string[] = [];
  const own = (url: string) => /^(blob:|data:)/.test(url) || url.startsWith(gatewayUrl) || url.startsWith(gatewayUrl.replace(/^http/, 'ws'));
  page.on('request', (r) => {
    if (!own(r.url())) offsite.push(r.url());
  });
  page.on('websocket', (ws) => {
    if (!own(ws.url())) offsite.push(ws.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  // The console line of a failed load does not name the URL: this does.
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/graphql')) errors.push(`${response.status()} ${response.url()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  await page.goto(`${gatewayUrl}/wallboard`);
  return { context, page, offsite, errors };
}

/** Waits (bounded) until the page shows `count` tiles and says it is connected. */
export async function waitForLive(page: Page, count: number, timeout = 30_000): Promise<void> {
  await page
    .waitForFunction(
      (n) =>
        document.querySelectorAll('[data-testid=agent-tile]').length === n &&
        document.querySelector('[data-testid=connection]')?.getAttribute('data-state') === 'connected',
      count,
      { timeout },
    )
    .catch(async (error: unknown) => {
      throw new Error(`the page is not live with ${count} tiles: ${String(error)}\n${await describePage(page)}`);
    });
}

/** What the page shows, for a failed wait's message. */
export async function describePage(page: Page): Promise<string> {
  try {
    const seen = await page.evaluate(() => ({
      tiles: document.querySelectorAll('[data-testid=agent-tile]').length,
      connection: document.querySelector('[data-testid=connection]')?.getAttribute('data-state') ?? null,
      keyForm: document.querySelector('[data-testid=key-form]') !== null,
      app: [...(document.getElementById('app')?.attributes ?? [])].map((a) => `${a.name}=${a.value}`).join(' '),
      text: document.body.innerText.slice(0, 600),
    }));
    return JSON.stringify(seen, null, 1);
  } catch (error) {
    return `(page not readable: ${String(error)})`;
  }
}

/** Waits (bounded) until data-applied-events reaches `count`. */
export async function waitForApplied(page: Page, count: number, timeout = 20_000): Promise<void> {
  await page.waitForFunction((n) => Number(document.getElementById('app')?.getAttribute('data-applied-events')) >= n, count, { timeout, polling: 100 });
}

// ---- the load scenario ---------------------------------------------------------------------------------------------

export interface WallboardLoadResult {
  agents: number;
  ratePerSecond: number;
  durationMs: number;
  /** ms from navigation start until every tile was in the DOM (page clock). */
  initialRenderMs: number;
  /** Long tasks from navigation until the tiles were rendered. */
  initialLongTasks: LongTaskSummary;
  /** Long tasks while events were driven, and until the last was applied. */
  liveLongTasks: LongTaskSummary;
  drive: DriveResult;
  /** data-applied-events and data-skipped-events at the end. */
  applied: number;
  skipped: number;
  /** Every state the connection indicator took while events were driven. */
  connectionStates: string[];
  /** ms from the last callback's answer until the page had applied all of them. */
  drainMs: number;
  /** Requests to anything but the gateway, and page errors. */
  offsite: string[];
  errors: string[];
}

/**
 * The scenario of issue 16's goal 5: a gateway with `agents` agents, the wallboard open in Chromium at 1600×900, then
 * agent-status callbacks at `ratePerSecond` for `durationMs` through the real callback endpoint. `durationMs: 0`
 * measures the page idle. Uses its own disposer for the gateway, simulator and browser context (not the browser).
 */
export async function runWallboardLoad(options: {
  browser: Browser;
  agents: number;
  ratePerSecond: number;
  durationMs: number;
  dist?: boolean;
  /** Idle time after the initial render before events start (lets the first subscription settle). */
  settleTimeoutMs?: number;
}): Promise<WallboardLoadResult> {
  const disposer = createDisposer();
  try {
    const gateway = await startWallboardGateway(disposer, { agents: options.agents, dist: options.dist });
    const agents = gateway.extensions.length;
    const opened = await openWallboard(options.browser, gateway.url, { expectedTiles: agents });
    disposer.add(() => opened.context.close());
    const { page } = opened;
    await waitForLive(page, agents, options.settleTimeoutMs ?? 60_000);
    await page.waitForFunction(() => (window as unknown as { __tilesRenderedAt: number | null }).__tilesRenderedAt !== null, undefined, { timeout: 10_000 });
    const initialRenderMs = await page.evaluate(() => (window as unknown as { __tilesRenderedAt: number }).__tilesRenderedAt);
    await watchConnection(page);
    const before = await appCounters(page);
    if (before.applied !== 0) throw new Error(`the page applied ${before.applied} events before any was posted`);
    const from = await page.evaluate(() => performance.now());
    const drive = await driveAgentEvents({
      callbackBase: gateway.callbackBase,
      source: createAgentEventSource(gateway.extensions),
      ratePerSecond: options.ratePerSecond,
      durationMs: options.durationMs,
    });
    const lastAnswer = Date.now();
    await waitForApplied(page, drive.posted, 30_000).catch(() => undefined);
    const drainMs = Date.now() - lastAnswer;
    const to = await page.evaluate(() => performance.now());
    const after = await appCounters(page);
    return {
      agents,
      ratePerSecond: options.ratePerSecond,
      durationMs: options.durationMs,
      initialRenderMs,
      initialLongTasks: await longTasks(page, { to: from }),
      liveLongTasks: await longTasks(page, { from, to: to + 1 }),
      drive,
      applied: after.applied,
      skipped: after.skipped,
      connectionStates: await connectionStates(page),
      drainMs,
      offsite: opened.offsite,
      errors: opened.errors,
    };
  } finally {
    await disposer.dispose();
  }
}
