import { env } from 'node:process';
import { BENCH_CALLBACK_SECRET, type MemorySample } from './fan-out-process.ts';
import { graphqlWsInit, openClients, WALLBOARD_SUBSCRIPTION } from './fan-out.ts';
import { recordGoal } from './goals.ts';
import { spawn, runIfMain } from './ipc.ts';

/**
 * Memory per idle subscription: N sockets holding one `agentStatusChanged` subscription each on the gateway, vs N
 * bare `ws` sockets (the anchor), each server in a child process of its own with --expose-gc; the figure is the
 * growth after a full collection divided by N. JS heap + external (what the process's objects and buffers hold) is
 * the main figure; RSS is shown beside it (it also counts kernel-side and allocator slack).
 *
 * Knob: BENCH_IDLE_SOCKETS (default 10,000).
 */

interface Side {
  heapPerSocket: number;
  rssPerSocket: number;
}

const grown = (before: MemorySample, after: MemorySample, n: number): Side => ({
  heapPerSocket: (after.heap + after.external - before.heap - before.external) / n,
  rssPerSocket: (after.rss - before.rss) / n,
});

async function measure(kind: 'gateway' | 'bare', n: number): Promise<Side> {
  const server = spawn('./fan-out-process.ts', ['--expose-gc']);
  try {
    const url = await server.call<string>('start', { kind, sockets: n });
    const before = await server.call<MemorySample>('memory');
    const wsUrl = url.replace(/^http/, 'ws');
    const pool =
      kind === 'bare'
        ? await openClients(wsUrl, n, { isFrame: () => true })
        : await openClients(`${wsUrl}/graphql`, n, {
            protocol: 'graphql-transport-ws',
            init: graphqlWsInit(WALLBOARD_SUBSCRIPTION, { after: '0' }),
            isFrame: (data) => data.includes('"type":"next"'),
          });
    try {
      if (kind === 'gateway') {
        // One event reaches every subscriber: then every subscription is set up and listening, and idle again.
        const reached = pool.frames(1);
        const detail = { buuid: 'idle-b', callee: '13900001111', caller: '8000', companycode: '9024', direction: 'callout', disnumber: '021', extnumber: '8000', isbleg: 'false', method: '5', starttime: '1700000000', status: 'ring', type: 'call', uuid: 'idle' };
        const response = await fetch(`${url}/callbacks/${BENCH_CALLBACK_SECRET}/extension-status`, { method: 'POST', body: new URLSearchParams({ detail: JSON.stringify(detail) }) });
        await response.arrayBuffer();
        await reached;
      }
      const after = await server.call<MemorySample>('memory');
      // BENCH_IDLE_SNAPSHOT=<file prefix>: a heap snapshot of each server with its sockets held, to see what they keep.
      if (env.BENCH_IDLE_SNAPSHOT) await server.call('heapSnapshot', `${env.BENCH_IDLE_SNAPSHOT}-${kind}.heapsnapshot`);
      return grown(before, after, n);
    } finally {
      pool.close();
    }
  } finally {
    await server.stop();
  }
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

export async function runIdleSubscriptionsBench(): Promise<string> {
  const n = Number(env.BENCH_IDLE_SOCKETS || 10_000);
  const bare = await measure('bare', n);
  const gateway = await measure('gateway', n);
  recordGoal({
    what: 'idle subscription',
    measured: `${kB(gateway.heapPerSocket)} each (${n.toLocaleString('en')} held; RSS ${kB(gateway.rssPerSocket)})`,
    anchor: `bare ws socket ${kB(bare.heapPerSocket)} (RSS ${kB(bare.rssPerSocket)})`,
    goal: '<= 12 kB each',
    met: gateway.heapPerSocket <= 12_000,
  });
  return [
    '## Idle subscriptions',
    '',
    `${n.toLocaleString('en')} sockets with one \`agentStatusChanged\` subscription each vs as many bare \`ws\` sockets (same run, each server in ` +
      'its own process, after a full GC). Goal: <= 12 kB per idle subscription (socket included).',
    '',
    '| | heap + external per socket | RSS per socket |',
    '|---|---:|---:|',
    `| gateway, one subscription each | ${kB(gateway.heapPerSocket)} | ${kB(gateway.rssPerSocket)} |`,
    `| bare ws socket | ${kB(bare.heapPerSocket)} | ${kB(bare.rssPerSocket)} |`,
    `| ratio | ${(gateway.heapPerSocket / bare.heapPerSocket).toFixed(2)}x | ${(gateway.rssPerSocket / bare.rssPerSocket).toFixed(2)}x |`,
    '',
  ].join('\n');
}

runIfMain(import.meta.url, runIdleSubscriptionsBench);
