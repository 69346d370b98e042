import { type IncomingHttpHeaders, request } from 'node:http';
import type { Client } from 'graphql-ws';
import { CALL_RECORD_COMMON } from './callback-seeds.ts';
import { createDeferred } from './deferred.ts';
import type { Disposer } from './disposer.ts';
import { storeBackends } from './store-backends.ts';
import { tempDatabaseUrl } from './temp-db.ts';

/**
 * Shared set-up for tests that run several gateway processes as replicas of one deployment: one database (a fresh
 * PostgreSQL schema when DATABASE_URL is postgres://…, else one SQLite file the processes share) and, when REDIS_URL
 * is set, one Redis channel prefix. Without Redis a replica hears the others' events through its feed's store poll.
 */

export const REPLICA_SECRET = 'replica-secret-0123456789abcdef';

export async function replicaEnv(disposer: Disposer, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const postgres = storeBackends().find((backend) => backend.name === 'postgres');
  let databaseUrl: string;
  if (postgres) {
    const database = await postgres.create();
    disposer.add(() => database.dispose());
    databaseUrl = database.url;
  } else {
    databaseUrl = tempDatabaseUrl(disposer);
  }
  return {
    // A closed port: the replicas take callbacks and serve subscriptions; PBX calls fail fast.
    SIP_API_URL: 'http://127.0.0.1:9/',
    SIP_APPID: 'app',
    SIP_ACCESSKEY: 'key',
    GATEWAY_AUTH: 'off',
    CALLBACK_SECRET: REPLICA_SECRET,
    DATABASE_URL: databaseUrl,
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_CHANNEL_PREFIX: `test-replicas-${process.pid}-${Date.now()}` } : {}),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** A call-record callback with its own record id and uuid (its dedupe key). */
export function callRecord(n: number): Record<string, unknown> {
  return { ...CALL_RECORD_COMMON, id: 500_000 + n, uuid: `replica-call-${n}`, extnumber: '7003' };
}

export interface Acknowledged {
  id: number;
  uuid: string;
}

/** Posts a call-record callback; resolves with the stored event id when the gateway acknowledged it (2xx). */
export async function postCallRecord(base: string, n: number): Promise<Acknowledged> {
  const body = new FormData();
  body.set('detail', JSON.stringify(callRecord(n)));
  const response = await fetch(`${base}/callbacks/${REPLICA_SECRET}/call-record`, { method: 'POST', body });
  if (!response.ok) throw new Error(`callback ${n}: HTTP ${response.status}`);
  const answer = (await response.json()) as { id: number };
  return { id: answer.id, uuid: `replica-call-${n}` };
}

/**
 * Posts a call-record callback and reports the answer without throwing: `ack` is set only for a 2xx (the only answer
 * that means "stored"); `status` is 0 when the request failed without an HTTP answer.
 */
export async function postCallRecordAnswer(base: string, n: number): Promise<{ status: number; ack: Acknowledged | null }> {
  const body = new FormData();
  body.set('detail', JSON.stringify(callRecord(n)));
  let response: Response;
  try {
    response = await fetch(`${base}/callbacks/${REPLICA_SECRET}/call-record`, { method: 'POST', body });
  } catch {
    return { status: 0, ack: null };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { status: response.status, ack: null };
  }
  const answer = (await response.json()) as { id: number };
  return { status: response.status, ack: { id: answer.id, uuid: `replica-call-${n}` } };
}

export interface CollectedEvent {
  eventId: number;
  uuid: string;
}

export interface Collector {
  events: CollectedEvent[];
  /** Resolves once an event with this uuid has arrived. */
  seen(uuid: string): Promise<void>;
  /** How the subscription ended: null while running; an error or close event when it failed. */
  ended: Promise<unknown>;
}

export const CALL_RECORD_SUBSCRIPTION = 'subscription ($after: ID) { callRecordCreated(after: $after) { eventId record { uuid } } }';

/** The events a collector received, in order, and waiters for a uuid: what every collector below keeps. */
function createRecorder() {
  const events: CollectedEvent[] = [];
  const waiting = new Map<string, Array<() => void>>();
  return {
    events,
    record(event: CollectedEvent): void {
      events.push(event);
      for (const resolve of waiting.get(event.uuid) ?? []) resolve();
      waiting.delete(event.uuid);
    },
    seen(uuid: string): Promise<void> {
      if (events.some((event) => event.uuid === uuid)) return Promise.resolve();
      return new Promise((resolve) => waiting.set(uuid, [...(waiting.get(uuid) ?? []), resolve]));
    },
  };
}

/** Subscribes to callRecordCreated and records what arrives, in order. */
export function collectCallRecords(client: Client, after: number | null): Collector {
  const recorder = createRecorder();
  const { events } = recorder;
  const ended = createDeferred<unknown>();
  client.subscribe<{ callRecordCreated: { eventId: string; record: { uuid: string } } }>(
    { query: CALL_RECORD_SUBSCRIPTION, variables: { after: after === null ? null : String(after) } },
    {
      next: (result) => {
        const event = result.data?.callRecordCreated;
        if (!event) {
          ended.resolve(result.errors ?? result);
          return;
        }
        recorder.record({ eventId: Number(event.eventId), uuid: event.record.uuid });
      },
      error: (error) => ended.resolve(error),
      complete: () => ended.resolve(null),
    },
  );
  return {
    events,
    ended: ended.promise,
    seen: recorder.seen,
  };
}

export interface ResumingCollector extends Collector {
  /** Close codes of the sockets the client lost, in order. */
  closes: number[];
  /** The `after` of each resubscription made after a lost socket. */
  resumedAfter: number[];
}

/**
 * callRecordCreated on a graphql-ws client that reconnects (retryAttempts > 0): when its socket is lost (a draining
 * replica closes it with 1001) the subscription is resubscribed with `after` = the last eventId it received, as a
 * client behind a load balancer must. graphql-ws would otherwise resend the original subscribe message unchanged, so
 * the subscription in progress is disposed when the socket closes and a fresh one is started (the client then
 * reconnects for it). The `ended` promise settles only when a subscription ends on its own (error or complete).
 */
export function resumingCallRecords(client: Client, after: number): ResumingCollector {
  const recorder = createRecorder();
  const { events } = recorder;
  const closes: number[] = [];
  const resumedAfter: number[] = [];
  const ended = createDeferred<unknown>();
  let last = after;
  let generation = 0;
  let dispose: () => void = () => undefined;

  const start = () => {
    const mine = ++generation;
    const current = () => mine === generation;
    dispose = client.subscribe<{ callRecordCreated: { eventId: string; record: { uuid: string } } }>(
      { query: CALL_RECORD_SUBSCRIPTION, variables: { after: String(last) } },
      {
        next: (result) => {
          if (!current()) return;
          const event = result.data?.callRecordCreated;
          if (!event) {
            ended.resolve(result.errors ?? result);
            return;
          }
          last = Number(event.eventId);
          recorder.record({ eventId: last, uuid: event.record.uuid });
        },
        error: (error) => {
          if (current()) ended.resolve(error);
        },
        complete: () => {
          if (current()) ended.resolve(null);
        },
      },
    );
  };

  client.on('closed', (event) => {
    closes.push((event as { code: number }).code);
    // The old subscription must not be resent as it was; the new one starts once graphql-ws has taken the close in
    // (within its retryWait, so the client still has an operation to reconnect for).
    generation += 1;
    dispose();
    setImmediate(() => {
      resumedAfter.push(last);
      start();
    });
  });
  start();
  return {
    events,
    closes,
    resumedAfter,
    ended: ended.promise,
    seen: recorder.seen,
  };
}

export interface SseCollector extends Collector {
  /** The response's status and headers. */
  response: Promise<{ status: number; headers: IncomingHttpHeaders }>;
  /** Whether the response has ended (the stream is open while false). */
  finished(): boolean;
  /** The error codes of results that carried errors (SERVER_DRAINING, SUBSCRIBER_TOO_SLOW, …). */
  errorCodes: string[];
  /** Every `event:` line's name, in order (next, …, complete). */
  names: string[];
  /** Aborts the request. */
  close(): void;
}

/** callRecordCreated over SSE (graphql-sse distinct connections mode, as yoga serves it), read as it arrives. */
export function sseCallRecords(base: string, after: number): SseCollector {
  const recorder = createRecorder();
  const { events } = recorder;
  const errorCodes: string[] = [];
  const names: string[] = [];
  const ended = createDeferred<unknown>();
  const response = createDeferred<{ status: number; headers: IncomingHttpHeaders }>();
  // Awaited only by callers that look at the headers; a request that fails early must not be an unhandled rejection.
  response.promise.catch(() => undefined);
  let finished = false;
  const finish = (how: unknown) => {
    finished = true;
    ended.resolve(how);
  };
  const body = JSON.stringify({ query: CALL_RECORD_SUBSCRIPTION, variables: { after: String(after) } });
  const req = request(
    `${base}/graphql`,
    { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
    (res) => {
      response.resolve({ status: res.statusCode ?? 0, headers: res.headers });
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const name = /^event: (.*)$/m.exec(block)?.[1];
          if (name) names.push(name);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data) {
            const result = JSON.parse(data) as {
              data?: { callRecordCreated: { eventId: string; record: { uuid: string } } };
              errors?: Array<{ extensions?: { code?: string } }>;
            };
            const event = result.data?.callRecordCreated;
            if (event) {
              recorder.record({ eventId: Number(event.eventId), uuid: event.record.uuid });
            }
            for (const error of result.errors ?? []) errorCodes.push(error.extensions?.code ?? 'none');
          }
          cut = buffer.indexOf('\n\n');
        }
      });
      res.on('end', () => finish('end'));
      res.on('error', (error) => finish(error));
    },
  );
  req.on('error', (error) => {
    response.reject(error);
    finish(error);
  });
  req.end(body);
  return {
    events,
    errorCodes,
    names,
    response: response.promise,
    ended: ended.promise,
    finished: () => finished,
    close: () => req.destroy(),
    seen: recorder.seen,
  };
}

/** Rejects after `ms` with `what`: a bound on a wait that must end by itself, not a timing assertion. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    }),
  ]);
}

/** Every id of `expected` appears exactly once in `got`, and `got` is in increasing order with no duplicate. */
export function exactlyOnceInOrder(got: readonly CollectedEvent[], expected: readonly Acknowledged[]): { missing: number[]; duplicated: number[]; outOfOrder: boolean } {
  const counts = new Map<number, number>();
  for (const event of got) counts.set(event.eventId, (counts.get(event.eventId) ?? 0) + 1);
  return {
    missing: expected.filter((ack) => !counts.has(ack.id)).map((ack) => ack.id),
    duplicated: [...counts].filter(([, count]) => count > 1).map(([id]) => id),
    outOfOrder: got.some((event, i) => i > 0 && event.eventId <= (got[i - 1]?.eventId ?? 0)),
  };
}

export { createDeferred };
