import { performance } from 'node:perf_hooks';
import type { ZonedTime } from '../../upstream/time.ts';
import type { AiCallSimState } from '../aicall/state.ts';
import { TypedEmitter } from '../events.ts';
import type { Rng } from '../rng.ts';
import { TaskStatus } from '../sip/model.ts';
import type { SipState } from '../sip/state.ts';
import { AiProgress, DEFAULT_AI_OUTCOME_WEIGHTS } from './ai-progress.ts';
import { AgentPool } from './agents.ts';
import { CallbackSender, type CallbackStats } from './callbacks.ts';
import type { SimClock } from './clock.ts';
import { adoptLiveCalls } from './live-calls.ts';
import { DEFAULT_AGENT_ANSWER_RATE, DEFAULT_OUTCOME_WEIGHTS } from './outcomes.ts';
import { CallbackKind, callRecordPayload } from './payloads.ts';
import { PredictiveDialer } from './predictive.ts';
import { Scheduler } from './scheduler.ts';
import type { CallbackPoster, DialerEvents, DialerTuning } from './types.ts';

export { CallbackKind } from './payloads.ts';
export { DialOutcome, DEFAULT_OUTCOME_WEIGHTS, DEFAULT_AGENT_ANSWER_RATE } from './outcomes.ts';
export type { CallEnd, DialerEvents, DialerTuning } from './types.ts';
export type { CallbackDelivery, CallbackStats } from './callbacks.ts';

const DEFAULT_TICK_MS = 100;
const SECOND = 1000;
/** Steps of one advance/tick at most, a guard against a runaway loop. */
const MAX_STEPS = 5_000_000;

export interface DialerStats {
  callbacks: CallbackStats;
  calls: { started: number; ended: number; live: number };
  aiCalls: { ended: number; live: number };
  /** How far the simulator clock runs ahead of its base clock (ms). */
  clockOffsetMs: number;
}

/**
 * The simulator's dialer (`sim.dialer`): it makes call-centre life happen on the simulator clock. On a timer
 * (`start()`, real time × `speed`) or stepped by a test (`advance(ms)`, `tick()`), it runs the scheduled call steps
 * in order, paces running predictive tasks, progresses running AI tasks, and posts the platform's callbacks.
 */
export interface Dialer {
  readonly events: TypedEmitter<DialerEvents>;
  /** The next event of a kind (optionally matching), e.g. `next('callbackSent', (d) => d.kind === 'task-status')`. */
  next<K extends keyof DialerEvents>(event: K, match?: (payload: DialerEvents[K]) => boolean): Promise<DialerEvents[K]>;
  /** True while the timer runs. */
  readonly running: boolean;
  /** Simulated seconds per real second on the timer. */
  readonly speed: number;
  setSpeed(speed: number): void;
  /** The base URL callbacks go to (`<base>/extension-status`, `/call-record`, `/task-status`, `/aicall-notify`). */
  readonly callbackUrl: string | null;
  setCallbackUrl(url: string | null): void;
  /** Starts the timer (no-op when running). */
  start(): void;
  /** Stops the timer; state and queued callbacks stay. */
  stop(): void;
  /** Runs everything due at the clock's current time (after a test moved its own clock, say). */
  tick(): void;
  /** Moves the simulator clock `simulatedMs` forward, running every step at its own instant. Synchronous. */
  advance(simulatedMs: number): void;
  /** Resolves when every queued callback was sent or given up. */
  idle(): Promise<void>;
  readonly stats: DialerStats;
  liveCalls(): ReturnType<PredictiveDialer['liveCalls']>;
  /** Stops the timer and gives up queued callbacks (the simulator's stop() calls it). */
  close(): Promise<void>;
}

export interface DialerDeps {
  clock: SimClock;
  time: ZonedTime;
  /** The dialer's own seeded generator. */
  rng: Rng;
  sip: SipState;
  aicall: AiCallSimState;
  callbackUrl?: string | null;
  speed?: number;
  tuning?: DialerTuning;
}

const joinUrl = (base: string, kind: CallbackKind) => `${base.replace(/\/+$/, '')}/${kind}`;

export function createDialer(deps: DialerDeps): Dialer {
  const { clock, sip, aicall, rng, time } = deps;
  const tuning = deps.tuning ?? {};
  const events = new TypedEmitter<DialerEvents>();
  const scheduler = new Scheduler();
  const now = () => clock.now();
  let callbackUrl: string | null = null;
  let speed = validSpeed(deps.speed ?? 1);

  const makeSender = () => {
    const sender = new CallbackSender({
      retry: {
        attempts: tuning.callbackRetry?.attempts ?? 5,
        baseDelayMs: tuning.callbackRetry?.baseDelayMs ?? 500,
        maxDelayMs: tuning.callbackRetry?.maxDelayMs ?? 10_000,
      },
      timeoutMs: tuning.callbackTimeoutMs ?? 5_000,
      concurrency: tuning.callbackConcurrency ?? 8,
      encoding: tuning.callbackEncoding ?? 'multipart',
    });
    sender.events.on('callbackQueued', (e) => events.emit('callbackQueued', e));
    sender.events.on('callbackSent', (e) => events.emit('callbackSent', e));
    sender.events.on('callbackRetrying', (e) => events.emit('callbackRetrying', e));
    sender.events.on('callbackFailed', (e) => events.emit('callbackFailed', e));
    return sender;
  };
  let sender = makeSender();

  /** Deliveries of each predictive task not yet settled: its status callback waits for them. */
  const taskDeliveries = new Map<string, Set<Promise<boolean>>>();
  const poster: CallbackPoster = {
    post(kind, lane, payload, taskId) {
      if (!callbackUrl) return;
      let after: Promise<unknown> | undefined;
      if (kind === CallbackKind.TaskStatus && taskId) {
        after = Promise.allSettled([...(taskDeliveries.get(taskId) ?? [])]);
        taskDeliveries.delete(taskId);
      }
      const delivery = sender.enqueue({ kind, url: joinUrl(callbackUrl, kind), lane, payload, body: 'detail' }, after);
      if (taskId && kind !== CallbackKind.TaskStatus) {
        let pending = taskDeliveries.get(taskId);
        if (!pending) taskDeliveries.set(taskId, (pending = new Set()));
        const set = pending;
        set.add(delivery);
        delivery.finally(() => set.delete(delivery)).catch(() => undefined);
      }
    },
    notify(url, lane, payload) {
      const target = url || (callbackUrl ? joinUrl(callbackUrl, CallbackKind.AiCallNotify) : null);
      if (!target) return;
      sender.enqueue({ kind: CallbackKind.AiCallNotify, url: target, lane, payload, body: 'json' });
    },
  };

  const agents = new AgentPool(sip, rng, now);
  const baseEnv = {
    state: sip,
    rng,
    now,
    scheduler,
    events,
    poster,
    recordPayload: (bill: Parameters<typeof callRecordPayload>[0]) => callRecordPayload(bill, sip.company.code, time),
  };
  const predictive = new PredictiveDialer({
    ...baseEnv,
    agents,
    outcomes: { ...DEFAULT_OUTCOME_WEIGHTS, ...tuning.outcomes },
    agentAnswerRate: tuning.agentAnswerRate ?? DEFAULT_AGENT_ANSWER_RATE,
  });
  const ai = new AiProgress({
    state: aicall,
    rng,
    now,
    time,
    scheduler,
    events,
    poster,
    outcomes: { ...DEFAULT_AI_OUTCOME_WEIGHTS, ...tuning.aiOutcomes },
  });

  sip.events.on('taskStatusChanged', ({ task, previous }) => {
    if (task.status === TaskStatus.Over && previous !== TaskStatus.Over) predictive.onTaskOver(task);
  });

  const counts = { started: 0, ended: 0, aiEnded: 0 };
  events.on('dialStarted', () => (counts.started += 1));
  events.on('callEnded', () => (counts.ended += 1));
  events.on('aiCallEnded', () => (counts.aiEnded += 1));

  let adopted = tuning.adoptLiveCalls === false;

  /** Runs every step due now, then paces; repeats at each next instant up to `target`. */
  function runUntil(target: number): void {
    if (!adopted) {
      adopted = true;
      adoptLiveCalls(baseEnv);
    }
    for (let steps = 0; steps < MAX_STEPS; steps++) {
      const at = clock.now();
      for (let entry = scheduler.takeDue(at); entry; entry = scheduler.takeDue(at)) {
        try {
          entry.run();
        } catch (error) {
          console.error('simulator: a dialer step failed', error);
        }
      }
      predictive.pace();
      ai.pace();
      let next = scheduler.nextAt();
      // While a running task has numbers left, look again each second: a number's `time` may come, agents may free.
      if (predictive.hasPendingWork()) next = Math.min(next, (Math.floor(at / SECOND) + 1) * SECOND);
      if (next > target) break;
      clock.moveTo(next);
    }
    clock.moveTo(target);
  }

  let timer: NodeJS.Timeout | null = null;
  let lastReal = 0;
  let lastSim = 0;
  const tickMs = Math.max(1, tuning.tickMs ?? DEFAULT_TICK_MS);
  function loop(): void {
    const real = performance.now();
    const target = Math.max(clock.now(), lastSim + (real - lastReal) * speed);
    lastReal = real;
    try {
      runUntil(target);
    } catch (error) {
      console.error('simulator: the dialer failed a step', error);
    }
    lastSim = clock.now();
    timer = setTimeout(loop, tickMs);
    timer.unref();
  }

  function setCallbackUrl(url: string | null): void {
    const base = url?.trim() || null;
    if (base && !URL.canParse(base)) throw new TypeError(`callbackUrl "${base}" is not a URL`);
    const previousDefault = aicall.notifyUrl;
    const nextDefault = base ? joinUrl(base, CallbackKind.AiCallNotify) : '';
    callbackUrl = base;
    aicall.notifyUrl = nextDefault;
    // The account's notify address changed: tasks that used the old one (or none) use the new one.
    for (const task of aicall.tasks.values()) {
      if (task.notifyUrl === '' || task.notifyUrl === previousDefault) task.notifyUrl = nextDefault;
    }
  }
  setCallbackUrl(deps.callbackUrl ?? null);

  return {
    events,
    next: (event, match) => events.next(event, match),
    get running() {
      return timer !== null;
    },
    get speed() {
      return speed;
    },
    setSpeed(value) {
      speed = validSpeed(value);
    },
    get callbackUrl() {
      return callbackUrl;
    },
    setCallbackUrl,
    start() {
      if (timer) return;
      lastReal = performance.now();
      lastSim = clock.now();
      timer = setTimeout(loop, 0);
      timer.unref();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
    tick() {
      runUntil(clock.now());
    },
    advance(simulatedMs) {
      if (!Number.isFinite(simulatedMs) || simulatedMs < 0) throw new RangeError('advance() takes a duration ≥ 0 ms');
      runUntil(clock.now() + simulatedMs);
    },
    idle: () => sender.idle(),
    get stats(): DialerStats {
      return {
        callbacks: sender.stats,
        calls: { started: counts.started, ended: counts.ended, live: predictive.liveCount },
        aiCalls: { ended: counts.aiEnded, live: ai.liveCount },
        clockOffsetMs: clock.offset,
      };
    },
    liveCalls: () => predictive.liveCalls(),
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      const closing = sender;
      sender = makeSender();
      await closing.close();
    },
  };
}

function validSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed <= 0) throw new RangeError(`speed must be a number > 0, got ${speed}`);
  return speed;
}
