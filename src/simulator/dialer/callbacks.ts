import { Agent, request } from 'undici';
import { encodeForm } from '../../upstream/form.ts';
import { TypedEmitter } from '../events.ts';
import type { CallbackKind } from './payloads.ts';

/**
 * Posts callbacks the way the platform does: a form whose field `detail` holds the JSON text (multipart by
 * default, like the manual's PHP curl), or a JSON body for the AI-call notification. Deliveries never block the
 * simulator: `enqueue` returns at once and the sending happens on the event loop. Within one lane (an agent's
 * extension, a call) deliveries go strictly one after the other, so an agent's ring → answer → hangup → call record
 * arrive in that order; lanes run side by side, at most `concurrency` requests at a time. A non-2xx answer, a
 * connection error or a timeout is retried with exponential backoff, `attempts` times in all, then given up.
 */

/** How SIP callbacks are encoded: `detail=<json>` as multipart (the platform's way) or url-encoded, or a JSON body. */
export type CallbackEncoding = 'multipart' | 'urlencoded' | 'json';

export interface CallbackRetryOptions {
  /** Tries in all, the first included (default 5). */
  attempts: number;
  /** Wait before the first retry; doubles each time (default 500 ms). */
  baseDelayMs: number;
  /** Longest wait between tries (default 10 s). */
  maxDelayMs: number;
}

export interface CallbackSenderOptions {
  retry: CallbackRetryOptions;
  /** Deadline of one try, connect to last byte (default 5 s). */
  timeoutMs: number;
  /** Requests in flight at once, over all lanes (default 8). */
  concurrency: number;
  /** Encoding of the SIP callbacks (default multipart). */
  encoding: CallbackEncoding;
}

export const DEFAULT_SENDER_OPTIONS: CallbackSenderOptions = {
  retry: { attempts: 5, baseDelayMs: 500, maxDelayMs: 10_000 },
  timeoutMs: 5_000,
  concurrency: 8,
  encoding: 'multipart',
};

export interface CallbackDelivery {
  /** Ascending in the order deliveries were queued. */
  readonly id: number;
  readonly kind: CallbackKind;
  readonly url: string;
  /** Deliveries of one lane are posted in order. */
  readonly lane: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** `detail`: the payload as the form field `detail`; `json`: the payload as a JSON body. */
  readonly body: 'detail' | 'json';
}

export interface CallbackEvents {
  callbackQueued: CallbackDelivery;
  callbackSent: CallbackDelivery & { attempts: number; status: number };
  callbackRetrying: CallbackDelivery & { attempt: number; error: string; delayMs: number };
  callbackFailed: CallbackDelivery & { attempts: number; error: string };
}

export interface CallbackStats {
  /** Queued or in flight, not yet sent or given up. */
  pending: number;
  sent: number;
  failed: number;
  /** Tries that failed and were tried again. */
  retries: number;
  sentByKind: Record<string, number>;
}

export class CallbackSender {
  readonly events = new TypedEmitter<CallbackEvents>();
  readonly #options: CallbackSenderOptions;
  readonly #agent: Agent;
  readonly #lanes = new Map<string, Promise<unknown>>();
  readonly #closing = new AbortController();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  #idleWaiters: (() => void)[] = [];
  #slotWaiters: (() => void)[] = [];
  #inFlight = 0;
  #nextId = 1;
  readonly #stats: CallbackStats = { pending: 0, sent: 0, failed: 0, retries: 0, sentByKind: {} };

  constructor(options: Partial<CallbackSenderOptions> = {}) {
    this.#options = {
      ...DEFAULT_SENDER_OPTIONS,
      ...options,
      retry: { ...DEFAULT_SENDER_OPTIONS.retry, ...options.retry },
    };
    this.#agent = new Agent({ connections: this.#options.concurrency, keepAliveTimeout: 4_000 });
  }

  get stats(): CallbackStats {
    return { ...this.#stats, sentByKind: { ...this.#stats.sentByKind } };
  }

  /**
   * Queues a delivery behind the lane's earlier ones (and behind `after`, when given); the promise settles with
   * true once it was sent, false once it was given up. It never rejects.
   */
  enqueue(input: Omit<CallbackDelivery, 'id'>, after?: Promise<unknown>): Promise<boolean> {
    const delivery: CallbackDelivery = { ...input, id: this.#nextId++ };
    this.#stats.pending += 1;
    this.events.emit('callbackQueued', delivery);
    const previous = this.#lanes.get(delivery.lane) ?? Promise.resolve();
    const run = previous
      .then(() => after)
      .catch(() => undefined)
      .then(() => this.#deliver(delivery))
      // #deliver settles every outcome itself; should it ever throw, the delivery counts as given up.
      .catch(() => false);
    this.#lanes.set(delivery.lane, run);
    run.finally(() => {
      if (this.#lanes.get(delivery.lane) === run) this.#lanes.delete(delivery.lane);
    }).catch(() => undefined);
    return run;
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.#stats.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Gives up everything queued, aborts what is in flight and closes the connections. */
  async close(): Promise<void> {
    this.#closing.abort();
    for (const entry of this.#timers) {
      clearTimeout(entry.timer);
      entry.wake();
    }
    this.#timers.clear();
    for (const wake of this.#slotWaiters.splice(0)) wake();
    await Promise.allSettled([...this.#lanes.values()]);
    await this.#agent.destroy().catch(() => undefined);
  }

  async #deliver(delivery: CallbackDelivery): Promise<boolean> {
    const { attempts } = this.#options.retry;
    let lastError = 'closed';
    let tries = 0;
    for (let attempt = 1; attempt <= attempts && !this.#closing.signal.aborted; attempt++) {
      tries = attempt;
      const result = await this.#tryOnce(delivery);
      if (result.ok) {
        this.#settle();
        this.#stats.sent += 1;
        this.#stats.sentByKind[delivery.kind] = (this.#stats.sentByKind[delivery.kind] ?? 0) + 1;
        this.events.emit('callbackSent', { ...delivery, attempts: attempt, status: result.status });
        return true;
      }
      lastError = result.error;
      if (attempt < attempts && !this.#closing.signal.aborted) {
        const delayMs = Math.min(this.#options.retry.maxDelayMs, this.#options.retry.baseDelayMs * 2 ** (attempt - 1));
        this.#stats.retries += 1;
        this.events.emit('callbackRetrying', { ...delivery, attempt, error: result.error, delayMs });
        await this.#sleep(delayMs);
      }
    }
    this.#settle();
    this.#stats.failed += 1;
    this.events.emit('callbackFailed', { ...delivery, attempts: tries, error: lastError });
    return false;
  }

  async #tryOnce(delivery: CallbackDelivery): Promise<{ ok: true; status: number } | { ok: false; error: string }> {
    await this.#slot();
    if (this.#closing.signal.aborted) {
      this.#release();
      return { ok: false, error: 'closed' };
    }
    try {
      const { contentType, body } = this.#encode(delivery);
      const signal = AbortSignal.any([this.#closing.signal, AbortSignal.timeout(this.#options.timeoutMs)]);
      const response = await request(delivery.url, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
        signal,
        dispatcher: this.#agent,
      });
      await response.body.dump();
      const status = response.statusCode;
      return status >= 200 && status < 300 ? { ok: true, status } : { ok: false, error: `HTTP ${status}` };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    } finally {
      this.#release();
    }
  }

  #encode(delivery: CallbackDelivery): { contentType: string; body: Buffer } {
    const json = JSON.stringify(delivery.payload);
    if (delivery.body === 'json' || this.#options.encoding === 'json') {
      return { contentType: 'application/json; charset=utf-8', body: Buffer.from(json, 'utf8') };
    }
    return encodeForm({ detail: json }, this.#options.encoding);
  }

  async #slot(): Promise<void> {
    while (this.#inFlight >= this.#options.concurrency && !this.#closing.signal.aborted) {
      await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
    }
    this.#inFlight += 1;
  }

  #release(): void {
    this.#inFlight -= 1;
    this.#slotWaiters.shift()?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#timers.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.#timers.add(entry);
    });
  }

  #settle(): void {
    this.#stats.pending -= 1;
    if (this.#stats.pending === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
