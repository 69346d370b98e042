import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Disposer } from './disposer.ts';

/**
 * Starts an HTTP server on 127.0.0.1 (a free port) answering with `handle`; the disposer cuts its open connections and
 * closes it. Resolves with its base URL, `http://127.0.0.1:<port>`.
 */
export async function startLoopbackServer(disposer: Disposer, handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  disposer.add(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
