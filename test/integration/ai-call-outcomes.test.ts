import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimAiTask } from '../../src/simulator/aicall/state.ts';
import { createZonedTime } from '../../src/upstream/time.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { eventCount } from '../utils/event-count.ts';
import { startGateway, type TestGateway, wsClient } from '../utils/gateway.ts';
import { collectSubscription } from '../utils/subscription.ts';

/**
 * AI-call outcomes end to end: the simulator's AI dialer posts hang-up notifications to the gateway's callback URL,
 * they are stored, and GraphQL shows them as a page (`aiCallOutcomes`) and live (`aiCallEnded` over graphql-ws).
 */

const SECRET = 'ai-outcomes-callback-secret-0001';
/** The simulator's (and the gateway's default) platform zone: notification times are local wall-clock text in it. */
const zone = createZonedTime('Asia/Shanghai');

const EVENT_FIELDS = /* GraphQL */ `
  eventId receivedAt taskId taskName callId phone callerNumber customerId platformCustomerId customerFields { name value }
  startedAt answeredAt endedAt answered talkSeconds durationSeconds hangupCause outcome rawJson
`;
const ENDED = /* GraphQL */ `
  subscription($taskId: ID, $after: ID) { aiCallEnded(taskId: $taskId, after: $after) { ${EVENT_FIELDS} task { id taskId name } } }
`;
const ENDED_IDS = /* GraphQL */ `
  subscription($taskId: ID, $after: ID) { aiCallEnded(taskId: $taskId, after: $after) { eventId taskId callId } }
`;
const OUTCOMES = /* GraphQL */ `
  query($taskId: ID, $after: ID, $first: Int) {
    aiCallOutcomes(taskId: $taskId, after: $after, first: $first) { lastEventId hasMore events { ${EVENT_FIELDS} } }
  }
`;

interface OutcomeEvent {
  eventId: string;
  receivedAt: string;
  taskId: string | null;
  taskName: string | null;
  callId: string | null;
  phone: string | null;
  callerNumber: string | null;
  customerId: string | null;
  platformCustomerId: string | null;
  customerFields: Array<{ name: string; value: string }>;
  startedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  answered: boolean | null;
  talkSeconds: number | null;
  durationSeconds: number | null;
  hangupCause: string | null;
  outcome: string | null;
  rawJson: string;
  task?: { id: string; taskId: string; name: string } | null;
}
interface OutcomePage {
  lastEventId: string;
  hasMore: boolean;
  events: OutcomeEvent[];
}
type Errors = Array<{ message: string; extensions?: Record<string, any> }>;

const collect = collectSubscription;

/** The errors a subscription is refused with (a graphql-ws `error` message, or a result with errors only). */
function refusal(client: Client, query: string, variables: Record<string, unknown>): Promise<Errors> {
  const refused = createDeferred<Errors>();
  client.subscribe(
    { query, variables },
    {
      next: (result) => (result.errors ? refused.resolve(result.errors as Errors) : refused.reject(new Error('expected a refusal, got an event'))),
      error: (error) => (Array.isArray(error) ? refused.resolve(error as Errors) : refused.reject(error)),
      complete: () => undefined,
    },
  );
  return refused.promise;
}

const aiTaskId = (uuid: string) => encodeGlobalID('AiTask', uuid);
const epochOf = (iso: string | null) => (iso === null ? null : Date.parse(iso));
const localEpoch = (text: unknown) => (typeof text === 'string' && text !== '' ? (zone.parse(text)?.getTime() ?? null) : null);

describe('AI-call outcomes: simulator AI dialer → aicall-notify callback → store → aiCallOutcomes / aiCallEnded', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let client: Client;
  let notifyUrl: string;
  /** Every notification body the simulator's AI dialer posted, in order. */
  const posted: Array<Record<string, any>> = [];

  beforeAll(async () => {
    gw = await startGateway(disposer, { simulator: { dialerTuning: { adoptLiveCalls: false } }, env: { CALLBACK_SECRET: SECRET } });
    // Only the AI platform posts here: the SIP side has no callback URL, so predictive calls stay quiet.
    notifyUrl = `${gw.url}/callbacks/${SECRET}/aicall-notify`;
    const { state } = gw.sim.aicall;
    state.notifyUrl = notifyUrl;
    for (const task of state.tasks.values()) task.notifyUrl = notifyUrl;
    disposer.add(gw.sim.dialer.events.on('aiCallEnded', (e) => posted.push(e.payload)));
    client = wsClient(disposer, gw, 'viewer');
  });
  afterAll(() => disposer.dispose());

  async function outcomes(variables: Record<string, unknown>): Promise<OutcomePage> {
    const result = await gw.gql<{ aiCallOutcomes: OutcomePage }>(OUTCOMES, variables, 'viewer');
    expect(result.errors).toBeUndefined();
    return result.data?.aiCallOutcomes as OutcomePage;
  }

  /** Where a subscriber starts to get only outcomes stored from now on: the lastEventId of a page with nothing in it. */
  async function newest(): Promise<string> {
    const page = await outcomes({ taskId: aiTaskId('no-outcomes-ever') });
    expect(page).toMatchObject({ events: [], hasMore: false });
    return page.lastEventId;
  }

  /** Every outcome of a task (or all), page by page, and where to subscribe from afterwards. */
  async function allOutcomes(variables: Record<string, unknown>, first = 2): Promise<{ events: OutcomeEvent[]; lastEventId: string; pages: number }> {
    const events: OutcomeEvent[] = [];
    let after = variables.after as string | undefined;
    for (let pages = 1; ; pages += 1) {
      const page = await outcomes({ ...variables, after, first });
      events.push(...page.events);
      after = page.lastEventId;
      if (!page.hasMore) return { events, lastEventId: page.lastEventId, pages };
    }
  }

  /** A notification posted as the platform would (JSON body); answers the gateway's status and body. */
  async function notify(body: unknown, init: { contentType?: string; raw?: string } = {}) {
    const response = await fetch(notifyUrl, {
      method: 'POST',
      headers: { 'content-type': init.contentType ?? 'application/json' },
      body: init.raw ?? JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { ok?: boolean; id?: number; duplicate?: boolean; error?: string } };
  }

  /** A notification of the simulator's shape for a made-up task (the dialer's own come from its tasks). */
  function note(taskUuid: string, n: number, extra: Record<string, unknown> = {}) {
    return {
      task_uuid: taskUuid,
      task_name: '手工通知',
      call_uuid: `${taskUuid}-call-${n}`,
      customer_id: 9000 + n,
      phone: `1380000${String(1000 + n)}`,
      caller_number: '02150000000',
      start_stamp: '2026-03-02 10:00:00',
      answer_stamp: '2026-03-02 10:00:05',
      end_stamp: '2026-03-02 10:01:05',
      duration: 65,
      billsec: 60,
      hangup_cause: 'NORMAL_CLEARING',
      fields: { name: '张三', customerId: `CUST-${n}` },
      ...extra,
    };
  }

  /** An AI task of our own on the simulated platform, running, with `phones` to dial (custom fields as the gateway's import sends them). */
  function runningTask(name: string, phones: string[]): SimAiTask {
    const { state } = gw.sim.aicall;
    const [line] = [...state.callerLines.values()].filter((l) => state.residue(l.id) >= 2);
    const [window] = [...state.doNotCallWindows.values()];
    const [script] = [...state.scriptGroups.values()];
    const [rule] = [...state.redialRules.values()].filter((r) => r.enabled);
    if (!line || !window || !script || !rule) throw new Error('no demo resources');
    const task = state.createTask({
      name,
      remark: null,
      callerLineId: line.id,
      scriptGroupId: script.id,
      doNotCallWindowId: window.uuid,
      maximumcall: 2,
      customerServiceId: null,
      redialRuleId: rule.id,
      callPauseSecond: 0,
      originateTimeout: 30,
      recycleLimit: 0,
      randomAssignmentNumber: 0,
    });
    state.importCustomers(
      task.uuid,
      phones.map((phone, i) => ({ phone, fields: { name: `客户${i}`, customerId: `C-${phone}` } })),
    );
    state.setRunning(task.uuid, true);
    return task;
  }

  /** Steps the simulated clock until `done()` (or a bounded number of steps), letting the notifications drain each time. */
  async function runDialer(done: () => boolean, maxSteps = 200): Promise<void> {
    for (let step = 0; step < maxSteps && !done(); step += 1) {
      gw.sim.dialer.advance(5_000);
      await gw.sim.dialer.idle();
    }
    expect(done()).toBe(true);
  }

  it('delivers the AI dialer’s notifications to aiCallEnded, typed from the body, filtered by task, and the page shows the same events', async () => {
    // Load-then-subscribe: nothing of this task yet, but the page says where to start.
    const phones = ['13911110001', '13911110002', '13911110003', '13911110004'];
    const start = await newest();
    const task = runningTask('结果订阅测试', phones);
    const mine = collect<OutcomeEvent>(client, ENDED, { taskId: aiTaskId(task.uuid), after: start });
    const everyone = collect<OutcomeEvent>(client, ENDED_IDS, { after: start });
    const firstPosted = posted.length;

    await runDialer(() => posted.slice(firstPosted).filter((b) => b.task_uuid === task.uuid).length === phones.length);
    const bodies = posted.slice(firstPosted);
    const ours = bodies.filter((b) => b.task_uuid === task.uuid);
    // The seeded running tasks were dialling too: the filter has something to leave out.
    expect(bodies.length).toBeGreaterThan(ours.length);

    const events = await mine.until(phones.length);
    const all = await everyone.until(bodies.length);
    expect(events).toHaveLength(phones.length);
    expect(all).toHaveLength(bodies.length);
    expect(events.every((e) => e.taskId === task.uuid)).toBe(true);
    expect(new Set(all.map((e) => e.callId))).toEqual(new Set(bodies.map((b) => b.call_uuid)));
    expect(all.filter((e) => e.taskId === task.uuid).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));

    for (const event of events) {
      const body = ours.find((b) => b.call_uuid === event.callId);
      if (!body) throw new Error(`no body for ${event.callId}`);
      const answered = body.answer_stamp !== '';
      expect(event).toMatchObject({
        taskId: task.uuid,
        task: { id: aiTaskId(task.uuid), taskId: task.uuid, name: '结果订阅测试' },
        taskName: '结果订阅测试',
        callId: body.call_uuid,
        phone: body.phone,
        callerNumber: body.caller_number,
        customerId: `C-${body.phone}`,
        platformCustomerId: String(body.customer_id),
        answered,
        talkSeconds: body.billsec,
        durationSeconds: body.duration,
        hangupCause: body.hangup_cause,
        outcome: null,
      });
      expect(typeof event.talkSeconds).toBe('number');
      expect(event.customerFields).toEqual(expect.arrayContaining([{ name: 'customerId', value: `C-${body.phone}` }]));
      expect(epochOf(event.startedAt)).toBe(localEpoch(body.start_stamp));
      expect(epochOf(event.answeredAt)).toBe(localEpoch(body.answer_stamp));
      expect(epochOf(event.endedAt)).toBe(localEpoch(body.end_stamp));
      expect(answered).toBe(body.hangup_cause === 'NORMAL_CLEARING');
      expect(JSON.parse(event.rawJson)).toEqual(body);
      expect(Number.isNaN(Date.parse(event.receivedAt))).toBe(false);
    }
    expect(new Set(events.map((e) => e.phone))).toEqual(new Set(phones));

    // The page of the same task: the same eventIds, the same values.
    const page = await allOutcomes({ taskId: aiTaskId(task.uuid), after: start });
    expect(page.events.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    expect(page.events.map(({ task: _task, ...rest }) => rest)).toEqual(events.map(({ task: _task, ...rest }) => rest));
    mine.stop();
    everyone.stop();
  });

  it('resumes a subscriber with `after`: exactly the missed outcomes, once, then live ones', async () => {
    const uuid = 'resume-task-0001';
    const watcher = collect<OutcomeEvent>(client, ENDED_IDS, { taskId: aiTaskId(uuid), after: await newest() });
    for (const n of [1, 2]) expect((await notify(note(uuid, n))).status).toBe(200);
    const seen = await watcher.until(2);
    const lastSeen = seen.at(-1)?.eventId as string;
    watcher.stop();

    // Missed while away (with another task's outcome in between, which the filter leaves out).
    for (const n of [3, 4]) await notify(note(uuid, n));
    await notify(note('resume-other-task', 1));
    await notify(note(uuid, 5));
    // A resend of one already delivered is absorbed: no second event.
    expect((await notify(note(uuid, 2))).body.duplicate).toBe(true);

    const back = collect<OutcomeEvent>(client, ENDED_IDS, { taskId: aiTaskId(uuid), after: lastSeen });
    const missed = await back.until(3);
    expect(missed.map((e) => e.callId)).toEqual([`${uuid}-call-3`, `${uuid}-call-4`, `${uuid}-call-5`]);
    await notify(note(uuid, 6));
    const now = await back.until(4);
    expect(now.map((e) => e.callId)).toEqual([`${uuid}-call-3`, `${uuid}-call-4`, `${uuid}-call-5`, `${uuid}-call-6`]);
    expect(new Set(now.map((e) => e.eventId)).size).toBe(4);
    back.stop();
  });

  it('pages with first/after/hasMore, and a subscriber started at the last lastEventId gets only what follows', async () => {
    const uuid = 'paging-task-0001';
    const ids: number[] = [];
    for (const n of [1, 2, 3, 4, 5]) ids.push((await notify(note(uuid, n))).body.id as number);
    const taskId = aiTaskId(uuid);

    const first = await outcomes({ taskId, first: 2 });
    expect(first.events.map((e) => Number(e.eventId))).toEqual(ids.slice(0, 2));
    expect(first).toMatchObject({ hasMore: true, lastEventId: String(ids[1]) });
    const second = await outcomes({ taskId, first: 2, after: first.lastEventId });
    expect(second.events.map((e) => Number(e.eventId))).toEqual(ids.slice(2, 4));
    expect(second.hasMore).toBe(true);
    const third = await outcomes({ taskId, first: 2, after: second.lastEventId });
    expect(third.events.map((e) => Number(e.eventId))).toEqual(ids.slice(4));
    expect(third.hasMore).toBe(false);
    // An exactly full last page says so too.
    expect((await outcomes({ taskId, first: 5 })).hasMore).toBe(false);
    // The default page (50) holds them all.
    expect((await outcomes({ taskId })).events).toHaveLength(5);

    // The subscription from the start gives the same ids; from the last page's lastEventId, only a new one.
    const replay = collect<OutcomeEvent>(client, ENDED_IDS, { taskId, after: '0' });
    expect((await replay.until(5)).map((e) => Number(e.eventId))).toEqual(ids);
    const live = collect<OutcomeEvent>(client, ENDED_IDS, { taskId, after: third.lastEventId });
    const sixth = (await notify(note(uuid, 6))).body.id as number;
    expect((await live.until(1)).map((e) => Number(e.eventId))).toEqual([sixth]);
    expect((await replay.until(6)).map((e) => Number(e.eventId))).toEqual([...ids, sixth]);
    expect(live.events).toHaveLength(1);
    replay.stop();
    live.stop();
    // An empty page still says where to subscribe from: after everything stored.
    const empty = await outcomes({ taskId: aiTaskId('no-such-task'), first: 1 });
    expect(empty).toMatchObject({ events: [], hasMore: false });
    expect(Number(empty.lastEventId)).toBeGreaterThanOrEqual(sixth);
  });

  it('refuses bad arguments with INVALID_INPUT on the argument, over HTTP and graphql-ws', async () => {
    const predictiveId = encodeGlobalID('PredictiveTask', '20260301000000000001');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ after: 'abc' }, 'after'],
      [{ after: '-1' }, 'after'],
      [{ taskId: predictiveId }, 'taskId'],
      [{ taskId: 'not-a-global-id' }, 'taskId'],
      [{ first: 0 }, 'first'],
      [{ first: 100_000 }, 'first'],
      [{ first: 501 }, 'first'],
    ];
    for (const [variables, field] of cases) {
      const result = await gw.gql(OUTCOMES, variables, 'viewer');
      expect(result.data?.aiCallOutcomes ?? null, JSON.stringify(variables)).toBeNull();
      expect(result.errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({ code: 'INVALID_INPUT', field });
    }
    for (const [variables, field] of cases.slice(0, 4)) {
      const errors = await refusal(client, ENDED_IDS, variables);
      expect(errors[0]?.extensions, JSON.stringify(variables)).toMatchObject({ code: 'INVALID_INPUT', field });
    }
    // An `after` this store never handed out is refused rather than silently skipping what comes before it.
    const ahead = await gw.gql(OUTCOMES, { after: '9000000000' }, 'viewer');
    expect(ahead.errors?.[0]?.extensions).toMatchObject({ code: 'EVENT_ID_AHEAD' });
    // A caller without a key gets nothing.
    expect((await gw.gql(OUTCOMES, {}, null)).status).toBe(401);
  });

  it('answers a malformed notification with 400 and stores nothing; an unknown shape is stored and shown raw', async () => {
    const store = gw.app.services.store;
    const count = await eventCount(store);
    const latest = await newest();
    for (const raw of ['42', '"just text"', 'null', '{"task_uuid": "broken"', 'true']) {
      const answer = await notify(null, { raw });
      expect(answer.status, raw).toBe(400);
      expect(answer.body.error).toBe('invalid callback');
    }
    expect(await eventCount(store)).toBe(count);
    expect((await outcomes({ after: latest })).events).toEqual([]);

    // Not the shape the gateway expects, but an object: stored, nothing recognised, the body kept.
    const odd = await notify({ something: 'else', nested: { n: 1 } });
    expect(odd.status).toBe(200);
    const [shown] = (await outcomes({ after: latest })).events;
    expect(shown).toMatchObject({
      eventId: String(odd.body.id),
      taskId: null,
      callId: null,
      phone: null,
      startedAt: null,
      answered: null,
      talkSeconds: null,
      durationSeconds: null,
      customerFields: [],
    });
    expect(JSON.parse(shown?.rawJson ?? '')).toEqual({ something: 'else', nested: { n: 1 } });

    // A form-encoded notification (no `detail`): its fields are the notification, as text.
    const form = await fetch(notifyUrl, {
      method: 'POST',
      body: new URLSearchParams({ task_id: 'form-task-1', phone: '13700000000', status: 'USER_BUSY', billsec: '0', duration: '12', intention: 'B' }),
    });
    expect(form.status).toBe(200);
    const [fromForm] = (await outcomes({ taskId: aiTaskId('form-task-1') })).events;
    expect(fromForm).toMatchObject({ taskId: 'form-task-1', phone: '13700000000', hangupCause: 'USER_BUSY', talkSeconds: 0, answered: false, durationSeconds: 12, outcome: 'B' });
    expect(JSON.parse(fromForm?.rawJson ?? '')).toMatchObject({ task_id: 'form-task-1', intention: 'B' });
  });

  it('reads events stored before the newer fields existed from their stored body', async () => {
    const { store } = gw.app.services;
    const raw = { task_uuid: 'legacy-task-1', task_name: '旧任务', call_uuid: 'legacy-call', customer_id: 77, duration: 30, fields: { customerId: 'L-1', score: 5 } };
    // The payload as the gateway stored it before: no taskName, durationSeconds, customerFields, … (only raw has them).
    await store.events.append({
      topic: 'aicall-notify',
      dedupeKey: 'legacy-notification-1',
      subject: 'legacy-task-1',
      occurredAt: null,
      payload: { taskId: 'legacy-task-1', callId: 'legacy-call', phone: null, startedAt: '2026-03-01T02:00:00.000Z', answeredAt: null, endedAt: '2026-03-01T02:00:30.000Z', talkSeconds: 30, hangupCause: null, raw },
      settled: { applied: true, effect: null },
    });
    const [legacy] = (await outcomes({ taskId: aiTaskId('legacy-task-1') })).events;
    expect(legacy).toMatchObject({
      taskName: '旧任务',
      platformCustomerId: '77',
      customerId: 'L-1',
      customerFields: [
        { name: 'customerId', value: 'L-1' },
        { name: 'score', value: '5' },
      ],
      durationSeconds: 30,
      talkSeconds: 30,
      answered: true,
    });
  });
});
