import { recordGoal } from './goals.ts';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { runIfMain } from './ipc.ts';

/**
 * Cold start and memory of the production process (bench/README.md, "Cold start and memory of the production
 * process"): spawns `node dist/main.js` (built first) COLD_START_RUNS times per variant, round-robin so that machine
 * noise spreads over all of them, and measures from spawn to the "listening on" banner, to the first 200 from
 * GET /healthz, the resident set (VmRSS, /proc/<pid>/status) once both are there and again after COLD_START_QUERIES
 * GraphQL queries, and the time from SIGTERM to exit. Against two references in the same run: a bare `node:http`
 * server (what Node alone costs) and, with BENCH_COLD_START_TSX=1, the same gateway run from the sources through tsx.
 * Linux only (/proc). `npm run build` makes dist/main.js one bundle (scripts/bundle.ts); this builds the same way.
 * Knobs: BENCH_COLD_START_RUNS (default 5; COLD_START_RUNS still read), BENCH_COLD_START_QUERIES (default 500),
 * BENCH_COLD_START_TSX=1. Progress goes to stderr; runColdStartBench() returns the markdown section.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_COLD_START_RUNS || process.env.COLD_START_RUNS || 5);
const QUERIES = Number(process.env.BENCH_COLD_START_QUERIES || process.env.COLD_START_QUERIES || 500);
const WITH_TSX = process.env.BENCH_COLD_START_TSX === '1';
/** Goals of issue 13 for the production process with an upstream configured. */
const GOAL_READY_MS = 500;
const GOAL_RSS_MB = 120;
const CONCURRENCY = 10;
const QUERY = JSON.stringify({ query: '{ gateway { version } }' });

/** A bare node:http server: listens, prints a banner line like the gateway's, answers /healthz and POST with JSON. */
const RAW_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url === '/healthz' ? '{"status":"ok"}' : '{"data":{"gateway":{"version":"raw"}}}');
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('raw server listening on http://127.0.0.1:' + process.env.PORT + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

interface Variant {
  name: string;
  args: string[];
  env: Record<string, string>;
}

const DEMO = { SIMULATOR_PORT: '0' };
/** A configured upstream that is not there: nothing is called at start except the reconciler, which fails quietly. */
const CONFIGURED = { SIP_API_URL: 'http://127.0.0.1:9/', SIP_APPID: 'bench', SIP_ACCESSKEY: 'bench-access-key', GATEWAY_AUTH: 'off' };
const COMPILED = ['--enable-source-maps', 'dist/main.js'];
const TSX = ['--import', 'tsx', 'src/main.ts'];

const RAW = 'node:http baseline';
const VARIANTS: Variant[] = [
  { name: RAW, args: ['-e', RAW_SERVER], env: {} },
  { name: 'compiled, demo', args: COMPILED, env: DEMO },
  { name: 'compiled, configured upstream', args: COMPILED, env: CONFIGURED },
  ...(WITH_TSX
    ? [
        { name: 'tsx, demo', args: TSX, env: DEMO },
        { name: 'tsx, configured upstream', args: TSX, env: CONFIGURED },
      ]
    : []),
];

interface Sample {
  listenMs: number;
  healthMs: number;
  /** CPU (user + system) the process used until both were there: on a busy machine, steadier than the wall times. */
  cpuStartMs: number;
  rssStartMb: number;
  rssAfterMb: number;
  queriesPerSecond: number;
  stopMs: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

/** User + system CPU of a process in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls GET /healthz on a new connection every 2 ms until it answers 200. */
async function firstHealthy(port: number, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before /healthz answered`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { connection: 'close' } });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(2);
  }
}

async function runQueries(port: number): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
  let left = QUERIES;
  const started = performance.now();
  const worker = async () => {
    while (left-- > 0) {
      const { statusCode, body } = await pool.request({ path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY });
      const text = await body.text();
      if (statusCode !== 200 || !text.includes('"version"')) throw new Error(`query answered ${statusCode}: ${text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return QUERIES / seconds;
}

async function measure(variant: Variant): Promise<Sample> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, variant.args, {
    cwd: ROOT,
    // Only what a service unit would set; DATABASE_URL in memory so no run finds the previous one's file.
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'file::memory:', LOG_LEVEL: 'warn', ...variant.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const listening = new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/listening on/.test(out)) resolve(performance.now() - started);
      });
      child.once('exit', (code) => reject(new Error(`${variant.name} exited with ${code}: ${stderr}`)));
    });
    const healthy = firstHealthy(port, child).then(() => performance.now() - started);
    const [listenMs, healthMs] = await Promise.all([listening, healthy]);
    const rssStartMb = rssMb(child.pid!);
    const cpuStartMs = cpuMs(child.pid!);
    const queriesPerSecond = await runQueries(port);
    const rssAfterMb = rssMb(child.pid!);
    const stopping = performance.now();
    child.kill('SIGTERM');
    await exited;
    return { listenMs, healthMs, cpuStartMs, rssStartMb, rssAfterMb, queriesPerSecond, stopMs: performance.now() - stopping };
  } finally {
    child.kill('SIGKILL');
  }
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'src');
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown commit';
  }
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

export async function runColdStartBench(): Promise<string> {
  const out: string[] = [];
  out.push(`## Cold start and memory — ${new Date().toISOString()}, ${revision()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, '');
  const buildStarted = performance.now();
  // `npm run build`: tsc, then the bundle that `node dist/main.js` runs.
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (error) {
    // Type errors do not stop the build (tsc emits anyway; `npm run typecheck` reports them), as in test/utils/spawn-gateway.ts.
    const output = String((error as { stdout?: string }).stdout ?? '');
    if (!/error TS/.test(output)) throw error;
    progress(`# tsc reported type errors (built anyway):\n${output.trim()}`);
  }
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/bundle.ts'], { cwd: ROOT, stdio: 'inherit' });
  const loadBefore = loadavg().map((n) => n.toFixed(2)).join(' ');
  progress(`# npm run build: ${f(performance.now() - buildStarted)} ms; ${RUNS} runs per variant, ${QUERIES} queries at ${CONCURRENCY} clients`);

  const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v.name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const variant of VARIANTS) {
      const sample = await measure(variant);
      samples.get(variant.name)!.push(sample);
      progress(
        `${variant.name.padEnd(30)} #${run + 1}: listening ${f(sample.listenMs)} ms, /healthz ${f(sample.healthMs)} ms, CPU ${f(sample.cpuStartMs)} ms, ` +
          `RSS ${f(sample.rssStartMb, 1)} → ${f(sample.rssAfterMb, 1)} MB, ${f(sample.queriesPerSecond)} q/s, stop ${f(sample.stopMs)} ms`,
      );
    }
  }
  const loadAfter = loadavg().map((n) => n.toFixed(2)).join(' ');
  out.push(`${RUNS} runs per variant, round-robin, ${QUERIES} queries at ${CONCURRENCY} clients; load average ${loadBefore} before, ${loadAfter} after (2 cores: above ~1, times are inflated; CPU is steadier).`, '');

  const stat = (name: string, key: keyof Sample, p: number) => percentile(samples.get(name)!.map((s) => s[key]), p);
  out.push('| variant | listening p50 ms | /healthz 200 p50 ms | /healthz 200 p90 ms | CPU to ready ms (p50) | RSS at start MB (p50) | RSS after queries MB (p50) | queries/s (p50) | SIGTERM → exit ms (p50) |');
  out.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const { name } of VARIANTS) {
    out.push(
      `| ${name} | ${f(stat(name, 'listenMs', 50))} | ${f(stat(name, 'healthMs', 50))} | ${f(stat(name, 'healthMs', 90))} | ${f(stat(name, 'cpuStartMs', 50))} | ` +
        `${f(stat(name, 'rssStartMb', 50), 1)} | ${f(stat(name, 'rssAfterMb', 50), 1)} | ${f(stat(name, 'queriesPerSecond', 50))} | ${f(stat(name, 'stopMs', 50))} |`,
    );
  }

  const ratio = (a: string, b: string, key: keyof Sample) => f(stat(a, key, 50) / stat(b, key, 50), 2);
  out.push('', '| ratio (medians) | /healthz 200 | CPU to ready | RSS at start | RSS after queries |', '|---|--:|--:|--:|--:|');
  const pairs: Array<[string, string]> = [
    ['compiled, demo', RAW],
    ['compiled, configured upstream', RAW],
    ...(WITH_TSX ? ([['tsx, demo', 'compiled, demo'], ['tsx, configured upstream', 'compiled, configured upstream']] as Array<[string, string]>) : []),
  ];
  for (const [a, b] of pairs) {
    out.push(`| ${a} / ${b} | ${ratio(a, b, 'healthMs')} | ${ratio(a, b, 'cpuStartMs')} | ${ratio(a, b, 'rssStartMb')} | ${ratio(a, b, 'rssAfterMb')} |`);
  }

  const configured = 'compiled, configured upstream';
  const ready = stat(configured, 'healthMs', 50);
  const rss = stat(configured, 'rssStartMb', 50);
  recordGoal({
    what: 'start to ready; RSS (production process, upstream configured)',
    measured: `${f(ready)} ms; ${f(rss, 1)} MB`,
    anchor: `bare node:http ${f(stat(RAW, 'healthMs', 50))} ms; ${f(stat(RAW, 'rssStartMb', 50), 1)} MB`,
    goal: `<= ${GOAL_READY_MS} ms, <= ${GOAL_RSS_MB} MB`,
    met: ready <= GOAL_READY_MS && rss <= GOAL_RSS_MB,
  });
  out.push(
    '',
    '| goal (production process, upstream configured) | measured (p50) | anchor: bare node:http (p50) | goal | met |',
    '|---|--:|--:|--:|---|',
    `| start to ready (/healthz 200) | ${f(ready)} ms | ${f(stat(RAW, 'healthMs', 50))} ms | <= ${GOAL_READY_MS} ms | ${ready <= GOAL_READY_MS ? 'yes' : 'no'} |`,
    `| RSS at ready | ${f(rss, 1)} MB | ${f(stat(RAW, 'rssStartMb', 50), 1)} MB | <= ${GOAL_RSS_MB} MB | ${rss <= GOAL_RSS_MB ? 'yes' : 'no'} |`,
    '',
  );
  return out.join('\n');
}

runIfMain(import.meta.url, runColdStartBench);
