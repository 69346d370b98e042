import { closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRST_EXTENSION, WALLBOARD } from './documents.ts';
import { recordGoal } from './goals.ts';
import { type Child, cpuMs, runIfMain, spawn } from './ipc.ts';
import { runLoad, type Target } from './load.ts';

/**
 * What logs, metrics and traces cost (issue 14): the same gateway build in one server process per variant, each
 * configured as an operator would (LOG_LEVEL, METRICS, OTEL_EXPORTER_OTLP_ENDPOINT), under the 200-agent wallboard and
 * `{ gateway { version } }`. The variants run in turns, round after round, so a drift of the machine spreads over all
 * of them; each figure is the median of its rounds, and every ratio is against the variant with everything off,
 * measured in the same run. Logs go to a file per variant (the process's real stderr, as under a supervisor), traces
 * to a loopback OTLP sink in this process that answers 200 and counts what it got.
 *
 * Goal: with tracing off, logs and metrics on (the default deployment) keep >= 0.95x the throughput of neither.
 *
 * Run alone: `npx tsx bench/observability.ts`. Knobs: BENCH_DURATION_MS (per run, 5000), BENCH_WARMUP_MS (1000),
 * BENCH_OBS_ROUNDS (5), BENCH_AGENTS (200), BENCH_OBS_SCENARIOS and BENCH_OBS_VARIANTS (pick some), BENCH_CPU_PROF=1.
 */

const env = process.env;
const DURATION_MS = Number(env.BENCH_DURATION_MS || 5_000);
const WARMUP_MS = Number(env.BENCH_WARMUP_MS || 1_000);
const ROUNDS = Math.max(1, Number(env.BENCH_OBS_ROUNDS || 5));
const AGENTS = Number(env.BENCH_AGENTS || 200);
const API_KEY = 'bench-viewer-key-0123456789';
const json = { 'content-type': 'application/json' };
const GOAL_RATIO = 0.95;
/** BENCH_CPU_PROF=1: a V8 CPU profile of every variant's server process, in a temp dir (path printed). */
const CPU_PROFILE = env.BENCH_CPU_PROF === '1' ? join(tmpdir(), `gateway-bench-obs-prof-${process.pid}`) : null;
/** BENCH_OBS_VARIANTS: run only these variants (their exact names, comma list) besides the baseline; all when unset. */
/** BENCH_OBS_SCENARIOS: run only the scenarios whose names contain one of these (comma list); all when unset. */
const ONLY_SCENARIOS = (env.BENCH_OBS_SCENARIOS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const ONLY_VARIANTS = (env.BENCH_OBS_VARIANTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);

interface Variant {
  name: string;
  env: (sinkUrl: string) => Record<string, string>;
}

const VARIANTS: Variant[] = [
  { name: 'nothing', env: () => ({ LOG_LEVEL: 'warn', METRICS: 'off' }) },
  { name: 'logs', env: () => ({ LOG_LEVEL: 'info', METRICS: 'off' }) },
  { name: 'metrics', env: () => ({ LOG_LEVEL: 'warn', METRICS: 'on' }) },
  { name: 'logs + metrics (default)', env: () => ({ LOG_LEVEL: 'info', METRICS: 'on' }) },
  { name: 'logs + metrics + traces', env: (sink) => ({ LOG_LEVEL: 'info', METRICS: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: sink }) },
];
const BASELINE = 'nothing';
const DEFAULT_DEPLOYMENT = 'logs + metrics (default)';


interface Scenario {
  name: string;
  concurrency: number;
  body: string;
  check: (data: any) => boolean;
}

const extensions = Array.from({ length: AGENTS }, (_, i) => String(FIRST_EXTENSION + i));
const SCENARIOS: Scenario[] = [
  {
    name: `${AGENTS}-agent wallboard, 10 clients`,
    concurrency: 10,
    body: JSON.stringify({ query: WALLBOARD, variables: { e: extensions } }),
    check: (data) => data?.agents?.edges?.length === AGENTS,
  },
  {
    name: '{ gateway { version } }, 50 clients',
    concurrency: 50,
    body: JSON.stringify({ query: '{ gateway { version } }' }),
    check: (data) => typeof data?.gateway?.version === 'string',
  },
];

interface Sample {
  rps: number;
  cpuPerRequest: number;
  logBytesPerRequest: number;
  failures: number;
}

interface Running {
  variant: Variant;
  server: Child;
  url: string;
  logFile: string;
  logFd: number;
}

/** A loopback OTLP/HTTP receiver: answers every export 200 and counts requests and bytes. */
async function startSink(): Promise<{ url: string; counts: { exports: number; bytes: number }; close(): Promise<void> }> {
  const counts = { exports: 0, bytes: 0 };
  const server: Server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (counts.bytes += chunk.length));
    req.on('end', () => {
      counts.exports += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

function targetOf(running: Running, scenario: Scenario): Target {
  return {
    origin: running.url,
    path: '/graphql',
    headers: { ...json, authorization: `Bearer ${API_KEY}` },
    body: scenario.body,
    check: (status, text) => {
      if (status !== 200) return false;
      const result = JSON.parse(text);
      return !result.errors && scenario.check(result.data);
    },
  };
}

async function measure(running: Running, scenario: Scenario): Promise<Sample> {
  const target = targetOf(running, scenario);
  if (WARMUP_MS > 0) await runLoad(target, scenario.concurrency, WARMUP_MS);
  const logBefore = statSync(running.logFile).size;
  const cpuBefore = await running.server.call<number>('cpu');
  const result = await runLoad(target, scenario.concurrency, DURATION_MS);
  const cpuAfter = await running.server.call<number>('cpu');
  const answered = Math.max(1, result.requests + result.failures);
  return {
    rps: result.rps,
    cpuPerRequest: (cpuAfter - cpuBefore) / answered,
    logBytesPerRequest: (statSync(running.logFile).size - logBefore) / answered,
    failures: result.failures,
  };
}

export async function runObservabilityBench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-obs-'));
  const sink = await startSink();
  const sim = spawn('./simulator-process.ts');
  const servers: Running[] = [];
  const lines: string[] = [];
  try {
    const { url: simUrl, credentials } = await sim.call<{ url: string; credentials: object }>('start', { agents: AGENTS, firstExtension: FIRST_EXTENSION });
    const scenarios = SCENARIOS.filter((s) => ONLY_SCENARIOS.length === 0 || ONLY_SCENARIOS.some((part) => s.name.includes(part)));
    const variants = VARIANTS.filter((v) => v.name === BASELINE || ONLY_VARIANTS.length === 0 || ONLY_VARIANTS.includes(v.name));
    for (const variant of variants) {
      const logFile = join(dir, `${servers.length}.log`);
      const logFd = openSync(logFile, 'a');
      const profile = CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(CPU_PROFILE, String(servers.length))}`] : [];
      const server = spawn('./server-process.ts', profile, { env: { BENCH_GATEWAY_ENV: JSON.stringify(variant.env(sink.url)) }, stderr: logFd });
      const { gatewayUrl } = await server.call<{ gatewayUrl: string }>('start', { simUrl, credentials, apiKey: API_KEY });
      servers.push({ variant, server, url: gatewayUrl, logFile, logFd });
    }
    const samples = new Map<string, Sample[]>();
    const started = cpuMs();
    for (let round = 0; round < ROUNDS; round++) {
      for (const scenario of scenarios) {
        for (const running of servers) {
          const sample = await measure(running, scenario);
          const key = `${scenario.name}|${running.variant.name}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
          console.error(`  round ${round + 1} ${scenario.name} / ${running.variant.name}: ${sample.rps.toFixed(0)} req/s, ${sample.cpuPerRequest.toFixed(3)} ms CPU/req`);
        }
      }
    }
    lines.push(
      `## Observability cost (issue 14) — ${ROUNDS} rounds of ${DURATION_MS} ms per variant and scenario, medians; load generator used ${((cpuMs() - started) / 1000).toFixed(1)} s CPU`,
      '',
      '| scenario | variant | req/s | vs nothing | server CPU ms/req | vs nothing | log bytes/req | failed |',
      '|---|---|--:|--:|--:|--:|--:|--:|',
    );
    for (const scenario of scenarios) {
      const of = (variant: string) => samples.get(`${scenario.name}|${variant}`) ?? [];
      const base = of(BASELINE);
      const baseRps = median(base.map((s) => s.rps));
      const baseCpu = median(base.map((s) => s.cpuPerRequest));
      for (const variant of variants) {
        const rows = of(variant.name);
        const rps = median(rows.map((s) => s.rps));
        const cpu = median(rows.map((s) => s.cpuPerRequest));
        const failures = rows.reduce((sum, s) => sum + s.failures, 0);
        lines.push(
          `| ${scenario.name} | ${variant.name} | ${f(rps, 0)} | ${f(rps / baseRps)}× | ${f(cpu, 3)} | ${f(cpu / baseCpu)}× | ${f(median(rows.map((s) => s.logBytesPerRequest)), 0)} | ${failures} |`,
        );
        if (failures > 0) process.exitCode = 1;
      }
      const deployed = median(of(DEFAULT_DEPLOYMENT).map((s) => s.rps)) / baseRps;
      recordGoal({
        what: `issue 14: logs + metrics on, tracing off — ${scenario.name}`,
        measured: `${f(deployed)}× the throughput with neither`,
        anchor: `${f(baseRps, 0)} req/s with neither`,
        goal: `>= ${GOAL_RATIO}×`,
        met: Number.isFinite(deployed) ? deployed >= GOAL_RATIO : null,
      });
    }
    lines.push('', `OTLP sink: ${sink.counts.exports} exports, ${(sink.counts.bytes / 1024).toFixed(0)} KiB.`);
    if (CPU_PROFILE) lines.push(`CPU profiles of the server processes (one directory per variant, in the order above): ${CPU_PROFILE}`);
    return lines.join('\n');
  } finally {
    await Promise.all([...servers.map((s) => s.server.stop()), sim.stop()]);
    for (const s of servers) closeSync(s.logFd);
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, runObservabilityBench);
