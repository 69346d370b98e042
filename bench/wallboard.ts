import { chromiumInstalled } from '../test/utils/backends.ts';
import { buildDist } from '../test/utils/spawn-gateway.ts';
import { bundleWallboard } from '../scripts/bundle-wallboard.ts';
import { launchChromium, runWallboardLoad, type WallboardLoadResult } from '../test/utils/wallboard-load.ts';
import { recordGoal } from './goals.ts';
import { runIfMain } from './ipc.ts';

/**
 * Issue 16's goal 5: the wallboard page in Chromium with 1,000 agents while agent-status callbacks arrive at 100 a
 * second, posted to the real gateway's callback endpoint (the gateway compiled, as `npm start` runs it, in a process of
 * its own; the simulator in this one, without its dialer). Long tasks (main-thread work over 50 ms) are read from a
 * PerformanceObserver installed before the page's first script. The anchor, in the same run: the same page with the
 * simulator's 40 demo agents at the same rate.
 *
 * Run alone: `npx tsx bench/wallboard.ts`, or `BENCH_ONLY=wallboard-browser npm run bench`. Knobs:
 * BENCH_WALLBOARD_AGENTS (1000), BENCH_WALLBOARD_RATE (events/s, 100), BENCH_WALLBOARD_MS (20000),
 * BENCH_WALLBOARD_BASELINE_AGENTS (40). Needs /usr/bin/chromium; says so and skips without it.
 */

const env = process.env;
env.NODE_ENV = env.BENCH_NODE_ENV || env.NODE_ENV || 'production';
const AGENTS = Number(env.BENCH_WALLBOARD_AGENTS || 1_000);
const RATE = Number(env.BENCH_WALLBOARD_RATE || 100);
const DURATION_MS = Number(env.BENCH_WALLBOARD_MS || 20_000);
const BASELINE_AGENTS = Number(env.BENCH_WALLBOARD_BASELINE_AGENTS || 40);
const GOAL_LONG_TASK_MS = 50;

const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

function row(name: string, r: WallboardLoadResult): string {
  return (
    `| ${name} | ${r.agents} | ${f(r.initialRenderMs)} | ${r.initialLongTasks.count} | ${f(r.initialLongTasks.maxMs)} | ` +
    `${r.drive.posted} in ${f(r.drive.seconds, 1)} s | ${r.liveLongTasks.count} | ${f(r.liveLongTasks.maxMs)} | ${f(r.liveLongTasks.p95Ms)} | ` +
    `${f(r.liveLongTasks.totalMs)} | ${r.applied} / ${r.drive.posted} | ${r.drainMs} | ${r.connectionStates.join(' → ')} |`
  );
}

export async function runWallboardBench(): Promise<string> {
  if (!chromiumInstalled()) return '## wallboard in Chromium: skipped (no /usr/bin/chromium)';
  await buildDist();
  await bundleWallboard();
  const browser = await launchChromium();
  try {
    // The anchor first: a page this size at the same rate is what the browser and the machine do anyway.
    const baseline = await runWallboardLoad({ browser, agents: BASELINE_AGENTS, ratePerSecond: RATE, durationMs: DURATION_MS, dist: true });
    const full = await runWallboardLoad({ browser, agents: AGENTS, ratePerSecond: RATE, durationMs: DURATION_MS, dist: true });
    const out = [
      `## wallboard in Chromium (issue 16): ${RATE} agent events/s for ${f(DURATION_MS / 1000)} s, 1600×900, ${await browser.version()}`,
      '',
      '| page | agents | initial render ms | long tasks, initial | max ms, initial | events posted | long tasks, live | max ms, live | p95 ms, live | total ms, live | applied / posted | drained ms after last | connection |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
      row('baseline', baseline),
      row('goal', full),
      '',
      `ratio goal/baseline: initial render ${f(full.initialRenderMs / baseline.initialRenderMs, 2)}×, ` +
        `long-task time while live ${baseline.liveLongTasks.totalMs > 0 ? `${f(full.liveLongTasks.totalMs / baseline.liveLongTasks.totalMs, 2)}×` : `${f(full.liveLongTasks.totalMs)} ms vs 0 ms`}`,
    ];
    for (const [name, r] of [['baseline', baseline], ['goal', full]] as const) {
      const at = r.liveLongTasks.entries.map((e) => `${e.duration} ms at +${e.at} ms`).join(', ');
      if (at) out.push(`${name}: long tasks while live: ${at} (after the first event)`);
      if (r.errors.length > 0) out.push(`${name}: page errors: ${r.errors.slice(0, 3).join(' | ')}`);
      if (r.offsite.length > 0) out.push(`${name}: off-site requests: ${r.offsite.slice(0, 3).join(', ')}`);
      if (r.drive.failed > 0) out.push(`${name}: ${r.drive.failed} callbacks failed; first: ${r.drive.firstFailure ?? ''}`);
    }
    const complete = full.applied === full.drive.posted && full.drive.failed === 0 && full.connectionStates.join() === 'connected';
    recordGoal({
      what: `wallboard in Chromium, ${AGENTS} agents, ${RATE} events/s`,
      measured: `${full.liveLongTasks.count} long tasks while live (max ${f(full.liveLongTasks.maxMs)} ms); initial render ${f(full.initialRenderMs)} ms; ${full.applied}/${full.drive.posted} applied`,
      anchor: `${baseline.agents} agents: ${baseline.liveLongTasks.count} long tasks (max ${f(baseline.liveLongTasks.maxMs)} ms); render ${f(baseline.initialRenderMs)} ms`,
      goal: `no long task over ${GOAL_LONG_TASK_MS} ms while events arrive; every event applied`,
      met: complete && full.liveLongTasks.count === 0,
    });
    return out.join('\n');
  } finally {
    await browser.close();
  }
}

runIfMain(import.meta.url, runWallboardBench);
