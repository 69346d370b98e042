import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, watch } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createDeferred } from './deferred.ts';
import type { Disposer } from './disposer.ts';

/**
 * HAProxy run with the repository's deploy/haproxy.cfg in front of gateway replicas (docs/deploy.md), for the
 * load-balancer test. The addresses go in through the environment the configuration reads (GATEWAY_1, GATEWAY_2,
 * LB_BIND, HAPROXY_STATS_SOCKET); the admin socket lives in a temporary directory.
 */

export const HAPROXY_CONFIG = fileURLToPath(new URL('../../deploy/haproxy.cfg', import.meta.url));
const START_MS = 10_000;
/** The backend and server names in deploy/haproxy.cfg: server gwN is GATEWAY_N. */
export const BACKEND = 'gateways';

export { haproxyOnPath } from './backends.ts';

/** A loopback port free right now (released before it is returned; HAProxy binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerState {
  name: string;
  /** `UP`, `DOWN`, `MAINT`, `UP 1/2` (going down), `DOWN 1/2` (going up), … */
  status: string;
  /** Sessions on this server now. */
  current: number;
  /** Sessions it has taken since HAProxy started (health checks not included). */
  total: number;
}

export interface Balancer {
  child: ChildProcess;
  /** http://127.0.0.1:<port> of the frontend. */
  url: string;
  /** One command on the admin socket; resolves with its answer. */
  command(line: string): Promise<string>;
  /** `show stat` for the backend's servers. */
  servers(): Promise<ServerState[]>;
  /**
   * Resolves when HAProxy reports a state change of server `name` whose line matches `state` (`DOWN`, `UP`, …),
   * counting only reports made after this call. Reports are HAProxy's own warnings ("Server gateways/gw1 is DOWN, …").
   */
  nextReport(name: string, state: string): Promise<string>;
  /** Everything HAProxy wrote on stdout (its logs) and stderr (its warnings), for failure messages. */
  output(): string;
}

function ask(socketPath: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = createConnection(socketPath);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('error', reject);
    socket.once('end', () => resolve(answer));
    socket.end(`${line}\n`);
  });
}

/** Resolves once `file` exists in `dir` (HAProxy creates its admin socket after it has bound every listener). */
function appeared(dir: string, file: string, exited: Promise<unknown>): Promise<void> {
  const done = createDeferred();
  const watcher = watch(dir, (_event, name) => {
    if (name === file) done.resolve();
  });
  void exited.then(() => done.reject(new Error('haproxy exited before it was ready')));
  return done.promise.finally(() => watcher.close());
}

/** Starts `haproxy -db -f deploy/haproxy.cfg` for two replicas (host:port each); killed by the disposer. */
export async function startHaproxy(disposer: Disposer, replicas: readonly [string, string]): Promise<Balancer> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-lb-'));
  disposer.add(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'admin.sock');
  const port = await freePort();
  const child = spawn('haproxy', ['-db', '-f', HAPROXY_CONFIG], {
    env: {
      PATH: process.env.PATH,
      GATEWAY_1: replicas[0],
      GATEWAY_2: replicas[1],
      LB_BIND: `127.0.0.1:${port}`,
      HAPROXY_STATS_SOCKET: socketPath,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = createDeferred<number | null>();
  child.once('exit', (code) => exited.resolve(code));
  disposer.add(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited.promise;
  });

  let out = '';
  const watchers: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onText = (chunk: Buffer) => {
    const text = chunk.toString();
    out += text;
    for (const line of text.split('\n')) {
      for (const watcher of [...watchers]) {
        if (watcher.pattern.test(line)) {
          watchers.splice(watchers.indexOf(watcher), 1);
          watcher.resolve(line);
        }
      }
    }
  };
  child.stdout?.on('data', onText);
  child.stderr?.on('data', onText);

  await appeared(dir, 'admin.sock', exited.promise).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}: ${out}`);
  });
  // The socket file is bound before HAProxy listens on it (and on the frontend, which it starts at the same time):
  // ask until it answers, a turn of the event loop between tries, for at most START_MS.
  const started = Date.now();
  for (;;) {
    try {
      await ask(socketPath, 'show info');
      break;
    } catch (error) {
      if (Date.now() - started > START_MS || child.exitCode !== null) throw new Error(`haproxy did not start: ${String(error)}: ${out}`);
      await nextTurn();
    }
  }

  return {
    child,
    url: `http://127.0.0.1:${port}`,
    command: (line) => ask(socketPath, line),
    async servers() {
      const csv = await ask(socketPath, 'show stat');
      const [header = '', ...rows] = csv.trim().split('\n');
      const columns = header.replace(/^# /, '').split(',');
      const at = (name: string) => columns.indexOf(name);
      return rows
        .map((row) => row.split(','))
        .filter((cells) => cells[at('pxname')] === BACKEND && cells[at('svname')] !== 'BACKEND')
        .map((cells) => ({ name: cells[at('svname')] ?? '', status: cells[at('status')] ?? '', current: Number(cells[at('scur')] ?? 0), total: Number(cells[at('stot')] ?? 0) }));
    },
    nextReport(name, state) {
      return new Promise((resolve) => {
        // HAProxy's warnings go to stderr ([WARNING]) and to the log (stdout): the first one seen is enough.
        watchers.push({ pattern: new RegExp(`Server ${BACKEND}/${name} is ${state}\\b`), resolve });
      });
    },
    output: () => out,
  };
}
