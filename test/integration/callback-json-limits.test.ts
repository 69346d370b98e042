import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway } from '../utils/gateway.ts';
import { deepArray, deepObject } from '../utils/deep-json.ts';
import { eventCount } from '../utils/event-count.ts';

const SECRET = 'limits-secret-0123456789';


describe('callback bodies past the JSON shape limits (over HTTP)', () => {
  const disposer = createDisposer();
  let gateway: TestGateway;
  let store: Store;

  beforeAll(async () => {
    // The default body cap (64 KiB): every hostile body below fits under it, so only the shape limits refuse them.
    gateway = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET } });
    store = gateway.app.services.store;
  });
  afterAll(() => disposer.dispose());

  async function post(kind: string, body: string | FormData | URLSearchParams, type?: string) {
    const response = await fetch(`${gateway.url}/callbacks/${SECRET}/${kind}`, { method: 'POST', body, headers: type ? { 'content-type': type } : {} });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('answers 400 with a reason, never 500, and stores nothing, for every kind', async () => {
    const before = await eventCount(store);
    const deepDetail = new FormData();
    deepDetail.set('detail', deepArray(10_000));
    const hostile: Array<[string, string | FormData | URLSearchParams, string | undefined, string]> = [
      ['10 000-deep JSON array', deepArray(10_000), 'application/json', 'nests deeper than 32 levels'],
      ['10 000-deep JSON object', deepObject(10_000), 'application/json', 'nests deeper than 32 levels'],
      ['10 000-deep detail in a multipart form', deepDetail, undefined, 'the detail field nests deeper than 32 levels'],
      ['5 000-deep detail in a url-encoded form', new URLSearchParams({ detail: deepArray(5_000) }), undefined, 'the detail field nests deeper'],
      ['a flat array of 20 000 values', `[${'0,'.repeat(19_999)}0]`, 'application/json', 'more than 10000 values'],
    ];
    // aicall-notify keeps any JSON it is sent (it was the kind that answered 500: canonical JSON overflowed the stack).
    for (const kind of ['aicall-notify', 'extension-status', 'call-record', 'task-status']) {
      for (const [name, body, type, reason] of hostile) {
        const answer = await post(kind, body, type);
        expect({ kind, name, ...answer }).toEqual({ kind, name, status: 400, body: { error: 'invalid callback', reason: expect.stringContaining(reason) } });
      }
    }
    expect(await eventCount(store)).toBe(before);
  });

  it('still stores an ordinary callback (200), and one nested as deep as the limit allows', async () => {
    const before = await eventCount(store);
    const ok = await post('extension-status', JSON.stringify({ ...EXTENSION_STATUS_COMMON, uuid: 'limits-ok' }), 'application/json');
    expect(ok).toEqual({ status: 200, body: { ok: true, id: expect.any(Number), duplicate: false } });
    const nested = await post('aicall-notify', JSON.stringify({ task_uuid: 'limits', call_uuid: 'limits-1', extra: JSON.parse(deepArray(30)) }), 'application/json');
    expect(nested.status).toBe(200);
    expect(await eventCount(store)).toBe(before + 2);
  });
});
