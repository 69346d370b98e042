import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, createSimulator } from '../../src/simulator/server.ts';
import { type UpstreamHttp, createUpstreamHttp } from '../../src/upstream/http.ts';
import { createSipClient } from '../../src/upstream/sip/client.ts';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { createZonedTime } from '../../src/upstream/time.ts';
import { createDisposer } from '../utils/disposer.ts';
import { type LoopbackProxy, formField, startLoopbackProxy } from '../utils/loopback-proxy.ts';

/**
 * The session's stale-token guard (src/upstream/sip/session.ts, renew): a ret 600 that comes back for a request sent
 * with the OLD token, after another call already renewed it, must reuse the new token and not log in again. A loopback
 * proxy holds the late request on the wire until the renewal is over, so the order is exact.
 */

const disposer = createDisposer();
const perTest = createDisposer();
let sim: Simulator;
let http: UpstreamHttp;
let proxy: LoopbackProxy;

beforeAll(async () => {
  sim = disposer.use(createSimulator({ seed: 7, now: () => Date.parse('2024-03-15T06:00:00Z') }), (s) => s.stop());
  await sim.start(0, '127.0.0.1');
  http = disposer.use(createUpstreamHttp({ connectTimeoutMs: 2_000, requestTimeoutMs: 5_000, maxConnections: 8 }), (h) => h.close());
  proxy = await startLoopbackProxy(disposer, sim.url);
});
afterAll(() => disposer.dispose());
afterEach(async () => {
  await perTest.dispose();
  sim.control.reset();
});

const newClient = () =>
  createSipClient({
    http,
    url: proxy.url,
    appId: sim.credentials.appId,
    accessKey: sim.credentials.accessKey,
    time: createZonedTime('Asia/Shanghai'),
    now: () => Date.parse('2024-03-15T06:00:00Z'),
  });

describe('a late ret 600 for a token already replaced', () => {
  it('retries with the new token and does not log in a second time', async () => {
    const client = newClient();
    await client.getQueues();
    const oldToken = await client.session.token();
    expect(client.session.loginCount).toBe(1);

    sim.control.expireAllTokens();
    sim.stats.reset();
    // A request sent with the old token, held on the wire until the renewal below has finished.
    const hold = proxy.holdNext((r) => formField(r.body, 'service') === SipService.GetExtgroupInfo && formField(r.body, 'token') === oldToken);
    perTest.add(() => hold.release());
    const late = client.getExtGroups();
    const held = await hold.arrived;
    expect(formField(held.body, 'token')).toBe(oldToken);

    // Another call meets ret 600 with the old token, renews (one login) and succeeds.
    expect(await client.getQueues()).toHaveLength(4);
    const newToken = await client.session.token();
    expect(newToken).not.toBe(oldToken);
    expect(client.session.loginCount).toBe(2);
    expect(sim.stats.snapshot()).toEqual({ [SipService.GetQueueList]: 2, [SipService.Login]: 1 });

    // Now the held request reaches the platform: ret 600 for the old token. It must take the new token as it is.
    hold.release();
    expect(await late).toHaveLength(sim.sip.extGroups.size);
    expect(client.session.loginCount).toBe(2);
    expect(await client.session.token()).toBe(newToken);
    expect(sim.stats.snapshot()).toEqual({ [SipService.GetExtgroupInfo]: 2, [SipService.GetQueueList]: 2, [SipService.Login]: 1 });
    // The retry of the late call went out with the new token.
    const sent = proxy.requests.filter((r) => formField(r.body, 'service') === SipService.GetExtgroupInfo).map((r) => formField(r.body, 'token'));
    expect(sent.slice(-2)).toEqual([oldToken, newToken]);
    expect(sim.sip.tokens.check(newToken)).toBe('ok');
  });
});
