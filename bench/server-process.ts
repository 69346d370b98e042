import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../src/app.ts';
import { loadConfig, secretsOf } from '../src/config.ts';
import { createLogger, LogFormat } from '../src/logger.ts';
import { createUpstreamHttp, type UpstreamHttp } from '../src/upstream/http.ts';
import { createSipClient } from '../src/upstream/sip/client.ts';
import { createZonedTime } from '../src/upstream/time.ts';
import { naiveWallboard, rawWallboard } from './adapters.ts';
import { cpuMs, serve } from './ipc.ts';

/**
 * The servers under test, in one process so they get the same core: the gateway, and a plain node:http server with
 * the hand-written adapters (POST /raw, POST /naive with {"extensions": [...]}) and POST /hello.
 */

export interface ServerStart {
  simUrl: string;
  credentials: { appId: string; accessKey: string; aicallToken: string };
  apiKey: string;
}

const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
let app: App | undefined;
let adapter: Server | undefined;
let upstream: UpstreamHttp | undefined;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

serve(
  {
    async start({ simUrl, credentials, apiKey }: ServerStart) {
      const config = loadConfig({
        SIP_API_URL: simUrl,
        SIP_APPID: credentials.appId,
        SIP_ACCESSKEY: credentials.accessKey,
        AICALL_API_URL: simUrl,
        AICALL_API_TOKEN: credentials.aicallToken,
        DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
        GATEWAY_API_KEYS: `${apiKey}:viewer`,
        LOG_LEVEL: 'silent',
        // HTTP_FAST_PATH=off measures the same gateway with every request through yoga.
        ...(process.env.HTTP_FAST_PATH ? { HTTP_FAST_PATH: process.env.HTTP_FAST_PATH } : {}),
        // COMPILED_QUERIES=off: every query interpreted.
        ...(process.env.COMPILED_QUERIES ? { COMPILED_QUERIES: process.env.COMPILED_QUERIES } : {}),
        // The observability part's variants (bench/observability.ts): LOG_LEVEL, METRICS, OTEL_… as deployed.
        ...(process.env.BENCH_GATEWAY_ENV ? (JSON.parse(process.env.BENCH_GATEWAY_ENV) as Record<string, string>) : {}),
      });
      // As main.ts makes it: JSON lines on this process's stderr (a file, for the observability part).
      app = await buildApp(config, createLogger(config.logLevel, { secrets: secretsOf(config), modules: config.logModules, format: LogFormat.Json }));
      const gatewayUrl = await app.start(0, '127.0.0.1');

      // The adapters get their own pool with the gateway's limits (UPSTREAM_MAX_CONNECTIONS etc.).
      upstream = createUpstreamHttp(config.http);
      const sip = createSipClient({
        http: upstream,
        time: createZonedTime(config.upstreamTimeZone),
        url: simUrl,
        appId: credentials.appId,
        accessKey: credentials.accessKey,
        formEncoding: config.sip?.formEncoding,
      });
      const routes: Record<string, (body: string) => Promise<string>> = {
        '/hello': async () => '{"data":{"hello":"world"}}',
        '/raw': (body) => rawWallboard(sip, (JSON.parse(body) as { extensions: string[] }).extensions),
        '/naive': (body) => naiveWallboard(sip, (JSON.parse(body) as { extensions: string[] }).extensions),
      };
      adapter = createServer(async (req, res) => {
        try {
          const body = await readBody(req);
          const route = routes[req.url ?? ''];
          const text = route ? await route(body) : '{"error":"not found"}';
          res.writeHead(route ? 200 : 404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          res.end(text);
        } catch (error) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        }
      });
      await new Promise<void>((resolve) => adapter?.listen(0, '127.0.0.1', resolve));
      const address = adapter.address();
      const adapterUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      return { gatewayUrl, adapterUrl };
    },
    cpu: () => cpuMs(),
  },
  async () => {
    adapter?.closeAllConnections();
    await new Promise<void>((resolve) => (adapter?.listening ? adapter.close(() => resolve()) : resolve()));
    await upstream?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  },
);
