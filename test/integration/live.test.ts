import type { Client } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startGateway, type TestGateway, wsClient } from '../utils/gateway.ts';
import { collectSubscription } from '../utils/subscription.ts';

const SECRET = 'live-test-callback-secret-0001';

const AGENT_EVENTS = /* GraphQL */ `
  subscription($after: ID, $extensions: [String!]) {
    agentStatusChanged(after: $after, extensions: $extensions) {
      eventId extension status leg source
      call { uuid customerNumber customerId direction }
      previous { status callUuid }
      current { status callUuid eventId }
    }
  }
`;
const RECORD_EVENTS = /* GraphQL */ `
  subscription($after: ID) {
    callRecordCreated(after: $after) { eventId record { uuid recordId customerId calleeNumber answered talkSeconds startedAt agent { extension } } }
  }
`;

interface AgentEvent {
  eventId: string;
  extension: string;
  status: 'RING' | 'ANSWER' | 'HANGUP';
  leg: string;
  source: string;
  call: { uuid: string; customerNumber: string | null; customerId: string | null; direction: string | null };
  previous: { status: string; callUuid: string } | null;
  current: { status: string; callUuid: string; eventId: string } | null;
}
interface RecordEvent {
  eventId: string;
  record: { uuid: string | null; recordId: number; customerId: string | null; calleeNumber: string | null; answered: boolean; talkSeconds: number; startedAt: string; agent: { extension: string } | null };
}

const collect = collectSubscription;

describe('live events end to end: simulator dialer → callbacks → store → graphql-ws', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let client: Client;

  // A gateway, store and simulator of its own for every test: each test's events are then the only ones stored.
  beforeEach(async () => {
    gw = await startGateway(disposer, { simulator: { dialerTuning: { adoptLiveCalls: false } } as never, env: { CALLBACK_SECRET: SECRET, RECONCILE_GRACE_SECONDS: '0' } });
    gw.sim.dialer.setCallbackUrl(`${gw.url}/callbacks/${SECRET}`);
    client = wsClient(disposer, gw, 'viewer');
  });
  afterEach(() => disposer.dispose());

  /** Posts an extension-status callback (the agent leg of a call) for `extension`; resolves with its event id. */
  const postExtensionStatus = (extension: string, uuid: string, status: 'ring' | 'answer' | 'hangup', starttime: number) =>
    fetch(`${gw.url}/callbacks/${SECRET}/extension-status`, {
      method: 'POST',
      body: new URLSearchParams({
        detail: JSON.stringify({ buuid: `${uuid}-b`, callee: '13900001111', caller: extension, companycode: '9024', direction: 'callout', disnumber: '021', extnumber: extension, isbleg: 'false', method: '5', starttime: String(starttime), status, type: 'call', uuid }),
      }),
    }).then((r) => r.json() as Promise<{ id: number }>);

  /** Steps the simulated call centre until `done()` or a bounded number of steps, letting callbacks drain each time. */
  async function runDialer(done: () => boolean, maxSteps = 400): Promise<void> {
    for (let step = 0; step < maxSteps && !done(); step += 1) {
      gw.sim.dialer.advance(5_000);
      await gw.sim.dialer.idle();
    }
  }

  it('delivers ring, answer, hang-up and then the call record, in order, for every answered call of a task', async () => {
    const agents = collect<AgentEvent>(client, AGENT_EVENTS, { after: '0' });
    const records = collect<RecordEvent>(client, RECORD_EVENTS, { after: '0' });

    const queue = [...gw.sim.sip.queues.values()].find((q) => q.seats.size >= 3)?.name ?? 'sales';
    const numbers = Array.from({ length: 8 }, (_, i) => ({ phone: `1390000${String(1000 + i)}`, customerId: `LIVE-${i}` }));
    const created = await gw.gql(
      `mutation($input: CreatePredictiveTaskInput!) { createPredictiveTask(input: $input) { ... on CreatePredictiveTaskPayload { task { id } acceptedCount } } }`,
      { input: { name: 'live e2e', assignment: { type: 'QUEUE', assignee: queue }, numbers, pacing: { agents: 1, calls: 2 } } },
      'operator',
    );
    expect(created.data?.createPredictiveTask.acceptedCount).toBe(8);
    const started = await gw.gql(`mutation($id: ID!) { startTask(id: $id) { __typename } }`, { id: created.data?.createPredictiveTask.task.id }, 'operator');
    expect(started.data?.startTask.__typename).toBe('TaskPayload');

    const ours = () => records.events.filter((e) => e.record.customerId?.startsWith('LIVE-'));
    await runDialer(() => ours().length >= 8);
    // Every dialled number produced a record; wait until all have reached the subscriber.
    await records.until(records.events.length);
    const mine = ours();
    expect(mine).toHaveLength(8);

    const answered = mine.filter((e) => e.record.answered);
    expect(answered.length).toBeGreaterThan(0);
    // Agent events travel on their own subscription, so they may reach the client a little after the record; event ids
    // are global and increasing, and give the platform's order: wait for every answered call's hang-up, then compare.
    const hungUp = (uuid: string | null) => agents.events.some((e) => e.call.uuid === uuid && e.status === 'HANGUP');
    for (const { record } of answered) while (!hungUp(record.uuid)) await agents.until(agents.events.length + 1);
    for (const { eventId, record } of answered) {
      const uuid = record.uuid as string;
      const sequence = agents.events.filter((e) => e.call.uuid === uuid && e.leg === 'AGENT');
      expect(sequence.map((e) => e.status)).toEqual(['RING', 'ANSWER', 'HANGUP']);
      expect(new Set(sequence.map((e) => e.extension))).toEqual(new Set([record.agent?.extension]));
      const ids = sequence.map((e) => Number(e.eventId));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(Number(eventId)).toBeGreaterThan(ids.at(-1) ?? Infinity);
      // Each event carries the state before and after it.
      expect(sequence.map((e) => e.current?.status)).toEqual(['RING', 'ANSWER', 'HANGUP']);
      expect(sequence[1]?.previous).toMatchObject({ status: 'RING', callUuid: uuid });
      expect(sequence[0]?.call).toMatchObject({ customerNumber: record.calleeNumber, direction: 'OUTBOUND' });
    }
    // The same call read back through GetBill is one record: it carries the uuid the callback brought.
    const sample = answered[0]?.record;
    const at = Date.parse(sample?.startedAt ?? '');
    const read = await gw.gql(
      `query($f: CallRecordFilter!) { callRecords(filter: $f, first: 100) { edges { node { recordId uuid } } } }`,
      { f: { from: new Date(at - 60_000).toISOString(), to: new Date(at + 60_000).toISOString(), extensions: [sample?.agent?.extension] } },
    );
    expect(read.data?.callRecords.edges.map((e: any) => e.node)).toContainEqual({ recordId: sample?.recordId, uuid: sample?.uuid });
    agents.stop();
    records.stop();
  });

  it('absorbs a callback posted twice: one record, one event', async () => {
    const detail = JSON.stringify({
      id: 990001, uuid: 'dup-uuid-1', type: 'callout', callmethod: 5, starttime: '2026-11-23 10:00:00', answertime: '2026-11-23 10:00:05',
      endtime: '2026-11-23 10:01:00', duration: 5, billsec: 55, crmid: '1', memberid: '', chengshudu: '', customuuid: 'DUP-1',
      disnumber: '02100000000', destnumber: '13900009999', extnumber: '90240001', recordfilename: '', downloadip: '',
      hangupdirection: 10041, hangupcause: 10001, companycode: '9024', userkey: '',
    });
    const post = () =>
      fetch(`${gw.url}/callbacks/${SECRET}/call-record`, { method: 'POST', body: new URLSearchParams({ detail }) }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id: number; duplicate: boolean } }));
    const first = await post();
    const second = await post();
    expect(first.status).toBe(200);
    expect(second).toEqual({ status: 200, body: { ok: true, id: first.body.id, duplicate: true } });
    // Replay from just before the first delivery: the duplicate must not appear twice.
    const replay = collect<RecordEvent>(client, RECORD_EVENTS, { after: String(first.body.id - 1) });
    const [event] = await replay.until(1);
    expect(event?.record).toMatchObject({ uuid: 'dup-uuid-1', customerId: 'DUP-1', recordId: 990001 });
    // Another, later callback proves the stream moved on without a second copy of the duplicate.
    const marker = JSON.parse(detail) as Record<string, unknown>;
    await fetch(`${gw.url}/callbacks/${SECRET}/call-record`, { method: 'POST', body: new URLSearchParams({ detail: JSON.stringify({ ...marker, id: 990002, uuid: 'dup-uuid-2' }) }) });
    const events = await replay.until(2);
    expect(events.map((e) => e.record.uuid)).toEqual(['dup-uuid-1', 'dup-uuid-2']);
    replay.stop();
  });

  it('callRecordCreated filters by `extensions`, or by the deprecated `agents`, and refuses both', async () => {
    const FILTERED = /* GraphQL */ `
      subscription($after: ID, $filter: CallRecordEventFilter) { callRecordCreated(after: $after, filter: $filter) { eventId record { uuid agent { extension } } } }
    `;
    const base = {
      type: 'callout', callmethod: 5, starttime: '2026-11-23 11:00:00', answertime: '2026-11-23 11:00:05', endtime: '2026-11-23 11:01:00',
      duration: 5, billsec: 55, crmid: '1', memberid: '', chengshudu: '', customuuid: 'EXT-FILTER', disnumber: '02100000000',
      destnumber: '13900009998', recordfilename: '', downloadip: '', hangupdirection: 10041, hangupcause: 10001, companycode: '9024', userkey: '',
    };
    const post = (id: number, uuid: string, extnumber: string) =>
      fetch(`${gw.url}/callbacks/${SECRET}/call-record`, { method: 'POST', body: new URLSearchParams({ detail: JSON.stringify({ ...base, id, uuid, extnumber }) }) }).then(
        (r) => r.json() as Promise<{ id: number }>,
      );
    const first = await post(990011, 'ext-filter-1', '90240001');
    await post(990012, 'ext-filter-2', '90240002');
    await post(990013, 'ext-filter-3', '90240001');
    type Filtered = { eventId: string; record: { uuid: string; agent: { extension: string } | null } };
    const after = String(first.id - 1);
    for (const filter of [{ extensions: ['90240001'] }, { agents: ['90240001'] }]) {
      const sub = collect<Filtered>(client, FILTERED, { after, filter });
      const events = await sub.until(2);
      expect(events.map((e) => e.record.uuid), JSON.stringify(filter)).toEqual(['ext-filter-1', 'ext-filter-3']);
      sub.stop();
    }
    const both = collect<Filtered>(client, FILTERED, { after, filter: { extensions: ['90240001'], agents: ['90240001'] } });
    const errors = (await both.failed.catch((e: unknown) => e)) as Array<{ message: string; extensions?: { code?: string } }>;
    expect(errors[0]).toMatchObject({ extensions: { code: 'INVALID_INPUT' } });
    expect(errors[0]?.message).toMatch(/not both/);
    both.stop();
  });

  it('gives a subscriber that reconnects with `after` exactly the events it missed', async () => {
    // An agent no queue uses, so the dialer never touches it.
    const extension = '88880001';
    gw.sim.sip.addExtension({ number: extension, password: 'not-shown' });
    const post = (uuid: string, status: 'ring' | 'answer' | 'hangup', starttime: number) => postExtensionStatus(extension, uuid, status, starttime);

    const watcher = collect<AgentEvent>(client, AGENT_EVENTS, { extensions: [extension], after: '0' });
    const base = Math.floor(Date.now() / 1000) + 3600;
    await post('re-1', 'ring', base);
    await post('re-1', 'answer', base);
    const before = await watcher.until(2);
    const lastSeen = before.at(-1)?.eventId as string;
    watcher.stop();

    // Missed while away: the rest of this call and a whole second call.
    await post('re-1', 'hangup', base);
    await post('re-2', 'ring', base + 60);
    await post('re-2', 'answer', base + 60);
    await post('re-2', 'hangup', base + 60);

    const back = collect<AgentEvent>(client, AGENT_EVENTS, { extensions: [extension], after: lastSeen });
    const missed = await back.until(4);
    expect(missed.map((e) => `${e.call.uuid}:${e.status}`)).toEqual(['re-1:HANGUP', 're-2:RING', 're-2:ANSWER', 're-2:HANGUP']);
    // And live ones follow with no gap.
    await post('re-3', 'ring', base + 120);
    const all = await back.until(5);
    expect(all.at(-1)).toMatchObject({ status: 'RING', call: { uuid: 're-3' } });
    expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
    back.stop();
  });

  it('serves the same subscription over server-sent events, with the same API key rules', async () => {
    const body = JSON.stringify({ query: 'subscription { taskStatusChanged(after: "0") { eventId taskId status } }' });
    const refused = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body });
    expect(refused.status).toBe(401);
    await refused.body?.cancel();

    // A finished-task callback for a task this gateway does not know: stored, and replayed to the SSE subscriber.
    await fetch(`${gw.url}/callbacks/${SECRET}/task-status`, { method: 'POST', body: new URLSearchParams({ detail: JSON.stringify({ taskid: 'sse-task-1', companycode: '9024', status: 3 }) }) });
    const controller = new AbortController();
    const response = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${KEYS.viewer}` },
      body,
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('sse-task-1')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    controller.abort();
    expect(text).toMatch(/data: \{"data":\{"taskStatusChanged":\{"eventId":"\d+","taskId":"sse-task-1","status":null\}\}\}/);
  });

  it('shows the latest state in Agent.liveStatus, and corrects a lost hang-up by asking the PBX', async () => {
    // An agent no queue uses: one whole call, then a second that rings, whose hang-up never comes.
    gw.sim.sip.addExtension({ number: '88880001', password: 'not-shown' });
    const base = Math.floor(Date.now() / 1000) + 3600;
    for (const status of ['ring', 'answer', 'hangup'] as const) await postExtensionStatus('88880001', 're-2', status, base);
    const ring = await postExtensionStatus('88880001', 're-3', 'ring', base + 60);
    const { data } = await gw.gql(`{ agent(extension: "88880001") { liveStatus { status callUuid eventId } } }`);
    expect(data?.agent.liveStatus).toEqual({ status: 'RING', callUuid: 're-3', eventId: String(ring.id) });

    // re-3's hang-up never comes; the PBX says 88880001 is idle. A reconciliation pass records the hang-up.
    const watcher = collect<AgentEvent>(client, AGENT_EVENTS, { extensions: ['88880001'], after: data?.agent.liveStatus.eventId });
    // The only agent with a stored call: one correction.
    expect(await gw.app.reconcile()).toBe(1);
    const [correction] = await watcher.until(1);
    expect(correction).toMatchObject({ status: 'HANGUP', source: 'RECONCILE', call: { uuid: 're-3' }, previous: { status: 'RING' } });
    const after = await gw.gql(`{ agent(extension: "88880001") { liveStatus { status callUuid } presence { state source eventId callUuid } } }`);
    expect(after.data?.agent.liveStatus).toEqual({ status: 'HANGUP', callUuid: 're-3' });
    // Agent.presence says who told it: the reconciler's correction, in the one vocabulary.
    expect(after.data?.agent.presence).toEqual({ state: 'AVAILABLE', source: 'RECONCILE', eventId: correction?.eventId, callUuid: 're-3' });
    // Nothing left to correct: a second pass changes nothing.
    expect(await gw.app.reconcile()).toBe(0);
    watcher.stop();
  });
});
