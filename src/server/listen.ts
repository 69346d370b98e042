import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What the gateway's HTTP listeners (the main server, the metrics port) share: every socket tracked so a stop can
 * cut them, listening that reports the port actually bound, and a close that cuts what is still open.
 */
export interface Listener {
  /** Listens; resolves with the port bound (port 0 picks a free one), rejects on a listen error (EADDRINUSE, …). */
  listen(port: number, host: string): Promise<number>;
  /** Destroys every open socket and stops listening. */
  close(): Promise<void>;
}

export function createListener(server: Server): Listener {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
