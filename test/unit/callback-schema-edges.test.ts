import { describe, expect, it } from 'vitest';
import { CallbackRequestError, checkJsonShape } from '../../src/callbacks/parse.ts';
import { aiCallNotificationExtras, normaliseAiCallNotification, normaliseCallRecord, normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { createZonedTime } from '../../src/upstream/time.ts';
import { CALL_RECORD_COMMON, EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { rejectionOfType } from '../utils/rejection.ts';

/**
 * The edges of callback validation (src/callbacks/schemas.ts, parse.ts) that the manual's examples do not reach: a
 * required field sent as something that is not text, a blank start time, a start time in milliseconds, more
 * problems than the reason lists, a record without an end time, an AI-call notification sent as an array or with
 * blank text fields, and the JSON shape check with a caller's own limits.
 */

const time = createZonedTime('Asia/Shanghai');
const reason = async (run: () => unknown) => (await rejectionOfType(CallbackRequestError, run)).reason;

describe('callback validation edges', () => {
  it('a required field that is not text says so; a blank start time is missing', async () => {
    expect(await reason(() => normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: true }))).toBe('invalid extension-status callback: extnumber: must be text');
    expect(await reason(() => normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, uuid: null }))).toBe('invalid extension-status callback: uuid: is required');
    expect(await reason(() => normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, starttime: '  ' }))).toBe('invalid extension-status callback: starttime: is required');
  });

  it('reads a start time sent in milliseconds as the same instant', () => {
    const seconds = normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, starttime: '1598598959' });
    const millis = normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, starttime: 1_598_598_959_000 });
    expect(millis.occurredAt?.toISOString()).toBe('2020-08-28T07:15:59.000Z');
    expect(millis.occurredAt?.getTime()).toBe(seconds.occurredAt?.getTime());
    expect(millis.dedupeKey).toBe(seconds.dedupeKey);
  });

  it('lists the first five problems and counts the rest', async () => {
    const text = await reason(() => normaliseExtensionStatus({ extnumber: '', uuid: '', status: '', starttime: 'soon', isbleg: 'false', buuid: {}, method: {} }));
    expect(text.startsWith('invalid extension-status callback: extnumber: is required; uuid: is required; status: is required; ')).toBe(true);
    expect(text).toMatch(/; and \d+ more$/);
  });

  it('a call record without an end time happened at its start', () => {
    const { endtime: _ignored, ...withoutEnd } = CALL_RECORD_COMMON as Record<string, unknown>;
    const record = normaliseCallRecord(withoutEnd, time);
    expect(record.payload.endedAt).toBeNull();
    expect(record.occurredAt?.toISOString()).toBe(record.payload.startedAt);
    expect(record.occurredAt).not.toBeNull();
  });

  it('an AI-call notification sent as an array keeps it raw and recognises nothing; blank text is not a value', () => {
    const list = [{ task_id: 'T1' }];
    const event = normaliseAiCallNotification(list, time);
    expect(event.payload).toEqual({ taskId: null, callId: null, phone: null, startedAt: null, answeredAt: null, endedAt: null, talkSeconds: null, hangupCause: null, raw: list });
    expect(event.subject).toBeNull();
    expect(aiCallNotificationExtras({ task_name: '   ', taskName: ' Spring ', caller_number: 8001, outcome: Number.NaN }, { startedAt: null, endedAt: null })).toEqual({
      taskName: 'Spring',
      callerNumber: '8001',
      durationSeconds: null,
      platformCustomerId: null,
      customerFields: null,
      outcome: null,
    });
  });

  it('the JSON shape check with a caller’s limits: the top-level value counts too', async () => {
    expect(await reason(() => checkJsonShape('x', 'the value', { maxDepth: 1, maxValues: 0 }))).toBe('the value holds more than 0 values (a callback is a few hundred bytes)');
    expect(await reason(() => checkJsonShape({ a: { b: 1 } }, 'the value', { maxDepth: 1, maxValues: 10 }))).toBe('the value nests deeper than 1 levels');
    expect(() => checkJsonShape({ a: 1 }, 'the value', { maxDepth: 1, maxValues: 2 })).not.toThrow();
  });
});
