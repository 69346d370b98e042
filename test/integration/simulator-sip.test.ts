import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, createSimulator } from '../../src/simulator/server.ts';
import { ExtensionCallState, ObservedCode, TaskNumberState, TaskStatus } from '../../src/simulator/sip/model.ts';
import {
  AssignType,
  CallDirection,
  CallMethod,
  ExtGroupStatus,
  MAX_NUMBERS_PER_CALL,
  SipCode,
  SipRet,
  SipService,
  TaskCommand,
} from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { type SipCaller, createSipCaller, get, postForm, postJson } from '../utils/sip-form.ts';

/** 2024-03-15 14:00:00 in Shanghai: a Friday afternoon. */
const START = Date.parse('2024-03-15T06:00:00Z');
const HOUR = 3_600_000;
const WEEK_START = '2024-03-08 00:00:00';
const WEEK_END = '2024-03-15 23:59:59';
/** How many of the simulator's bills start within WEEK_START…WEEK_END and pass `also`: what GetBill must count. */
const billsInWeek = (also: (bill: Simulator['sip']['bills'][number]) => boolean = () => true) => {
  const [from, to] = [Date.parse('2024-03-08T00:00:00+08:00'), Date.parse('2024-03-15T23:59:59+08:00')];
  return sim.sip.bills.filter((bill) => bill.starttime >= from && bill.starttime <= to && also(bill)).length;
};

const disposer = createDisposer();
let clock = START;
let sim: Simulator;
let url: string;
let sip: SipCaller;

beforeAll(async () => {
  sim = createSimulator({ seed: 7, now: () => clock });
  url = await sim.start();
  disposer.add(() => sim.stop());
  sip = createSipCaller(url, sim.credentials);
  await sip.login();
});

afterAll(() => disposer.dispose());

afterEach(() => {
  sim.control.reset();
});

const expectSuccess = (json: any) => {
  expect(json.ret).toBe(SipRet.Ok);
  expect(json.msg).toBe('');
  expect(json.data.status).toBe(0);
  expect(typeof json.data.desc).toBe('string');
  expect(Number.isInteger(json.data.reqtime)).toBe(true);
  expect(Number.isInteger(json.data.rsptime)).toBe(true);
  return json.data.result;
};

const expectBusiness = (json: any, code: SipCode) => {
  expect(json.ret).toBe(SipRet.Ok);
  expect(json.data.status).toBe(1);
  expect(json.data.errors.code).toBe(String(code));
  expect(typeof json.data.errors.codemsg).toBe('string');
  expect(json.data).not.toHaveProperty('result');
};

const expectRequestFailure = (json: any, ret: SipRet) => {
  expect(json).toMatchObject({ ret, data: [] });
  expect(typeof json.msg).toBe('string');
};

const phones = (count: number, from = 13_800_000_000) =>
  Array.from({ length: count }, (_, i) => ({ phone: String(from + i), time: Math.floor(clock / 1000) }));

describe('auth', () => {
  it('logs in with the manual envelope and a 32-hex token', async () => {
    const reply = await postForm(url, { service: 'App.Sip_Auth.Login', appid: 'sim-appid', accesskey: 'sim-accesskey' });
    expect(reply.status).toBe(200);
    const result = expectSuccess(reply.json);
    expect(result).toMatchObject({ companycode: '9024', authmodel: '' });
    expect(result.token).toMatch(/^[0-9a-f]{32}$/);
    expect(result.authtime).toBe('2024-03-15 14:00:00');
    expect(reply.json.data.reqtime).toBe(Math.floor(START / 1000));
  });

  it('answers 601 for an unknown appid and 1003 "Authorization failed" for a wrong accesskey', async () => {
    const unknown = await postForm(url, { service: 'App.Sip_Auth.Login', appid: 'nobody', accesskey: 'x' });
    expectRequestFailure(unknown.json, SipRet.AppIdNotAuthorized);
    const wrong = await postForm(url, { service: 'App.Sip_Auth.Login', appid: 'sim-appid', accesskey: 'x' });
    expectBusiness(wrong.json, SipCode.OperationFailed);
    expect(wrong.json.data.errors.codemsg).toBe('Authorization failed');
    const missing = await postForm(url, { service: 'App.Sip_Auth.Login', appid: 'sim-appid' });
    expectRequestFailure(missing.json, SipRet.IllegalRequest);
  });

  it('answers 600 without a token, with an unknown one, after expireAllTokens and after 12 h', async () => {
    const info = { service: SipService.GetSipNumberInfo };
    expectRequestFailure((await postForm(url, info)).json, SipRet.TokenInvalid);
    expectRequestFailure((await postForm(url, { ...info, token: 'f'.repeat(32) })).json, SipRet.TokenInvalid);

    sim.control.expireAllTokens();
    expectRequestFailure((await sip.call(SipService.GetSipNumberInfo)).json, SipRet.TokenInvalid);
    await sip.login();
    expectSuccess((await sip.call(SipService.GetSipNumberInfo)).json);

    clock += 12 * HOUR;
    try {
      expectRequestFailure((await sip.call(SipService.GetSipNumberInfo)).json, SipRet.TokenInvalid);
    } finally {
      clock = START;
    }
    expectSuccess((await sip.call(SipService.GetSipNumberInfo)).json);
  });

  it('logs out (service name trimmed, any case) and the token stops working', async () => {
    const other = createSipCaller(url, sim.credentials);
    await other.login();
    const out = await other.call(' App.Sip_Auth.Logout');
    expectSuccess(out.json);
    expect(out.json.data).not.toHaveProperty('result');
    expectRequestFailure((await other.call('app.sip_sipnum.getsipnumberinfo')).json, SipRet.TokenInvalid);
  });

  it('answers ret 400 for an unknown or missing service', async () => {
    expectRequestFailure((await sip.call('App.Sip_Nope.Nothing')).json, SipRet.IllegalRequest);
    expectRequestFailure((await postForm(url, { token: sip.token })).json, SipRet.IllegalRequest);
  });

  it('accepts url-encoded bodies and any path as well as multipart', async () => {
    const multipart = await sip.call(SipService.GetSipNumberInfo, { status: 3 });
    const urlencoded = await sip.call(SipService.GetSipNumberInfo, { status: 3 }, { encoding: 'urlencoded' });
    expect(urlencoded.json.data.result).toEqual(multipart.json.data.result);
    const prefixed = await postForm(`${url}/api/sip`, { service: SipService.GetSipNumberInfo, token: sip.token });
    expectSuccess(prefixed.json);
  });
});

describe('extensions', () => {
  it('lists extensions by status with the documented fields', async () => {
    const all = expectSuccess((await sip.call(SipService.GetSipNumberInfo, { status: 3 })).json);
    expect(all).toHaveLength(40);
    expect(all[0]).toEqual({
      extnumber: '90240001',
      password: expect.any(String),
      status: expect.any(Number),
      register: expect.stringMatching(/^(reg|nreg)$/),
    });
    const enabled = expectSuccess((await sip.call(SipService.GetSipNumberInfo)).json);
    const disabled = expectSuccess((await sip.call(SipService.GetSipNumberInfo, { status: 2 })).json);
    expect(enabled.length + disabled.length).toBe(40);
    expect(disabled.every((e: any) => e.status === SipCode.ExtensionDisabled && e.register === 'nreg')).toBe(true);
    expect(enabled.every((e: any) => e.status === SipCode.ExtensionEnabled)).toBe(true);
    const two = expectSuccess((await sip.call(SipService.GetSipNumberInfo, { status: 3, extnumber: '90240002,90240001' })).json);
    expect(two.map((e: any) => e.extnumber)).toEqual(['90240002', '90240001']);
  });

  it('answers the status calls per requested extension, in request order', async () => {
    const exts = [...sim.sip.extensions.values()];
    const idle = exts.find((e) => e.enabled && e.registration && e.callState === ExtensionCallState.Idle)!;
    const talking = exts.find((e) => e.callState === ExtensionCallState.OffHook)!;
    const disabled = exts.find((e) => !e.enabled)!;
    const unregistered = exts.find((e) => e.enabled && !e.registration)!;
    const numbers = [talking.number, idle.number, '99990000', disabled.number, unregistered.number];

    const calls = expectSuccess((await sip.call(SipService.GetSipCallStatus, { extnumber: numbers.join(',') })).json);
    expect(calls.map((c: any) => [c.extnumber, c.status])).toEqual([
      [talking.number, SipCode.ExtensionOffHook],
      [idle.number, SipCode.ExtensionIdle],
      ['99990000', SipCode.IllegalExtension],
      [disabled.number, SipCode.ExtensionDisabled],
      [unregistered.number, SipCode.ExtensionNotRegistered],
    ]);
    expect(calls[0]).toMatchObject({ caller: talking.number, direction: 'callout', idleduration: null });
    expect(calls[0].callduration).toBeGreaterThanOrEqual(0);
    expect(calls[1]).toMatchObject({ caller: null, callee: null, disnumber: null, direction: null, channel: null, callduration: null });
    expect(Number.isInteger(calls[1].idleduration)).toBe(true);
    expect(calls[4]).toMatchObject({ caller: null, idleduration: null, callduration: null });

    const valid = expectSuccess((await sip.call(SipService.GetSipValidStatus, { extnumber: numbers.join(',') })).json);
    expect(valid.map((v: any) => v.code)).toEqual([
      SipCode.ExtensionEnabled,
      SipCode.ExtensionEnabled,
      SipCode.IllegalExtension,
      SipCode.ExtensionDisabled,
      SipCode.ExtensionEnabled,
    ]);
    const reg = expectSuccess((await sip.call(SipService.GetSipRegisterStatus, { extnumber: numbers.join(',') })).json);
    expect(reg[1]).toEqual({ extnumber: idle.number, code: SipCode.ExtensionRegistered, clientip: expect.any(String), serverip: expect.any(String) });
    expect(reg[4]).toEqual({ extnumber: unregistered.number, code: SipCode.ExtensionNotRegistered, clientip: null, serverip: null });

    expectRequestFailure((await sip.call(SipService.GetSipCallStatus)).json, SipRet.IllegalRequest);
  });
});

describe('call records', () => {
  it('pages with syncflag 3 returning each record exactly once, in id order, with the documented types', async () => {
    const query = { starttime: WEEK_START, endtime: WEEK_END, syncflag: 3, callmethod: 0, itemsperpage: 1000 };
    const first = expectSuccess((await sip.call(SipService.GetBill, { ...query, currentpage: 1 })).json);
    expect(first.totalitems).toBe(billsInWeek());
    expect(first.totalitems).toBeGreaterThan(2_500);
    const ids: number[] = [];
    for (let page = 1; page <= Math.ceil(first.totalitems / 1000); page++) {
      const result = expectSuccess((await sip.call(SipService.GetBill, { ...query, currentpage: page })).json);
      expect(result).toMatchObject({ currentpage: page, itemsperpage: 1000, totalitems: first.totalitems });
      ids.push(...result.bills.map((b: any) => b.id));
    }
    expect(new Set(ids).size).toBe(first.totalitems);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);

    const bills = first.bills as any[];
    const answered = bills.find((b) => b.answertime !== null);
    const unanswered = bills.find((b) => b.answertime === null);
    for (const field of ['id', 'duration', 'billsec', 'callmethod', 'hangupdirection', 'hangupcause']) {
      expect(Number.isInteger(answered[field])).toBe(true);
    }
    expect(answered.starttime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(answered.billsec).toBeGreaterThan(0);
    expect(answered.recordfilename).not.toBe('');
    expect(unanswered).toMatchObject({ billsec: 0, recordfilename: '' });
    expect(Object.keys(answered)).toEqual([
      'id', 'extnumber', 'destnumber', 'displaynumber', 'starttime', 'answertime', 'endtime', 'duration', 'billsec',
      'direction', 'callmethod', 'userid', 'memberid', 'chengshudu', 'customuuid', 'recordfilename', 'downloadip',
      'hangupdirection', 'hangupcause', 'userkey',
    ]);
    const share = bills.filter((b) => b.answertime !== null).length / bills.length;
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.75);
  });

  it('syncflag 1 returns only unfetched records and marks them; 2 then sees them; 3 sees all', async () => {
    const base = { starttime: WEEK_START, endtime: WEEK_END, callmethod: 0, itemsperpage: 1000, currentpage: 1 };
    const all = expectSuccess((await sip.call(SipService.GetBill, { ...base, syncflag: 3 })).json).totalitems;
    const fetchedBefore = expectSuccess((await sip.call(SipService.GetBill, { ...base, syncflag: 2 })).json).totalitems;
    expect(all).toBe(billsInWeek());
    expect(fetchedBefore).toBe(billsInWeek((bill) => bill.fetched));
    expect(fetchedBefore).toBeGreaterThan(0);
    expect(fetchedBefore).toBeLessThan(all);

    // Drain: page 1 again and again, since each read removes what it returned from the unfetched set.
    const drained = new Set<number>();
    for (;;) {
      const result = expectSuccess((await sip.call(SipService.GetBill, { ...base, syncflag: 1 })).json);
      if (result.bills.length === 0) break;
      for (const bill of result.bills) {
        expect(drained.has(bill.id)).toBe(false);
        drained.add(bill.id);
      }
    }
    expect(drained.size).toBe(all - fetchedBefore);
    const fetchedAfter = expectSuccess((await sip.call(SipService.GetBill, { ...base, syncflag: 2 })).json).totalitems;
    expect(fetchedAfter).toBe(all);
    // syncflag absent = 1: nothing is left.
    expect(expectSuccess((await sip.call(SipService.GetBill, { ...base })).json).totalitems).toBe(0);
  });

  it('filters by direction, callmethod (default 3), extension and custom fields', async () => {
    const base = { starttime: WEEK_START, endtime: WEEK_END, syncflag: 3, itemsperpage: 1000 };
    const api = expectSuccess((await sip.call(SipService.GetBill, base)).json);
    expect(api.bills.every((b: any) => b.callmethod === CallMethod.ApiCall)).toBe(true);
    const inbound = expectSuccess((await sip.call(SipService.GetBill, { ...base, callmethod: 0, direction: 1 })).json);
    expect(inbound.totalitems).toBe(billsInWeek((bill) => bill.direction === CallDirection.In));
    expect(inbound.totalitems).toBeGreaterThan(0);
    expect(inbound.bills.every((b: any) => b.direction === 'callin')).toBe(true);
    const predictive = expectSuccess((await sip.call(SipService.GetBill, { ...base, callmethod: CallMethod.Predictive })).json);
    const sample = predictive.bills.find((b: any) => b.extnumber !== '');
    const byExt = expectSuccess(
      (await sip.call(SipService.GetBill, { ...base, callmethod: 0, extnumber: `${sample.extnumber},99990000` })).json,
    );
    expect(byExt.bills.every((b: any) => b.extnumber === sample.extnumber)).toBe(true);
    const byCustomer = expectSuccess(
      (await sip.call(SipService.GetBill, { ...base, callmethod: 0, customuuid: sample.customuuid })).json,
    );
    expect(byCustomer.bills.map((b: any) => b.id)).toContain(sample.id);
  });

  it('refuses bad GetBill parameters with ret 400', async () => {
    const base = { starttime: WEEK_START, endtime: WEEK_END };
    for (const bad of [
      { ...base, itemsperpage: 1001 },
      { ...base, itemsperpage: 0 },
      { ...base, currentpage: 0 },
      { ...base, syncflag: 4 },
      { ...base, callmethod: 7 },
      { endtime: WEEK_END },
      { ...base, starttime: '2024-03-08' },
    ]) {
      expectRequestFailure((await sip.call(SipService.GetBill, bad)).json, SipRet.IllegalRequest);
    }
  });

  it('hands out a recording link that works until it expires on the simulator clock', async () => {
    const bill = sim.sip.bills.find((b) => b.recordfilename !== '')!;
    const result = expectSuccess((await sip.call(SipService.GetRecordFile, { filename: bill.recordfilename })).json);
    expect(result.expiredtime).toBe('Expiration time:2024-03-15 15:00:00');
    expect(result.downurl.startsWith(`${url}/recordings/`)).toBe(true);
    const download = await get(result.downurl);
    expect(download.status).toBe(200);
    expect(download.contentType).toBe('audio/wav');
    expect(download.body.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(download.body.subarray(8, 12).toString('ascii')).toBe('WAVE');

    expect((await get(`${result.downurl}0`)).status).toBe(403);
    clock += HOUR;
    try {
      expect((await get(result.downurl)).status).toBe(403);
    } finally {
      clock = START;
    }
  });

  it('refuses unknown and expired recordings with code 1003', async () => {
    expectBusiness((await sip.call(SipService.GetRecordFile, { filename: 'nothing.wav' })).json, SipCode.OperationFailed);
    const old = sim.sip.addBill({
      ...sim.sip.bills.find((b) => b.recordfilename !== '')!,
      uuid: 'old',
      recordfilename: 'old-recording.wav',
      starttime: START - 100 * 24 * HOUR,
      answertime: START - 100 * 24 * HOUR + 5_000,
      endtime: START - 100 * 24 * HOUR + 65_000,
    });
    expectBusiness((await sip.call(SipService.GetRecordFile, { filename: old.recordfilename })).json, SipCode.OperationFailed);
  });
});

describe('queues', () => {
  it('lists queues with the example types and autocall states', async () => {
    const queues = expectSuccess((await sip.call(SipService.GetQueueList)).json);
    expect(queues.map((q: any) => q.queuename)).toEqual(['sales', 'support', 'collections', 'vip']);
    for (const queue of queues) {
      for (const field of ['strategy', 'announcefreq', 'ringdelay', 'maxwaittime', 'withnoagenttime', 'noagentrejoiningtime', 'discardtime']) {
        expect(Number.isInteger(queue[field])).toBe(true);
      }
      expect(['busy', 'idle', 'unavailable']).toContain(queue.autocall);
    }
    expect(queues.find((q: any) => q.queuename === 'support').autocall).toBe('unavailable');
    const one = expectSuccess((await sip.call(SipService.GetQueueList, { queuename: 'vip' })).json);
    expect(one).toHaveLength(1);
  });

  it('adds, edits (with the documented defaults) and deletes a queue', async () => {
    const add = { queuename: 'q-test', autocall: 'yes', remark: '测试', strategy: 3 };
    const added = expectSuccess((await sip.call(SipService.AddQueue, add)).json);
    expect(added).toBeUndefined(); // operations without a result leave `result` out, as the manual's examples do
    expectBusiness((await sip.call(SipService.AddQueue, add)).json, SipCode.AbnormalOperation);
    expectRequestFailure((await sip.call(SipService.AddQueue, { ...add, queuename: 'q2', autocall: 'maybe' })).json, SipRet.IllegalRequest);

    expectSuccess((await sip.call(SipService.EditQueue, { queuename: 'q-test', remark: 'edited', ringdelay: 12 })).json);
    const [edited] = expectSuccess((await sip.call(SipService.GetQueueList, { queuename: 'q-test' })).json);
    expect(edited).toMatchObject({
      remark: 'edited',
      strategy: 1,
      announcefreq: 30,
      ringdelay: 12,
      maxwaittime: 0,
      withnoagenttime: 0,
      noagentrejoiningtime: 5,
      discardtime: 90,
      autocall: 'idle',
    });
    expectBusiness((await sip.call(SipService.EditQueue, { queuename: 'nope', remark: 'x' })).json, SipCode.IllegalQueue);
    expectSuccess((await sip.call(SipService.DelQueue, { queuename: 'q-test' })).json);
    expectBusiness((await sip.call(SipService.DelQueue, { queuename: 'q-test' })).json, SipCode.IllegalQueue);
  });

  it('checks agents in and out, shows busy/idle and filters seats by state', async () => {
    const queue = sim.sip.queues.get('support')!;
    const out = [...sim.sip.extensions.values()].find((e) => e.enabled && !queue.seats.has(e.number))!;
    const disabled = [...sim.sip.extensions.values()].find((e) => !e.enabled)!;
    const seat = { queuename: 'support', extnumber: out.number, crmid: 77 };

    expectBusiness((await sip.call(SipService.SipSignIn, { ...seat, queuename: 'nope' })).json, SipCode.IllegalQueue);
    expectBusiness((await sip.call(SipService.SipSignIn, { ...seat, extnumber: '99990000' })).json, SipCode.ExtensionNotFound);
    expectBusiness((await sip.call(SipService.SipSignIn, { ...seat, extnumber: disabled.number })).json, SipCode.ExtensionDisabled);
    expectSuccess((await sip.call(SipService.SipSignIn, seat)).json);
    expectBusiness((await sip.call(SipService.SipSignIn, seat)).json, SipCode.SeatCheckedIn);

    const status = async (state: number) =>
      expectSuccess((await sip.call(SipService.GetQueueSipStatus, { queuename: 'support', extnumber: out.number, state })).json);
    const [row] = await status(0);
    expect(row).toMatchObject({ queuename: 'support', extnumber: out.number, state: SipCode.SeatWaiting, noanswercount: 0 });
    expect(row.seatsname).toContain(out.number);
    expect(await status(2)).toHaveLength(1);

    expectSuccess((await sip.call(SipService.SetSeatsStatus, { ...seat, settype: 1 })).json);
    expect((await status(0))[0].state).toBe(SipCode.SeatPaused);
    expect(await status(1)).toHaveLength(1);
    expect(await status(2)).toHaveLength(0);
    expectSuccess((await sip.call(SipService.SetSeatsStatus, { ...seat, settype: 2 })).json);
    expect((await status(0))[0].state).toBe(SipCode.SeatWaiting);

    const every = expectSuccess((await sip.call(SipService.GetQueueSipStatus, { state: 0 })).json);
    const seats = [...sim.sip.queues.values()].reduce((n, q) => n + q.seats.size, 0);
    expect(every).toHaveLength(seats);

    expectSuccess((await sip.call(SipService.SipSignOut, seat)).json);
    expectBusiness((await sip.call(SipService.SipSignOut, seat)).json, SipCode.AbnormalOperation);
    expect(await status(0)).toHaveLength(0);
  });
});

describe('extension groups', () => {
  it('creates a group, manages members and answers GetGroupExt with a bare array', async () => {
    // Two enabled extensions not on a call, so their members' call status is known: hangup.
    const idle = [...sim.sip.extensions.values()].filter((e) => e.enabled && e.callState === ExtensionCallState.Idle);
    expect(idle.length).toBeGreaterThanOrEqual(2);
    const [a, b] = idle;
    expectSuccess((await sip.call(SipService.AddExtgroup, { name: 'g-test' })).json);
    expectBusiness((await sip.call(SipService.AddExtgroup, { name: 'g-test' })).json, SipCode.AbnormalOperation);
    const groups = expectSuccess((await sip.call(SipService.GetExtgroupInfo, { name: '' })).json);
    expect(groups.length).toBe(4);
    expect(groups.find((g: any) => g.name === 'g-test')).toEqual({ id: expect.any(Number), name: 'g-test', status: ExtGroupStatus.Enabled });
    const disabled = expectSuccess((await sip.call(SipService.GetExtgroupInfo, { status: 0 })).json);
    expect(disabled.map((g: any) => g.name)).toEqual(['group-backup']);

    expectSuccess((await sip.call(SipService.AddExtnumber, { name: 'g-test', extnumber: `${a!.number},${b!.number}` })).json);
    expectBusiness((await sip.call(SipService.AddExtnumber, { name: 'g-test', extnumber: '99990000' })).json, SipCode.ExtensionNotFound);
    expectSuccess((await sip.call(SipService.EditExtnumber, { name: 'g-test', extnumber: a!.number, state: 'busy' })).json);
    expectRequestFailure(
      (await sip.call(SipService.EditExtnumber, { name: 'g-test', extnumber: a!.number, state: 'away' })).json,
      SipRet.IllegalRequest,
    );

    const reply = await sip.call(SipService.GetGroupExt, { name: 'g-test' });
    expect(reply.json.ret).toBe(SipRet.Ok);
    expect(reply.json.msg).toBe('');
    expect(Array.isArray(reply.json.data)).toBe(true);
    expect(reply.json.data).toContainEqual({ name: 'g-test', extnumber: a!.number, status: 'hangup', state: 'busy' });
    const idleMember = reply.json.data.find((m: any) => m.extnumber === b!.number);
    expect(idleMember).toEqual({ name: 'g-test', extnumber: b!.number, status: 'hangup', state: 'idle' });

    expectSuccess((await sip.call(SipService.DelExtnumber, { name: 'g-test', extnumber: a!.number })).json);
    const after = await sip.call(SipService.GetGroupExt, { name: 'g-test' });
    expect(after.json.data.map((m: any) => m.extnumber)).toEqual([b!.number]);
  });
});

describe('predictive tasks', () => {
  const create = (fields: Record<string, string | number> = {}) =>
    sip.call(SipService.TaskCreate, {
      assigntype: AssignType.Queue,
      assignagent: 'sales',
      telphone: JSON.stringify(phones(3)),
      taskscale: '1:2',
      disnumber: '',
      taskname: 'test',
      ...fields,
    });

  it('creates a task, echoing invalid entries, and keeps the valid ones pending', async () => {
    const telphone = JSON.stringify([
      { phone: 13812345678, time: 1_700_000_000, userid: 'u1', memberid: '', chengshudu: '', customuuid: 'c1' },
      { phone: '12ab' },
      { phone: '1234' },
      'not an object',
      { phone: '013800000000', customuuid: 7 },
    ]);
    const result = expectSuccess((await create({ telphone })).json);
    expect(result.taskid).toMatch(/^20240315140000\d{6}$/);
    expect(result.invaliddata).toEqual([{ phone: '12ab' }, { phone: '1234' }, 'not an object']);
    const task = sim.sip.tasks.get(result.taskid)!;
    expect(task.status).toBe(TaskStatus.NotStarted);
    expect(task.numbers.map((n) => [n.phone, n.customuuid, n.state])).toEqual([
      ['13812345678', 'c1', TaskNumberState.Pending],
      ['013800000000', '7', TaskNumberState.Pending],
    ]);
    expect(task.numbers[1]!.time).toBe(Math.floor(clock / 1000));
  });

  it('checks the assignee, caller numbers and telphone', async () => {
    expectBusiness((await create({ assignagent: 'nope' })).json, SipCode.IllegalQueue);
    expectBusiness((await create({ assigntype: AssignType.Extension, assignagent: '99990000' })).json, SipCode.ExtensionNotFound);
    const enabled = [...sim.sip.extensions.values()].find((e) => e.enabled)!;
    expectSuccess((await create({ assigntype: AssignType.Extension, assignagent: enabled.number })).json);
    expectSuccess((await create({ assigntype: AssignType.ExtGroup, assignagent: 'group-day', disnumber: '2190240001,2190240002' })).json);
    expectBusiness((await create({ disnumber: '2100000000' })).json, SipCode.CallerNumberNotFound);
    expectRequestFailure((await create({ telphone: 'not json' })).json, SipRet.IllegalRequest);
    expectRequestFailure((await create({ telphone: '{"phone":"13800000000"}' })).json, SipRet.IllegalRequest);
    expectRequestFailure((await create({ taskscale: '1-2' })).json, SipRet.IllegalRequest);
    expectRequestFailure((await create({ assigntype: 4 })).json, SipRet.IllegalRequest);
  });

  it(`holds each call to ${MAX_NUMBERS_PER_CALL} numbers on TaskCreat and TaskAdd`, async () => {
    const tasksBefore = sim.sip.tasks.size;
    const tooMany = JSON.stringify(phones(MAX_NUMBERS_PER_CALL + 1));
    const refused = await create({ telphone: tooMany });
    expectBusiness(refused.json, SipCode.AbnormalOperation);
    expect(refused.json.data.errors.codemsg).toContain(String(MAX_NUMBERS_PER_CALL));
    expect(sim.sip.tasks.size).toBe(tasksBefore);

    const full = expectSuccess((await create({ telphone: JSON.stringify(phones(MAX_NUMBERS_PER_CALL)) })).json);
    expect(sim.sip.tasks.get(full.taskid)!.numbers).toHaveLength(MAX_NUMBERS_PER_CALL);
    const addRefused = await sip.call(SipService.TaskAdd, { taskid: full.taskid, telphone: tooMany });
    expectBusiness(addRefused.json, SipCode.AbnormalOperation);
    expect(sim.sip.tasks.get(full.taskid)!.numbers).toHaveLength(MAX_NUMBERS_PER_CALL);
    const added = expectSuccess(
      (await sip.call(SipService.TaskAdd, { taskid: full.taskid, telphone: JSON.stringify(phones(MAX_NUMBERS_PER_CALL, 15_000_000_000)) })).json,
    );
    expect(added).toEqual({ success: MAX_NUMBERS_PER_CALL, invaliddata: [] });
  });

  it('appends numbers only to tasks that are not over, and moves tasks through their states', async () => {
    const { taskid } = expectSuccess((await create()).json);
    const set = (taskstatus: TaskCommand, id = taskid) => sip.call(SipService.TaskSet, { taskid: id, taskstatus });

    expectBusiness((await set(TaskCommand.Pause)).json, SipCode.TaskNotStarted);
    const started = sim.sip.events.next('taskStatusChanged', (e) => e.task.id === taskid);
    expectSuccess((await set(TaskCommand.Start)).json);
    expect(await started).toMatchObject({ previous: TaskStatus.NotStarted, task: { status: TaskStatus.Running } });
    expect(expectSuccess((await sip.call(SipService.GetQueueList, { queuename: 'sales' })).json)[0].autocall).toBe('busy');

    const added = await sip.call(SipService.TaskAdd, { taskid, telphone: JSON.stringify([...phones(2, 13_900_000_000), { phone: 'x' }]) });
    expect(expectSuccess(added.json)).toEqual({ success: 2, invaliddata: [{ phone: 'x' }] });
    expectSuccess((await set(TaskCommand.Pause)).json);
    expectSuccess((await sip.call(SipService.TaskDelPhone, { taskid, telphone: '13900000000,13800000001' })).json);
    expect(sim.sip.tasks.get(taskid)!.numbers.map((n) => n.phone)).toEqual(['13800000000', '13800000002', '13900000001']);

    const ended = await set(TaskCommand.End);
    expectSuccess(ended.json);
    expect(ended.json.data).not.toHaveProperty('result');
    expect(sim.sip.tasks.get(taskid)!.status).toBe(TaskStatus.Over);
    expectBusiness((await sip.call(SipService.TaskAdd, { taskid, telphone: JSON.stringify(phones(1)) })).json, SipCode.TaskOver);
    expectBusiness((await set(TaskCommand.Start)).json, SipCode.TaskOver);

    expectBusiness((await set(TaskCommand.Start, '20240101000000000000')).json, SipCode.TaskNotFound);
    expectBusiness(
      (await sip.call(SipService.TaskAdd, { taskid: '20240101000000000000', telphone: '[]' })).json,
      SipCode.TaskNotFound,
    );
    expectBusiness((await sip.call(SipService.TaskDelPhone, { taskid: 'nope', telphone: '1' })).json, SipCode.TaskNotFound);
    expectRequestFailure((await set(9 as TaskCommand)).json, SipRet.IllegalRequest);
  });
});

describe('switches', () => {
  it('delays answers by the latency set for an operation', async () => {
    sim.control.setLatency(150, SipService.GetQueueList);
    const started = performance.now();
    expectSuccess((await sip.call(SipService.GetQueueList)).json);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    const quick = performance.now();
    expectSuccess((await sip.call(SipService.GetExtgroupInfo)).json);
    expect(performance.now() - quick).toBeLessThan(140);
  });

  it('fails the next calls with a ret, a business code or an HTTP status, then answers normally', async () => {
    sim.control.failNext(2, { ret: SipRet.ServerError });
    expectRequestFailure((await sip.call(SipService.GetQueueList)).json, SipRet.ServerError);
    expectRequestFailure((await sip.call(SipService.GetExtgroupInfo)).json, SipRet.ServerError);
    expectSuccess((await sip.call(SipService.GetQueueList)).json);

    sim.control.failNext(1, { code: SipCode.ServerConnectionFailed }, 'app.sip_queue.getqueuelist');
    expectSuccess((await sip.call(SipService.GetExtgroupInfo)).json);
    const failed = await sip.call(SipService.GetQueueList);
    expectBusiness(failed.json, SipCode.ServerConnectionFailed);
    expect(failed.json.data.desc).toBe('get fail');

    sim.control.failNext(1, { httpStatus: 503, body: 'down' });
    const down = await sip.call(SipService.GetQueueList);
    expect(down).toMatchObject({ status: 503, text: 'down' });
    expectSuccess((await sip.call(SipService.GetQueueList)).json);
  });

  it('holds requests unanswered while hanging, so a client timeout fires', async () => {
    sim.control.hang(true);
    const held = sip.call(SipService.GetQueueList, {}, { signal: AbortSignal.timeout(200) });
    await expect(held).rejects.toThrow();
    sim.control.hang(false);
    expectSuccess((await sip.call(SipService.GetQueueList)).json);
  });

  it('counts every call per service, including failed and unauthenticated ones', async () => {
    sim.stats.reset();
    await sip.call(SipService.GetQueueList);
    await postForm(url, { service: 'app.sip_queue.getqueuelist' });
    sim.control.failNext(1, { ret: SipRet.ServerError });
    await sip.call(SipService.GetQueueList);
    await sip.call(SipService.GetBill, { itemsperpage: 5000 });
    expect(sim.stats.count(SipService.GetQueueList)).toBe(3);
    expect(sim.stats.snapshot()).toEqual({ [SipService.GetBill]: 1, [SipService.GetQueueList]: 3 });
    const stats = await request(`${url}/__sim/stats`);
    expect(await stats.body.json()).toEqual({ counts: sim.stats.snapshot(), total: 4 });
  });

  it('is driven by the JSON endpoints too', async () => {
    expect((await postJson(`${url}/__sim/fail-next`, { count: 1, failure: { code: SipCode.TaskPaused } })).status).toBe(200);
    expectBusiness((await sip.call(SipService.GetQueueList)).json, SipCode.TaskPaused);
    expect((await postJson(`${url}/__sim/fail-next`, { failure: { nonsense: 1 } })).status).toBe(400);
    expect((await postJson(`${url}/__sim/latency`, { ms: 0 })).status).toBe(200);
    expect((await postJson(`${url}/__sim/hang`, { on: true })).json).toEqual({ ok: true, hanging: true });
    expect(sim.control.hanging).toBe(true);
    expect((await postJson(`${url}/__sim/hang`, { on: false })).status).toBe(200);
    expect((await postJson(`${url}/__sim/expire-tokens`, {})).status).toBe(200);
    expectRequestFailure((await sip.call(SipService.GetQueueList)).json, SipRet.TokenInvalid);
    await sip.login();
    expect((await postJson(`${url}/__sim/stats/reset`, {})).status).toBe(200);
    expect(sim.stats.total()).toBe(0);
  });

  it('answers 413 to a body over the cap', async () => {
    const small = createSimulator({ maxBodyBytes: 1024, now: () => clock });
    const smallUrl = await small.start();
    disposer.add(() => small.stop());
    const reply = await postForm(smallUrl, { service: SipService.TaskAdd, telphone: 'x'.repeat(4096) });
    expect(reply.status).toBe(413);
  });
});

describe('demo data', () => {
  const snapshot = (s: Simulator) =>
    JSON.stringify({
      extensions: [...s.sip.extensions.values()],
      queues: [...s.sip.queues.values()].map((q) => ({ ...q, seats: [...q.seats.values()] })),
      groups: [...s.sip.extGroups.values()].map((g) => ({ ...g, members: [...g.members.values()] })),
      callerNumbers: [...s.sip.callerNumbers.values()],
      tasks: [...s.sip.tasks.values()],
      bills: s.sip.bills,
    });

  it('is identical for the same seed and clock, and differs for another seed', () => {
    const a = snapshot(createSimulator({ seed: 42, now: () => START }));
    const b = snapshot(createSimulator({ seed: 42, now: () => START }));
    const c = snapshot(createSimulator({ seed: 43, now: () => START }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('looks like a small call centre', () => {
    const s = createSimulator({ seed: 42, now: () => START });
    const exts = [...s.sip.extensions.values()];
    expect(exts).toHaveLength(40);
    expect(exts.filter((e) => !e.enabled)).toHaveLength(3);
    expect(exts.filter((e) => e.enabled && !e.registration)).toHaveLength(4);
    for (const queue of s.sip.queues.values()) {
      expect(queue.seats.size).toBeGreaterThanOrEqual(8);
      expect(queue.seats.size).toBeLessThanOrEqual(15);
    }
    expect(s.sip.bills).toHaveLength(3_000);
    const bills = s.sip.bills;
    expect(bills.every((b) => b.starttime >= START - 7 * 24 * HOUR && b.endtime <= START)).toBe(true);
    expect(bills.filter((b) => b.callmethod === CallMethod.Predictive).length).toBeGreaterThan(bills.length * 0.4);
    expect(bills.some((b) => b.hangupcause === ObservedCode.HangupCauseUnlisted)).toBe(true);
    expect(bills.some((b) => b.hangupdirection === ObservedCode.HangupDirectionUnlisted)).toBe(true);
    expect(bills.some((b) => b.userkey !== '')).toBe(true);
    expect(bills.filter((b) => b.fetched).every((b) => b.starttime < START - 48 * HOUR)).toBe(true);
  });
});
