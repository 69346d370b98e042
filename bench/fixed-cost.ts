import { recordGoal } from './goals.ts';
import { createServer, type Server } from 'node:http';
import { cpus } from 'node:os';
import { loadConfig } from '../src/config.ts';
import { createUpstreamHttp, type UpstreamHttp, type UpstreamRequest } from '../src/upstream/http.ts';
import { createSipClient } from '../src/upstream/sip/client.ts';
import { createZonedTime } from '../src/upstream/time.ts';
import { cpuMs, serve, spawn, runIfMain } from './ipc.ts';
import { type LoadResult, runLoad, runOpenLoad, type Target } from './load.ts';

/**
 * The fixed cost per request and the latency one upstream call gains by going through the gateway (issue 13):
 *
 * 1. `{ gateway { version } }` through the gateway against a bare node:http hello server, each in its own process,
 *    closed loop with BENCH_FIXED_CLIENTS (50) clients from this process. Goal: >= 0.35x the bare server's req/s.
 * 2. `{ queues { name } }` (one GetQueueList) through the gateway against the very same SIP POST sent straight to the
 *    simulator (its own process, no added latency). Open loop at 25 % of the gateway's measured maximum for that query:
 *    a closed loop would measure queueing (p50 ~ clients / throughput), and think time would make the load depend on
 *    the latency being measured; a fixed arrival rate loads both paths equally and counts a stall from when each
 *    request was due. Goal: the gateway adds <= 1 ms at p50 and <= 5 ms at p99.
 *
 * Run alone: `npx tsx bench/fixed-cost.ts`. Knobs: BENCH_DURATION_MS (per run, 5000), BENCH_WARMUP_MS (1000),
 * BENCH_FIXED_CLIENTS (50), BENCH_LOAD_SHARE (0.25).
 */

const env = process.env;
/** Set in the child this file forks for the bare server (see bareServer()). */
const BARE_ROLE = 'BENCH_FIXED_COST_BARE_SERVER';
const API_KEY = 'bench-viewer-key-0123456789';
const json = { 'content-type': 'application/json' };

const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** The bare server: node:http reading the body and answering a small JSON, nothing else. */
function serveBare(): void {
  let server: Server | undefined;
  serve(
    {
      async start() {
        server = createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (chunk: Buffer) => chunks.push(chunk));
          req.on('end', () => {
            const text = '{"data":{"hello":"world"}}';
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
            res.end(text);
          });
        });
        await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
        const address = server.address();
        return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      },
      cpu: () => cpuMs(),
    },
    async () => {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    },
  );
}

/** Forks this file as the bare server: the role travels in the environment, which fork copies at once. */
function spawnBare() {
  process.env[BARE_ROLE] = '1';
  try {
    return spawn('./fixed-cost.ts');
  } finally {
    delete process.env[BARE_ROLE];
  }
}

interface Credentials {
  appId: string;
  accessKey: string;
  aicallToken: string;
}

/**
 * The exact POST the gateway's SIP client sends for GetQueueList (form encoding, token and all), recorded by running
 * the same client here once: sending it again measures the PBX alone.
 */
async function recordQueueListPost(simUrl: string, credentials: Credentials): Promise<{ target: Omit<Target, 'check'>; ret: unknown }> {
  const config = loadConfig({ SIP_API_URL: simUrl, SIP_APPID: credentials.appId, SIP_ACCESSKEY: credentials.accessKey, GATEWAY_API_KEYS: `${API_KEY}:viewer`, LOG_LEVEL: 'silent' });
  const http = createUpstreamHttp(config.http);
  let recorded: { url: URL; init: UpstreamRequest; text: string } | null = null;
  const recording: UpstreamHttp = {
    async request(url, init) {
      const response = await http.request(url, init);
      if (init.context.operation !== 'Login') recorded = { url, init, text: response.text };
      return response;
    },
    close: () => http.close(),
  };
  try {
    const sip = createSipClient({
      http: recording,
      time: createZonedTime(config.upstreamTimeZone),
      url: simUrl,
      appId: credentials.appId,
      accessKey: credentials.accessKey,
      formEncoding: config.sip?.formEncoding,
    });
    await sip.getQueues();
  } finally {
    await http.close();
  }
  const post = recorded as { url: URL; init: UpstreamRequest; text: string } | null;
  if (!post) throw new Error('GetQueueList was not sent');
  const body = post.init.body;
  return {
    target: {
      origin: post.url.origin,
      path: `${post.url.pathname}${post.url.search}`,
      headers: post.init.headers ?? {},
      body: typeof body === 'string' ? body : (body ?? Buffer.alloc(0)).toString('latin1'),
    },
    ret: (JSON.parse(post.text) as { ret?: unknown }).ret,
  };
}

interface Measured extends LoadResult {
  serverCpuPerRequest: number;
}

export async function runFixedCostBench(): Promise<string> {
  const durationMs = Number(env.BENCH_DURATION_MS || 5_000);
  const warmupMs = Number(env.BENCH_WARMUP_MS || 1_000);
  const clients = Number(env.BENCH_FIXED_CLIENTS || 50);
  const share = Number(env.BENCH_LOAD_SHARE || 0.25);

  const sim = spawn('./simulator-process.ts');
  const gatewayProcess = spawn('./server-process.ts');
  const bare = spawnBare();
  try {
    const { url: simUrl, credentials } = await sim.call<{ url: string; credentials: Credentials }>('start', { agents: 0, firstExtension: 7000 });
    const [{ gatewayUrl }, bareUrl] = await Promise.all([
      gatewayProcess.call<{ gatewayUrl: string }>('start', { simUrl, credentials, apiKey: API_KEY }),
      bare.call<string>('start'),
    ]);

    const graphql = (query: string, check: (data: any) => boolean): Target => ({
      origin: gatewayUrl,
      path: '/graphql',
      headers: { ...json, authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({ query }),
      check: (status, text) => {
        if (status !== 200) return false;
        const result = JSON.parse(text);
        return !result.errors && check(result.data);
      },
    });
    const version = graphql('{ gateway { version } }', (data) => typeof data?.gateway?.version === 'string');
    const hello: Target = { origin: bareUrl, path: '/', headers: json, body: '{"query":"{ hello }"}', check: (status, text) => status === 200 && text.includes('world') };
    const queues = graphql('{ queues { name } }', (data) => Array.isArray(data?.queues) && data.queues.length > 0);
    const recorded = await recordQueueListPost(simUrl, credentials);
    const direct: Target = { ...recorded.target, check: (status, text) => status === 200 && (JSON.parse(text) as { ret?: unknown }).ret === recorded.ret };

    /** One measured run with the server process's CPU over it. */
    const measure = async (server: typeof bare, run: () => Promise<LoadResult>): Promise<Measured> => {
      const before = await server.call<number>('cpu');
      const result = await run();
      const after = await server.call<number>('cpu');
      return { ...result, serverCpuPerRequest: (after - before) / Math.max(1, result.requests + result.failures) };
    };
    const closed = (server: typeof bare, target: Target) => async () => {
      if (warmupMs > 0) await runLoad(target, clients, warmupMs);
      return measure(server, () => runLoad(target, clients, durationMs));
    };

    const gw = await closed(gatewayProcess, version)();
    const raw = await closed(bare, hello)();

    // The gateway's maximum for one upstream call, then both paths at the same share of it.
    const queuesMax = await closed(gatewayProcess, queues)();
    const rate = Math.max(1, Math.round(queuesMax.rps * share));
    const open = (server: typeof bare, target: Target) => async () => {
      if (warmupMs > 0) await runOpenLoad(target, rate, warmupMs);
      return measure(server, () => runOpenLoad(target, rate, durationMs));
    };
    const viaGateway = await open(gatewayProcess, queues)();
    const straight = await open(sim, direct)();

    const rows = [
      ['`{ gateway { version } }`', `closed, ${clients} clients`, gw],
      ['bare node:http hello', `closed, ${clients} clients`, raw],
      ['`{ queues { name } }` (max)', `closed, ${clients} clients`, queuesMax],
      ['`{ queues { name } }`', `open, ${rate} req/s`, viaGateway],
      ['GetQueueList straight to the PBX', `open, ${rate} req/s`, straight],
    ] as const;
    const failures = rows.filter(([, , r]) => r.failures > 0).map(([name, , r]) => `${name}: ${r.failures} failed (${r.firstFailure})`);
    const addedP50 = viaGateway.p50 - straight.p50;
    const addedP99 = viaGateway.p99 - straight.p99;
    const ratio = gw.rps / raw.rps;
    recordGoal({
      what: `\`{ gateway { version } }\`, ${clients} clients, separate processes`,
      measured: `${f(gw.rps, 0)} req/s`,
      anchor: `bare node:http ${f(raw.rps, 0)} req/s`,
      goal: '>= 0.35x the bare server',
      met: ratio >= 0.35 && gw.failures === 0,
    });
    recordGoal({
      what: `one upstream call (\`queues { name }\`) at ${Math.round(share * 100)} % load`,
      measured: `+${f(addedP50)} ms p50, +${f(addedP99)} ms p99 (${rate} req/s)`,
      anchor: `straight POST p50 ${f(straight.p50)} ms, p99 ${f(straight.p99)} ms`,
      goal: '<= +1 ms p50, <= +5 ms p99',
      met: addedP50 <= 1 && addedP99 <= 5 && viaGateway.failures === 0,
    });
    return [
      `## Fixed cost per request and one upstream call (${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${durationMs} ms per run)`,
      '',
      '| run | load | req/s | p50 ms | p99 ms | server CPU ms/req | failed |',
      '|---|---|--:|--:|--:|--:|--:|',
      ...rows.map(([name, load, r]) => `| ${name} | ${load} | ${f(r.rps, 0)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.serverCpuPerRequest, 3)} | ${r.failures} |`),
      '',
      '| what | measured | anchor | ratio / added | goal |',
      '|---|--:|--:|--:|---|',
      `| \`{ gateway { version } }\`, ${clients} clients | ${f(gw.rps, 0)} req/s | bare node:http ${f(raw.rps, 0)} req/s | ${f(ratio)}x | >= 0.35x ${ratio >= 0.35 ? '(met)' : '(not met)'} |`,
      `| one upstream call at ${Math.round(share * 100)} % load, p50 | ${f(viaGateway.p50)} ms | straight POST ${f(straight.p50)} ms | +${f(addedP50)} ms | <= +1 ms ${addedP50 <= 1 ? '(met)' : '(not met)'} |`,
      `| one upstream call at ${Math.round(share * 100)} % load, p99 | ${f(viaGateway.p99)} ms | straight POST ${f(straight.p99)} ms | +${f(addedP99)} ms | <= +5 ms ${addedP99 <= 5 ? '(met)' : '(not met)'} |`,
      ...(failures.length > 0 ? ['', `Failures: ${failures.join('; ')}`] : []),
      '',
    ].join('\n');
  } finally {
    await Promise.all([gatewayProcess.stop(), bare.stop(), sim.stop()]);
  }
}

if (env[BARE_ROLE]) {
  serveBare();
} else runIfMain(import.meta.url, runFixedCostBench);
