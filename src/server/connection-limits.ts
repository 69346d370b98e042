import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../auth.ts';
import type { ConnectionLimits } from '../config.ts';
import { ConnectionLimit, SubscriptionLimitError } from '../errors.ts';

/**
 * Counts long-lived connections (WebSockets and SSE streams) per client address and per API key, so one client cannot
 * hold every socket the process can serve. A place is taken when a connection is admitted and given back once when it
 * ends (the returned release function is idempotent).
 */
export interface ConnectionCounter {
  /** A place for this address, or null when it already holds MAX_SOCKETS_PER_ADDRESS. */
  acquireAddress(address: string): (() => void) | null;
  /** A place for this key, or null when it already holds MAX_SOCKETS_PER_KEY. */
  acquireKey(key: string): (() => void) | null;
  /** Open connections per address and per key (for tests and diagnostics). */
  counts(): { addresses: ReadonlyMap<string, number>; keys: ReadonlyMap<string, number> };
  readonly limits: Pick<ConnectionLimits, 'maxSocketsPerAddress' | 'maxSocketsPerKey'>;
}

function counter(max: number) {
  const open = new Map<string, number>();
  return {
    open,
    acquire(name: string): (() => void) | null {
      const now = open.get(name) ?? 0;
      if (now >= max) return null;
      open.set(name, now + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(name) ?? 1) - 1;
        if (left <= 0) open.delete(name);
        else open.set(name, left);
      };
    },
  };
}

export function createConnectionCounter(limits: Pick<ConnectionLimits, 'maxSocketsPerAddress' | 'maxSocketsPerKey'>): ConnectionCounter {
  const addresses = counter(limits.maxSocketsPerAddress);
  const keys = counter(limits.maxSocketsPerKey);
  return {
    limits,
    acquireAddress: (address) => addresses.acquire(address),
    acquireKey: (key) => keys.acquire(key),
    counts: () => ({ addresses: addresses.open, keys: keys.open }),
  };
}

/** What connections are counted against: the key's fingerprint, or the role when auth is off (every caller alike). */
export function principalKey(principal: Principal): string {
  return principal.keyId ?? `role:${principal.role}`;
}

/** The peer's address as the TCP connection shows it (no proxy headers are trusted). */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function refusal(error: SubscriptionLimitError): Response {
  return new Response(JSON.stringify({ errors: [{ message: error.message, extensions: { ...error.extensions(), code: error.code } }] }), {
    status: 429,
    headers: { 'content-type': 'application/json', 'retry-after': '5' },
  });
}

/**
 * SSE streams count against the same caps as WebSockets: a request that accepts `text/event-stream` takes a place
 * for its address and its key until its response ends (a query over SSE gives it back at once). Refused with 429.
 * Runs after authentication (`principalOf` is what the API-key plugin found for the request).
 */
export function useStreamLimits(connections: ConnectionCounter, principalOf: (request: Request) => Principal | null | undefined): Plugin {
  return {
    onRequest({ request, serverContext, endResponse }) {
      if (!(request.headers.get('accept') ?? '').includes('text/event-stream')) return;
      const node = serverContext as { req?: IncomingMessage; res?: ServerResponse };
      const principal = principalOf(request);
      if (!node.req || !node.res || !principal) return;
      const releaseAddress = connections.acquireAddress(clientAddress(node.req));
      if (!releaseAddress) {
        endResponse(refusal(new SubscriptionLimitError(ConnectionLimit.SocketsPerAddress, connections.limits.maxSocketsPerAddress)));
        return;
      }
      const releaseKey = connections.acquireKey(principalKey(principal));
      if (!releaseKey) {
        releaseAddress();
        endResponse(refusal(new SubscriptionLimitError(ConnectionLimit.SocketsPerKey, connections.limits.maxSocketsPerKey)));
        return;
      }
      node.res.once('close', () => {
        releaseKey();
        releaseAddress();
      });
    },
  };
}
