import { describe, expect, it } from 'vitest';
import { SipBusinessError, SipRequestError, UpstreamInvalidResponseError } from '../../src/errors.ts';
import {
  CallDirection,
  CallMethod,
  Registration,
  SipCode,
  SipRet,
  UNKNOWN,
} from '../../src/upstream/sip/codes.ts';
import { readEnvelope } from '../../src/upstream/sip/envelope.ts';
import { createSipSchemas } from '../../src/upstream/sip/schemas.ts';
import { createZonedTime } from '../../src/upstream/time.ts';

const schemas = createSipSchemas(createZonedTime('Asia/Shanghai'));

function resultOf(service: string, body: string): unknown {
  const outcome = readEnvelope(service, body);
  if (outcome.kind !== 'result') throw new Error(`expected a result, got ${outcome.kind}`);
  return outcome.result;
}

describe('SIP envelope', () => {
  it('turns ret ≠ 200 into a SipRequestError with the code, message and service', () => {
    const body = JSON.stringify({ ret: 604, data: [], msg: 'IP is not authorized' });
    try {
      readEnvelope('App.Sip_Cdr.GetBill', body);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SipRequestError);
      const e = error as SipRequestError;
      expect(e.ret.value).toBe(SipRet.IpNotAuthorized);
      expect(e.extensions()).toMatchObject({ upstream: 'sip', operation: 'App.Sip_Cdr.GetBill', upstreamCode: '604' });
      expect(e.code).toBe('UPSTREAM_REJECTED');
    }
  });

  it('reports ret 500 as unavailable, and asks for a new token on ret 600', () => {
    expect(() => readEnvelope('s', JSON.stringify({ ret: 500, data: [], msg: '' }))).toThrow(
      expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }),
    );
    expect(readEnvelope('s', JSON.stringify({ ret: 600, data: [], msg: '' }))).toMatchObject({ kind: 'renew', logoutFirst: false });
  });

  it('turns status 1 into a SipBusinessError with the decoded code (the manual example)', () => {
    const body =
      '{"ret":200,"data":{"status":1,"desc":"xxxfail","errors":{"code":"1003","codemsg":"Authorization failed"},"reqtime":1507529858,"rsptime":1507529858},"msg":""}';
    expect(() => readEnvelope('App.Sip_Auth.Login', body)).toThrow(SipBusinessError);
    try {
      readEnvelope('App.Sip_Auth.Login', body);
      expect.unreachable();
    } catch (error) {
      expect((error as SipBusinessError).sipCode).toEqual({ value: SipCode.OperationFailed, raw: '1003' });
      expect((error as SipBusinessError).upstreamMessage).toBe('Authorization failed');
    }
  });

  it('asks for a logout and a new token on business code 1010', () => {
    const body = JSON.stringify({ ret: 200, data: { status: 1, errors: { code: 1010, codemsg: 'Extension exception' } }, msg: '' });
    expect(readEnvelope('s', body)).toMatchObject({ kind: 'renew', logoutFirst: true });
  });

  it('accepts GetGroupExt\'s bare-array data as the result', () => {
    const body = '{"ret":200,"data":[{"name":"test2","extnumber":"701005","status":"hangup","state":"idle"}],"msg":""}';
    const members = schemas.extGroupMembers.parse(resultOf('App.Sip_Extgroup.GetGroupExt', body));
    expect(members).toEqual([
      { group: 'test2', extension: '701005', callStatus: { value: 'hangup', raw: 'hangup' }, state: { value: 'idle', raw: 'idle' } },
    ]);
  });

  it('refuses what is not an envelope', () => {
    expect(() => readEnvelope('s', '<html>502 Bad Gateway</html>')).toThrow(UpstreamInvalidResponseError);
    expect(() => readEnvelope('s', '{"hello":1}')).toThrow(UpstreamInvalidResponseError);
  });
});

describe('SIP result schemas on the manual\'s examples', () => {
  it('GetBill: coerces, converts Shanghai times and decodes codes, keeping undocumented ones raw', () => {
    const page = schemas.billPage.parse({
      totalitems: 8151,
      currentpage: 1,
      itemsperpage: 10,
      bills: [
        {
          id: 22670, extnumber: '', destnumber: '13387525701', displaynumber: '2190170001',
          starttime: '2019-09-27 14:58:37', answertime: null, endtime: '2019-09-27 14:59:05',
          duration: 28, billsec: 0, direction: 'callout', callmethod: 6, userid: '0', memberid: '0',
          chengshudu: '0', customuuid: '0', recordfilename: '', downloadip: '', hangupdirection: 10041,
          hangupcause: 10020, userkey: '#',
        },
      ],
    });
    expect(page.total).toBe(8151);
    const [bill] = page.bills;
    expect(bill).toMatchObject({
      id: 22670,
      extension: null,
      destinationNumber: '13387525701',
      waitSeconds: 28,
      talkSeconds: 0,
      answeredAt: null,
      recordFileName: null,
      keysPressed: '#',
      direction: { value: CallDirection.Out },
      callMethod: { value: CallMethod.IvrGroupCall },
      hangupDirection: { value: SipCode.CalleeHungUp, raw: '10041' },
      hangupCause: { value: UNKNOWN, raw: '10020' },
    });
    expect(bill?.startedAt?.toISOString()).toBe('2019-09-27T06:58:37.000Z');
  });

  it('GetBill: numbers sent as strings are numbers after the boundary', () => {
    const page = schemas.billPage.parse({ totalitems: '2', currentpage: '1', itemsperpage: '10', bills: [
      { id: '7', duration: '5', billsec: '', starttime: '2024-01-01 00:00:00', answertime: '', endtime: '2024-01-01 00:00:05', direction: 'callin', callmethod: '2', hangupdirection: '', hangupcause: '10001' },
    ] });
    expect(page.bills[0]).toMatchObject({ id: 7, waitSeconds: 5, talkSeconds: 0, answeredAt: null, hangupDirection: null });
  });

  it('GetRecodeFile: reads "Expiration time:…" as an instant', () => {
    const link = schemas.recordingLink.parse({ downurl: 'http://127.0.0.1:8080/abcdefg', expiredtime: 'Expiration time:2020-02-11 17:27:23' });
    expect(link).toEqual({ url: 'http://127.0.0.1:8080/abcdefg', expiresAt: new Date('2020-02-11T09:27:23Z') });
  });

  it('GetSipnumberInfo: drops the SIP password', () => {
    const infos = schemas.extensionInfos.parse([{ extnumber: '100001', password: 'S3cret-pw', status: 1016, register: 'nreg' }]);
    expect(infos).toEqual([
      { extension: '100001', status: { value: SipCode.ExtensionEnabled, raw: '1016' }, enabled: true, registration: { value: Registration.NotRegistered, raw: 'nreg' } },
    ]);
    expect(JSON.stringify(infos)).not.toContain('S3cret-pw');
    expect(JSON.stringify(infos)).not.toContain('password');
  });

  it('GetSipCallStatus, GetSipValidStatus, GetSipRegisterStatus', () => {
    expect(schemas.callStatuses.parse([{ extnumber: '90170002', status: 1014, caller: null, callee: null, disnumber: null, direction: null, channel: null, idleduration: null, callduration: null }])[0])
      .toMatchObject({ extension: '90170002', status: { value: SipCode.ExtensionNotRegistered }, direction: null, idleSeconds: null });
    expect(schemas.validities.parse([{ extnumber: '90170002', code: 1016 }])[0]?.status.value).toBe(SipCode.ExtensionEnabled);
    expect(schemas.registrations.parse([{ extnumber: '90170002', code: 1014, clientip: null, serverip: null }])[0])
      .toMatchObject({ status: { value: SipCode.ExtensionNotRegistered }, clientIp: null });
  });

  it('GetQueueList and GetQueueSipStatus', () => {
    const [queue] = schemas.queues.parse([{ queuename: 'autocall_test-1101', remark: 'test-1101-edit', strategy: 8, announce: 'announce.wav', announcefreq: 1, ringdelay: 1, maxwaittime: 1, withnoagenttime: 1, noagentrejoiningtime: 1, discardtime: 1, autocall: 'busy' }]);
    expect(queue).toMatchObject({ name: 'autocall_test-1101', strategy: { value: 8 }, autoCall: { value: 'busy' }, ringDelaySeconds: 1 });
    const [seat] = schemas.seats.parse([{ queuename: 'queue-1', seatsname: '9026004_9026004_autocall-9026', extnumber: '100001', status: 1213, state: 1213, lastanswertime: '2020-02-05 21:03:36', lastassigntime: '2020-02-05 21:03:34', seatschangetime: '2020-02-05 21:03:29', noanswercount: 0, callsanswered: 1, externalcallscount: 0, wrapuptime: 0, maxnoanswer: 0 }]);
    expect(seat).toMatchObject({ queue: 'queue-1', state: { value: SipCode.SeatWaiting }, answeredCount: 1 });
    expect(seat?.lastAnsweredAt?.toISOString()).toBe('2020-02-05T13:03:36.000Z');
  });

  it('GetExtgroupInfo, TaskCreat, TaskAdd', () => {
    expect(schemas.extGroups.parse([{ id: 3, name: 'test1', status: 1042 }])).toEqual([{ id: 3, name: 'test1', enabled: true, status: { value: UNKNOWN, raw: '1042' } }]);
    expect(schemas.extGroups.parse([{ id: 4, name: 'test2', status: 0 }, { id: 5, name: 'test3', status: '1' }]).map((g) => g.enabled)).toEqual([false, true]);
    expect(schemas.taskCreated.parse({ taskid: '20200212163504393460', invaliddata: [] })).toEqual({ taskId: '20200212163504393460', refused: [] });
    expect(schemas.taskNumbersAdded.parse({ success: 7, invaliddata: [{ phone: '12' }, 'abc'] })).toEqual({
      accepted: 7,
      refused: [{ phone: '12', raw: { phone: '12' } }, { phone: 'abc', raw: 'abc' }],
    });
  });

  it('Login', () => {
    expect(schemas.login.parse({ companycode: '1', companyname: 'test', token: '773a70dd02f0695d50205e9b267692b9', authtime: '2020-01-01 00:00:00', authmodel: '' }))
      .toMatchObject({ companyCode: '1', token: '773a70dd02f0695d50205e9b267692b9' });
  });
});
