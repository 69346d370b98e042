import type { AgentTimeState, GuardRow, Store } from '../store/index.ts';
import type { StatsWindow } from './window.ts';
import { StatDim, zeroCounts } from './classify.ts';

/**
 * The figures the statistics fields show, read from the counters (src/store/statistics.ts): a few statements per
 * request whatever the number of subjects, never a scan of calls. docs/statistics.md says how each is derived.
 */

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const percent = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 100 : null);
const average = (sum: number, count: number): number | null => (count > 0 ? Math.round((sum / count) * 10) / 10 : null);

export interface AgentFigures {
  extension: string;
  window: StatsWindow;
  offered: number;
  answered: number;
  missed: number;
  connectedCalls: number;
  talkSeconds: number;
  averageHandleSeconds: number | null;
  idleSeconds: number;
  ringingSeconds: number;
  talkingSeconds: number;
  knownFrom: number | null;
  occupancy: number | null;
  state: AgentTimeState | null;
  stateSince: number | null;
}

export async function agentFigures(store: Store, extensions: readonly string[], window: StatsWindow, now = Date.now()): Promise<AgentFigures[]> {
  const [counts, times] = await Promise.all([
    store.statistics.counts(StatDim.Agent, extensions, window),
    store.statistics.agentStateTimes(extensions, window, now),
  ]);
  return extensions.map((extension) => {
    const c = counts.get(extension) ?? zeroCounts();
    const t = times.get(extension);
    const idle = Math.round((t?.idleMs ?? 0) / 1000);
    const ringing = Math.round((t?.ringingMs ?? 0) / 1000);
    const talking = Math.round((t?.talkingMs ?? 0) / 1000);
    return {
      extension,
      window,
      offered: t?.offered ?? 0,
      answered: t?.answered ?? 0,
      missed: t?.missed ?? 0,
      connectedCalls: c.connected,
      talkSeconds: c.talk_s,
      averageHandleSeconds: average(c.talk_s, c.connected),
      idleSeconds: idle,
      ringingSeconds: ringing,
      talkingSeconds: talking,
      knownFrom: t?.knownFrom ?? null,
      occupancy: ratio(ringing + talking, idle + ringing + talking),
      state: t?.state ?? null,
      stateSince: t?.since ?? null,
    };
  });
}

export interface QueueFigures {
  queue: string;
  window: StatsWindow;
  offered: number;
  answered: number;
  abandoned: number;
  serviceLevelSeconds: number;
  answeredWithin: number;
  serviceLevelPercent: number | null;
  abandonRatePercent: number | null;
  averageSpeedOfAnswerSeconds: number | null;
  averageTalkSeconds: number | null;
  talkSeconds: number;
}

export async function queueFigures(
  store: Store,
  queues: readonly string[],
  window: StatsWindow,
  serviceLevelSeconds: number,
): Promise<QueueFigures[]> {
  const [counts, within] = await Promise.all([
    store.statistics.counts(StatDim.Queue, queues, window),
    store.statistics.answeredWithin(queues, window, serviceLevelSeconds),
  ]);
  return queues.map((queue) => {
    const c = counts.get(queue) ?? zeroCounts();
    const answeredWithin = within.get(queue) ?? 0;
    return {
      queue,
      window,
      offered: c.customer_answered,
      answered: c.connected,
      abandoned: c.abandoned,
      serviceLevelSeconds,
      answeredWithin,
      serviceLevelPercent: percent(answeredWithin, c.customer_answered),
      abandonRatePercent: percent(c.abandoned, c.customer_answered),
      averageSpeedOfAnswerSeconds: average(c.wait_s, c.connected),
      averageTalkSeconds: average(c.talk_s, c.connected),
      talkSeconds: c.talk_s,
    };
  });
}

export interface RecentRate {
  lastCalls: number;
  calls: number;
  abandoned: number;
  percent: number | null;
}

export interface TaskFigures {
  taskId: string;
  window: StatsWindow;
  numbersUploaded: number;
  dialledEver: number;
  remaining: number;
  dialled: number;
  customerAnswered: number;
  connected: number;
  abandoned: number;
  abandonRatePercent: number | null;
  recent: RecentRate;
  guard: GuardRow | null;
}

export async function taskFigures(
  store: Store,
  task: { id: string; accepted: number },
  window: StatsWindow,
  lastCalls: number,
): Promise<TaskFigures> {
  const [counts, ever, recent, guard] = await Promise.all([
    store.statistics.counts(StatDim.Task, [task.id], window),
    store.statistics.dialledNumbers([task.id]),
    store.statistics.recentAnswered(task.id, lastCalls, 0),
    store.guards.get(task.id),
  ]);
  const c = counts.get(task.id) ?? zeroCounts();
  const dialledEver = ever.get(task.id) ?? 0;
  return {
    taskId: task.id,
    window,
    numbersUploaded: task.accepted,
    dialledEver,
    remaining: Math.max(0, task.accepted - dialledEver),
    dialled: c.dialled,
    customerAnswered: c.customer_answered,
    connected: c.connected,
    abandoned: c.abandoned,
    abandonRatePercent: percent(c.abandoned, c.customer_answered),
    recent: { lastCalls, calls: recent.calls, abandoned: recent.abandoned, percent: percent(recent.abandoned, recent.calls) },
    guard,
  };
}

export interface AiTaskFigures {
  window: StatsWindow;
  calls: number;
  answered: number;
  talkSeconds: number;
  answerRatePercent: number | null;
  averageTalkSeconds: number | null;
  /** All time, most calls first. */
  outcomes: Array<{ outcome: string; calls: number }>;
}

/** An AI task's calls as its platform's hang-up notifications told them (windowed), and its outcome labels (all time). */
export async function aiTaskFigures(store: Store, taskId: string, window: StatsWindow): Promise<AiTaskFigures> {
  const [counts, outcomes] = await Promise.all([
    store.statistics.counts(StatDim.AiTask, [taskId], window),
    store.statistics.aiOutcomes([taskId]),
  ]);
  const c = counts.get(taskId) ?? zeroCounts();
  return {
    window,
    calls: c.dialled,
    answered: c.connected,
    talkSeconds: c.talk_s,
    answerRatePercent: percent(c.connected, c.dialled),
    averageTalkSeconds: average(c.talk_s, c.connected),
    outcomes: outcomes.get(taskId) ?? [],
  };
}
