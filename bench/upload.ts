import { recordGoal } from './goals.ts';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, runIfMain } from './ipc.ts';
import type { UploadStart } from './upload-process.ts';

/**
 * 100,000 numbers into a new predictive task through the gateway (createPredictiveTask with `numbersCsv`), against
 * the raw cost of the same upstream calls (bench/upload-process.ts). Three processes: the simulator, the process under
 * test (gateway + anchor), and this one, which sends the request and reads the process's CPU (process.cpuUsage) just
 * before and after. What is measured is the gateway's CPU for the whole request: reading the 2.5 MB JSON body,
 * GraphQL, reading the CSV, checking every number, the ten form-encoded TaskCreat/TaskAdd calls and the per-entry
 * report. The anchor: the same ten calls with the numbers already in hand (JSON + multipart form + undici, and a
 * Login). Knobs: BENCH_UPLOAD_NUMBERS (default 100000), BENCH_UPLOAD_RUNS (default 5, alternating; medians),
 * BENCH_CPU_PROF=1.
 */

const NUMBERS = Number(process.env.BENCH_UPLOAD_NUMBERS || 100_000);
const RUNS = Number(process.env.BENCH_UPLOAD_RUNS || 5);
/** BENCH_CPU_PROF=1: the process under test writes a V8 CPU profile (gateway and anchor runs alike) to this directory. */
const CPU_PROFILE = process.env.BENCH_CPU_PROF === '1' ? join(tmpdir(), `gateway-upload-prof-${process.pid}`) : null;
const API_KEY = 'bench-operator-key-0123456789';
/** The simulator's second added extension: the first is disabled (every tenth is, from the first). */
const FIRST_EXTENSION = 8000;
const EXTENSION = '8001';
/** Goal of issue 13: gateway CPU for 100,000 numbers. */
const GOAL_MS = 500;

const CREATE = `mutation($input: CreatePredictiveTaskInput!) { createPredictiveTask(input: $input) {
  __typename
  ... on CreatePredictiveTaskPayload { outcome acceptedCount rejectedCount upstreamCalls rejected { index reason message } }
  ... on Error { message }
} }`;

/** Mostly distinct mobile numbers with separators now and then; every 1000th a service number, every 1000th (+1) a repeat. */
function csvOf(n: number): string {
  const rows = ['phone,customerId'];
  for (let i = 0; i < n; i++) {
    const phone = i % 1000 === 7 ? '95588' : String(13_000_000_000 + (i % 1000 === 9 ? i - 1 : i));
    rows.push(`${i % 10 === 3 ? `${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}` : phone},C${i}`);
  }
  return rows.join('\n');
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

export async function runUploadBench(): Promise<string> {
  const sim = spawn('./simulator-process.ts');
  const server = spawn('./upload-process.ts', CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE}`] : []);
  try {
    const { url: simUrl, credentials } = await sim.call<{ url: string; credentials: UploadStart['credentials'] }>('start', {
      agents: 2,
      firstExtension: FIRST_EXTENSION,
    });
    const { gatewayUrl } = await server.call<{ gatewayUrl: string }>('start', { simUrl, credentials, apiKey: API_KEY } satisfies UploadStart);
    await server.call('prepareAnchor', { phones: NUMBERS });
    const body = JSON.stringify({
      query: CREATE,
      variables: { input: { name: 'bench', assignment: { type: 'EXTENSION', assignee: EXTENSION }, numbersCsv: csvOf(NUMBERS) } },
    });
    const load = loadavg()[0] ?? 0;

    const gatewayMs: number[] = [];
    const gatewayWallMs: number[] = [];
    const anchorMs: number[] = [];
    const anchorWallMs: number[] = [];
    let upstreamCalls = 0;
    let anchorCalls = 0;
    // One unmeasured round of each first: JIT warm-up and the SIP login.
    for (let run = -1; run < RUNS; run++) {
      let cpu = await server.call<number>('cpu');
      let started = performance.now();
      const response = await fetch(`${gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        body,
      });
      const result = (await response.json()) as { data?: { createPredictiveTask?: { outcome?: string; acceptedCount?: number; rejectedCount?: number; upstreamCalls?: number } }; errors?: unknown };
      const wall = performance.now() - started;
      const used = (await server.call<number>('cpu')) - cpu;
      const payload = result.data?.createPredictiveTask;
      if (payload?.outcome !== 'COMPLETE' || (payload.acceptedCount ?? 0) + (payload.rejectedCount ?? 0) !== NUMBERS) {
        throw new Error(`the upload did not complete: ${JSON.stringify(result).slice(0, 500)}`);
      }
      upstreamCalls = payload.upstreamCalls ?? 0;

      cpu = await server.call<number>('cpu');
      started = performance.now();
      anchorCalls = await server.call<number>('anchor', { assignType: 1, assignee: EXTENSION });
      const anchorWall = performance.now() - started;
      const anchorUsed = (await server.call<number>('cpu')) - cpu;
      if (run < 0) continue;
      gatewayMs.push(used);
      gatewayWallMs.push(wall);
      anchorMs.push(anchorUsed);
      anchorWallMs.push(anchorWall);
    }

    const [g, a] = [median(gatewayMs), median(anchorMs)];
    recordGoal({
      what: `${NUMBERS.toLocaleString('en')} numbers into a task`,
      measured: `${f(g)} ms gateway CPU (median of ${RUNS})`,
      anchor: `the same calls sent raw: ${f(a)} ms CPU`,
      goal: `<= ${GOAL_MS} ms`,
      met: g <= GOAL_MS,
    });
    return [
      `## ${NUMBERS.toLocaleString('en')} numbers into a task (numbersCsv)`,
      '',
      `${RUNS} runs each after one warm-up, alternating, medians; load average at start ${load.toFixed(2)} (2 cores: above ~1, the figures are inflated).`,
      '',
      '| what | CPU ms (median) | CPU ms (all runs) | wall ms (median) | upstream calls |',
      '|---|--:|--:|--:|--:|',
      `| gateway: createPredictiveTask with numbersCsv | ${f(g)} | ${gatewayMs.map((v) => f(v)).join(', ')} | ${f(median(gatewayWallMs))} | ${upstreamCalls} |`,
      `| anchor: the same calls, JSON + multipart form + undici | ${f(a)} | ${anchorMs.map((v) => f(v)).join(', ')} | ${f(median(anchorWallMs))} | ${anchorCalls} (with Login) |`,
      '',
      `| ratio gateway / anchor (CPU) | gateway CPU | goal |`,
      '|--:|--:|---|',
      `| ${f(g / a, 2)} | ${f(g)} ms | <= ${GOAL_MS} ms of gateway CPU for 100,000 numbers: ${g <= GOAL_MS ? 'met' : 'not met'} |`,
      ...(CPU_PROFILE ? [`CPU profile of the process under test: ${CPU_PROFILE}`, ''] : []),
    ].join('\n');
  } finally {
    await Promise.all([server.stop(), sim.stop()]);
  }
}

runIfMain(import.meta.url, runUploadBench);
