import { describe, expect, it } from 'vitest';
import { compareEventIds, maxEventId, TopicCursor } from '../../src/wallboard/lib/event-ids.ts';
import { subscriptionErrorAction } from '../../src/wallboard/lib/resume-errors.ts';

describe('wallboard event ids', () => {
  it('compare as numbers, beyond 2^53 too', () => {
    expect(compareEventIds('9', '10')).toBeLessThan(0);
    expect(compareEventIds('10', '9')).toBeGreaterThan(0);
    expect(compareEventIds('42', '42')).toBe(0);
    expect(compareEventIds('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(maxEventId(null, '3')).toBe('3');
    expect(maxEventId('12', '3')).toBe('12');
    expect(maxEventId(null, null)).toBeNull();
  });
});

describe('wallboard TopicCursor (resume bookkeeping)', () => {
  it('starts at the horizon, or "0" when the topic had no event', () => {
    expect(new TopicCursor('17').after).toBe('17');
    expect(new TopicCursor(null).after).toBe('0');
  });

  it('moves only forwards: a resubscription asks for what was not received', () => {
    const cursor = new TopicCursor('17');
    expect(cursor.advance('15')).toBe(false); // replayed, already below the horizon
    expect(cursor.advance('17')).toBe(false);
    expect(cursor.advance('18')).toBe(true);
    expect(cursor.advance('100')).toBe(true);
    expect(cursor.advance('99')).toBe(false);
    expect(cursor.after).toBe('100');
  });

  it('is read lazily, so a payload built once sends the current cursor at every attempt', () => {
    const cursor = new TopicCursor(null);
    const payload = {
      query: '',
      get variables() {
        return { after: cursor.after };
      },
    };
    expect(JSON.parse(JSON.stringify(payload))).toEqual({ query: '', variables: { after: '0' } });
    cursor.advance('41');
    expect(JSON.parse(JSON.stringify(payload))).toEqual({ query: '', variables: { after: '41' } });
  });
});

describe('wallboard subscriptionErrorAction', () => {
  const error = (code: string) => [{ message: code, extensions: { code } }];
  it('reloads everything when the resume point cannot be served', () => {
    expect(subscriptionErrorAction(error('EVENT_ID_AHEAD'))).toBe('reload');
    expect(subscriptionErrorAction(error('EVENT_ID_EXPIRED'))).toBe('reload');
    expect(subscriptionErrorAction(error('REPLAY_LIMIT_EXCEEDED'))).toBe('reload');
  });
  it('resubscribes after a drain or a slow-consumer end, asks for a key when unauthenticated', () => {
    expect(subscriptionErrorAction(error('SERVER_DRAINING'))).toBe('resubscribe');
    expect(subscriptionErrorAction(error('SUBSCRIBER_TOO_SLOW'))).toBe('resubscribe');
    expect(subscriptionErrorAction(error('UNAUTHENTICATED'))).toBe('unauthenticated');
  });
  it('says the page is outdated when the gateway does not know its document hashes', () => {
    expect(subscriptionErrorAction(error('PERSISTED_QUERY_NOT_FOUND'))).toBe('outdated');
  });
  it('gives up on anything else', () => {
    expect(subscriptionErrorAction(error('FORBIDDEN'))).toBe('give-up');
    expect(subscriptionErrorAction([{ message: 'no code' }])).toBe('give-up');
    expect(subscriptionErrorAction(new Error('socket'))).toBe('give-up');
  });
});
