import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  CALLBACK_JSON_LIMITS,
  CallbackRequestError,
  checkJsonShape,
  decodeCallbackBody,
  type DecodeOptions,
  mediaType,
  readBody,
  tooLarge,
} from '../../src/callbacks/parse.ts';
import { rejectionOfType } from '../utils/rejection.ts';

/** Callback bodies at their edges (src/callbacks/parse.ts): byte caps, content-type sniffing, forms, shape limits. */

const SIP: DecodeOptions = { maxBytes: 65536, formWithoutDetail: 'error' };
const AICALL: DecodeOptions = { maxBytes: 65536, formWithoutDetail: 'fields' };
const refusal = (run: () => unknown) => rejectionOfType(CallbackRequestError, run);

/** A request whose body the test streams by hand: readBody only listens to these four events. */
function fakeRequest(headers: IncomingHttpHeaders = {}) {
  const emitter = new EventEmitter() as EventEmitter & { headers: IncomingHttpHeaders };
  emitter.headers = headers;
  return emitter;
}
const asRequest = (r: ReturnType<typeof fakeRequest>) => r as unknown as IncomingMessage;

async function multipart(form: FormData): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { headers: { 'content-type': request.headers.get('content-type') ?? '' }, body: Buffer.from(await request.arrayBuffer()) };
}

describe('readBody', () => {
  it('joins the chunks, and takes a body of exactly the cap', async () => {
    const req = fakeRequest({ 'content-length': '6' });
    const body = readBody(asRequest(req), 6);
    req.emit('data', Buffer.from('abc'));
    req.emit('data', Buffer.from('def'));
    req.emit('end');
    expect((await body).toString()).toBe('abcdef');
    // Done: it listens no more.
    expect(req.listenerCount('data') + req.listenerCount('end') + req.listenerCount('error') + req.listenerCount('aborted')).toBe(0);
  });

  it('refuses a declared length over the cap unread, and one byte over the cap as it streams in', async () => {
    const declared = fakeRequest({ 'content-length': '7' });
    expect(await refusal(() => readBody(asRequest(declared), 6))).toMatchObject({ status: 413, reason: 'body over 6 bytes' });
    expect(declared.listenerCount('data')).toBe(0);

    const req = fakeRequest();
    const body = readBody(asRequest(req), 6);
    req.emit('data', Buffer.from('abcd'));
    req.emit('data', Buffer.from('efg'));
    expect(await refusal(() => body)).toMatchObject({ status: 413 });
    expect(req.listenerCount('data') + req.listenerCount('end') + req.listenerCount('error') + req.listenerCount('aborted')).toBe(0);
  });

  it('refuses a body cut off by an error or an abort with 400', async () => {
    for (const event of ['error', 'aborted']) {
      const req = fakeRequest();
      const body = readBody(asRequest(req), 100);
      req.emit('data', Buffer.from('ab'));
      req.emit(event, new Error('gone'));
      expect(await refusal(() => body), event).toMatchObject({ status: 400, reason: 'the request was aborted before its body ended' });
      expect(req.listenerCount('data') + req.listenerCount('end') + req.listenerCount('error') + req.listenerCount('aborted')).toBe(0);
    }
  });

  it('names its errors', () => {
    const error = tooLarge(10);
    expect(error).toBeInstanceOf(CallbackRequestError);
    expect(error.name).toBe('CallbackRequestError');
    expect(error.message).toBe('body over 10 bytes');
  });
});

describe('mediaType', () => {
  it('is the lower-case type without parameters, or empty', () => {
    expect(mediaType({})).toBe('');
    expect(mediaType({ 'content-type': ' Application/JSON ; charset=UTF-8' })).toBe('application/json');
    expect(mediaType({ 'content-type': 'text/plain' })).toBe('text/plain');
  });
});

describe('decodeCallbackBody edges', () => {
  const json = { 'content-type': 'application/json' };

  it('sniffs a JSON array as JSON, and looks only at the first 64 bytes', async () => {
    expect(await decodeCallbackBody({}, Buffer.from('[1,2]'), AICALL)).toEqual([1, 2]);
    expect(await decodeCallbackBody({ 'content-type': 'text/plain' }, Buffer.from('\n\t{"a":1}'), AICALL)).toEqual({ a: 1 });
    // 64 blanks, then the JSON: too far in to be seen, so it is read as a form (whose one field is the whole text).
    const late = Buffer.from(`${' '.repeat(64)}{"a":1}`);
    expect(await refusal(() => decodeCallbackBody({}, late, SIP))).toMatchObject({ status: 400, reason: expect.stringContaining('no detail field') });
    const early = Buffer.from(`${' '.repeat(63)}{"a":1}`);
    expect(await decodeCallbackBody({}, early, SIP)).toEqual({ a: 1 });
  });

  it('takes only application/json and +json types as JSON', async () => {
    expect(await refusal(() => decodeCallbackBody({ 'content-type': 'application/jsonx' }, Buffer.from('{}'), SIP))).toMatchObject({
      status: 415,
      reason: 'unsupported content type application/jsonx: send JSON, or a form with a detail field',
    });
    expect(await refusal(() => decodeCallbackBody({ 'content-type': 'application/json+x' }, Buffer.from('{}'), SIP))).toMatchObject({ status: 415 });
    expect(await decodeCallbackBody({ 'content-type': 'application/problem+json' }, Buffer.from('{"a":1}'), SIP)).toEqual({ a: 1 });
  });

  it('unwraps only an object whose one key is detail', async () => {
    expect(await decodeCallbackBody(json, Buffer.from('{"detail":"{\\"a\\":1}"}'), SIP)).toEqual({ a: 1 });
    expect(await decodeCallbackBody(json, Buffer.from('{"detail":5}'), SIP)).toBe(5);
    expect(await decodeCallbackBody(json, Buffer.from('{"other":"{}"}'), SIP)).toEqual({ other: '{}' });
    expect(await decodeCallbackBody(json, Buffer.from('[{"detail":"{}"}]'), SIP)).toEqual([{ detail: '{}' }]);
    expect(await decodeCallbackBody(json, Buffer.from('null'), SIP)).toBeNull();
    expect(await refusal(() => decodeCallbackBody(json, Buffer.from('{"detail":"nope"}'), SIP))).toMatchObject({
      status: 400,
      reason: expect.stringMatching(/^detail is not valid JSON \(/),
    });
    expect(await refusal(() => decodeCallbackBody(json, Buffer.from('{nope'), SIP))).toMatchObject({
      status: 400,
      reason: expect.stringMatching(/^the body is not valid JSON \(.+\)$/),
    });
  });

  it('refuses an empty form even for AI-call notifications, and a form without detail for SIP callbacks', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(await refusal(() => decodeCallbackBody(form, Buffer.from('&'), AICALL))).toMatchObject({
      status: 400,
      reason: 'the form has no detail field (it should hold the callback as a JSON string)',
    });
    expect(await refusal(() => decodeCallbackBody(form, Buffer.from('a=1'), SIP))).toMatchObject({ status: 400 });
    expect(await decodeCallbackBody(form, Buffer.from('a=1'), AICALL)).toEqual({ a: '1' });
  });

  it('reads multipart fields and their names as UTF-8', async () => {
    const form = new FormData();
    form.set('名字', '张三 – ünïcode');
    form.set('detail', '{"备注":"回访"}');
    const { headers, body } = await multipart(form);
    expect(await decodeCallbackBody(headers, body, SIP)).toEqual({ 备注: '回访' });
    const fields = new FormData();
    fields.set('名字', '张三 – ünïcode');
    const only = await multipart(fields);
    expect(await decodeCallbackBody(only.headers, only.body, AICALL)).toEqual({ 名字: '张三 – ünïcode' });
  });

  it('reads multipart file parts as text, keeps the last of a repeated field, and refuses an oversized field', async () => {
    const withFile = new FormData();
    withFile.set('detail', new Blob(['{"a":1}'], { type: 'application/json' }), 'detail.json');
    const file = await multipart(withFile);
    expect(await decodeCallbackBody(file.headers, file.body, SIP)).toEqual({ a: 1 });

    const repeated = new FormData();
    repeated.append('x', '1');
    repeated.append('x', '2');
    const twice = await multipart(repeated);
    expect(await decodeCallbackBody(twice.headers, twice.body, AICALL)).toEqual({ x: '2' });

    const big = new FormData();
    big.set('detail', `"${'x'.repeat(200)}"`);
    const large = await multipart(big);
    expect(await refusal(() => decodeCallbackBody(large.headers, large.body, { ...SIP, maxBytes: 100 }))).toMatchObject({
      status: 400,
      reason: 'form field detail is too large',
    });
    const fits = await decodeCallbackBody(large.headers, large.body, { ...SIP, maxBytes: 300 });
    expect(fits).toBe('x'.repeat(200));

    expect(await refusal(() => decodeCallbackBody({ 'content-type': 'multipart/form-data' }, Buffer.from('x'), SIP))).toMatchObject({
      status: 400,
      reason: expect.stringMatching(/^unreadable multipart form \(.+\)$/),
    });
  });
});

describe('checkJsonShape limits', () => {
  const limits = { maxDepth: 3, maxValues: 5 };
  const refused = (value: unknown) => {
    try {
      checkJsonShape(value, 'it', limits);
    } catch (error) {
      return error as CallbackRequestError;
    }
    return null;
  };

  it('takes a value right at each limit and refuses one over it, naming it', () => {
    expect(refused([[1]])).toBeNull(); // depth 2 holding a scalar at 3
    expect(refused([[[]]])).toBeNull(); // an empty array at depth 3
    expect(refused([[[[]]]])).toMatchObject({ status: 400, reason: 'it nests deeper than 3 levels' });
    expect(refused([1, 2, 3, 4])).toBeNull(); // 5 values
    expect(refused([1, 2, 3, 4, 5])).toMatchObject({ status: 400, reason: 'it holds more than 5 values (a callback is a few hundred bytes)' });
    expect(refused({ a: 1, b: { c: 2, d: 3, e: 4 } })).toMatchObject({ status: 400 });
    expect(refused({ a: 1, b: { c: 2, d: 3 } })).toBeNull();
    expect(refused('text')).toBeNull();
    expect(refused(null)).toBeNull();
  });

  it('counts values already waiting on the stack before pushing more', () => {
    // [a, [b, c]] : 1 + 2 + 2 = 5 values, all under the limit.
    expect(refused([1, [2, 3]])).toBeNull();
    // One more value inside the nested array: refused when that array's children are about to be pushed.
    expect(refused([1, [2, 3, 4]])).toMatchObject({ status: 400 });
    expect(refused([[1, 2], 3])).toBeNull();
  });

  it('counts the top-level value itself', () => {
    expect(() => checkJsonShape(1, 'it', { maxDepth: 1, maxValues: 0 })).toThrow('it holds more than 0 values');
    expect(() => checkJsonShape(1, 'it', { maxDepth: 1, maxValues: 1 })).not.toThrow();
  });

  it('defaults to CALLBACK_JSON_LIMITS', () => {
    expect(CALLBACK_JSON_LIMITS).toEqual({ maxDepth: 32, maxValues: 10_000 });
    let deep: unknown = 1;
    for (let i = 0; i < 31; i++) deep = [deep];
    expect(() => checkJsonShape(deep, 'x')).not.toThrow();
    expect(() => checkJsonShape([deep], 'x')).not.toThrow();
    expect(() => checkJsonShape([[deep]], 'x')).toThrow('x nests deeper than 32 levels');
    expect(() => checkJsonShape(Array.from({ length: 9_999 }, () => 0), 'x')).not.toThrow();
    expect(() => checkJsonShape(Array.from({ length: 10_000 }, () => 0), 'x')).toThrow('x holds more than 10000 values');
  });
});
