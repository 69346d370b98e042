import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { buildApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { fanOutMetrics } from '../src/server/shared-execution.ts';
import { cpuMs, serve } from './ipc.ts';

/**
 * The server side of bench/fan-out.ts and bench/idle-subscriptions.ts, one kind per process (so each gets a core of
 * its own): `gateway` (buildApp on a temp SQLite file, auth off, callbacks on, socket caps raised for the run) or
 * `bare` (a node:http server with a plain `ws` server: POST /broadcast sends one pre-serialized frame to every client,
 * the anchor). Reports CPU and, with --expose-gc, memory after a full collection.
 */

export const BENCH_CALLBACK_SECRET = 'fan-out-bench-callback-secret-01';

export interface MemorySample {
  heap: number;
  external: number;
  rss: number;
}

const dir = mkdtempSync(join(tmpdir(), 'gateway-fan-out-'));
let app: App | undefined;
let bare: { http: Server; ws: WebSocketServer } | undefined;
let profiler: Session | undefined;

async function memory(): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  // Several rounds with turns between them: weak references and finalizers settle over more than one collection.
  for (let round = 0; round < 4; round += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, external: usage.external, rss: usage.rss };
}

serve(
  {
    async start({ kind, sockets }: { kind: 'gateway' | 'bare'; sockets: number }) {
      if (kind === 'gateway') {
        const caps = String(sockets + 100);
        const config = loadConfig({
          GATEWAY_AUTH: 'off',
          DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
          CALLBACK_SECRET: BENCH_CALLBACK_SECRET,
          LOG_LEVEL: 'silent',
          MAX_SOCKETS_PER_ADDRESS: caps,
          MAX_SOCKETS_PER_KEY: caps,
          HTTP_MAX_CONNECTIONS: caps,
          SUBSCRIBER_QUEUE_LIMIT: '100000',
        });
        app = await buildApp(config, createLogger('silent'));
        return app.start(0, '127.0.0.1');
      }
      const frame = JSON.stringify({ id: '1', type: 'next', payload: { data: { agentStatusChanged: { eventId: '1', extension: '8000', state: 'RINGING' } } } });
      const http = createServer((req, res) => {
        if (req.url === '/broadcast') {
          for (const client of ws.clients) client.send(frame);
          res.end('{"ok":true}');
          return;
        }
        res.writeHead(404).end();
      });
      http.maxConnections = sockets + 100;
      const ws = new WebSocketServer({ server: http });
      bare = { http, ws };
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const address = http.address();
      return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    },
    cpu: () => cpuMs(),
    memory: () => memory(),
    metrics: () => ({ ...fanOutMetrics }),
    heapSnapshot: (file: string) => writeHeapSnapshot(file),
    // A CPU profile of a window (BENCH_FAN_OUT_PROFILE in bench/fan-out.ts): the measured events only.
    profileStart: () => {
      profiler ??= new Session();
      profiler.connect();
      return new Promise<void>((resolve, reject) =>
        profiler?.post('Profiler.enable', () => profiler?.post('Profiler.start', (error) => (error ? reject(error) : resolve()))),
      );
    },
    profileStop: (file: string) =>
      new Promise<void>((resolve, reject) =>
        profiler?.post('Profiler.stop', (error, result) => {
          if (error) return reject(error);
          writeFileSync(file, JSON.stringify(result.profile));
          resolve();
        }),
      ),
  },
  async () => {
    if (bare) {
      for (const client of bare.ws.clients) client.terminate();
      bare.http.closeAllConnections();
      await new Promise<void>((resolve) => bare?.http.close(() => resolve()));
    }
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  },
);
