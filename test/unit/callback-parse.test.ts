import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CallbackRequestError, decodeCallbackBody, type DecodeOptions } from '../../src/callbacks/parse.ts';
import {
  canonicalJson,
  normaliseAiCallNotification,
  normaliseCallRecord,
  normaliseCallback,
  normaliseExtensionStatus,
  normaliseTaskStatus,
} from '../../src/callbacks/schemas.ts';
import { createZonedTime } from '../../src/upstream/time.ts';
import {
  CALL_RECORD_COMMON,
  CALL_RECORD_COMMON_AS_PRINTED,
  CALL_RECORD_PREDICTIVE,
  EXTENSION_STATUS_COMMON,
  EXTENSION_STATUS_PREDICTIVE,
  TASK_STATUS,
} from '../utils/callback-seeds.ts';
import { rejectionOfType } from '../utils/rejection.ts';

const time = createZonedTime('Asia/Shanghai');
const SIP: DecodeOptions = { maxBytes: 65536, formWithoutDetail: 'error' };
const AICALL: DecodeOptions = { maxBytes: 65536, formWithoutDetail: 'fields' };

/** Serialises a FormData exactly as an HTTP client would send it. */
async function multipart(form: FormData): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { headers: { 'content-type': request.headers.get('content-type') ?? '' }, body: Buffer.from(await request.arrayBuffer()) };
}

const refusal = (run: () => unknown) => rejectionOfType(CallbackRequestError, run);

describe('decoding callback bodies', () => {
  const detail = JSON.stringify(EXTENSION_STATUS_COMMON);

  it('reads `detail` from a multipart form (the predictive manual: form-data, field detail, a JSON string)', async () => {
    const form = new FormData();
    form.set('detail', detail);
    const { headers, body } = await multipart(form);
    expect(await decodeCallbackBody(headers, body, SIP)).toEqual(EXTENSION_STATUS_COMMON);
  });

  it('reads `detail` from a url-encoded form, and from a body with no content type', async () => {
    const body = Buffer.from(new URLSearchParams({ detail }).toString());
    expect(await decodeCallbackBody({ 'content-type': 'application/x-www-form-urlencoded' }, body, SIP)).toEqual(EXTENSION_STATUS_COMMON);
    expect(await decodeCallbackBody({}, body, SIP)).toEqual(EXTENSION_STATUS_COMMON);
  });

  it('reads a JSON body (the common manual: "receive json data"), with a charset, as +json, or sniffed', async () => {
    const body = Buffer.from(detail);
    expect(await decodeCallbackBody({ 'content-type': 'application/json; charset=utf-8' }, body, SIP)).toEqual(EXTENSION_STATUS_COMMON);
    expect(await decodeCallbackBody({ 'content-type': 'application/vnd.x+json' }, body, SIP)).toEqual(EXTENSION_STATUS_COMMON);
    expect(await decodeCallbackBody({ 'content-type': 'text/plain' }, Buffer.from(`  ${detail}`), SIP)).toEqual(EXTENSION_STATUS_COMMON);
  });

  it('unwraps a JSON body that is only {"detail": …}', async () => {
    const asString = Buffer.from(JSON.stringify({ detail }));
    const asObject = Buffer.from(JSON.stringify({ detail: EXTENSION_STATUS_COMMON }));
    expect(await decodeCallbackBody({ 'content-type': 'application/json' }, asString, SIP)).toEqual(EXTENSION_STATUS_COMMON);
    expect(await decodeCallbackBody({ 'content-type': 'application/json' }, asObject, SIP)).toEqual(EXTENSION_STATUS_COMMON);
    // With other keys beside it, `detail` is just a field.
    const mixed = { detail: 'x', other: 1 };
    expect(await decodeCallbackBody({ 'content-type': 'application/json' }, Buffer.from(JSON.stringify(mixed)), SIP)).toEqual(mixed);
  });

  it('refuses what it cannot read, saying why', async () => {
    const json = { 'content-type': 'application/json' };
    expect(await refusal(() => decodeCallbackBody(json, Buffer.from(CALL_RECORD_COMMON_AS_PRINTED), SIP))).toMatchObject({
      status: 400,
      reason: expect.stringContaining('the body is not valid JSON'),
    });
    expect(await refusal(() => decodeCallbackBody(json, Buffer.alloc(0), SIP))).toMatchObject({ status: 400, reason: 'empty body' });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(await refusal(() => decodeCallbackBody(form, Buffer.from('detail=%7Bnope'), SIP))).toMatchObject({
      status: 400,
      reason: expect.stringContaining('the detail field is not valid JSON'),
    });
    expect(await refusal(() => decodeCallbackBody(form, Buffer.from('status=ring'), SIP))).toMatchObject({
      status: 400,
      reason: expect.stringContaining('no detail field'),
    });
    expect(await refusal(() => decodeCallbackBody({ 'content-type': 'application/xml' }, Buffer.from('<a/>'), SIP))).toMatchObject({
      status: 415,
    });
    expect(
      await refusal(() => decodeCallbackBody({ 'content-type': 'multipart/form-data' }, Buffer.from('--x\r\n'), SIP)),
    ).toMatchObject({ status: 400, reason: expect.stringContaining('multipart') });
  });

  it('keeps the fields of a form without `detail` for AI-call notifications, whose shape is unknown', async () => {
    const body = Buffer.from('task_id=t-1&phone=13800000000');
    expect(await decodeCallbackBody({ 'content-type': 'application/x-www-form-urlencoded' }, body, AICALL)).toEqual({
      task_id: 't-1',
      phone: '13800000000',
    });
  });
});

describe('extension-status callbacks', () => {
  it('normalises the common manual example: the agent leg ringing', () => {
    const event = normaliseExtensionStatus(EXTENSION_STATUS_COMMON);
    expect(event).toEqual({
      topic: 'agent-status',
      dedupeKey: '526d637c-e8fe-11ea-a849-cf6e45e88543|90240005|ring|false',
      subject: '90240005',
      occurredAt: new Date(1598598959 * 1000),
      payload: {
        extension: '90240005',
        status: 'ring',
        statusCode: 'ring',
        leg: 'agent',
        callUuid: '526d637c-e8fe-11ea-a849-cf6e45e88543',
        bUuid: '526d643a-e8fe-11ea-a84a-cf6e45e88543',
        direction: 'callout',
        caller: '90240005',
        callee: '87847569524',
        displayNumber: '2190240001',
        callMethod: '3',
        customerId: '123Abc',
        companyCode: '9024',
        callStartedAt: '2020-08-28T07:15:59.000Z',
      },
    });
  });

  it('normalises the predictive example: isbleg "true" is the customer leg; no customuuid is null', () => {
    const { payload, dedupeKey } = normaliseExtensionStatus(EXTENSION_STATUS_PREDICTIVE);
    expect(payload).toMatchObject({ leg: 'customer', customerId: null, callMethod: '2', extension: '20280005' });
    expect(dedupeKey).toBe('9c568ac8-6aad-11eb-a1b3-5107cdf1d50a|20280005|ring|true');
  });

  it('coerces loose types: numbers for strings, a numeric starttime, upper-case status, blank optional fields', () => {
    const { payload } = normaliseExtensionStatus({
      ...EXTENSION_STATUS_COMMON,
      extnumber: 90240005,
      starttime: 1598598959,
      status: 'ANSWER',
      companycode: 9024,
      buuid: '',
      method: 3,
    });
    expect(payload).toMatchObject({ extension: '90240005', status: 'answer', statusCode: 'ANSWER', companyCode: '9024', bUuid: null, callMethod: '3' });
  });

  it('keeps a status word the manual does not list, as UNKNOWN with the raw word', () => {
    const { payload } = normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, status: 'busy' });
    expect(payload).toMatchObject({ status: 'UNKNOWN', statusCode: 'busy' });
  });

  it('requires the extension, the call uuid, the status and a plausible start time', () => {
    const { extnumber: _e, uuid: _u, ...rest } = EXTENSION_STATUS_COMMON;
    expect(() => normaliseExtensionStatus(rest)).toThrow(/extnumber: is required; uuid: is required/);
    expect(() => normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, status: '' })).toThrow(/status: is required/);
    expect(() => normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, starttime: 'yesterday' })).toThrow(/starttime: must be a unix time/);
    expect(() => normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, starttime: '12' })).toThrow(/not a plausible unix time/);
    expect(() => normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, isbleg: 'maybe' })).toThrow(/isbleg/);
    expect(() => normaliseExtensionStatus([EXTENSION_STATUS_COMMON])).toThrow(CallbackRequestError);
  });
});

describe('call-record callbacks', () => {
  it('normalises the common manual example (times in the platform zone, codes as text, userkey 1)', () => {
    const event = normaliseCallRecord(CALL_RECORD_COMMON, time);
    expect(event).toEqual({
      topic: 'call-record',
      dedupeKey: 'id|982',
      subject: '7003',
      occurredAt: new Date('2018-03-14T04:18:35.000Z'),
      payload: {
        recordId: 982,
        uuid: 'cda5c6c4-0a17-11e8-b177-e7cbf2bd1f36',
        extension: '7003',
        destinationNumber: '015029913692',
        displayNumber: '02566823420',
        direction: 'callout',
        callMethod: '3',
        startedAt: '2018-03-14T04:18:21.000Z',
        answeredAt: null,
        endedAt: '2018-03-14T04:18:35.000Z',
        waitSeconds: 14,
        talkSeconds: 0,
        employeeId: '2001',
        memberId: '18533700187590656',
        maturity: '0',
        customerId: 'customuuid',
        recordFileName: null,
        downloadIp: '120.76.152.137',
        hangupDirection: '10015',
        hangupCause: '10001',
        keysPressed: '1',
        companyCode: '20000013',
      },
    });
  });

  it('normalises the predictive example, which has no id: keyed by uuid; userkey "" is null, "#" is kept', () => {
    const event = normaliseCallRecord(CALL_RECORD_PREDICTIVE, time);
    expect(event.dedupeKey).toBe('uuid|863ff91e-6a7a-11eb-acf1-5107cdf1d50a');
    expect(event.payload).toMatchObject({ recordId: null, keysPressed: null, companyCode: '104026', callMethod: '6', extension: '000000' });
    expect(normaliseCallRecord({ ...CALL_RECORD_PREDICTIVE, userkey: '#' }, time).payload.keysPressed).toBe('#');
  });

  it('coerces numbers sent as strings and the reverse', () => {
    const { payload } = normaliseCallRecord({ ...CALL_RECORD_COMMON, id: '982', duration: '14', billsec: '', companycode: '20000013' }, time);
    expect(payload).toMatchObject({ recordId: 982, waitSeconds: 14, talkSeconds: null, companyCode: '20000013' });
  });

  it('refuses a record it cannot identify or whose times are not times', () => {
    const { id: _i, uuid: _u, ...anonymous } = CALL_RECORD_COMMON;
    expect(() => normaliseCallRecord(anonymous, time)).toThrow(/id: needs an id or a uuid/);
    expect(() => normaliseCallRecord({ ...CALL_RECORD_COMMON, starttime: '14/03/2018' }, time)).toThrow(/starttime: not a yyyy-mm-dd hh:mm:ss time/);
    expect(() => normaliseCallRecord({ ...CALL_RECORD_COMMON, duration: 'long' }, time)).toThrow(/duration/);
  });
});

describe('task-status callbacks', () => {
  it('normalises the manual example: status 3 is FINISHED', () => {
    expect(normaliseTaskStatus(TASK_STATUS)).toEqual({
      topic: 'task-status',
      dedupeKey: '20210222110030244314|3',
      subject: '20210222110030244314',
      occurredAt: null,
      payload: { taskId: '20210222110030244314', companyCode: '9027', status: 'FINISHED', statusCode: '3' },
    });
    expect(normaliseTaskStatus({ ...TASK_STATUS, status: '3' }).payload.status).toBe('FINISHED');
  });

  it('keeps another status as UNKNOWN, and requires the task id', () => {
    expect(normaliseTaskStatus({ ...TASK_STATUS, status: 2 }).payload).toMatchObject({ status: 'UNKNOWN', statusCode: '2' });
    expect(() => normaliseTaskStatus({ status: 3 })).toThrow(/taskid: is required/);
  });
});

describe('AI-call notifications', () => {
  it('keeps the body raw with what can be recognised, keyed by its content whatever the key order', () => {
    const body = { data: { task_uuid: 'task-1', call_uuid: 'c-1', phone: '13800000000', billsec: '35', start_stamp: '2025-01-02 03:04:05' } };
    const event = normaliseAiCallNotification(body, time);
    expect(event.payload).toEqual({
      taskId: 'task-1',
      callId: 'c-1',
      phone: '13800000000',
      startedAt: '2025-01-01T19:04:05.000Z',
      answeredAt: null,
      endedAt: null,
      talkSeconds: 35,
      hangupCause: null,
      raw: body,
    });
    expect(event.subject).toBe('task-1');
    const reordered = { data: { start_stamp: '2025-01-02 03:04:05', billsec: '35', phone: '13800000000', call_uuid: 'c-1', task_uuid: 'task-1' } };
    expect(normaliseAiCallNotification(reordered, time).dedupeKey).toBe(event.dedupeKey);
    expect(normaliseAiCallNotification({ ...body, extra: 1 }, time).dedupeKey).not.toBe(event.dedupeKey);
  });

  it('accepts any object, and refuses a bare scalar', () => {
    expect(normaliseAiCallNotification({ anything: true }, time).payload).toMatchObject({ taskId: null, raw: { anything: true } });
    expect(() => normaliseAiCallNotification('hello', time)).toThrow(/expected a JSON object/);
  });

  it('canonical JSON sorts keys at every level and keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
  });
});

describe('normaliseCallback', () => {
  it('dispatches on the kind', () => {
    expect(normaliseCallback('extension-status', EXTENSION_STATUS_COMMON, time).topic).toBe('agent-status');
    expect(normaliseCallback('call-record', CALL_RECORD_COMMON, time).topic).toBe('call-record');
    expect(normaliseCallback('task-status', TASK_STATUS, time).topic).toBe('task-status');
    expect(normaliseCallback('aicall-notify', {}, time).topic).toBe('aicall-notify');
  });
});
