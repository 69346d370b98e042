import { recordGoal } from './goals.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { buildApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createSimulator, type Simulator } from '../src/simulator/server.ts';
import { sqliteCommits } from '../src/store/sqlite-statements.ts';
import { cpuMs, serve, spawn, runIfMain } from './ipc.ts';
import { runLoad } from './load.ts';

/**
 * Callbacks stored per second (issue 13): extension-status callbacks POSTed to the gateway's real
 * `/callbacks/<secret>/extension-status` endpoint (SQLite file, WAL, synchronous=FULL), each with its own call uuid so
 * every one is a new event, by closed-loop clients at concurrency 1 and 20; a 200 counts only with `duplicate: false`.
 * Anchor, timed in the same run on the same file system: one fsync'd commit, raw better-sqlite3 inserting one row per
 * transaction in WAL synchronous=FULL. The gateway runs in its own process; its CPU and its SQLite commit count (the
 * cached-statement wrapper's) are read over IPC, so the table shows commits per callback too.
 *
 * Run alone: `npx tsx bench/ingest.ts`. Knobs: BENCH_INGEST_MS (per concurrency, 5000), BENCH_WARMUP_MS (500),
 * BENCH_INGEST_CONCURRENCY (1,20), BENCH_ANCHOR_MS (2000), BENCH_CPU_PROF=1 (profile the gateway process).
 */

const env = process.env;
const ROLE = 'BENCH_INGEST_GATEWAY';
const SECRET = 'bench-callback-secret-0123456789';
const DURATION_MS = Number(env.BENCH_INGEST_MS || 5_000);
const WARMUP_MS = Number(env.BENCH_WARMUP_MS || 500);
const ANCHOR_MS = Number(env.BENCH_ANCHOR_MS || 2_000);
const CONCURRENCY = (env.BENCH_INGEST_CONCURRENCY ?? '1,20')
  .split(',')
  .map(Number)
  .filter((n) => Number.isSafeInteger(n) && n > 0);
const AGENTS = 200;
const FIRST_EXTENSION = 7000;
const GOAL_PER_SECOND = 2_000;

const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** The child: a simulator (so the config is a real one, not demo mode, which makes callbacks of its own) and the gateway. */
function serveGateway(): void {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-ingest-'));
  let sim: Simulator | undefined;
  let app: App | undefined;
  serve(
    {
      async start() {
        sim = createSimulator({});
        const simUrl = await sim.start();
        const config = loadConfig({
          SIP_API_URL: simUrl,
          SIP_APPID: sim.credentials.appId,
          SIP_ACCESSKEY: sim.credentials.accessKey,
          AICALL_API_URL: simUrl,
          AICALL_API_TOKEN: sim.credentials.aicallToken,
          DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
          GATEWAY_API_KEYS: 'bench-viewer-key-0123456789:viewer',
          CALLBACK_SECRET: SECRET,
          LOG_LEVEL: 'silent',
        });
        app = await buildApp(config, createLogger('silent'));
        return app.start(0, '127.0.0.1');
      },
      cpu: () => cpuMs(),
      // User and system apart: at c=1 much of the cost is the kernel's (the fsync, waking the idle client).
      cpuSplit: () => process.cpuUsage(),
      commits: () => sqliteCommits(),
    },
    async () => {
      await app?.stop();
      await sim?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  );
}

function spawnGateway() {
  process.env[ROLE] = '1';
  try {
    // BENCH_CPU_PROF=1: the gateway writes a V8 CPU profile to the temp directory when it stops.
    return spawn('./ingest.ts', env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), `gateway-bench-ingest-prof-${process.pid}`)}`] : []);
  } finally {
    delete process.env[ROLE];
  }
}

/** The anchor: commits per second of one-row transactions, raw better-sqlite3, WAL synchronous=FULL. */
function anchorCommits(durationMs: number): { perSecond: number; msEach: number } {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-anchor-'));
  try {
    const db = new SQLite(join(dir, 'anchor.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('create table t (id integer primary key, body text not null)');
    const insert = db.prepare('insert into t (body) values (?)');
    const commit = db.transaction((body: string) => insert.run(body));
    const body = 'x'.repeat(400);
    let n = 0;
    const started = process.hrtime.bigint();
    const deadline = started + BigInt(durationMs) * 1_000_000n;
    while (process.hrtime.bigint() < deadline) {
      commit(body);
      n += 1;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    db.close();
    return { perSecond: n / seconds, msEach: (seconds * 1000) / n };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface IngestRun {
  concurrency: number;
  stored: number;
  failures: number;
  firstFailure: string | null;
  perSecond: number;
  p50: number;
  p99: number;
}

let sequence = 0;

/** A new extension-status callback (its own call uuid: a new event) as the platform's JSON. */
function callbackBody(): string {
  sequence += 1;
  const extension = String(FIRST_EXTENSION + (sequence % AGENTS));
  return JSON.stringify({
    buuid: `bench-b-${process.pid}-${sequence}`,
    callee: '87847569524',
    caller: extension,
    companycode: '9024',
    direction: 'callout',
    disnumber: '2190240001',
    extnumber: extension,
    isbleg: 'false',
    method: '3',
    starttime: String(1_700_000_000 + sequence),
    status: 'ring',
    type: 'call',
    uuid: `bench-${process.pid}-${sequence}`,
  });
}

async function load(origin: string, concurrency: number, durationMs: number): Promise<IngestRun> {
  const run = await runLoad(
    {
      origin,
      path: `/callbacks/${SECRET}/extension-status`,
      headers: { 'content-type': 'application/json' },
      body: callbackBody,
      check: (status, text) => status === 200 && text.includes('"duplicate":false'),
    },
    concurrency,
    durationMs,
  );
  return {
    concurrency,
    stored: run.requests,
    failures: run.failures,
    firstFailure: run.firstFailure,
    perSecond: run.rps,
    p50: run.p50,
    p99: run.p99,
  };
}

export async function runIngestBench(): Promise<string> {
  const gateway = spawnGateway();
  try {
    const url = await gateway.call<string>('start');
    const anchor = anchorCommits(ANCHOR_MS);
    const rows: string[] = [];
    const notes: string[] = [];
    for (const concurrency of CONCURRENCY) {
      if (WARMUP_MS > 0) await load(url, concurrency, WARMUP_MS);
      const [cpu0, split0, commits0] = [await gateway.call<number>('cpu'), await gateway.call<NodeJS.CpuUsage>('cpuSplit'), await gateway.call<number>('commits')];
      const run = await load(url, concurrency, DURATION_MS);
      const [cpu1, split1, commits1] = [await gateway.call<number>('cpu'), await gateway.call<NodeJS.CpuUsage>('cpuSplit'), await gateway.call<number>('commits')];
      const commitsPer = run.stored > 0 ? (commits1 - commits0) / run.stored : Number.NaN;
      const cpuUs = run.stored > 0 ? ((cpu1 - cpu0) * 1000) / run.stored : Number.NaN;
      rows.push(
        `| gateway, c=${concurrency} | ${f(run.perSecond, 0)} | ${f(run.p50)} | ${f(run.p99)} | ${f(commitsPer, 3)} | ${f(cpuUs, 0)} | ` +
          `${f(run.perSecond / anchor.perSecond)}x | ${run.perSecond >= GOAL_PER_SECOND ? 'met' : 'not met'} |`,
      );
      recordGoal({
        what: `callbacks stored per second (SQLite), c=${concurrency}`,
        measured: `${f(run.perSecond, 0)}/s, ${f(commitsPer, 3)} commits each`,
        anchor: `one fsync'd commit: ${f(anchor.perSecond, 0)} commits/s`,
        goal: `>= ${GOAL_PER_SECOND}/s, durable across SIGKILL`,
        met: run.perSecond >= GOAL_PER_SECOND && run.failures === 0,
      });
      if (run.stored > 0) {
        const per = (us: number) => f(us / run.stored, 0);
        notes.push(`c=${concurrency}: gateway CPU per callback ${per(split1.user - split0.user)} us user + ${per(split1.system - split0.system)} us system`);
      }
      if (run.failures > 0) notes.push(`c=${concurrency}: ${run.failures} failed; first: ${run.firstFailure ?? ''}`);
    }
    return [
      '## Callbacks stored per second (SQLite, WAL, synchronous=FULL)',
      '',
      `New extension-status callbacks POSTed to the gateway (its own process), ${DURATION_MS} ms per concurrency after ` +
        `${WARMUP_MS} ms of warm-up; a 200 with \`duplicate: false\` counts. Anchor: one fsync'd commit (raw better-sqlite3, ` +
        `one-row transactions) timed in this run: ${f(anchor.perSecond, 0)} commits/s, ${f(anchor.msEach, 3)} ms each. ` +
        `Goal: >= ${GOAL_PER_SECOND} callbacks/s at c=1 and c=20, every acknowledged callback durable.`,
      '',
      '| scenario | callbacks/s | p50 ms | p99 ms | SQLite commits per callback | gateway CPU per callback (us) | vs anchor commits/s | goal |',
      '|---|---|---|---|---|---|---|---|',
      `| anchor: one fsync'd commit | ${f(anchor.perSecond, 0)} (commits/s) | ${f(anchor.msEach, 3)} | – | 1 | – | 1.00x | – |`,
      ...rows,
      ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
      '',
    ].join('\n');
  } finally {
    await gateway.stop();
  }
}

if (env[ROLE] === '1') serveGateway();
else runIfMain(import.meta.url, runIngestBench);
