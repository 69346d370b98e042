import type { Client } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normaliseTaskStatus } from '../../src/callbacks/schemas.ts';
import { createEventPruner } from '../../src/events/retention.ts';
import type { Store } from '../../src/store/index.ts';
import { TASK_STATUS } from '../utils/callback-seeds.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startGateway, type TestGateway, wsClient } from '../utils/gateway.ts';
import { storeBackends } from '../utils/store-backends.ts';

/**
 * Resume points (docs/events.md, "Retention"): an `after` from another store (ahead of every stored id) and one from
 * before what pruning left are refused with their own codes, over graphql-ws (socket kept) and SSE alike; an `after`
 * at the pruning mark, and ordinary resumes, replay as before.
 */

const SECRET = 'resume-point-callback-secret-01';
const DAY = 86_400_000;
const RETENTION_DAYS = 30;
const QUERY = 'subscription($after: ID) { taskStatusChanged(after: $after) { eventId taskId } }';

interface Outcome {
  events: Array<{ eventId: string; taskId: string }>;
  errors: Array<{ message: string; extensions?: Record<string, unknown> }> | null;
}

/** Subscribes over graphql-ws; resolves with the events before the first error, or once `count` events came. */
function wsOutcome(client: Client, after: string, count = Infinity): Promise<Outcome> {
  const done = createDeferred<Outcome>();
  const events: Outcome['events'] = [];
  const stop = client.subscribe<{ taskStatusChanged: Outcome['events'][number] }>(
    { query: QUERY, variables: { after } },
    {
      next: (result) => {
        if (result.errors) return done.resolve({ events, errors: result.errors as Outcome['errors'] });
        events.push(result.data!.taskStatusChanged);
        if (events.length >= count) done.resolve({ events, errors: null });
      },
      error: (errors) => done.resolve({ events, errors: Array.isArray(errors) ? errors : [{ message: String(errors) }] }),
      complete: () => done.resolve({ events, errors: null }),
    },
  );
  return done.promise.finally(stop);
}

/** Subscribes over SSE; resolves with the events and the first error, or once `count` events came. */
async function sseOutcome(gw: TestGateway, after: string, count = Infinity): Promise<Outcome> {
  const controller = new AbortController();
  const response = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${KEYS.viewer}` },
    body: JSON.stringify({ query: QUERY, variables: { after } }),
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const outcome: Outcome = { events: [], errors: null };
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return outcome;
      text += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('');
        if (!data) continue;
        const result = JSON.parse(data) as { data?: { taskStatusChanged: Outcome['events'][number] }; errors?: Outcome['errors'] };
        if (result.errors) return { ...outcome, errors: result.errors };
        if (result.data) outcome.events.push(result.data.taskStatusChanged);
        if (outcome.events.length >= count) return outcome;
      }
    }
  } finally {
    controller.abort();
  }
}

describe.each(storeBackends())('resume points on $name', (backend) => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let store: Store;
  let client: Client;
  /** Closes of this test's socket (a counter per test: the previous test's socket closes while it is disposed). */
  let sockets = { closed: 0 };
  // Stored by beforeEach: three events older than the retention, then two recent ones.
  let old: number[] = [];
  let recent: number[] = [];

  /** Stores a settled task-status event received at `receivedAt`, as a callback would (its effect included). */
  async function storeTaskStatus(taskId: string, receivedAt: number): Promise<number> {
    const callback = normaliseTaskStatus({ ...TASK_STATUS, taskid: taskId });
    const { event } = await store.events.append({ ...callback, receivedAt: new Date(receivedAt), settled: { applied: false, effect: { known: false, status: null } } });
    return event.id;
  }

  /** Posts a finished-task callback (stored, settled and published live); resolves with its event id. */
  async function postTaskStatus(taskId: string): Promise<number> {
    const response = await fetch(`${gw.url}/callbacks/${SECRET}/task-status`, {
      method: 'POST',
      body: new URLSearchParams({ detail: JSON.stringify({ taskid: taskId, companycode: '9024', status: 3 }) }),
    });
    return ((await response.json()) as { id: number }).id;
  }

  // A database and gateway of their own for every test: the live events one test posts are otherwise replayed to the
  // next.
  beforeEach(async () => {
    old = [];
    recent = [];
    const database = disposer.use(await backend.create(), (d) => d.dispose());
    gw = await startGateway(disposer, {
      env: { CALLBACK_SECRET: SECRET, DATABASE_URL: database.url, EVENT_RETENTION_DAYS: String(RETENTION_DAYS), EVENT_PRUNE_INTERVAL_SECONDS: '86400' },
    });
    store = gw.app.services.store;
    client = wsClient(disposer, gw, 'viewer', { lazy: false });
    const counter = { closed: 0 };
    sockets = counter;
    client.on('closed', () => (counter.closed += 1));

    const now = Date.now();
    for (let i = 0; i < 3; i += 1) old.push(await storeTaskStatus(`old-${i}`, now - 40 * DAY));
    for (let i = 0; i < 2; i += 1) recent.push(await storeTaskStatus(`recent-${i}`, now - DAY));
    // What the gateway's own pruner does on its next run, with a clock fixed now.
    const pruner = createEventPruner({ store, logger: { info: () => undefined, warn: () => undefined }, retentionDays: RETENTION_DAYS, intervalMs: DAY, now: () => now });
    expect(await pruner.runOnce()).toBe(3);
    expect((await store.events.bounds('task-status')).prunedThrough).toBe(old.at(-1));
  });
  afterEach(() => disposer.dispose());

  it('refuses an `after` ahead of every stored id with EVENT_ID_AHEAD and the newest id, keeping the socket', async () => {
    const newest = (await store.events.bounds('task-status')).newestId;
    const expected = [expect.objectContaining({ extensions: expect.objectContaining({ code: 'EVENT_ID_AHEAD', newestEventId: String(newest) }) })];
    const ws = await wsOutcome(client, String(newest + 1_000));
    expect(ws).toEqual({ events: [], errors: expected });
    const sse = await sseOutcome(gw, String(newest + 1));
    expect(sse).toEqual({ events: [], errors: expected });
    // The newest id itself is a fine resume point: nothing to replay, then live events.
    const live = wsOutcome(client, String(newest), 1);
    const id = await postTaskStatus('live-after-ahead');
    expect((await live).events).toEqual([{ eventId: String(id), taskId: 'live-after-ahead' }]);
    expect(sockets.closed).toBe(0);
  });

  it('refuses an `after` from before the pruned events with EVENT_ID_EXPIRED and the oldest id kept', async () => {
    const expected = [
      expect.objectContaining({
        message: expect.stringContaining('pruned'),
        extensions: expect.objectContaining({ code: 'EVENT_ID_EXPIRED', oldestEventId: String(recent[0]), retentionDays: RETENTION_DAYS }),
      }),
    ];
    for (const after of ['0', String(old[0]), String(old[1])]) {
      expect(await wsOutcome(client, after)).toEqual({ events: [], errors: expected });
      expect(await sseOutcome(gw, after)).toEqual({ events: [], errors: expected });
    }
    expect(sockets.closed).toBe(0);
  });

  it('accepts `after` at the pruning mark and replays everything after it', async () => {
    // (A replay page may hand over more than asked for before the stop: the first two are what matters.)
    const ws = await wsOutcome(client, String(old.at(-1)), 2);
    expect(ws.events.slice(0, 2)).toEqual([
      { eventId: String(recent[0]), taskId: 'recent-0' },
      { eventId: String(recent[1]), taskId: 'recent-1' },
    ]);
    const sse = await sseOutcome(gw, String(old.at(-1)), 2);
    expect(sse.events.map((e) => e.taskId)).toEqual(['recent-0', 'recent-1']);
    expect(sse.errors).toBeNull();
  });

  it('leaves ordinary resumes as they were: replay, then live events with no gap', async () => {
    // A callback taken live before the resume: replayed from the store with the recent events.
    const before = await postTaskStatus('live-before-resume');
    const outcome = wsOutcome(client, String(recent[0]), 3);
    const id = await postTaskStatus('live-after-resume');
    const { events, errors } = await outcome;
    expect(errors).toBeNull();
    expect(events).toEqual([
      { eventId: String(recent[1]), taskId: 'recent-1' },
      { eventId: String(before), taskId: 'live-before-resume' },
      { eventId: String(id), taskId: 'live-after-resume' },
    ]);
    expect(sockets.closed).toBe(0);
  });
});
