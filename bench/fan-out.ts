import { env } from 'node:process';
import WebSocket from 'ws';
import { BENCH_CALLBACK_SECRET } from './fan-out-process.ts';
import { recordGoal } from './goals.ts';
import { type Child, spawn, runIfMain } from './ipc.ts';

/**
 * Callback → last of N graphql-ws subscribers of `agentStatusChanged`, against a bare `ws` server broadcasting one
 * pre-serialized frame to as many clients (the anchor), in the same run. Each side runs in a child process of its own
 * (bench/fan-out-process.ts); the clients live in this process. Per event: the time from posting the callback (or
 * the broadcast request) until the last client has the frame, and the server's CPU per delivery.
 *
 * Knobs: BENCH_FAN_OUT_SIZES (default "1000,5000"), BENCH_FAN_OUT_EVENTS (20 measured events per size, after 3 warm-up).
 */

export const WALLBOARD_SUBSCRIPTION = /* GraphQL */ `
  subscription Wallboard($after: ID) {
    agentStatusChanged(after: $after) { eventId extension state previousState receivedAt call { uuid customerNumber direction } }
  }
`;

export interface ClientPool {
  /** Resolves when every client has received `count` frames since the last reset. */
  frames(count: number): Promise<number>;
  reset(): void;
  close(): void;
}

/** Opens `n` sockets `batch` at a time; `init` runs on each open socket and resolves once it is ready. */
export async function openClients(
  url: string,
  n: number,
  options: { protocol?: string; init?: (socket: WebSocket) => Promise<void>; isFrame: (data: string) => boolean },
  batch = 200,
): Promise<ClientPool> {
  const sockets: WebSocket[] = [];
  const counts: number[] = [];
  let waiting: { count: number; reached: number; resolve: (at: number) => void } | null = null;
  const onFrame = (index: number) => {
    counts[index] = (counts[index] ?? 0) + 1;
    if (waiting && counts[index] === waiting.count) {
      waiting.reached += 1;
      if (waiting.reached === n) {
        const done = waiting;
        waiting = null;
        done.resolve(performance.now());
      }
    }
  };
  for (let start = 0; start < n; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - start) }, async (_, offset) => {
        const index = start + offset;
        const socket = new WebSocket(url, options.protocol ? [options.protocol] : [], { perMessageDeflate: false });
        sockets[index] = socket;
        counts[index] = 0;
        await new Promise<void>((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.once('error', reject);
        });
        socket.on('error', () => undefined);
        if (options.init) await options.init(socket);
        socket.on('message', (data: Buffer) => {
          if (options.isFrame(data.toString())) onFrame(index);
        });
      }),
    );
  }
  return {
    frames(count) {
      return new Promise((resolve) => {
        const reached = counts.filter((c) => c >= count).length;
        if (reached === n) return resolve(performance.now());
        waiting = { count, reached, resolve };
      });
    },
    reset() {
      counts.fill(0);
    },
    close() {
      for (const socket of sockets) socket.terminate();
    },
  };
}

/** graphql-transport-ws: connection_init, wait for the ack, then subscribe. */
export function graphqlWsInit(query: string, variables: Record<string, unknown>, subscriptions = 1) {
  return (socket: WebSocket) =>
    new Promise<void>((resolve, reject) => {
      socket.once('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as { type: string };
        if (message.type !== 'connection_ack') return reject(new Error(`no ack: ${data.toString()}`));
        for (let i = 0; i < subscriptions; i += 1) socket.send(JSON.stringify({ id: String(i + 1), type: 'subscribe', payload: { query, variables } }));
        resolve();
      });
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    });
}

const isNext = (data: string) => data.includes('"type":"next"');

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface SideResult {
  p50: number;
  p99: number;
  cpuPerDeliveryUs: number;
  /** The fan-out's counts per measured event (src/server/shared-execution.ts): what the CPU figure rests on. */
  perEvent: { executions: number; serializations: number; frames: number };
}

type FanOutCounts = SideResult['perEvent'];

let call = 0;
let profiles = 0;
async function ring(gatewayUrl: string): Promise<void> {
  call += 1;
  const uuid = `fan-out-bench-${process.pid}-${call}`;
  const detail = { buuid: `${uuid}-b`, callee: '13900001111', caller: '8000', companycode: '9024', direction: 'callout', disnumber: '021', extnumber: '8000', isbleg: 'false', method: '5', starttime: String(1_700_000_000 + call), status: 'ring', type: 'call', uuid };
  const response = await fetch(`${gatewayUrl}/callbacks/${BENCH_CALLBACK_SECRET}/extension-status`, { method: 'POST', body: new URLSearchParams({ detail: JSON.stringify(detail) }) });
  if (response.status !== 200) throw new Error(`callback answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

/** Triggers `events` events one after the other, each once all clients have the previous. */
async function measure(server: Child, pool: ClientPool, trigger: () => Promise<void>, warmup: number, events: number, n: number, already: number): Promise<SideResult> {
  let seen = already;
  for (let i = 0; i < warmup; i += 1) {
    seen += 1;
    const reached = pool.frames(seen);
    await trigger();
    await reached;
  }
  const latencies: number[] = [];
  // BENCH_FAN_OUT_PROFILE=<file prefix>: a CPU profile of each server over the measured events.
  const profile = env.BENCH_FAN_OUT_PROFILE;
  if (profile) await server.call('profileStart');
  const countsBefore = await server.call<FanOutCounts>('metrics');
  const cpuBefore = await server.call<number>('cpu');
  for (let i = 0; i < events; i += 1) {
    seen += 1;
    const reached = pool.frames(seen);
    const start = performance.now();
    await trigger();
    latencies.push((await reached) - start);
  }
  const cpu = (await server.call<number>('cpu')) - cpuBefore;
  const countsAfter = await server.call<FanOutCounts>('metrics');
  const perEvent = (key: keyof FanOutCounts) => (countsAfter[key] - countsBefore[key]) / events;
  if (profile) await server.call('profileStop', `${profile}-${n}-${++profiles}.cpuprofile`);
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuPerDeliveryUs: (cpu * 1000) / (events * n),
    perEvent: { executions: perEvent('executions'), serializations: perEvent('serializations'), frames: perEvent('frames') },
  };
}

async function runSize(n: number, events: number): Promise<{ gateway: SideResult; bare: SideResult }> {
  const warmup = 3;
  const bare = spawn('./fan-out-process.ts');
  let bareResult: SideResult;
  try {
    const url = await bare.call<string>('start', { kind: 'bare', sockets: n });
    const pool = await openClients(url.replace(/^http/, 'ws'), n, { isFrame: isNext });
    try {
      const trigger = async () => {
        const response = await fetch(`${url}/broadcast`, { method: 'POST' });
        await response.arrayBuffer();
      };
      bareResult = await measure(bare, pool, trigger, warmup, events, n, 0);
    } finally {
      pool.close();
    }
  } finally {
    await bare.stop();
  }

    const gateway = spawn('./fan-out-process.ts');
  try {
    const url = await gateway.call<string>('start', { kind: 'gateway', sockets: n });
    // `after: "0"` so no subscriber misses the first (warm-up) event, whenever its subscription got going.
    const pool = await openClients(`${url.replace(/^http/, 'ws')}/graphql`, n, {
      protocol: 'graphql-transport-ws',
      init: graphqlWsInit(WALLBOARD_SUBSCRIPTION, { after: '0' }),
      isFrame: isNext,
    });
    try {
      const gatewayResult = await measure(gateway, pool, () => ring(url), warmup, events, n, 0);
      return { gateway: gatewayResult, bare: bareResult };
    } finally {
      pool.close();
    }
  } finally {
    await gateway.stop();
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const us = (value: number) => `${value.toFixed(1)} µs`;
const ratio = (value: number) => `${value.toFixed(2)}x`;

export async function runFanOutBench(): Promise<string> {
  const sizes = (env.BENCH_FAN_OUT_SIZES || '1000,5000').split(',').map((s) => Number(s.trim())).filter((s) => s > 0);
  const events = Number(env.BENCH_FAN_OUT_EVENTS || 20);
  const rows: string[] = [];
  for (const n of sizes) {
    const { gateway, bare } = await runSize(n, events);
    const p99Ratio = gateway.p99 / bare.p99;
    const cpuRatio = gateway.cpuPerDeliveryUs / bare.cpuPerDeliveryUs;
    rows.push(
      `| ${n.toLocaleString('en')} | ${ms(gateway.p50)} / ${ms(gateway.p99)} | ${ms(bare.p50)} / ${ms(bare.p99)} | ${ratio(p99Ratio)} | ` +
        `${us(gateway.cpuPerDeliveryUs)} | ${us(bare.cpuPerDeliveryUs)} | ${ratio(cpuRatio)} | ` +
        `${gateway.perEvent.executions} / ${gateway.perEvent.serializations} / ${gateway.perEvent.frames} |`,
    );
    recordGoal({
      what: `callback → last of ${n.toLocaleString('en')} subscribers`,
      measured: `p99 ${ms(gateway.p99)}, ${us(gateway.cpuPerDeliveryUs)}/delivery`,
      anchor: `bare ws broadcast p99 ${ms(bare.p99)}, ${us(bare.cpuPerDeliveryUs)}/delivery`,
      goal: 'p99 <= 1.3x, CPU/delivery <= 1.5x',
      met: p99Ratio <= 1.3 && cpuRatio <= 1.5,
    });
  }
  return [
    '## Subscription fan-out',
    '',
    `Callback → the last graphql-ws subscriber of \`agentStatusChanged\` has the frame, over ${events} events (after 3 warm-up), vs a bare \`ws\` ` +
      'server broadcasting one pre-serialized frame to as many clients (same run, each server in its own process). Goal: p99 <= 1.3x, ' +
      'CPU per delivery <= 1.5x. Per event, the gateway should execute, serialize and frame once (every client numbers its ' +
      'operation "1"), however many subscribers.',
    '',
    '| subscribers | gateway p50 / p99 | bare ws p50 / p99 | p99 ratio | gateway CPU/delivery | bare CPU/delivery | CPU ratio | executions / serializations / frames per event |',
    '|---:|---|---|---:|---:|---:|---:|---|',
    ...rows,
    '',
  ].join('\n');
}

runIfMain(import.meta.url, runFanOutBench);
