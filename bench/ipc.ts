import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A tiny request/response channel over the fork IPC pipe, so the simulator, the servers under test and the load
 * generator each get their own process (their own event loop) while the runner steers them.
 */

interface CallMessage {
  id: number;
  cmd: string;
  arg?: unknown;
}
interface ReplyMessage {
  id: number;
  value?: unknown;
  error?: string;
}

export type Handlers = Record<string, (arg: any) => unknown>;

/** In a child: answers the runner's calls. `stop` closes and exits; losing the runner does the same. */
export function serve(handlers: Handlers, close: () => Promise<void>): void {
  const exit = () => void close().finally(() => process.exit(0));
  process.on('message', async (message: CallMessage) => {
    if (message.cmd === 'stop') return exit();
    try {
      const handler = handlers[message.cmd];
      if (!handler) throw new Error(`unknown command ${message.cmd}`);
      process.send?.({ id: message.id, value: await handler(message.arg) } satisfies ReplyMessage);
    } catch (error) {
      process.send?.({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
  process.on('disconnect', exit);
}

export interface Child {
  call<T = unknown>(cmd: string, arg?: unknown): Promise<T>;
  /** Asks the child to close and exit; kills it if it has not after 5 s. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** A file descriptor for the child's stderr (where the gateway logs), instead of this process's. */
  stderr?: number;
}

/** Forks a TypeScript module (through tsx) next to this file. */
export function spawn(module: string, execArgv: string[] = [], options: SpawnOptions = {}): Child {
  const child: ChildProcess = fork(fileURLToPath(new URL(module, import.meta.url)), [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: options.stderr === undefined ? 'inherit' : ['inherit', 'inherit', options.stderr, 'ipc'],
    env: options.env ? { ...process.env, ...options.env } : process.env,
  });
  let next = 0;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: ReplyMessage) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(`${module}: ${message.error}`));
    else waiter?.resolve(message.value);
  });
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${module} exited`));
    pending.clear();
  });
  return {
    call(cmd, arg) {
      return new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, arg } satisfies CallMessage);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ id: -1, cmd: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** User + system CPU of this process in ms. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU ms used by every process on the machine (Linux /proc/stat, 100 ticks/s); null elsewhere. */
export function machineBusyMs(): number | null {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 10;
  } catch {
    return null;
  }
}

/** A bench part run alone (`npx tsx bench/<part>.ts`): prints what it measured and exits 0, or the error and 1. */
export function runIfMain(moduleUrl: string, run: () => Promise<string>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  run().then(
    (text) => {
      console.log(text);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}
