import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { type Deferred, createDeferred } from './deferred.ts';
import type { Disposer } from './disposer.ts';

/**
 * A loopback HTTP proxy in front of a simulator: it records every request (method, path, body) and can hold one that
 * matches a predicate until the test releases it, so a test can order requests on the wire exactly, with no sleeps.
 */

export interface ProxiedRequest {
  method: string;
  path: string;
  body: Buffer;
}

export interface Hold {
  /** Resolves with the held request once it has reached the proxy. */
  arrived: Promise<ProxiedRequest>;
  /** Forwards the held request to the target now; its answer goes back to the client. */
  release(): void;
}

export interface LoopbackProxy {
  url: string;
  /** Every request seen, in arrival order. */
  requests: ProxiedRequest[];
  /** Holds the next request for which `matches` is true (once). */
  holdNext(matches: (request: ProxiedRequest) => boolean): Hold;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startLoopbackProxy(disposer: Disposer, target: string): Promise<LoopbackProxy> {
  const holds: Array<{ matches: (request: ProxiedRequest) => boolean; arrived: Deferred<ProxiedRequest>; released: Deferred<void> }> = [];
  const requests: ProxiedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const seen: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', body: await readBody(req) };
      requests.push(seen);
      const index = holds.findIndex((hold) => hold.matches(seen));
      if (index >= 0) {
        const [hold] = holds.splice(index, 1);
        hold?.arrived.resolve(seen);
        await hold?.released.promise;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = value;
      }
      const answer = await request(`${target}${seen.path}`, {
        method: seen.method as 'GET',
        headers,
        body: seen.method === 'GET' || seen.method === 'HEAD' ? undefined : seen.body,
      });
      const body = Buffer.from(await answer.body.arrayBuffer());
      const contentType = answer.headers['content-type'];
      res.writeHead(answer.statusCode, { ...(contentType ? { 'content-type': String(contentType) } : {}), 'content-length': body.length });
      res.end(body);
    })().catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  disposer.add(
    () =>
      new Promise<void>((resolve) => {
        for (const hold of holds) hold.released.resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    holdNext(matches) {
      const hold = { matches, arrived: createDeferred<ProxiedRequest>(), released: createDeferred<void>() };
      holds.push(hold);
      return { arrived: hold.arrived.promise, release: () => hold.released.resolve() };
    },
  };
}

/** The fields of a SIP API form (multipart or urlencoded), read loosely: enough to tell services and tokens apart. */
export function formField(body: Buffer, name: string): string | null {
  const text = body.toString('utf8');
  const multipart = new RegExp(`name="${name}"\\r\\n\\r\\n([^\\r]*)\\r\\n`).exec(text);
  if (multipart) return multipart[1] ?? null;
  return new URLSearchParams(text).get(name);
}
