import busboy from 'busboy';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { DialerEvents, DialerTuning } from '../../src/simulator/dialer/index.ts';
import { type Simulator, type SimulatorOptions, createSimulator } from '../../src/simulator/server.ts';
import { ExtensionCallState, TaskNumberState, TaskStatus } from '../../src/simulator/sip/model.ts';
import { parseCallNotification } from '../../src/upstream/aicall/notification.ts';
import {
  AssignType,
  CallMethod,
  ExtGroupMemberState,
  QueueStrategy,
  SipCode,
  SipService,
  TaskCommand,
} from '../../src/upstream/sip/codes.ts';
import { createZonedTime } from '../../src/upstream/time.ts';
import { type Disposer, createDisposer } from '../utils/disposer.ts';
import { type SipCaller, createSipCaller } from '../utils/sip-form.ts';

/** 2024-03-15 14:00:00 in Shanghai. The base clock stands still: only the dialer's advance() moves time. */
const START = Date.parse('2024-03-15T06:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const zone = createZonedTime('Asia/Shanghai');
/** Retries in milliseconds, so that a test that makes the receiver fail waits for nothing noticeable. */
const FAST_RETRY: DialerTuning = { callbackRetry: { attempts: 5, baseDelayMs: 5, maxDelayMs: 20 } };
const ONLY: (outcome: 'answered' | 'failed') => DialerTuning['outcomes'] = (outcome) => ({
  answered: outcome === 'answered' ? 1 : 0,
  noAnswer: 0,
  busy: 0,
  refused: 0,
  failed: outcome === 'failed' ? 1 : 0,
});

let disposer: Disposer;
afterEach(() => disposer?.dispose());

// ---- a callback receiver: what the gateway will mount as POST /callbacks/<secret>/<kind> ------------------------

interface Received {
  /** Arrival order over all kinds. */
  seq: number;
  kind: string;
  contentType: string;
  detail: any;
}

interface Receiver {
  url: string;
  received: Received[];
  /** Every request, refused ones too, per kind. */
  attempts: Map<string, number>;
  /** Answer the next `count` requests of a kind with 500 (Infinity: all of them). */
  fail(kind: string, count: number): void;
  of(kind: string): Received[];
}

function readBody(req: import('node:http').IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function multipartFields(headers: IncomingHttpHeaders, body: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const parser = busboy({ headers });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('close', () => resolve(fields));
    parser.on('error', reject);
    parser.end(body);
  });
}

async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const failures = new Map<string, number>();
  let seq = 0;
  const server = createServer((req, res) => {
    const kind = (req.url ?? '').split('/').pop() ?? '';
    attempts.set(kind, (attempts.get(kind) ?? 0) + 1);
    readBody(req)
      .then(async (body) => {
        const failing = failures.get(kind) ?? 0;
        if (failing > 0) {
          failures.set(kind, failing - 1);
          res.writeHead(500).end('receiver down');
          return;
        }
        const contentType = String(req.headers['content-type'] ?? '');
        const detail = contentType.startsWith('multipart/form-data')
          ? JSON.parse((await multipartFields(req.headers, body)).detail ?? 'null')
          : JSON.parse(body.toString('utf8'));
        received.push({ seq: seq++, kind, contentType, detail });
        res.writeHead(200).end('ok');
      })
      .catch((error: unknown) => res.writeHead(400).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  disposer.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.on('connection', (socket) => disposer.add(() => socket.destroy()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callbacks/s3cret`,
    received,
    attempts,
    fail: (kind, count) => failures.set(kind, count),
    of: (kind) => received.filter((r) => r.kind === kind),
  };
}

// ---- a simulator with a queue of free agents ----------------------------------------------------------------

interface Bench {
  sim: Simulator;
  sip: SipCaller;
  receiver: Receiver;
  now(): number;
}

async function bench(options: SimulatorOptions = {}): Promise<Bench> {
  const receiver = await startReceiver();
  const sim = createSimulator({
    seed: 7,
    now: () => START,
    callbackUrl: receiver.url,
    dialer: false,
    ...options,
    dialerTuning: { ...FAST_RETRY, ...options.dialerTuning },
  });
  disposer.add(() => sim.stop());
  const url = await sim.start();
  const sip = createSipCaller(url, sim.credentials);
  await sip.login();
  return { sim, sip, receiver, now: () => sim.context.now() };
}

const crmidOf = (extnumber: string) => String(1000 + Number(extnumber.slice(-4)));

/** Registered, enabled extensions that are idle now and sit in no queue yet (the demo's other agents stay out of it). */
function freeExtensions(sim: Simulator, count: number): string[] {
  const seated = new Set([...sim.sip.queues.values()].flatMap((q) => [...q.seats.keys()]));
  const free = [...sim.sip.extensions.values()]
    .filter((e) => e.enabled && e.registration && e.callState === ExtensionCallState.Idle && !seated.has(e.number))
    .map((e) => e.number);
  expect(free.length).toBeGreaterThanOrEqual(count);
  return free.slice(0, count);
}

async function expectOk(reply: { json: any }) {
  expect(reply.json?.ret).toBe(200);
  expect(reply.json?.data?.status).toBe(0);
  return reply.json.data.result;
}

/** A queue with `agents` agents signed in over the API; returns their extensions. */
async function queueWithAgents(b: Bench, name: string, agents: number, strategy: QueueStrategy): Promise<string[]> {
  await expectOk(await b.sip.call(SipService.AddQueue, { queuename: name, autocall: 'yes', remark: name, strategy }));
  const extensions = freeExtensions(b.sim, agents);
  for (const extnumber of extensions) {
    await expectOk(await b.sip.call(SipService.SipSignIn, { queuename: name, extnumber, crmid: crmidOf(extnumber) }));
  }
  return extensions;
}

interface NumberSpec {
  phone: string;
  time?: number;
}

const phones = (count: number, from: number): NumberSpec[] =>
  Array.from({ length: count }, (_, i) => ({ phone: String(from + i) }));

/** TaskCreat + TaskSet start over the SIP API; the numbers carry custom fields derived from the phone. */
async function startTask(
  b: Bench,
  assigntype: AssignType,
  assignagent: string,
  numbers: NumberSpec[],
  taskscale = '1:1',
): Promise<string> {
  const telphone = numbers.map((n) => ({
    phone: n.phone,
    time: n.time ?? Math.floor(b.now() / SECOND),
    userid: `u${n.phone.slice(-4)}`,
    memberid: `m${n.phone.slice(-4)}`,
    chengshudu: '3',
    customuuid: `c${n.phone.slice(-4)}`,
  }));
  const result = await expectOk(
    await b.sip.call(SipService.TaskCreate, {
      assigntype,
      assignagent,
      telphone: JSON.stringify(telphone),
      taskscale,
      disnumber: '',
      taskname: 'dialer test',
    }),
  );
  expect(result.invaliddata).toEqual([]);
  await expectOk(await b.sip.call(SipService.TaskSet, { taskid: result.taskid, taskstatus: TaskCommand.Start }));
  return result.taskid as string;
}

/** Steps the dialer until the task is over (bounded), then waits for every callback to be delivered. */
async function runToEnd(b: Bench, taskId: string, stepMs = 10 * SECOND): Promise<void> {
  const task = b.sim.sip.tasks.get(taskId);
  for (let i = 0; i < 2_000 && task?.status !== TaskStatus.Over; i++) b.sim.dialer.advance(stepMs);
  expect(task?.status).toBe(TaskStatus.Over);
  await b.sim.dialer.idle();
}

/** Collects dialer events of some kinds, in order, while a test runs. */
function record<K extends keyof DialerEvents>(sim: Simulator, kinds: K[]): { kind: K; event: DialerEvents[K] }[] {
  const seen: { kind: K; event: DialerEvents[K] }[] = [];
  for (const kind of kinds) disposer.add(sim.dialer.events.on(kind, (event) => seen.push({ kind, event })));
  return seen;
}

const unixOf = (local: string) => Math.floor((zone.parse(local)?.getTime() ?? Number.NaN) / SECOND);

// ---- the tests ------------------------------------------------------------------------------------------------

describe('the dialer: a predictive task on a queue', () => {
  it('rings an agent for every answered call: ring → answer → hangup, then the call record, consistent', async () => {
    disposer = createDisposer();
    const b = await bench();
    const agents = await queueWithAgents(b, 'dialer-rr', 3, QueueStrategy.RoundRobin);
    const numbers = phones(24, 13_900_000_000);
    const taskId = await startTask(b, AssignType.Queue, 'dialer-rr', numbers);
    await runToEnd(b, taskId);

    const mine = new Set(numbers.map((n) => n.phone));
    const records = b.receiver.of('call-record').filter((r) => mine.has(r.detail.destnumber));
    // One call record per number, every number done.
    expect(records.map((r) => r.detail.destnumber).sort()).toEqual([...mine].sort());
    const task = b.sim.sip.tasks.get(taskId);
    expect(task?.numbers.every((n) => n.state === TaskNumberState.Answered || n.state === TaskNumberState.Unanswered)).toBe(true);

    const answered = records.filter((r) => r.detail.answertime !== '');
    const unanswered = records.filter((r) => r.detail.answertime === '');
    expect(answered.length).toBeGreaterThan(3);
    expect(unanswered.length).toBeGreaterThan(3);
    const statusEvents = b.receiver.of('extension-status');

    for (const { detail: record, seq } of answered) {
      expect(record).toMatchObject({ type: 'callout', callmethod: CallMethod.Predictive, companycode: '9024' });
      expect(agents).toContain(record.extnumber);
      expect(record.crmid).toBe(crmidOf(record.extnumber));
      expect(record.billsec).toBeGreaterThan(0);
      expect(record.recordfilename).toBe(`${record.uuid}.wav`);
      expect(record.hangupcause).toBe(SipCode.CallNormalHangup);
      expect(record.customuuid).toBe(`c${record.destnumber.slice(-4)}`);
      expect(record.memberid).toBe(`m${record.destnumber.slice(-4)}`);
      // Times add up on the wire: start + wait = answer, answer + talk = end.
      expect(unixOf(record.answertime) - unixOf(record.starttime)).toBe(record.duration);
      expect(unixOf(record.endtime) - unixOf(record.answertime)).toBe(record.billsec);

      const calls = statusEvents.filter((e) => e.detail.uuid === record.uuid);
      const agentEvents = calls.filter((e) => e.detail.extnumber === record.extnumber);
      expect(agentEvents.map((e) => e.detail.status)).toEqual(['ring', 'answer', 'hangup']);
      // The record comes after the agent's hangup.
      expect(seq).toBeGreaterThan(Math.max(...agentEvents.map((e) => e.seq)));
      for (const { detail } of calls) {
        expect(detail).toMatchObject({
          callee: record.destnumber,
          caller: detail.extnumber,
          disnumber: record.disnumber,
          companycode: '9024',
          customuuid: record.customuuid,
          direction: 'callout',
          isbleg: 'false',
          method: '5',
          type: 'call',
        });
        // The agent's leg starts when its extension rings: after the customer was dialled, before they were answered.
        expect(Number(detail.starttime)).toBeGreaterThanOrEqual(unixOf(record.starttime));
        expect(Number(detail.starttime)).toBeLessThanOrEqual(unixOf(record.answertime));
        expect(typeof detail.buuid).toBe('string');
        expect(Object.values(detail).every((v) => typeof v === 'string')).toBe(true);
      }
      // Any agent who let it ring out first got ring → hangup, never an answer.
      for (const other of new Set(calls.map((e) => e.detail.extnumber))) {
        if (other === record.extnumber) continue;
        expect(calls.filter((e) => e.detail.extnumber === other).map((e) => e.detail.status)).toEqual(['ring', 'hangup']);
      }
    }

    for (const { detail: record } of unanswered) {
      expect(record).toMatchObject({ billsec: 0, extnumber: '', recordfilename: '', downloadip: '', crmid: '0' });
      expect(statusEvents.some((e) => e.detail.uuid === record.uuid && e.detail.status === 'answer')).toBe(false);
      expect([
        SipCode.CallTimeout,
        SipCode.CallBusy,
        SipCode.CallRefused,
        SipCode.CallLineFailure,
        SipCode.CallNormalHangup, // answered, then hung up waiting for an agent
      ]).toContain(record.hangupcause);
      expect(unixOf(record.endtime) - unixOf(record.starttime)).toBe(record.duration);
    }

    // The task-status callback: once, after every call record of the task.
    const finished = b.receiver.of('task-status').filter((r) => r.detail.taskid === taskId);
    expect(finished).toHaveLength(1);
    expect(finished[0]?.detail).toEqual({ taskid: taskId, companycode: '9024', status: 3 });
    expect(finished[0]?.seq).toBeGreaterThan(Math.max(...records.map((r) => r.seq)));
    b.sim.dialer.advance(10 * MINUTE);
    await b.sim.dialer.idle();
    expect(b.receiver.of('task-status').filter((r) => r.detail.taskid === taskId)).toHaveLength(1);
    // The queue's agents are all free again.
    for (const extnumber of agents) {
      expect(b.sim.sip.extensions.get(extnumber)?.callState).toBe(ExtensionCallState.Idle);
      expect(b.sim.sip.queues.get('dialer-rr')?.seats.get(extnumber)?.state).not.toBe(SipCode.SeatAnswered);
    }

    // GetBill returns the same records (syncflag 3: every record, fetched or not).
    const reply = await b.sip.call(SipService.GetBill, {
      starttime: zone.format(new Date(START)),
      endtime: zone.format(new Date(b.now())),
      syncflag: 3,
      callmethod: CallMethod.Predictive,
      itemsperpage: 1000,
    });
    const bills = ((await expectOk(reply)).bills as any[]).filter((bill) => mine.has(bill.destnumber));
    // One bill per record, matched by id: the same ids on both sides, none twice.
    expect(bills.map((bill) => bill.id).sort()).toEqual(records.map((r) => r.detail.id).sort());
    const byId = new Map(bills.map((bill) => [bill.id, bill]));
    for (const { detail: record } of records) {
      expect(byId.get(record.id), `bill ${record.id}`).toMatchObject({
        extnumber: record.extnumber,
        destnumber: record.destnumber,
        displaynumber: record.disnumber,
        starttime: record.starttime,
        answertime: record.answertime === '' ? null : record.answertime,
        endtime: record.endtime,
        duration: record.duration,
        billsec: record.billsec,
        direction: 'callout',
        callmethod: CallMethod.Predictive,
        memberid: record.memberid,
        chengshudu: record.chengshudu,
        customuuid: record.customuuid,
        userid: `u${record.destnumber.slice(-4)}`,
        recordfilename: record.recordfilename,
        downloadip: record.downloadip,
        hangupdirection: record.hangupdirection,
        hangupcause: record.hangupcause,
        userkey: record.userkey,
      });
    }
    // A recording of an answered call can be fetched.
    const firstAnswered = answered[0]?.detail;
    const link = await b.sip.call(SipService.GetRecordFile, { filename: firstAnswered.recordfilename });
    expect((await expectOk(link)).downurl).toContain(firstAnswered.recordfilename);
  });

  it('shows live calls in GetSipCallStatus and GetQueueSipStatus', async () => {
    disposer = createDisposer();
    const b = await bench({ dialerTuning: { outcomes: ONLY('answered'), agentAnswerRate: 1 } });
    const agents = await queueWithAgents(b, 'dialer-live', 1, QueueStrategy.Sequential);
    const agent = agents[0] as string;
    await startTask(b, AssignType.Queue, 'dialer-live', phones(1, 13_700_000_000));
    const status = async () => (await expectOk(await b.sip.call(SipService.GetSipCallStatus, { extnumber: agent })))[0];
    const seat = async () =>
      (await expectOk(await b.sip.call(SipService.GetQueueSipStatus, { queuename: 'dialer-live', extnumber: agent })))[0];

    const ringing = b.sim.dialer.next('agentRinging', (e) => e.extnumber === agent);
    for (let i = 0; i < 60 && b.sim.dialer.liveCalls()[0]?.phase !== 'offering'; i++) b.sim.dialer.advance(SECOND);
    await ringing;
    expect(await status()).toMatchObject({ status: SipCode.ExtensionRinging, callee: '13700000000', caller: agent });
    expect(await seat()).toMatchObject({ state: SipCode.SeatReceiving, callsanswered: 0 });

    for (let i = 0; i < 60 && b.sim.dialer.liveCalls()[0]?.phase !== 'talking'; i++) b.sim.dialer.advance(SECOND);
    b.sim.dialer.advance(2 * SECOND);
    expect(await status()).toMatchObject({ status: SipCode.ExtensionOffHook, callee: '13700000000', direction: 'callout' });
    expect((await status()).callduration).toBeGreaterThanOrEqual(2);
    const talking = await seat();
    expect(talking).toMatchObject({ state: SipCode.SeatAnswered, callsanswered: 1 });
    expect(talking.lastanswertime).toBe(zone.format(new Date(b.sim.sip.queues.get('dialer-live')?.seats.get(agent)?.lastAnswerTime ?? 0)));
    const seatNow = b.sim.sip.queues.get('dialer-live')?.seats.get(agent);
    expect(seatNow?.lastAssignTime).toEqual(expect.any(Number));
    expect(talking.lastassigntime).toBe(zone.format(new Date(seatNow?.lastAssignTime ?? 0)));

    for (let i = 0; i < 400 && b.sim.dialer.liveCalls().length > 0; i++) b.sim.dialer.advance(5 * SECOND);
    expect(await status()).toMatchObject({ status: SipCode.ExtensionIdle, callee: null });
    expect(await seat()).toMatchObject({ state: SipCode.SeatWaiting, callsanswered: 1 });
  });

  it('does not dial a number before its time', async () => {
    disposer = createDisposer();
    // Failed dials last 0–2 s, so the agents are free at the due second and the number goes out right then.
    const b = await bench({ dialerTuning: { outcomes: ONLY('failed') } });
    await queueWithAgents(b, 'dialer-time', 2, QueueStrategy.LongestIdle);
    const dueAt = Math.floor(START / SECOND) + 600;
    const dials = record(b.sim, ['dialStarted']);
    const taskId = await startTask(b, AssignType.Queue, 'dialer-time', [
      { phone: '13600000001' },
      { phone: '13600000002', time: dueAt },
      { phone: '13600000003' },
    ]);
    for (let i = 0; i < 59; i++) b.sim.dialer.advance(10 * SECOND); // to 14:09:50
    const dialled = dials.map((d) => d.event.phone);
    expect(dialled).toContain('13600000001');
    expect(dialled).toContain('13600000003');
    expect(dialled).not.toContain('13600000002');
    expect(b.sim.sip.tasks.get(taskId)?.numbers[1]?.state).toBe(TaskNumberState.Pending);
    expect(b.sim.sip.tasks.get(taskId)?.status).toBe(TaskStatus.Running);

    await runToEnd(b, taskId, SECOND);
    const late = dials.find((d) => d.event.phone === '13600000002');
    expect(late?.event.at).toBeGreaterThanOrEqual(dueAt * SECOND);
    expect(late?.event.at).toBeLessThan((dueAt + 2) * SECOND);
  });

  it('never dials more than the ratio allows: floor(idle agents × calls / agents)', async () => {
    disposer = createDisposer();
    const b = await bench({ dialerTuning: { outcomes: { answered: 0.7, noAnswer: 0.3, busy: 0, refused: 0, failed: 0 } } });
    const agents = await queueWithAgents(b, 'dialer-pace', 3, QueueStrategy.FewestAnswered);
    const queue = b.sim.sip.queues.get('dialer-pace');
    const checks: { inFlight: number; limit: number; idle: number; dialling: number }[] = [];
    disposer.add(
      b.sim.dialer.events.on('dialStarted', (e) => {
        // Counted here, independently of the dialer: free seats of the queue right now.
        const idle = agents.filter((ext) => {
          const seat = queue?.seats.get(ext);
          const extension = b.sim.sip.extensions.get(ext);
          return seat && !seat.paused && seat.state === SipCode.SeatWaiting && extension?.callState === ExtensionCallState.Idle;
        }).length;
        const dialling = b.sim.dialer.liveCalls().filter((c) => c.phase === 'dialling' || c.phase === 'waiting').length;
        checks.push({ inFlight: e.inFlight, limit: e.limit, idle, dialling });
      }),
    );
    const taskId = await startTask(b, AssignType.Queue, 'dialer-pace', phones(40, 13_500_000_000), '1:2');
    await runToEnd(b, taskId, 2 * SECOND);

    expect(checks).toHaveLength(40);
    for (const check of checks) {
      expect(check.limit).toBe(Math.floor((check.idle * 2) / 1));
      expect(check.dialling).toBe(check.inFlight);
      expect(check.inFlight).toBeLessThanOrEqual(check.limit);
    }
    // It does use what the ratio allows: 3 free agents × 2 = 6 dials at once at the start.
    expect(checks[5]).toMatchObject({ idle: 3, limit: 6, inFlight: 6 });
  });

  it('stops starting calls while paused, goes on when started again, and ends on TaskSet 3 with one status callback', async () => {
    disposer = createDisposer();
    const b = await bench();
    await queueWithAgents(b, 'dialer-pause', 2, QueueStrategy.Random);
    const dials = record(b.sim, ['dialStarted']);
    const taskId = await startTask(b, AssignType.Queue, 'dialer-pause', phones(30, 13_400_000_000));
    b.sim.dialer.advance(30 * SECOND);
    await expectOk(await b.sip.call(SipService.TaskSet, { taskid: taskId, taskstatus: TaskCommand.Pause }));
    const beforePause = dials.length;
    expect(beforePause).toBeGreaterThan(0);
    for (let i = 0; i < 60 || (i < 400 && b.sim.dialer.liveCalls().length > 0); i++) b.sim.dialer.advance(10 * SECOND);
    expect(dials.length).toBe(beforePause);
    expect(b.sim.dialer.liveCalls()).toHaveLength(0); // the calls in progress ended on their own

    await expectOk(await b.sip.call(SipService.TaskSet, { taskid: taskId, taskstatus: TaskCommand.Start }));
    b.sim.dialer.advance(30 * SECOND);
    expect(dials.length).toBeGreaterThan(beforePause);

    const statusSent = b.sim.dialer.next('callbackSent', (d) => d.kind === 'task-status' && d.payload.taskid === taskId);
    await expectOk(await b.sip.call(SipService.TaskSet, { taskid: taskId, taskstatus: TaskCommand.End }));
    const afterEnd = dials.length;
    for (let i = 0; i < 60; i++) b.sim.dialer.advance(10 * SECOND);
    expect(dials.length).toBe(afterEnd);
    await statusSent;
    await b.sim.dialer.idle();
    const status = b.receiver.of('task-status').filter((r) => r.detail.taskid === taskId);
    expect(status).toHaveLength(1);
    // Sent after the calls that were in progress when the task ended.
    const records = b.receiver.of('call-record').filter((r) => r.detail.destnumber.startsWith('1340000'));
    expect(records).toHaveLength(afterEnd);
    expect(status[0]?.seq).toBeGreaterThan(Math.max(...records.map((r) => r.seq)));
    expect(b.sim.sip.tasks.get(taskId)?.numbers.filter((n) => n.state === TaskNumberState.Pending).length).toBe(30 - afterEnd);
  });

  it('rings every free seat of a ring-all queue; the others are released when one answers', async () => {
    disposer = createDisposer();
    const b = await bench({ dialerTuning: { outcomes: ONLY('answered'), agentAnswerRate: 1 } });
    const agents = await queueWithAgents(b, 'dialer-all', 3, QueueStrategy.RingAll);
    const taskId = await startTask(b, AssignType.Queue, 'dialer-all', phones(1, 13_300_000_000));
    await runToEnd(b, taskId);
    const [record] = b.receiver.of('call-record').filter((r) => r.detail.destnumber === '13300000000');
    const events = b.receiver.of('extension-status').filter((e) => e.detail.uuid === record?.detail.uuid);
    expect(new Set(events.map((e) => e.detail.extnumber))).toEqual(new Set(agents));
    for (const extnumber of agents) {
      const statuses = events.filter((e) => e.detail.extnumber === extnumber).map((e) => e.detail.status);
      expect(statuses).toEqual(extnumber === record?.detail.extnumber ? ['ring', 'answer', 'hangup'] : ['ring', 'hangup']);
      const seat = b.sim.sip.queues.get('dialer-all')?.seats.get(extnumber);
      expect(seat).toMatchObject({ state: SipCode.SeatWaiting, noAnswerCount: 0 });
    }
  });
});

describe('the dialer: other assignments', () => {
  it('dials one call at a time for an extension at 1:1, ringing only that extension', async () => {
    disposer = createDisposer();
    const b = await bench({ dialerTuning: { outcomes: ONLY('answered') } });
    const [agent] = freeExtensions(b.sim, 1);
    const dials = record(b.sim, ['dialStarted']);
    const taskId = await startTask(b, AssignType.Extension, agent as string, phones(4, 13_200_000_000));
    await runToEnd(b, taskId);
    expect(dials).toHaveLength(4);
    expect(dials.every((d) => d.event.inFlight === 1 && d.event.limit === 1)).toBe(true);
    const events = b.receiver.of('extension-status').filter((e) => e.detail.callee.startsWith('1320000'));
    expect(new Set(events.map((e) => e.detail.extnumber))).toEqual(new Set([agent]));
    // Calls come one after the other: each ring follows the previous hangup.
    const statuses = events.map((e) => e.detail.status);
    expect(statuses.join(',')).toMatch(/^(ring,(answer,)?hangup,?)+$/);
  });

  it('rings only idle members of an extension group', async () => {
    disposer = createDisposer();
    const b = await bench({ dialerTuning: { outcomes: ONLY('answered') } });
    const members = freeExtensions(b.sim, 3);
    await expectOk(await b.sip.call(SipService.AddExtgroup, { name: 'dialer-group', status: 1 }));
    await expectOk(await b.sip.call(SipService.AddExtnumber, { name: 'dialer-group', extnumber: members.join(',') }));
    const busy = members[2] as string;
    await expectOk(
      await b.sip.call(SipService.EditExtnumber, { name: 'dialer-group', extnumber: busy, state: ExtGroupMemberState.Busy }),
    );
    const taskId = await startTask(b, AssignType.ExtGroup, 'dialer-group', phones(6, 13_100_000_000));
    await runToEnd(b, taskId);
    const rung = new Set(
      b.receiver
        .of('extension-status')
        .filter((e) => e.detail.callee.startsWith('1310000'))
        .map((e) => e.detail.extnumber),
    );
    expect(rung.has(busy)).toBe(false);
    // Both idle members take calls (the one idle longest rings first; six numbers keep both busy), the busy one none.
    expect(rung).toEqual(new Set(members.slice(0, 2)));
  });
});

describe('the dialer: callback delivery', () => {
  it('retries a receiver that fails twice with 500 and then delivers', async () => {
    disposer = createDisposer();
    const b = await bench({ dialerTuning: { outcomes: ONLY('failed') } });
    await queueWithAgents(b, 'dialer-retry', 1, QueueStrategy.Sequential);
    b.receiver.fail('task-status', 2);
    const sent = b.sim.dialer.next('callbackSent', (d) => d.kind === 'task-status');
    const taskId = await startTask(b, AssignType.Queue, 'dialer-retry', phones(2, 13_000_000_000));
    await runToEnd(b, taskId);
    const delivery = await sent;
    expect(delivery.attempts).toBe(3);
    expect(b.receiver.attempts.get('task-status')).toBe(3);
    expect(b.receiver.of('task-status').filter((r) => r.detail.taskid === taskId)).toHaveLength(1);
    const stats = b.sim.dialer.stats.callbacks;
    expect(stats.failed).toBe(0);
    expect(stats.retries).toBe(2);
    expect(stats.pending).toBe(0);
    expect(stats.sentByKind['task-status']).toBe(1);
  });

  it('gives up after the configured tries, and later callbacks still go out', async () => {
    disposer = createDisposer();
    const b = await bench({
      dialerTuning: { outcomes: ONLY('failed'), callbackRetry: { attempts: 3, baseDelayMs: 2, maxDelayMs: 5 } },
    });
    await queueWithAgents(b, 'dialer-down', 1, QueueStrategy.Sequential);
    b.receiver.fail('call-record', Infinity);
    const failed = b.sim.dialer.next('callbackFailed', (d) => d.kind === 'call-record');
    const taskId = await startTask(b, AssignType.Queue, 'dialer-down', phones(1, 12_900_000_000));
    await runToEnd(b, taskId);
    expect(await failed).toMatchObject({ attempts: 3, error: 'HTTP 500' });
    expect(b.receiver.attempts.get('call-record')).toBe(3);
    expect(b.sim.dialer.stats.callbacks.failed).toBe(1);
    expect(b.receiver.of('task-status').filter((r) => r.detail.taskid === taskId)).toHaveLength(1);
  });

  it('posts form-data `detail` (multipart) for SIP callbacks', async () => {
    disposer = createDisposer();
    const b = await bench({ dialerTuning: { outcomes: ONLY('failed') } });
    await queueWithAgents(b, 'dialer-form', 1, QueueStrategy.Sequential);
    const taskId = await startTask(b, AssignType.Queue, 'dialer-form', phones(1, 12_800_000_000));
    await runToEnd(b, taskId);
    // Exactly one of each for this one-number task, so the loop below checks both kinds.
    expect(b.receiver.of('call-record').map((r) => r.detail.destnumber)).toEqual(['12800000000']);
    expect(b.receiver.of('task-status').map((r) => r.detail.taskid)).toEqual([taskId]);
    for (const received of [...b.receiver.of('call-record'), ...b.receiver.of('task-status')]) {
      expect(received.contentType).toMatch(/^multipart\/form-data; boundary=/);
    }
  });
});

describe('the dialer: determinism, the demo and AI tasks', () => {
  async function scenario(seed: number, receiver: Receiver): Promise<string[]> {
    const sim = createSimulator({ seed, now: () => START, callbackUrl: receiver.url, dialer: false, dialerTuning: FAST_RETRY });
    disposer.add(() => sim.stop());
    const [a, c] = freeExtensions(sim, 2);
    sim.sip.addQueue('det', { strategy: QueueStrategy.ShortestTalkTime }, true);
    sim.sip.signIn('det', a as string, crmidOf(a as string));
    sim.sip.signIn('det', c as string, crmidOf(c as string));
    sim.sip.createTask({
      id: '20240315140000000001',
      name: 'det',
      assignType: AssignType.Queue,
      assignAgent: 'det',
      scale: { agents: 1, calls: 2 },
      callerNumbers: [],
      status: TaskStatus.Running,
      numbers: phones(20, 12_700_000_000).map((n) => ({
        phone: n.phone,
        time: Math.floor(START / SECOND),
        userid: '',
        memberid: '',
        chengshudu: '',
        customuuid: '',
      })),
    });
    const seen: string[] = [];
    const kinds = ['dialStarted', 'agentRinging', 'agentAnswered', 'agentReleased', 'callEnded', 'callbackQueued'] as const;
    for (const kind of kinds) {
      disposer.add(sim.dialer.events.on(kind, (event) => seen.push(`${kind} ${JSON.stringify(event)}`)));
    }
    for (let i = 0; i < 120; i++) sim.dialer.advance(15 * SECOND);
    await sim.dialer.idle();
    return seen;
  }

  it('gives the same sequence for the same seed', async () => {
    disposer = createDisposer();
    const receiver = await startReceiver();
    const first = await scenario(11, receiver);
    const second = await scenario(11, receiver);
    expect(first.length).toBeGreaterThan(100);
    expect(second).toEqual(first);
    const other = await scenario(12, receiver);
    expect(other).not.toEqual(first);
  });

  it('ends the demo calls that were in progress when it started, with callbacks and bills', async () => {
    disposer = createDisposer();
    const b = await bench();
    const busy = [...b.sim.sip.extensions.values()].filter((e) => e.callState !== ExtensionCallState.Idle);
    expect(busy.length).toBeGreaterThan(0);
    const calls = busy.map((e) => ({ extnumber: e.number, uuid: e.call?.uuid as string }));
    for (let i = 0; i < 40; i++) b.sim.dialer.advance(MINUTE);
    await b.sim.dialer.idle();
    for (const { extnumber, uuid } of calls) {
      expect(b.sim.sip.extensions.get(extnumber)?.callState).toBe(ExtensionCallState.Idle);
      const events = b.receiver.of('extension-status').filter((e) => e.detail.uuid === uuid);
      expect(events.at(-1)?.detail.status).toBe('hangup');
      const record = b.receiver.of('call-record').find((r) => r.detail.uuid === uuid);
      expect(record?.detail.extnumber).toBe(extnumber);
      expect(b.sim.sip.bills.some((bill) => bill.uuid === uuid)).toBe(true);
    }
  });

  it('progresses running AI tasks and posts hang-up notifications to <base>/aicall-notify', async () => {
    disposer = createDisposer();
    const b = await bench();
    const task = [...b.sim.aicall.state.tasks.values()].find((t) => t.running && t.dialled < t.customers.length);
    if (!task) throw new Error('the AI seed has no running task with customers left to dial');
    // The seed's first task: running, 12 of its 20 customers dialled.
    expect({ name: task.name, dialled: task.dialled, customers: task.customers.length }).toEqual({ name: '三月续保回访', dialled: 12, customers: 20 });
    const before = task.dialled;
    for (let i = 0; i < 30; i++) b.sim.dialer.advance(MINUTE);
    await b.sim.dialer.idle();
    expect(task.dialled).toBeGreaterThan(before);

    const notes = b.receiver.of('aicall-notify').filter((r) => r.detail.task_uuid === task.uuid);
    // One hang-up notification per customer dialled in these 30 minutes.
    expect(notes).toHaveLength(task.dialled - before);
    for (const note of notes) {
      expect(note.contentType).toMatch(/^application\/json/);
      const parsed = parseCallNotification(note.detail, zone);
      expect(parsed.taskId).toBe(task.uuid);
      expect(task.customers.map((c) => c.phone)).toContain(parsed.phone);
      // Started and ended inside the 30 simulated minutes, in that order.
      expect(parsed.startedAt?.getTime()).toBeGreaterThanOrEqual(START);
      expect(parsed.endedAt?.getTime()).toBeGreaterThanOrEqual(parsed.startedAt?.getTime() as number);
      expect(parsed.endedAt?.getTime()).toBeLessThanOrEqual(b.now());
      expect(['NORMAL_CLEARING', 'NO_ANSWER', 'USER_BUSY', 'NORMAL_TEMPORARY_FAILURE']).toContain(parsed.hangupCause);
      expect(parsed.answeredAt === null).toBe(parsed.hangupCause !== 'NORMAL_CLEARING');
    }

    // The task list shows the progress and the notify address.
    const response = await request(`${b.sim.url}/v1/task`, { headers: { authorization: 'Bearer sim-aicall-token' } });
    const listed = ((await response.body.json()) as any).data.find((t: any) => t.uuid === task.uuid);
    expect(listed.call_notify_url).toBe(`${b.receiver.url}/aicall-notify`);
    expect(listed.progress_bar.progress).toBe(task.dialled);
  });

  it('runs on its own timer at the given speed', async () => {
    disposer = createDisposer();
    const receiver = await startReceiver();
    const sim = createSimulator({ seed: 3, callbackUrl: receiver.url, speed: 600, dialerTuning: FAST_RETRY });
    disposer.add(() => sim.stop());
    const startedAt = sim.context.now();
    await sim.start();
    expect(sim.dialer.running).toBe(true);
    // Some demo call ends within a few simulated minutes: a fraction of a real second at 600×.
    await sim.dialer.next('callEnded');
    expect(sim.context.now() - startedAt).toBeGreaterThan(SECOND);
    sim.dialer.stop();
    expect(sim.dialer.running).toBe(false);
  });
});
