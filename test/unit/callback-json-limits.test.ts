import { describe, expect, it } from 'vitest';
import { CALLBACK_JSON_LIMITS, CallbackRequestError, checkJsonShape, decodeCallbackBody, type DecodeOptions } from '../../src/callbacks/parse.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { rejectionOfType } from '../utils/rejection.ts';
import { deepArray, deepObject } from '../utils/deep-json.ts';

const SIP: DecodeOptions = { maxBytes: 1 << 20, formWithoutDetail: 'error' };
const AICALL: DecodeOptions = { maxBytes: 1 << 20, formWithoutDetail: 'fields' };
const JSON_TYPE = { 'content-type': 'application/json' };

const flatArray = (length: number) => `[${Array.from({ length }, () => '0').join(',')}]`;

const refusal = (run: () => unknown) => rejectionOfType(CallbackRequestError, run);

describe('callback JSON shape limits', () => {
  it('accepts a real callback and values right at the limits', async () => {
    expect(await decodeCallbackBody(JSON_TYPE, Buffer.from(JSON.stringify(EXTENSION_STATUS_COMMON)), SIP)).toEqual(EXTENSION_STATUS_COMMON);
    expect(() => checkJsonShape(JSON.parse(deepArray(CALLBACK_JSON_LIMITS.maxDepth)), 'x')).not.toThrow();
    // The top-level array plus its items.
    expect(() => checkJsonShape(JSON.parse(flatArray(CALLBACK_JSON_LIMITS.maxValues - 1)), 'x')).not.toThrow();
  });

  it('refuses one level or one value too many with 400 and a reason', async () => {
    expect(await refusal(() => checkJsonShape(JSON.parse(deepArray(CALLBACK_JSON_LIMITS.maxDepth + 1)), 'the body'))).toMatchObject({
      status: 400,
      reason: `the body nests deeper than ${CALLBACK_JSON_LIMITS.maxDepth} levels`,
    });
    expect(await refusal(() => checkJsonShape(JSON.parse(flatArray(CALLBACK_JSON_LIMITS.maxValues)), 'the body'))).toMatchObject({
      status: 400,
      reason: expect.stringContaining(`more than ${CALLBACK_JSON_LIMITS.maxValues} values`),
    });
  });

  it('refuses a 10 000-deep JSON body, array or object, without overflowing the stack', async () => {
    for (const body of [deepArray(10_000), deepObject(10_000), `{"extnumber":"8001","x":${deepObject(10_000)}}`]) {
      expect(await refusal(() => decodeCallbackBody(JSON_TYPE, Buffer.from(body), SIP))).toMatchObject({
        status: 400,
        reason: expect.stringContaining('the body nests deeper than 32 levels'),
      });
    }
  });

  it('checks a `detail` JSON string the same way, in a JSON body, a url-encoded form and a multipart form', async () => {
    const detail = deepArray(10_000);
    const wrapped = Buffer.from(JSON.stringify({ detail }));
    expect(await refusal(() => decodeCallbackBody(JSON_TYPE, wrapped, SIP))).toMatchObject({ status: 400, reason: expect.stringContaining('detail nests deeper') });
    const urlencoded = Buffer.from(new URLSearchParams({ detail }).toString());
    expect(await refusal(() => decodeCallbackBody({ 'content-type': 'application/x-www-form-urlencoded' }, urlencoded, SIP))).toMatchObject({
      status: 400,
      reason: expect.stringContaining('the detail field nests deeper'),
    });
    const form = new FormData();
    form.set('detail', detail);
    const request = new Request('http://localhost/', { method: 'POST', body: form });
    const headers = { 'content-type': request.headers.get('content-type') ?? '' };
    const multipart = Buffer.from(await request.arrayBuffer());
    expect(await refusal(() => decodeCallbackBody(headers, multipart, SIP))).toMatchObject({ status: 400, reason: expect.stringContaining('the detail field nests deeper') });
  });

  it('refuses a huge flat array, and an AI-call form with too many fields', async () => {
    expect(await refusal(() => decodeCallbackBody(JSON_TYPE, Buffer.from(flatArray(20_000)), AICALL))).toMatchObject({
      status: 400,
      reason: expect.stringContaining('more than 10000 values'),
    });
    const fields = new URLSearchParams(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, '1']));
    expect(await refusal(() => decodeCallbackBody({ 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from(fields.toString()), AICALL))).toMatchObject({
      status: 400,
      reason: expect.stringContaining('the form holds more than'),
    });
  });
});
