import { execFileSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRST_EXTENSION, WALLBOARD } from './documents.ts';
import { cpuMs, machineBusyMs, spawn } from './ipc.ts';
import { runLoad, type LoadResult, type Target } from './load.ts';
import { runColdStartBench } from './cold-start.ts';
import { runFanOutBench } from './fan-out.ts';
import { runFixedCostBench } from './fixed-cost.ts';
import { goalTable, recordGoal } from './goals.ts';
import { runIdleSubscriptionsBench } from './idle-subscriptions.ts';
import { runIngestBench } from './ingest.ts';
import { runUploadBench } from './upload.ts';
import { runObservabilityBench } from './observability.ts';
import { runStatisticsBench } from './statistics.ts';
import { runWallboardBench } from './wallboard.ts';

/**
 * The gateway's cost and its batching benefit, in one run on 127.0.0.1 (see bench/README.md).
 * Three processes: the simulator, the servers under test (gateway + hand-written adapters + hello), and this one,
 * the load generator. It stops by itself.
 */

const env = process.env;
// The gateway is measured as it runs in production: graphql-js skips its development-only checks (about 4 ms of a
// wallboard). BENCH_NODE_ENV=development (or any value) measures another mode; children inherit it.
env.NODE_ENV = env.BENCH_NODE_ENV || env.NODE_ENV || 'production';
const list = (value: string | undefined, fallback: string) =>
  (value ?? fallback).split(',').filter((s) => s.trim() !== '').map(Number).filter((n) => Number.isFinite(n) && n >= 0);
const DURATION_MS = Number(env.BENCH_DURATION_MS || 5_000);
const WARMUP_MS = Number(env.BENCH_WARMUP_MS || 1_000);
const CONCURRENCY = list(env.BENCH_CONCURRENCY, '1,10,50').filter((c) => c > 0);
const NAIVE_CONCURRENCY = list(env.BENCH_NAIVE_CONCURRENCY, '1').filter((c) => c > 0); // empty: skip the naive runs
const LATENCIES = list(env.BENCH_LATENCIES, '0,5');
const AGENTS = Number(env.BENCH_AGENTS || 200);
/** Comma-separated parts of scenario names to run (e.g. "wallboard,raw"); all when unset. */
const ONLY = (env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const CPU_PROFILE = env.BENCH_CPU_PROF === '1' ? join(tmpdir(), `gateway-bench-prof-${process.pid}`) : null;
const API_KEY = 'bench-viewer-key-0123456789';

const extensions = Array.from({ length: AGENTS }, (_, i) => String(FIRST_EXTENSION + i));

interface Row extends LoadResult {
  scenario: string;
  latency: number;
  concurrency: number;
  upstreamPerRequest: number;
  serverCpuPerRequest: number;
  serverCorePercent: number;
  simCpuPerRequest: number;
  /** CPU used by processes outside this bench during the run, in % of the whole machine: above a few %, the run was disturbed. */
  otherPercent: number;
}

/** The commit measured, and whether the tree had changes on top of it. */
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'src');
    return dirty ? `${commit} + uncommitted changes in src/` : commit;
  } catch {
    return 'unknown commit';
  }
}

const json = { 'content-type': 'application/json' };
const agentsCheck = (agents: unknown) => Array.isArray(agents) && agents.length === AGENTS && agents[0]?.extension === extensions[0];

/** The rows of the goals table that have their own section, in the order they run (each a few processes of its own). */
const SECTIONS: Array<[name: string, run: () => Promise<string>]> = [
  ['fixed-cost', runFixedCostBench],
  ['ingest', runIngestBench],
  ['fan-out', runFanOutBench],
  ['idle', runIdleSubscriptionsBench],
  ['cold-start', runColdStartBench],
  ['upload', runUploadBench],
  ['observability', runObservabilityBench],
  ['statistics', runStatisticsBench],
  ['wallboard-browser', runWallboardBench],
];
const CORE_SCENARIOS = ['gateway wallboard', 'raw adapter', 'naive N+1 adapter', 'gateway { version }', 'node:http hello'];
const selected = (name: string) => ONLY.length === 0 || ONLY.some((part) => name.includes(part));

async function main(): Promise<void> {
  if (CORE_SCENARIOS.some(selected)) await core();
  for (const [name, run] of SECTIONS) {
    if (!selected(name)) continue;
    console.error(`# ${name}…`);
    try {
      console.log(`\n${await run()}`);
    } catch (error) {
      console.log(`\n## ${name}: failed — ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  }
  const goals = goalTable();
  if (goals) console.log(`\n## Goals (issues 13 to 16), this run\n\n${goals}`);
}

/** The wallboard against the hand-written adapters, and the smallest query against node:http, in one server process. */
async function core(): Promise<void> {
  console.log(`# gateway bench — ${new Date().toISOString()}, ${revision()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  console.log(
    `# ${AGENTS} agents, ${DURATION_MS} ms per run after ${WARMUP_MS} ms warm-up, concurrency ${CONCURRENCY.join('/')}, ` +
      `naive at ${NAIVE_CONCURRENCY.join('/')}, upstream latency ${LATENCIES.join('/')} ms, NODE_ENV=${env.NODE_ENV ?? '(unset)'}`,
  );
  const sim = spawn('./simulator-process.ts');
  const server = spawn('./server-process.ts', CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE}`] : []);
  try {
    const { url: simUrl, credentials } = await sim.call<{ url: string; credentials: { appId: string; accessKey: string; aicallToken: string } }>(
      'start',
      { agents: AGENTS, firstExtension: FIRST_EXTENSION },
    );
    const { gatewayUrl, adapterUrl } = await server.call<{ gatewayUrl: string; adapterUrl: string }>('start', { simUrl, credentials, apiKey: API_KEY });

    const gateway = (body: object, check: (data: any) => boolean): Target => ({
      origin: gatewayUrl,
      path: '/graphql',
      headers: { ...json, authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify(body),
      check: (status, text) => {
        if (status !== 200) return false;
        const result = JSON.parse(text);
        return !result.errors && check(result.data);
      },
    });
    const adapter = (path: string, check: (value: any) => boolean): Target => ({
      origin: adapterUrl,
      path,
      headers: json,
      body: JSON.stringify({ extensions }),
      check: (status, text) => status === 200 && check(JSON.parse(text)),
    });
    const targets = {
      'gateway wallboard': gateway({ query: WALLBOARD, variables: { e: extensions } }, (data) => agentsCheck(data?.agents?.edges?.map((edge: { node: unknown }) => edge.node))),
      'raw adapter': adapter('/raw', agentsCheck),
      'naive N+1 adapter': adapter('/naive', agentsCheck),
      'gateway { version }': gateway({ query: '{ gateway { version } }' }, (data) => typeof data?.gateway?.version === 'string'),
      'node:http hello': adapter('/hello', (value) => value?.data?.hello === 'world'),
    } satisfies Record<string, Target>;
    type Scenario = keyof typeof targets;

    const rows: Row[] = [];
    async function measure(scenario: Scenario, latency: number, concurrency: number): Promise<void> {
      if (!selected(scenario)) return;
      const target = targets[scenario];
      if (WARMUP_MS > 0) await runLoad(target, concurrency, WARMUP_MS);
      await sim.call('resetStats');
      const before = { server: await server.call<number>('cpu'), sim: await sim.call<number>('cpu'), self: cpuMs(), machine: machineBusyMs() };
      const result = await runLoad(target, concurrency, DURATION_MS);
      const after = { server: await server.call<number>('cpu'), sim: await sim.call<number>('cpu'), self: cpuMs(), machine: machineBusyMs() };
      const ours = after.server - before.server + (after.sim - before.sim) + (after.self - before.self);
      const other = after.machine !== null && before.machine !== null ? Math.max(0, after.machine - before.machine - ours) : Number.NaN;
      const stats = await sim.call<Record<string, number>>('stats');
      const upstream = Object.entries(stats).reduce((sum, [op, n]) => (op.endsWith('.Login') ? sum : sum + n), 0);
      const answered = Math.max(1, result.requests + result.failures);
      const row: Row = {
        scenario,
        latency,
        concurrency,
        ...result,
        upstreamPerRequest: upstream / answered,
        serverCpuPerRequest: (after.server - before.server) / answered,
        serverCorePercent: ((after.server - before.server) / (result.seconds * 1000)) * 100,
        simCpuPerRequest: (after.sim - before.sim) / answered,
        otherPercent: (other / (result.seconds * 1000 * cpus().length)) * 100,
      };
      rows.push(row);
      console.log(
        `${scenario.padEnd(20)} lat ${latency} ms c ${String(concurrency).padStart(2)}: ${row.rps.toFixed(0).padStart(6)} req/s, ` +
          `p50 ${row.p50.toFixed(2)} p95 ${row.p95.toFixed(2)} p99 ${row.p99.toFixed(2)} ms, ${row.failures} failed, ` +
          `${row.upstreamPerRequest.toFixed(1)} upstream/req, server ${row.serverCpuPerRequest.toFixed(2)} ms CPU/req ` +
          `(${row.serverCorePercent.toFixed(0)}% of a core), sim ${row.simCpuPerRequest.toFixed(2)} ms CPU/req, ` +
          `other processes ${f(row.otherPercent, 0)}% of the machine` +
          (result.firstFailure ? `\n  first failure: ${result.firstFailure}` : ''),
      );
    }

    const started = cpuMs();
    for (const latency of LATENCIES) {
      await sim.call('setLatency', latency);
      for (const c of CONCURRENCY) {
        await measure('gateway wallboard', latency, c);
        await measure('raw adapter', latency, c);
      }
      for (const c of NAIVE_CONCURRENCY) await measure('naive N+1 adapter', latency, c);
    }
    await sim.call('setLatency', 0);
    for (const c of CONCURRENCY) {
      await measure('gateway { version }', 0, c);
      await measure('node:http hello', 0, c);
    }
    const loadCpu = cpuMs() - started;

    report(rows, loadCpu);
    const failed = rows.reduce((sum, row) => sum + row.failures, 0);
    if (failed > 0) {
      console.error(`\n${failed} requests failed`);
      process.exitCode = 1;
    }
  } finally {
    await Promise.all([server.stop(), sim.stop()]);
    if (CPU_PROFILE) console.log(`\nCPU profile of the server process: ${CPU_PROFILE}/*.cpuprofile`);
  }
}

const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** Prints a markdown table, or nothing when it has no rows. */
function table(header: string[], align: string, rows: string[][]): void {
  if (rows.length === 0) return;
  console.log(`\n| ${header.join(' | ')} |\n|${align}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

function report(rows: Row[], loadCpu: number): void {
  const find = (scenario: string, latency: number, concurrency: number) =>
    rows.find((r) => r.scenario === scenario && r.latency === latency && r.concurrency === concurrency);

  table(
    ['scenario', 'upstream latency', 'clients', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'failed', 'upstream calls/req', 'server CPU ms/req', 'server core %', 'sim CPU ms/req', 'other load %'],
    '---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:',
    rows.map((r) => [
      r.scenario, `${r.latency} ms`, String(r.concurrency), f(r.rps, 0), f(r.p50), f(r.p95), f(r.p99), String(r.failures),
      f(r.upstreamPerRequest, 1), f(r.serverCpuPerRequest), f(r.serverCorePercent, 0), f(r.simCpuPerRequest), f(r.otherPercent, 0),
    ]),
  );

  // Upstream calls per wallboard do not depend on concurrency: the naive run at its first concurrency stands for all.
  const naiveAt = (latency: number) => rows.find((r) => r.scenario === 'naive N+1 adapter' && r.latency === latency);
  table(
    ['wallboard', 'upstream latency', 'clients', 'throughput gateway/raw', 'p50 gateway/raw', 'server CPU/req gateway/raw', 'upstream calls naive/gateway'],
    '---|--:|--:|--:|--:|--:|--:',
    LATENCIES.flatMap((latency) =>
      CONCURRENCY.flatMap((c) => {
        const gw = find('gateway wallboard', latency, c);
        const raw = find('raw adapter', latency, c);
        const naive = naiveAt(latency);
        if (!gw || !raw) return [];
        return [[
          `${AGENTS} agents`, `${latency} ms`, String(c), f(gw.rps / raw.rps), f(gw.p50 / raw.p50),
          f(gw.serverCpuPerRequest / raw.serverCpuPerRequest), naive ? f(naive.upstreamPerRequest / gw.upstreamPerRequest, 0) : '–',
        ]];
      }),
    ),
  );
  table(
    ['naive N+1 vs gateway', 'upstream latency', 'clients', 'upstream calls/wallboard naive : gateway', 'throughput naive/gateway', 'p50 naive/gateway'],
    '---|--:|--:|--:|--:|--:',
    LATENCIES.flatMap((latency) =>
      NAIVE_CONCURRENCY.flatMap((c) => {
        const naive = find('naive N+1 adapter', latency, c);
        const gw = find('gateway wallboard', latency, c);
        if (!naive || !gw) return [];
        return [[`${AGENTS} agents`, `${latency} ms`, String(c), `${f(naive.upstreamPerRequest, 0)} : ${f(gw.upstreamPerRequest, 0)}`, f(naive.rps / gw.rps), f(naive.p50 / gw.p50)]];
      }),
    ),
  );
  table(
    ['fixed overhead', 'clients', 'throughput gateway/hello', 'p50 gateway/hello', 'server CPU/req gateway − hello (ms)'],
    '---|--:|--:|--:|--:',
    CONCURRENCY.flatMap((c) => {
      const gw = find('gateway { version }', 0, c);
      const hello = find('node:http hello', 0, c);
      if (!gw || !hello) return [];
      return [['`{ gateway { version } }` vs node:http', String(c), f(gw.rps / hello.rps), f(gw.p50 / hello.p50), f(gw.serverCpuPerRequest - hello.serverCpuPerRequest, 3)]];
    }),
  );

  const pairs = LATENCIES.flatMap((latency) =>
    CONCURRENCY.flatMap((c) => {
      const gw = find('gateway wallboard', latency, c);
      const raw = find('raw adapter', latency, c);
      return gw && raw ? [{ throughput: gw.rps / raw.rps, cpu: gw.serverCpuPerRequest / raw.serverCpuPerRequest, calls: gw.upstreamPerRequest, failures: gw.failures }] : [];
    }),
  );
  if (pairs.length > 0) {
    const range = (values: number[], digits = 2) => `${f(Math.min(...values), digits)}–${f(Math.max(...values), digits)}`;
    const raws = rows.filter((r) => r.scenario === 'raw adapter');
    recordGoal({
      what: `${AGENTS}-agent wallboard (${pairs.length} runs: latency ${LATENCIES.join('/')} ms × clients ${CONCURRENCY.join('/')})`,
      measured: `throughput ${range(pairs.map((p) => p.throughput))}× the raw adapter, CPU ${range(pairs.map((p) => p.cpu))}×; ${f(pairs[0]!.calls, 1)} upstream calls/req`,
      anchor: `raw adapter ${range(raws.map((r) => r.rps), 0)} req/s, ${range(raws.map((r) => r.serverCpuPerRequest))} ms CPU/req`,
      goal: '>= 0.8× throughput, <= 1.5× CPU (one round trip: test/integration/wallboard-round-trip.test.ts)',
      met: pairs.every((p) => p.throughput >= 0.8 && p.cpu <= 1.5 && p.failures === 0),
    });
  }

  console.log(`\nload generator (this process) used ${f(loadCpu / 1000, 1)} s of CPU`);
  const disturbed = rows.filter((r) => r.otherPercent > 5);
  if (disturbed.length > 0) {
    console.log(`warning: other processes used over 5% of the machine during ${disturbed.length} run(s); those numbers are not clean`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
