import { describe, expect, it } from 'vitest';
import { employeeIdOf, localIdOf, parseLocalId } from '../../src/schema/call-record.ts';
import { type CallRecordInput, callRecordKey, none, withoutNone } from '../../src/store/call-records.ts';
import { decodeHangupCause, decodeHangupSide, HangupCause, HangupSide, SipCode, UNKNOWN } from '../../src/upstream/sip/codes.ts';

const record = (over: Partial<CallRecordInput> = {}): CallRecordInput => ({
  recordId: null, uuid: null, extension: null, destinationNumber: null, displayNumber: null, direction: null, callMethod: null,
  startedAt: null, answeredAt: null, endedAt: null, waitSeconds: null, talkSeconds: null, userId: null, employeeId: null,
  memberId: null, maturity: null, customerId: null, recordFileName: null, downloadIp: null, hangupDirection: null,
  hangupCause: null, keysPressed: null, companyCode: null, ...over,
});

describe('call record mapping', () => {
  it('reads the platform\'s "0" and "" as none in the fields where the manual says so', () => {
    expect([none('0'), none(''), none(' 0 '), none(null), none('10'), none('u0')]).toEqual([null, null, null, null, '10', 'u0']);
    const out = withoutNone(
      record({ recordId: 0, userId: '0', employeeId: '0', memberId: '', maturity: '0', customerId: '0', downloadIp: '0', keysPressed: '', extension: '9001' }),
    );
    expect(out).toMatchObject({ recordId: null, userId: null, employeeId: null, memberId: null, maturity: null, customerId: null, downloadIp: null, keysPressed: null, extension: '9001' });
    // "0" is a real value outside those fields (keys pressed, numbers).
    expect(withoutNone(record({ keysPressed: '0', destinationNumber: '0' }))).toMatchObject({ keysPressed: '0', destinationNumber: '0' });
  });

  it('crmid as an employee id: whole numbers only, 0 is none', () => {
    expect([employeeIdOf('7001'), employeeIdOf('0'), employeeIdOf(null), employeeIdOf('abc'), employeeIdOf(' 12 ')]).toEqual([7001, null, null, null, 12]);
  });

  it('the global id is the store key of the call, whatever the record id; other keys keep the older format', () => {
    const startedAt = new Date(1_700_000_000_000);
    const key = callRecordKey(record({ startedAt, extension: '9001', destinationNumber: '13800000000' }));
    expect(localIdOf({ key, recordId: null, startedAt })).toBe(localIdOf({ key, recordId: 42, startedAt }));
    expect(parseLocalId(localIdOf({ key, recordId: 42, startedAt }))).toEqual({
      kind: 'call', key, startedAtMs: startedAt.getTime(), extension: '9001', destination: '13800000000',
    });
    expect(localIdOf({ key: 'id:42', recordId: 42, startedAt })).toBe(`42@${startedAt.getTime()}`);
    expect(parseLocalId(`42@${startedAt.getTime()}`)).toEqual({ kind: 'id', recordId: 42, startedAtMs: startedAt.getTime() });
    expect(parseLocalId('uuid:abc')).toEqual({ kind: 'uuid', key: 'uuid:abc', uuid: 'abc' });
    expect(() => parseLocalId('nonsense')).toThrow();
  });

  it('decodes hang-up side and cause from separate tables', () => {
    expect(decodeHangupSide(SipCode.CallerHungUp).value).toBe(HangupSide.CallerHungUp);
    expect(decodeHangupSide(SipCode.CallNormalHangup)).toEqual({ value: UNKNOWN, raw: '10001' });
    expect(decodeHangupCause('10005').value).toBe(HangupCause.Timeout);
    expect(decodeHangupCause(SipCode.CalleeHungUp)).toEqual({ value: UNKNOWN, raw: '10041' });
  });
});
