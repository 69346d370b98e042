import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  InvalidInputError,
  SipBusinessError,
  SipRequestError,
  UnavailableReason,
  UpstreamInvalidResponseError,
  UpstreamUnavailableError,
} from '../../src/errors.ts';
import { type Simulator, createSimulator } from '../../src/simulator/server.ts';
import { RET_MESSAGES } from '../../src/simulator/sip/envelope.ts';
import { type Extension, ExtensionCallState, TaskStatus } from '../../src/simulator/sip/model.ts';
import { type UpstreamHttp, createUpstreamHttp } from '../../src/upstream/http.ts';
import { type SipClient, type SipClientOptions, createSipClient } from '../../src/upstream/sip/client.ts';
import {
  AssignType,
  AutoCallState,
  BillDirectionFilter,
  BillSyncFlag,
  CallDirection,
  CallMethod,
  ExtGroupMemberState,
  ExtGroupStatusFilter,
  ExtensionCallEvent,
  ExtensionStatusFilter,
  MAX_NUMBERS_PER_CALL,
  QueueStrategy,
  Registration,
  SeatSetting,
  SeatStateFilter,
  SipCode,
  SipRet,
  SipService,
  TaskCommand,
  UNKNOWN,
} from '../../src/upstream/sip/codes.ts';
import { createZonedTime } from '../../src/upstream/time.ts';
import { createDisposer } from '../utils/disposer.ts';
import { rejectionOf } from '../utils/rejection.ts';
import { type SipCaller, createSipCaller, get } from '../utils/sip-form.ts';

/**
 * The SIP client against the simulator over loopback HTTP: every typed function, the token's life, the envelope's
 * errors, timeouts, both form encodings, and the SIP password staying out of everything the client hands back.
 */

/** 2024-03-15 14:00:00 in Shanghai. */
const START = Date.parse('2024-03-15T06:00:00Z');
const MINUTE = 60_000;
const HOUR = 3_600_000;
const SHANGHAI = createZonedTime('Asia/Shanghai');

/** A Shanghai wall-clock time as an instant, worked out without the code under test (Shanghai is +08:00 all year). */
const shanghai = (local: string) => new Date(`${local.replace(' ', 'T')}+08:00`);
/** The platform writes whole seconds. */
const toSecond = (epochMs: number) => new Date(Math.floor(epochMs / 1000) * 1000);

const disposer = createDisposer();
/** Per-test clean-ups (switches turned off, extra clients closed). */
const perTest = createDisposer();
let clock = START;
let sim: Simulator;
let http: UpstreamHttp;
/** The client most tests use; every result it returns is kept in `results` for the password check after the file's tests. */
let client: SipClient;
const results: unknown[] = [];
/** Raw forms with no client in between, to compare the client's reading with what was on the wire. */
let wire: SipCaller;

beforeAll(async () => {
  sim = createSimulator({ seed: 7, now: () => clock });
  await sim.start(0, '127.0.0.1');
  disposer.add(() => sim.stop());
  http = createUpstreamHttp({ connectTimeoutMs: 2_000, requestTimeoutMs: 5_000, maxConnections: 16 });
  disposer.add(() => http.close());
  client = recording(newClient(), results);
  wire = createSipCaller(sim.url, sim.credentials);
  await wire.login();
});

// After every test of the file, whatever order they ran in (or whichever were picked with -t): no result the client
// gave any of them carries a SIP password. A failure here fails the file.
afterAll(async () => {
  try {
    const text = JSON.stringify(results);
    expect(text).not.toMatch(/password/i);
    for (const extension of extensions()) expect(text).not.toContain(extension.password);
  } finally {
    await disposer.dispose();
  }
});

afterEach(async () => {
  await perTest.dispose();
  sim.control.reset();
  clock = START;
});

function newClient(overrides: Partial<SipClientOptions> = {}): SipClient {
  return createSipClient({
    http,
    url: sim.url,
    appId: sim.credentials.appId,
    accessKey: sim.credentials.accessKey,
    time: SHANGHAI,
    now: () => clock,
    ...overrides,
  });
}

/** Wraps a client so that every value its functions return (or resolve to) lands in `sink`. */
function recording<T extends object>(target: T, sink: unknown[]): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value: unknown = Reflect.get(object, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out: unknown = value.apply(object, args);
        if (out instanceof Promise) {
          return out.then((result: unknown) => {
            sink.push(result);
            return result;
          });
        }
        sink.push(out);
        return out;
      };
    },
  });
}

/** An UpstreamHttp that notes the content type and body of every request before passing it on. */
function spying(inner: UpstreamHttp, sent: Array<{ contentType: string; body: string }>): UpstreamHttp {
  return {
    request(url, init) {
      sent.push({ contentType: init.headers?.['content-type'] ?? '', body: String(init.body ?? '') });
      return inner.request(url, init);
    },
    close: () => inner.close(),
  };
}

/** A raw form through `wire`, logging it in again when an earlier test expired every token. */
async function onWire(service: SipService, fields: Record<string, string | number>): Promise<any> {
  let reply = await wire.call(service, fields);
  if (reply.json?.ret === SipRet.TokenInvalid) {
    await wire.login();
    reply = await wire.call(service, fields);
  }
  return reply.json;
}

function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`the demo data has no ${what}`);
  return value;
}

const extensions = () => [...sim.sip.extensions.values()];
const idleExtension = (skip: readonly string[] = []): Extension =>
  must(
    extensions().find(
      (e) => e.enabled && e.registration && e.callState === ExtensionCallState.Idle && !skip.includes(e.number),
    ),
    'idle extension',
  );
const talkingExtension = () => must(extensions().find((e) => e.callState === ExtensionCallState.OffHook), 'talking extension');
const enabledCallerNumber = () => must([...sim.sip.callerNumbers.values()].find((n) => n.enabled), 'caller number').number;

function expectBusiness(error: unknown, code: SipCode, service: SipService): SipBusinessError {
  expect(error).toBeInstanceOf(SipBusinessError);
  const e = error as SipBusinessError;
  expect(e.sipCode).toEqual({ value: code, raw: String(code) });
  expect(e.upstreamCode).toBe(String(code));
  expect(e.operation).toBe(service);
  expect(e.upstream).toBe('sip');
  expect(e.code).toBe(ErrorCode.UpstreamRejected);
  expect(e.upstreamMessage).not.toBe('');
  return e;
}

describe('auth and the session', () => {
  it('logs in with typed company details and the auth time read in Shanghai', async () => {
    const login = await client.login();
    expect(login).toEqual({
      companyCode: '9024',
      companyName: sim.sip.company.name,
      token: expect.stringMatching(/^[0-9a-f]{32}$/),
      authTime: shanghai('2024-03-15 14:00:00'),
      authModel: '',
    });
    expect(login.authTime).toBeInstanceOf(Date);
    expect(sim.sip.tokens.check(login.token)).toBe('ok');
  });

  it('logs in lazily and once for concurrent first calls, logs out, and logs in again on the next call', async () => {
    const fresh = newClient();
    sim.stats.reset();
    expect(fresh.session.loginCount).toBe(0);
    await Promise.all([fresh.getQueues(), fresh.getExtGroups(), fresh.getExtensions()]);
    expect(fresh.session.loginCount).toBe(1);
    expect(sim.stats.count(SipService.Login)).toBe(1);

    const token = await fresh.session.token();
    await fresh.logout();
    expect(sim.stats.count(SipService.Logout)).toBe(1);
    expect(sim.sip.tokens.check(token)).toBe('unknown');

    await fresh.getQueues();
    expect(fresh.session.loginCount).toBe(2);
    expect(await fresh.session.token()).not.toBe(token);
  });

  it('renews the token once on ret 600 and sends the call again', async () => {
    await client.getQueues();
    const logins = client.session.loginCount;
    sim.stats.reset();
    sim.control.failNext(1, { ret: SipRet.TokenInvalid }, SipService.GetQueueList);
    expect(await client.getQueues()).toHaveLength(4);
    expect(client.session.loginCount).toBe(logins + 1);
    expect(sim.stats.snapshot()).toEqual({ [SipService.Login]: 1, [SipService.GetQueueList]: 2 });
  });

  it('logs the stale token out, then in, on code 1010 (extension exception) and sends the call again', async () => {
    const fresh = newClient();
    await fresh.getQueues();
    const stale = await fresh.session.token();
    sim.stats.reset();
    sim.control.failNext(1, { code: SipCode.ExtensionException }, SipService.GetSipNumberInfo);
    expect(await fresh.getExtensions()).toHaveLength(40);
    expect(sim.stats.snapshot()).toEqual({
      [SipService.GetSipNumberInfo]: 2,
      [SipService.Logout]: 1,
      [SipService.Login]: 1,
    });
    expect(sim.sip.tokens.check(stale)).toBe('unknown');
  });

  it('gives up with the ret 600 error when the renewed token is refused too (no loop)', async () => {
    await client.getQueues();
    sim.stats.reset();
    sim.control.failNext(2, { ret: SipRet.TokenInvalid }, SipService.GetQueueList);
    const error = await rejectionOf(() => client.getQueues());
    expect(error).toBeInstanceOf(SipRequestError);
    expect((error as SipRequestError).ret.value).toBe(SipRet.TokenInvalid);
    expect(sim.stats.snapshot()).toEqual({ [SipService.Login]: 1, [SipService.GetQueueList]: 2 });
  });

  it('renews a token near the end of its 12 h before it lapses, without meeting a ret 600', async () => {
    const fresh = newClient();
    await fresh.getQueues();
    // 5 minutes before the platform's 12 h: the token still works there, but is inside the 10-minute margin.
    clock = START + 12 * HOUR - 5 * MINUTE;
    sim.stats.reset();
    await fresh.getQueues();
    expect(fresh.session.loginCount).toBe(2);
    expect(sim.stats.snapshot()).toEqual({ [SipService.Login]: 1, [SipService.GetQueueList]: 1 });
  });

  it('after expireAllTokens, 100 concurrent calls share exactly one login and none fails', async () => {
    const fresh = newClient();
    await fresh.getQueues(); // the initial login
    expect(fresh.session.loginCount).toBe(1);
    const ext = idleExtension().number;
    sim.control.expireAllTokens();
    sim.stats.reset();

    const kinds = [
      () => fresh.getQueues(),
      () => fresh.getExtGroups(),
      () => fresh.getValidities([ext]),
      () => fresh.getExtensions({ extensions: [ext] }),
    ];
    const settled = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => must(kinds[i % kinds.length], 'kind')()));

    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    expect(sim.stats.count(SipService.Login)).toBe(1);
    expect(fresh.session.loginCount).toBe(2);
    // Every call met the expired token once (ret 600) and was sent once more: 100 + 100 + the login.
    expect(sim.stats.total()).toBe(201);
  });

  it('100 concurrent first calls of a new client share one login', async () => {
    const fresh = newClient();
    sim.stats.reset();
    const settled = await Promise.allSettled(Array.from({ length: 100 }, () => fresh.getExtGroups()));
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    expect(sim.stats.count(SipService.Login)).toBe(1);
    expect(fresh.session.loginCount).toBe(1);
    expect(sim.stats.total()).toBe(101);
  });
});

describe('call records and recordings', () => {
  const DAY_FROM = '2024-03-14 00:00:00';
  const DAY_TO = '2024-03-14 23:59:59';

  it('reads a day of bills, in the window asked for in Shanghai time, with every field as on the wire', async () => {
    const from = shanghai(DAY_FROM);
    const to = shanghai(DAY_TO);
    const page = await client.getBills({ from, to, callMethod: CallMethod.Any, pageSize: 1000 });

    const expected = sim.sip.bills.filter((b) => b.starttime >= from.getTime() && b.starttime <= to.getTime());
    expect(expected.length).toBeGreaterThan(100);
    expect(page).toMatchObject({ total: expected.length, page: 1, pageSize: 1000 });
    expect(page.bills.map((b) => b.id)).toEqual(expected.map((b) => b.id));

    const raw = (
      await onWire(SipService.GetBill, {
        starttime: DAY_FROM,
        endtime: DAY_TO,
        syncflag: BillSyncFlag.All,
        callmethod: CallMethod.Any,
        itemsperpage: 1000,
      })
    ).data.result.bills as any[];
    expect(raw).toHaveLength(page.bills.length);
    page.bills.forEach((bill, i) => {
      const w = raw[i];
      expect(bill.startedAt).toBeInstanceOf(Date);
      expect(bill).toEqual({
        id: w.id,
        extension: w.extnumber || null,
        destinationNumber: w.destnumber || null,
        displayNumber: w.displaynumber || null,
        startedAt: shanghai(w.starttime),
        answeredAt: w.answertime === null ? null : shanghai(w.answertime),
        endedAt: shanghai(w.endtime),
        waitSeconds: w.duration,
        talkSeconds: w.billsec,
        direction: { value: w.direction, raw: w.direction },
        callMethod: { value: w.callmethod, raw: String(w.callmethod) },
        userId: w.userid || null,
        memberId: w.memberid || null,
        maturity: w.chengshudu || null,
        customerId: w.customuuid || null,
        recordFileName: w.recordfilename || null,
        downloadIp: w.downloadip || null,
        hangupDirection: expect.objectContaining({ raw: String(w.hangupdirection) }),
        hangupCause: expect.objectContaining({ raw: String(w.hangupcause) }),
        keysPressed: w.userkey || null,
      });
      expect(bill.startedAt!.getTime()).toBeGreaterThanOrEqual(from.getTime());
      expect(bill.startedAt!.getTime()).toBeLessThanOrEqual(to.getTime());
    });

    const unanswered = must(page.bills.find((b) => b.answeredAt === null), 'unanswered bill');
    expect(unanswered.talkSeconds).toBe(0);
    const answered = must(page.bills.find((b) => b.answeredAt !== null), 'answered bill');
    expect(answered.answeredAt!.getTime() - answered.startedAt!.getTime()).toBe(answered.waitSeconds * 1000);
    expect(answered.hangupCause).toEqual({ value: SipCode.CallNormalHangup, raw: '10001' });
    // A hang-up cause the manual's table does not list passes through as UNKNOWN with its raw code.
    const unlisted = must(page.bills.find((b) => b.hangupCause?.raw === '10020'), 'bill with hangupcause 10020');
    expect(unlisted.hangupCause).toEqual({ value: UNKNOWN, raw: '10020' });
  });

  it('pages through a window without gaps or repeats', async () => {
    const query = { from: shanghai(DAY_FROM), to: shanghai(DAY_TO), callMethod: CallMethod.Any, pageSize: 7 };
    const all = (await client.getBills({ ...query, pageSize: 1000 })).bills.map((b) => b.id);
    const first = await client.getBills({ ...query, page: 1 });
    const second = await client.getBills({ ...query, page: 2 });
    expect(first).toMatchObject({ total: all.length, page: 1, pageSize: 7 });
    expect(second).toMatchObject({ total: all.length, page: 2, pageSize: 7 });
    expect([...first.bills, ...second.bills].map((b) => b.id)).toEqual(all.slice(0, 14));
    const last = Math.ceil(all.length / 7);
    expect((await client.getBills({ ...query, page: last })).bills.map((b) => b.id)).toEqual(all.slice((last - 1) * 7));
    expect((await client.getBills({ ...query, page: last + 1 })).bills).toEqual([]);
  });

  it('filters by extension list, direction and call method', async () => {
    const week = { from: shanghai('2024-03-08 00:00:00'), to: new Date(START), pageSize: 1000 };
    const ext = must(sim.sip.bills.find((b) => b.extnumber), 'bill with an extension').extnumber;
    const other = must(sim.sip.bills.find((b) => b.extnumber && b.extnumber !== ext), 'second extension').extnumber;
    const byExt = await client.getBills({ ...week, callMethod: CallMethod.Any, extensions: [ext, other] });
    expect(byExt.total).toBe(sim.sip.bills.filter((b) => b.extnumber === ext || b.extnumber === other).length);
    expect(new Set(byExt.bills.map((b) => b.extension))).toEqual(new Set([ext, other]));

    const inbound = await client.getBills({ ...week, callMethod: CallMethod.Any, direction: BillDirectionFilter.In });
    expect(inbound.total).toBeGreaterThan(0);
    expect(inbound.bills.every((b) => b.direction.value === CallDirection.In)).toBe(true);

    const predictive = await client.getBills({ ...week, callMethod: CallMethod.Predictive });
    expect(predictive.total).toBe(sim.sip.bills.filter((b) => b.callmethod === CallMethod.Predictive).length);
    expect(predictive.bills.every((b) => b.callMethod.value === CallMethod.Predictive)).toBe(true);
  });

  it('syncflag: reads All by default without consuming; NotYetFetched marks what it returns; AlreadyFetched then has it', async () => {
    const window = { from: new Date(START - 24 * HOUR), to: new Date(START), callMethod: CallMethod.Any };
    const unfetched = () => sim.sip.bills.filter((b) => !b.fetched).length;
    const before = unfetched();
    expect(before).toBeGreaterThan(10);

    const plain = await client.getBills({ ...window, pageSize: 50 });
    expect(plain.bills).toHaveLength(50);
    expect(unfetched()).toBe(before);

    const first = await client.getBills({ ...window, sync: BillSyncFlag.NotYetFetched, pageSize: 5 });
    expect(first.bills).toHaveLength(5);
    const firstIds = first.bills.map((b) => b.id);
    expect(sim.sip.bills.filter((b) => firstIds.includes(b.id)).every((b) => b.fetched)).toBe(true);
    expect(unfetched()).toBe(before - 5);

    const second = await client.getBills({ ...window, sync: BillSyncFlag.NotYetFetched, pageSize: 5 });
    expect(second.total).toBe(first.total - 5);
    expect(second.bills.map((b) => b.id).some((id) => firstIds.includes(id))).toBe(false);

    const fetched = await client.getBills({ ...window, sync: BillSyncFlag.AlreadyFetched, pageSize: 1000 });
    const fetchedIds = fetched.bills.map((b) => b.id);
    expect(fetchedIds).toEqual(expect.arrayContaining([...firstIds, ...second.bills.map((b) => b.id)]));
    expect(fetched.total).toBe(10);
  });

  it('refuses a page size outside 1…1000 without calling the platform', async () => {
    sim.stats.reset();
    for (const pageSize of [0, 1001, 2.5]) {
      const error = await rejectionOf(() => client.getBills({ from: new Date(START - HOUR), to: new Date(START), pageSize }));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe('pageSize');
    }
    expect(sim.stats.total()).toBe(0);
  });

  it('reads a recording link, its "Expiration time:…" as a Date, and the link downloads', async () => {
    const bill = must(sim.sip.bills.findLast((b) => b.recordfilename !== ''), 'recorded bill');
    const link = await client.getRecordingLink(bill.recordfilename);
    expect(link.url.startsWith(`${sim.url}/recordings/`)).toBe(true);
    // The simulator's links live 1 h: 15:00:00 in Shanghai.
    expect(link.expiresAt).toEqual(shanghai('2024-03-15 15:00:00'));
    const file = await get(link.url);
    expect(file.status).toBe(200);
    expect(file.contentType).toBe('audio/wav');

    const error = await rejectionOf(() => client.getRecordingLink('no-such-file.wav'));
    expectBusiness(error, SipCode.OperationFailed, SipService.GetRecordFile);
  });
});

describe('extensions', () => {
  it('lists every extension, typed, with no password', async () => {
    const all = await client.getExtensions();
    expect(all).toHaveLength(40);
    for (const info of all) {
      expect(Object.keys(info).sort()).toEqual(['enabled', 'extension', 'registration', 'status']);
      const ext = must(sim.sip.extensions.get(info.extension), info.extension);
      expect(info).toEqual({
        extension: ext.number,
        enabled: ext.enabled,
        status: ext.enabled
          ? { value: SipCode.ExtensionEnabled, raw: '1016' }
          : { value: SipCode.ExtensionDisabled, raw: '1013' },
        registration: ext.registration
          ? { value: Registration.Registered, raw: 'reg' }
          : { value: Registration.NotRegistered, raw: 'nreg' },
      });
    }
    const disabled = await client.getExtensions({ status: ExtensionStatusFilter.Disabled });
    expect(disabled).toHaveLength(3);
    expect(disabled.every((e) => !e.enabled)).toBe(true);
    expect(await client.getExtensions({ status: ExtensionStatusFilter.Enabled })).toHaveLength(37);
    const two = await client.getExtensions({ extensions: ['90240002', '90240001'] });
    expect(two.map((e) => e.extension)).toEqual(['90240002', '90240001']);
  });

  it('answers call status, validity and registration for a list of extensions, one upstream call each, in order', async () => {
    const talking = talkingExtension();
    const idle = idleExtension();
    const disabled = must(extensions().find((e) => !e.enabled), 'disabled extension');
    const unregistered = must(extensions().find((e) => e.enabled && !e.registration), 'unregistered extension');
    const numbers = [talking.number, idle.number, '99990000', disabled.number, unregistered.number];
    sim.stats.reset();

    const calls = await client.getCallStatuses(numbers);
    expect(calls.map((c) => [c.extension, c.status.value])).toEqual([
      [talking.number, SipCode.ExtensionOffHook],
      [idle.number, SipCode.ExtensionIdle],
      ['99990000', SipCode.IllegalExtension],
      [disabled.number, SipCode.ExtensionDisabled],
      [unregistered.number, SipCode.ExtensionNotRegistered],
    ]);
    const call = must(talking.call, 'call');
    expect(calls[0]).toEqual({
      extension: talking.number,
      status: { value: SipCode.ExtensionOffHook, raw: '1203' },
      caller: call.caller,
      callee: call.callee,
      displayNumber: call.disnumber,
      direction: { value: CallDirection.Out, raw: 'callout' },
      channel: call.channel,
      idleSeconds: null,
      talkSeconds: Math.floor((START - call.since) / 1000),
    });
    expect(calls[1]).toMatchObject({
      caller: null,
      callee: null,
      direction: null,
      talkSeconds: null,
      idleSeconds: Math.floor((START - idle.idleSince) / 1000),
    });

    const validities = await client.getValidities(numbers);
    expect(validities.map((v) => [v.extension, v.status.value])).toEqual([
      [talking.number, SipCode.ExtensionEnabled],
      [idle.number, SipCode.ExtensionEnabled],
      ['99990000', SipCode.IllegalExtension],
      [disabled.number, SipCode.ExtensionDisabled],
      [unregistered.number, SipCode.ExtensionEnabled],
    ]);

    const registrations = await client.getRegistrations(numbers);
    expect(registrations.map((r) => r.extension)).toEqual(numbers);
    expect(registrations[1]).toEqual({
      extension: idle.number,
      status: { value: SipCode.ExtensionRegistered, raw: '1017' },
      clientIp: must(idle.registration, 'registration').clientIp,
      serverIp: must(idle.registration, 'registration').serverIp,
    });
    expect(registrations[4]).toEqual({
      extension: unregistered.number,
      status: { value: SipCode.ExtensionNotRegistered, raw: '1014' },
      clientIp: null,
      serverIp: null,
    });

    // The shared client logs in on its first call, whichever test makes it: this one, when the order puts it first.
    const { [SipService.Login]: logins = 0, ...listCalls } = sim.stats.snapshot();
    expect(listCalls).toEqual({
      [SipService.GetSipCallStatus]: 1,
      [SipService.GetSipValidStatus]: 1,
      [SipService.GetSipRegisterStatus]: 1,
    });
    expect(logins).toBeLessThanOrEqual(1);
  });

  it('answers an empty list without calling, and refuses an item with a comma', async () => {
    sim.stats.reset();
    expect(await client.getCallStatuses([])).toEqual([]);
    expect(await client.getValidities([])).toEqual([]);
    expect(await client.getRegistrations([])).toEqual([]);
    const error = await rejectionOf(() => client.getValidities(['90240001,90240002']));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(sim.stats.total()).toBe(0);
  });
});

describe('queues and seats', () => {
  it('lists the demo queues with decoded strategy and autocall state', async () => {
    const queues = await client.getQueues();
    expect(queues.map((q) => q.name)).toEqual(['sales', 'support', 'collections', 'vip']);
    const [sales, support] = queues;
    expect(sales).toEqual({
      name: 'sales',
      remark: '销售一组',
      strategy: { value: QueueStrategy.RoundRobin, raw: '4' },
      announcement: null,
      announceFrequencySeconds: 30,
      ringDelaySeconds: 30,
      maxWaitSeconds: 0,
      noAgentTimeoutSeconds: 0,
      noAgentRejoinSeconds: 5,
      discardSeconds: 90,
      autoCall: { value: AutoCallState.Idle, raw: 'idle' },
    });
    expect(support).toMatchObject({ announcement: 'announce.wav', autoCall: { value: AutoCallState.Unavailable } });
    expect((await client.getQueues('vip')).map((q) => q.strategy.value)).toEqual([QueueStrategy.Priority]);
    expect(await client.getQueues('no-such-queue')).toEqual([]);
  });

  it('creates, updates and deletes a queue', async () => {
    await client.createQueue({ name: 'it-queue', autoCall: false, remark: '集成测试', strategy: QueueStrategy.Random });
    perTest.add(() => sim.sip.queues.has('it-queue') && sim.sip.deleteQueue('it-queue'));
    expect(await client.getQueues('it-queue')).toEqual([
      expect.objectContaining({
        name: 'it-queue',
        remark: '集成测试',
        strategy: { value: QueueStrategy.Random, raw: '6' },
        autoCall: { value: AutoCallState.Unavailable, raw: 'unavailable' },
        announceFrequencySeconds: 30,
        discardSeconds: 90,
      }),
    ]);

    await client.updateQueue({
      name: 'it-queue',
      remark: 'edited',
      strategy: QueueStrategy.Priority,
      announceFrequencySeconds: 45,
      ringDelaySeconds: 20,
      maxWaitSeconds: 120,
      noAgentTimeoutSeconds: 15,
      noAgentRejoinSeconds: 7,
      discardSeconds: 60,
    });
    expect(await client.getQueues('it-queue')).toEqual([
      expect.objectContaining({
        remark: 'edited',
        strategy: { value: QueueStrategy.Priority, raw: '8' },
        announceFrequencySeconds: 45,
        ringDelaySeconds: 20,
        maxWaitSeconds: 120,
        noAgentTimeoutSeconds: 15,
        noAgentRejoinSeconds: 7,
        discardSeconds: 60,
      }),
    ]);

    const duplicate = await rejectionOf(() => client.createQueue({ name: 'it-queue', autoCall: true, remark: 'x' }));
    expectBusiness(duplicate, SipCode.AbnormalOperation, SipService.AddQueue);

    await client.deleteQueue('it-queue');
    expect(await client.getQueues('it-queue')).toEqual([]);
    expectBusiness(await rejectionOf(() => client.deleteQueue('it-queue')), SipCode.IllegalQueue, SipService.DelQueue);
  });

  it('checks an agent in, shows busy and idle, reads the seat, and checks out', async () => {
    const queue = 'it-seats';
    await client.createQueue({ name: queue, autoCall: true, remark: '座席测试' });
    perTest.add(() => sim.sip.queues.has(queue) && sim.sip.deleteQueue(queue));
    const ext = idleExtension().number;
    const seat = { queue, extension: ext, employeeId: 77 };

    await client.checkIn(seat);
    expect(await client.getSeats({ queue })).toEqual([
      {
        queue,
        seatName: `77_${ext}_${queue}`,
        extension: ext,
        employeeId: 77,
        status: { value: SipCode.SeatWaiting, raw: '1213' },
        state: { value: SipCode.SeatWaiting, raw: '1213' },
        lastAnsweredAt: null,
        lastAssignedAt: null,
        changedAt: shanghai('2024-03-15 14:00:00'),
        missedCount: 0,
        answeredCount: 0,
        externalCallCount: 0,
        wrapUpSeconds: 0,
        maxNoAnswer: 0,
      },
    ]);
    expectBusiness(await rejectionOf(() => client.checkIn(seat)), SipCode.SeatCheckedIn, SipService.SipSignIn);

    clock = START + 90_000;
    await client.setSeatAvailability({ ...seat, setting: SeatSetting.ShowBusy });
    const paused = await client.getSeats({ queue, state: SeatStateFilter.Idle });
    expect(paused).toEqual([
      expect.objectContaining({
        extension: ext,
        state: { value: SipCode.SeatPaused, raw: '1217' },
        changedAt: shanghai('2024-03-15 14:01:30'),
      }),
    ]);
    expect(await client.getSeats({ queue, state: SeatStateFilter.Waiting })).toEqual([]);

    await client.setSeatAvailability({ ...seat, setting: SeatSetting.ShowIdle });
    expect((await client.getSeats({ queue, extensions: [ext] })).map((s) => s.state.value)).toEqual([SipCode.SeatWaiting]);

    await client.checkOut(seat);
    expect(await client.getSeats({ queue })).toEqual([]);
    expectBusiness(await rejectionOf(() => client.checkOut(seat)), SipCode.AbnormalOperation, SipService.SipSignOut);
    const bad = await rejectionOf(() => client.checkIn({ ...seat, employeeId: -1 }));
    expect(bad).toBeInstanceOf(InvalidInputError);
  });

  it('reads the demo seats with their times converted from Shanghai', async () => {
    const seats = await client.getSeats({ queue: 'sales' });
    const queue = must(sim.sip.queues.get('sales'), 'sales');
    expect(seats.map((s) => s.extension)).toEqual([...queue.seats.keys()]);
    for (const seat of seats) {
      const state = must(queue.seats.get(seat.extension), seat.extension);
      expect(seat.lastAnsweredAt).toEqual(state.lastAnswerTime === null ? null : toSecond(state.lastAnswerTime));
      expect(seat.lastAssignedAt).toEqual(state.lastAssignTime === null ? null : toSecond(state.lastAssignTime));
      expect(seat.changedAt).toEqual(toSecond(state.changeTime));
      expect(seat.answeredCount).toBe(state.callsAnswered);
      expect(seat.missedCount).toBe(state.noAnswerCount);
      expect(seat.seatName).toBe(`${state.crmid}_${seat.extension}_sales`);
    }
    expect(seats.some((s) => s.lastAnsweredAt instanceof Date)).toBe(true);
  });
});

describe('extension groups', () => {
  it('creates groups, adds, edits and removes members, and reads GetGroupExt (a bare-array data)', async () => {
    await client.createExtGroup('it-group');
    await client.createExtGroup('it-group-off', false);
    const id = must(sim.sip.extGroups.get('it-group'), 'it-group').id;
    // 1042/1043 are not in the manual's code table: they pass through as UNKNOWN with the raw code; 1042 reads enabled.
    expect(await client.getExtGroups({ name: 'it-group' })).toEqual([
      { id, name: 'it-group', enabled: true, status: { value: UNKNOWN, raw: '1042' } },
    ]);
    expect((await client.getExtGroups({ name: 'it-group-off' }))[0]?.enabled).toBe(false);
    const disabled = (await client.getExtGroups({ status: ExtGroupStatusFilter.Disabled })).map((g) => g.name);
    expect(disabled).toEqual(expect.arrayContaining(['group-backup', 'it-group-off']));
    expect(disabled).not.toContain('it-group');
    expect((await client.getExtGroups()).length).toBe(sim.sip.extGroups.size);
    expectBusiness(await rejectionOf(() => client.createExtGroup('it-group')), SipCode.AbnormalOperation, SipService.AddExtgroup);

    const talking = talkingExtension().number;
    const idle = idleExtension().number;
    await client.addExtGroupMember('it-group', talking);
    await client.addExtGroupMember('it-group', idle);
    expect(await client.getExtGroupMembers('it-group')).toEqual([
      {
        group: 'it-group',
        extension: talking,
        callStatus: { value: ExtensionCallEvent.Answer, raw: 'answer' },
        state: { value: ExtGroupMemberState.Idle, raw: 'idle' },
      },
      {
        group: 'it-group',
        extension: idle,
        callStatus: { value: ExtensionCallEvent.Hangup, raw: 'hangup' },
        state: { value: ExtGroupMemberState.Idle, raw: 'idle' },
      },
    ]);
    expect(await onWire(SipService.GetGroupExt, { name: 'it-group' })).toEqual({ ret: 200, data: expect.any(Array), msg: '' });

    await client.setExtGroupMemberState('it-group', idle, ExtGroupMemberState.Busy);
    expect(await client.getExtGroupMembers('it-group', idle)).toEqual([
      expect.objectContaining({ extension: idle, state: { value: ExtGroupMemberState.Busy, raw: 'busy' } }),
    ]);

    await client.removeExtGroupMember('it-group', talking);
    expect((await client.getExtGroupMembers('it-group')).map((m) => m.extension)).toEqual([idle]);
    expect(await client.getExtGroupMembers('no-such-group')).toEqual([]);
    expectBusiness(
      await rejectionOf(() => client.removeExtGroupMember('it-group', talking)),
      SipCode.AbnormalOperation,
      SipService.DelExtnumber,
    );
  });
});

describe('predictive tasks', () => {
  it('creates a task, adds and removes numbers, and moves it through start, pause and end', async () => {
    const caller = enabledCallerNumber();
    const created = await client.createTask({
      assignType: AssignType.Queue,
      assignee: 'sales',
      numbers: [
        { phone: '13800000001', userId: 'u1', memberId: 'm1', maturity: '3', customerId: 'c1' },
        { phone: '13800000002', dialAfter: shanghai('2024-03-15 18:30:00') },
        { phone: 'not-a-phone' },
      ],
      pacing: { agents: 1, calls: 3 },
      callerNumbers: [caller],
      name: '集成测试任务',
    });
    expect(created.taskId).toMatch(/^20240315140000\d{6}$/);
    expect(created.refused).toEqual([{ phone: 'not-a-phone', raw: expect.objectContaining({ phone: 'not-a-phone' }) }]);

    const task = must(sim.sip.tasks.get(created.taskId), 'the new task');
    expect(task).toMatchObject({
      name: '集成测试任务',
      assignType: AssignType.Queue,
      assignAgent: 'sales',
      scale: { agents: 1, calls: 3 },
      callerNumbers: [caller],
      status: TaskStatus.NotStarted,
    });
    expect(task.numbers.map(({ phone, time, userid, memberid, chengshudu, customuuid }) => ({ phone, time, userid, memberid, chengshudu, customuuid }))).toEqual([
      { phone: '13800000001', time: START / 1000, userid: 'u1', memberid: 'm1', chengshudu: '3', customuuid: 'c1' },
      { phone: '13800000002', time: Date.parse('2024-03-15T10:30:00Z') / 1000, userid: '', memberid: '', chengshudu: '', customuuid: '' },
    ]);

    expect(await client.addTaskNumbers(created.taskId, [{ phone: '13800000003' }, { phone: '13800000004' }])).toEqual({
      accepted: 2,
      refused: [],
    });
    await client.removeTaskNumbers(created.taskId, ['13800000001', '13800000004']);
    expect(task.numbers.map((n) => n.phone)).toEqual(['13800000002', '13800000003']);

    await client.setTaskStatus(created.taskId, TaskCommand.Start);
    expect(task.status).toBe(TaskStatus.Running);
    expect((await client.getQueues('sales')).map((q) => q.autoCall.value)).toEqual([AutoCallState.Busy]);
    await client.setTaskStatus(created.taskId, TaskCommand.Pause);
    expect(task.status).toBe(TaskStatus.Paused);
    await client.setTaskStatus(created.taskId, TaskCommand.End);
    expect(task.status).toBe(TaskStatus.Over);
  });

  it('assigns to an extension and to an extension group too', async () => {
    const ext = idleExtension().number;
    const toExt = await client.createTask({
      assignType: AssignType.Extension,
      assignee: ext,
      numbers: [{ phone: '13800000011' }],
      pacing: { agents: 1, calls: 1 },
    });
    const toGroup = await client.createTask({
      assignType: AssignType.ExtGroup,
      assignee: 'group-day',
      numbers: [{ phone: '13800000012' }],
      pacing: { agents: 2, calls: 5 },
    });
    expect(sim.sip.tasks.get(toExt.taskId)).toMatchObject({ assignType: AssignType.Extension, assignAgent: ext, callerNumbers: [] });
    expect(sim.sip.tasks.get(toGroup.taskId)).toMatchObject({ assignType: AssignType.ExtGroup, scale: { agents: 2, calls: 5 } });
  });

  it('refuses what it can tell is wrong without calling the platform', async () => {
    sim.stats.reset();
    const base = { assignType: AssignType.Queue, assignee: 'sales', numbers: [{ phone: '13800000001' }], pacing: { agents: 1, calls: 1 } };
    const cases: Array<[string, () => unknown]> = [
      ['numbers', () => client.createTask({ ...base, numbers: [] })],
      [
        'numbers',
        () => client.createTask({ ...base, numbers: Array.from({ length: MAX_NUMBERS_PER_CALL + 1 }, () => ({ phone: '13800000001' })) }),
      ],
      ['pacing', () => client.createTask({ ...base, pacing: { agents: 0, calls: 1 } })],
      ['assignType', () => client.createTask({ ...base, assignType: 9 as AssignType })],
      ['callerNumbers', () => client.createTask({ ...base, callerNumbers: ['1,2'] })],
      ['phones', () => client.removeTaskNumbers('20240315140000000000', ['13800000001,13800000002'])],
    ];
    for (const [field, run] of cases) {
      const error = await rejectionOf(run);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe(field);
    }
    expect(sim.stats.total()).toBe(0);
  });
});

describe('errors', () => {
  it('ret 601…604: a SipRequestError with the ret, the upstream message and the service, not retried', async () => {
    await client.getQueues();
    const rets = [SipRet.AppIdNotAuthorized, SipRet.AppIdExpired, SipRet.ModuleNotLicensed, SipRet.IpNotAuthorized];
    for (const ret of rets) {
      sim.stats.reset();
      sim.control.failNext(1, { ret });
      const error = await rejectionOf(() => client.getQueues());
      expect(error).toBeInstanceOf(SipRequestError);
      const e = error as SipRequestError;
      expect(e.ret).toEqual({ value: ret, raw: String(ret) });
      expect(e.upstreamCode).toBe(String(ret));
      expect(e.upstreamMessage).toBe(RET_MESSAGES[ret]);
      expect(e.operation).toBe(SipService.GetQueueList);
      expect(e.upstream).toBe('sip');
      expect(e.code).toBe(ErrorCode.UpstreamRejected);
      expect(e.extensions()).toEqual({
        upstream: 'sip',
        operation: SipService.GetQueueList,
        upstreamCode: String(ret),
        upstreamMessage: RET_MESSAGES[ret],
        ret,
      });
      expect(sim.stats.snapshot()).toEqual({ [SipService.GetQueueList]: 1 });
    }

    sim.control.failNext(1, { ret: SipRet.IpNotAuthorized, msg: 'IP 10.0.0.9 is not authorized' }, SipService.TaskSet);
    const custom = await rejectionOf(() => client.setTaskStatus('20240315140000000000', TaskCommand.Start));
    // Platform text reaches clients only redacted (src/redact.ts); the raw text stays in `detail`, for logs.
    expect(custom).toMatchObject({ upstreamMessage: 'IP [host] is not authorized', operation: SipService.TaskSet });
    expect(custom).toMatchObject({ detail: 'IP 10.0.0.9 is not authorized' });
    expect((custom as Error).message).not.toContain('10.0.0.9');
  });

  it('ret 500 is reported as upstream unavailable (errors.ts: a SipRequestError whose code is UPSTREAM_UNAVAILABLE)', async () => {
    await client.getQueues();
    sim.control.failNext(1, { ret: SipRet.ServerError });
    const error = await rejectionOf(() => client.getExtGroups());
    expect(error).toBeInstanceOf(SipRequestError);
    const e = error as SipRequestError;
    expect(e.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(e.ret).toEqual({ value: SipRet.ServerError, raw: '500' });
    expect(e.upstreamMessage).toBe(RET_MESSAGES[SipRet.ServerError]);
    expect(e.operation).toBe(SipService.GetExtgroupInfo);
  });

  it('status 1 failures are SipBusinessErrors with their codes: 1024 unknown task', async () => {
    const e = expectBusiness(
      await rejectionOf(() => client.setTaskStatus('20240315140000999999', TaskCommand.Start)),
      SipCode.TaskNotFound,
      SipService.TaskSet,
    );
    expect(e.upstreamMessage).toBe('task does not exist');
    expect(e.description).toBe('set fail');
    expect(e.extensions()).toEqual({
      upstream: 'sip',
      operation: SipService.TaskSet,
      upstreamCode: '1024',
      upstreamMessage: 'task does not exist',
    });
    expectBusiness(
      await rejectionOf(() => client.addTaskNumbers('20240315140000999999', [{ phone: '13800000001' }])),
      SipCode.TaskNotFound,
      SipService.TaskAdd,
    );
  });

  it('… 1211 unknown queue', async () => {
    expectBusiness(
      await rejectionOf(() =>
        client.createTask({
          assignType: AssignType.Queue,
          assignee: 'no-such-queue',
          numbers: [{ phone: '13800000001' }],
          pacing: { agents: 1, calls: 1 },
        }),
      ),
      SipCode.IllegalQueue,
      SipService.TaskCreate,
    );
    const e = expectBusiness(
      await rejectionOf(() => client.checkIn({ queue: 'no-such-queue', extension: idleExtension().number, employeeId: 1 })),
      SipCode.IllegalQueue,
      SipService.SipSignIn,
    );
    expect(e.upstreamMessage).toBe('illegal queue');
  });

  it('… 1028 adding numbers to a task that is over', async () => {
    const { taskId } = await client.createTask({
      assignType: AssignType.Queue,
      assignee: 'vip',
      numbers: [{ phone: '13800000021' }],
      pacing: { agents: 1, calls: 1 },
    });
    await client.setTaskStatus(taskId, TaskCommand.End);
    const e = expectBusiness(
      await rejectionOf(() => client.addTaskNumbers(taskId, [{ phone: '13800000022' }])),
      SipCode.TaskOver,
      SipService.TaskAdd,
    );
    expect(e.upstreamMessage).toBe('over');
    expect(e.description).toBe('Additional fail');
    expectBusiness(await rejectionOf(() => client.removeTaskNumbers(taskId, ['13800000021'])), SipCode.TaskOver, SipService.TaskDelPhone);
    expectBusiness(await rejectionOf(() => client.setTaskStatus(taskId, TaskCommand.Start)), SipCode.TaskOver, SipService.TaskSet);
  });

  it('a hanging platform: UpstreamUnavailableError TIMEOUT after the short request timeout', async () => {
    const shortHttp = createUpstreamHttp({ connectTimeoutMs: 1_000, requestTimeoutMs: 300, maxConnections: 2 });
    perTest.add(() => shortHttp.close());
    const impatient = newClient({ http: shortHttp });
    await impatient.getQueues(); // logged in first, so the call that hangs is the one under test
    sim.control.hang(true);
    perTest.add(() => sim.control.hang(false));

    const started = performance.now();
    const error = await rejectionOf(() => impatient.getExtGroups());
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    const e = error as UpstreamUnavailableError;
    expect(e.reason).toBe(UnavailableReason.Timeout);
    expect(e.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(e.operation).toBe(SipService.GetExtgroupInfo);
    expect(e.extensions()).toMatchObject({ upstream: 'sip', reason: 'TIMEOUT' });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3_000);

    sim.control.hang(false);
    expect(await impatient.getExtGroups()).toHaveLength(sim.sip.extGroups.size);
  });

  it('an unreadable answer is an UpstreamInvalidResponseError whose message never shows a SIP password', async () => {
    await client.getQueues();
    const [first, second] = extensions();
    const secret = must(first, 'extension').password;
    const other = must(second, 'extension').password;

    // A readable envelope with an unreadable `data` (status null): the message quotes the start of the body.
    sim.control.failNext(
      1,
      {
        httpStatus: 200,
        body: { ret: 200, data: { status: null, result: [{ extnumber: first?.number, password: secret }] }, msg: '' },
      },
      SipService.GetSipNumberInfo,
    );
    const unreadable = await rejectionOf(() => client.getExtensions());
    expect(unreadable).toBeInstanceOf(UpstreamInvalidResponseError);
    // The message is the gateway's own; the excerpt of the body is kept in `detail` for logs, password masked.
    expect((unreadable as UpstreamInvalidResponseError).detail).toContain('"password":"***"');
    expect((unreadable as UpstreamInvalidResponseError).detail).not.toContain(secret);
    expect((unreadable as Error).message).not.toContain(secret);

    // A body cut short in the middle of a password is not JSON: the message must not quote the part that came.
    const cut = `{"ret":200,"data":{"status":0,"result":[{"extnumber":"${second?.number}","password":"${other.slice(0, 6)}`;
    sim.control.failNext(1, { httpStatus: 200, body: cut }, SipService.GetSipNumberInfo);
    const truncated = await rejectionOf(() => client.getExtensions());
    expect(truncated).toBeInstanceOf(UpstreamInvalidResponseError);
    expect((truncated as Error).message).not.toContain(other.slice(0, 6));
    expect((truncated as UpstreamInvalidResponseError).detail).not.toContain(other.slice(0, 6));
  });
});

describe('form encodings', () => {
  it('sends multipart/form-data by default', async () => {
    const sent: Array<{ contentType: string; body: string }> = [];
    const multipart = newClient({ http: spying(http, sent) });
    expect(await multipart.getExtGroups()).toHaveLength(sim.sip.extGroups.size);
    expect(sent.map((s) => s.contentType)).toEqual([
      expect.stringMatching(/^multipart\/form-data; boundary=/),
      expect.stringMatching(/^multipart\/form-data; boundary=/),
    ]);
  });

  it('works end to end url-encoded, JSON, Chinese and reserved characters included', async () => {
    const sent: Array<{ contentType: string; body: string }> = [];
    const encoded = newClient({ http: spying(http, sent), formEncoding: 'urlencoded' });
    const ext = idleExtension();

    const infos = await encoded.getExtensions({ extensions: [ext.number] });
    expect(infos).toEqual([expect.objectContaining({ extension: ext.number, enabled: true })]);
    const created = await encoded.createTask({
      assignType: AssignType.Extension,
      assignee: ext.number,
      numbers: [{ phone: '13900000001', customerId: '客户 #1 & "VIP" = 100%+' }],
      pacing: { agents: 1, calls: 2 },
      name: '编码 测试 &=+%',
    });
    const task = must(sim.sip.tasks.get(created.taskId), 'the url-encoded task');
    expect(task.name).toBe('编码 测试 &=+%');
    expect(task.numbers.map((n) => [n.phone, n.customuuid])).toEqual([['13900000001', '客户 #1 & "VIP" = 100%+']]);
    await encoded.setTaskStatus(created.taskId, TaskCommand.End);
    expect(task.status).toBe(TaskStatus.Over);

    expect(sent.length).toBe(4); // login, GetSipnumberInfo, TaskCreat, TaskSet
    expect(sent.every((s) => s.contentType === 'application/x-www-form-urlencoded')).toBe(true);
    expect(new URLSearchParams(must(sent[2], 'TaskCreat').body).get('service')).toBe(SipService.TaskCreate);
  });
});

describe('the SIP password', () => {
  it('is in no result of a function that touches extensions', async () => {
    const passwords = extensions().map((e) => e.password);
    expect(passwords.every((p) => p.length >= 8)).toBe(true);
    const numbers = extensions().map((e) => e.number);
    const outputs: unknown[] = [
      await client.getExtensions(),
      await client.getExtensions({ status: ExtensionStatusFilter.Enabled, extensions: numbers.slice(0, 10) }),
      await client.getCallStatuses(numbers),
      await client.getValidities(numbers),
      await client.getRegistrations(numbers),
      await client.getSeats(),
      await client.getExtGroups(),
    ];
    for (const group of sim.sip.extGroups.keys()) outputs.push(await client.getExtGroupMembers(group));
    const text = JSON.stringify(outputs);
    expect(text).not.toMatch(/password/i);
    for (const password of passwords) expect(text).not.toContain(password);
  });
});
