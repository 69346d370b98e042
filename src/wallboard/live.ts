import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type Client, createClient } from 'graphql-ws';
import { persisted, persistedExtensions } from './documents.ts';
import { backoffDelayMs } from './lib/backoff.ts';
import { subscriptionErrorAction, type SubscriptionErrorAction } from './lib/resume-errors.ts';

/**
 * The page's one WebSocket (graphql-ws, same origin `/graphql`) and its subscriptions.
 *
 * - Never gives up: `retryAttempts: Infinity`, `shouldRetry: () => true`, exponential backoff with jitter capped at
 *   10 s (lib/backoff.ts); `lazy: false` keeps the socket up even between subscriptions.
 * - A dead server is noticed: a ping every 10 s, and a pong missing for 5 s after it terminates the socket (which
 *   graphql-ws then retries like any close).
 * - Resume: graphql-ws re-sends a subscription's *same* payload object on every retry, so `variables` is a getter
 *   that reads the subscription's cursor when the message is serialised: a resubscription after a loss asks for
 *   `after` = the highest eventId received on its topic, never the stale one of the first attempt.
 * - 4403 (bad key; graphql-ws would retry it) and 4401 end the client: the page asks for a key.
 */

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

export interface LiveOptions {
  key: string | null;
  onState(state: ConnectionState): void;
  onForbidden(): void;
}

export interface SubscriptionHandlers<TData> {
  next(data: TData): void;
  /** The subscription ended with an error the caller acts on (reload the state, ask for a key, or give up). */
  failed(action: SubscriptionErrorAction, errors: unknown): void;
}

const PING_INTERVAL_MS = 10_000;
const PONG_TIMEOUT_MS = 5_000;
const FORBIDDEN_CLOSE_CODES = new Set([4401, 4403]);

function socketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/graphql`;
}

function closeCode(event: unknown): number | null {
  return typeof event === 'object' && event !== null && 'code' in event && typeof event.code === 'number' ? event.code : null;
}

export class Live {
  readonly #client: Client;
  #disposed = false;
  #everConnected = false;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #options: LiveOptions;

  constructor(options: LiveOptions) {
    this.#options = options;
    const { key } = options;
    this.#client = createClient({
      url: socketUrl,
      connectionParams: () => (key ? { authorization: `Bearer ${key}` } : {}),
      lazy: false,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, backoffDelayMs(retries))),
      keepAlive: PING_INTERVAL_MS,
      // The non-lazy connection loop only ends on a fatal close (4401 and the like): reported through `closed`.
      onNonLazyError: () => {},
      on: {
        connecting: () => this.#setState(this.#everConnected ? 'reconnecting' : 'connecting'),
        connected: () => {
          this.#everConnected = true;
          this.#setState('connected');
        },
        closed: (event) => {
          clearTimeout(this.#pongTimer);
          if (this.#disposed) return;
          const code = closeCode(event);
          if (code !== null && FORBIDDEN_CLOSE_CODES.has(code)) {
            this.dispose();
            this.#options.onForbidden();
            return;
          }
          this.#setState(this.#everConnected ? 'reconnecting' : 'connecting');
        },
        ping: (received) => {
          if (received) return;
          clearTimeout(this.#pongTimer);
          this.#pongTimer = setTimeout(() => this.#client.terminate(), PONG_TIMEOUT_MS);
        },
        pong: (received) => {
          if (received) clearTimeout(this.#pongTimer);
        },
      },
    });
  }

  #setState(state: ConnectionState): void {
    if (!this.#disposed) this.#options.onState(state);
  }

  /**
   * Subscribes with `variables()` read at every (re)send. Returns the unsubscribe function. An unexpected end (the
   * server completed it, or SERVER_DRAINING / SUBSCRIBER_TOO_SLOW) subscribes again after a backoff.
   */
  subscribe<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: () => TVariables,
    handlers: SubscriptionHandlers<TData>,
  ): () => void {
    const meta = persisted(document);
    let stopped = false;
    let attempt = 0;
    let unsubscribe: () => void = () => {};
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const again = () => {
      if (stopped || this.#disposed) return;
      retryTimer = setTimeout(start, backoffDelayMs(attempt++));
    };
    const start = () => {
      if (stopped || this.#disposed) return;
      const payload = {
        query: '',
        ...(meta.operationName ? { operationName: meta.operationName } : {}),
        extensions: persistedExtensions(meta),
        get variables() {
          return variables();
        },
      };
      unsubscribe = this.#client.subscribe<TData>(payload, {
        next: (result) => {
          attempt = 0;
          if (result.data) handlers.next(result.data);
          else if (result.errors?.length) this.#fail(result.errors, handlers, again);
        },
        error: (error) => {
          if (stopped || this.#disposed) return;
          this.#fail(error, handlers, again);
        },
        complete: () => {
          // The server ended it (a drain, a restart's goodbye): follow on from the cursor.
          if (!stopped) again();
        },
      });
    };
    start();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      unsubscribe();
    };
  }

  #fail<TData>(errors: unknown, handlers: SubscriptionHandlers<TData>, again: () => void): void {
    const code = closeCode(errors);
    if (code !== null) {
      // A fatal close reached the subscription (graphql-ws gives up on some codes whatever shouldRetry says).
      if (FORBIDDEN_CLOSE_CODES.has(code)) handlers.failed('unauthenticated', errors);
      else again();
      return;
    }
    const action = subscriptionErrorAction(errors);
    if (action === 'resubscribe') again();
    else handlers.failed(action, errors);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    clearTimeout(this.#pongTimer);
    void this.#client.dispose();
  }
}
