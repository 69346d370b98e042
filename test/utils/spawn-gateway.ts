import { type ChildProcess, spawn } from 'node:child_process';
import { createDeferred } from './deferred.ts';
import type { Disposer } from './disposer.ts';

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
 * Runs `src/main.ts` as `npm start` would (only PATH and `env` in its environment) and resolves once the whole banner
 * is out: the "listening on" line and everything up to its "Try:" line and the lines printed with it. SIGKILLed by
 * the disposer if still running.
 */
export async function spawnGateway(disposer: Disposer, env: Record<string, string>): Promise<SpawnedGateway> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: new URL('../..', import.meta.url),
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
