import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDeferred } from './deferred.ts';
import type { Disposer } from './disposer.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface SpawnOptions {
  /**
   * Run the compiled gateway (`node --enable-source-maps dist/main.js`, as in production; call buildDist() first)
   * instead of the sources through tsx.
   */
  dist?: boolean;
}

function gatewayArgs(options: SpawnOptions): string[] {
  return options.dist ? ['--enable-source-maps', 'dist/main.js'] : ['--import', 'tsx', 'src/main.ts'];
}

/** Newest modification time (ms) of the files under `dir` (recursively) that `keep` accepts. */
function newest(dir: string, keep: (name: string) => boolean): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path, keep));
    else if (keep(entry.name)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Makes dist/ current: `npm run build`'s compiler (incremental, so a second call costs ~2 s) unless dist/ is newer
 * than every source and tsconfig. Type errors do not stop it (tsc emits anyway; `npm run typecheck` reports them).
 */
export async function buildDist(): Promise<void> {
  let built = 0;
  try {
    // dist/chunks/ is remade by every bundling, so a tsc-only build counts as not built.
    built = Math.min(statSync(join(ROOT, 'dist', '.tsbuildinfo')).mtimeMs, statSync(join(ROOT, 'dist', 'chunks')).mtimeMs);
  } catch {
    // never built
  }
  const configs = ['tsconfig.json', 'tsconfig.build.json', 'scripts/bundle.ts'].map((name) => statSync(join(ROOT, name)).mtimeMs);
  const sources = Math.max(newest(join(ROOT, 'src'), (name) => name.endsWith('.ts')), ...configs);
  if (built > sources) return;
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT }).catch((error: { stdout?: string }) => {
    // Exit code 2 with files emitted is a type error somewhere: the test still runs what was built.
    if (!/error TS/.test(error.stdout ?? '')) throw error;
  });
  // The second half of `npm run build`: dist/main.js becomes the bundle that production runs (scripts/bundle.ts).
  await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bundle.ts')], { cwd: ROOT });
}

export interface GatewayExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the gateway until it exits by itself (a start-up failure), with the same environment rules as spawnGateway. */
export async function runGatewayToExit(disposer: Disposer, env: Record<string, string>, options: SpawnOptions = {}): Promise<GatewayExit> {
  const child = spawn(process.execPath, gatewayArgs(options), {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  disposer.add(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close' comes after both pipes ended, so every byte the process wrote is in.
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

export interface SpawnedGateway {
  child: ChildProcess;
  /** The base URL from the banner's "listening on" line. */
  url: string;
  /** Everything the process printed on stdout up to and including the banner. */
  banner: string;
  /** How the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `src/main.ts` through tsx (or, with `dist`, the compiled `dist/main.js` as `npm start` does) with only PATH
 * and `env` in its environment, and resolves once the whole banner is out: the "listening on" line and everything up
 * to its "Try:" line and the lines printed with it. SIGKILLed by the disposer if still running.
 */
export async function spawnGateway(disposer: Disposer, env: Record<string, string>, options: SpawnOptions = {}): Promise<SpawnedGateway> {
  const child = spawn(process.execPath, gatewayArgs(options), {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  disposer.add(() => child.kill('SIGKILL'));
  const ready = createDeferred<SpawnedGateway>();
  const exited = createDeferred<{ code: number | null; signal: NodeJS.Signals | null }>();
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    // The banner is one write, so the chunk with its "Try:" line holds the rest of it too.
    if (url && /Try: .*\n/.test(out)) ready.resolve({ child, url, banner: out, exited: exited.promise });
  });
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.once('exit', (code, signal) => {
    ready.reject(new Error(`gateway exited (${code ?? signal}) before its banner: ${err}`));
    exited.resolve({ code, signal });
  });
  return ready.promise;
}
