import { afterEach, describe, expect, it } from 'vitest';
import { SipCode, SipRet, SipService } from '../../src/upstream/sip/codes.ts';
import { GatewayOperatorViewDocument, type GatewayOperatorViewQuery } from '../generated/graphql.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway, wsClient } from '../utils/gateway.ts';
import { collectSubscription } from '../utils/subscription.ts';

/**
 * The operator's view (`gateway { operator { … } }`, issue 14 item 4): admins only; upstream health from the requests
 * the gateway really made against the simulator; event lag, subscribers and pending events from real callbacks and a
 * real graphql-ws subscriber. Each test starts its own simulator and gateway: everything here is per process.
 */

const SECRET = 'gateway-health-callback-secret-01';
/** Text the platform puts in a refusal: the view must show codes only, never this. */
const PLATFORM_TEXT = 'PBX-INTERNAL-DETAIL-4711';

type View = NonNullable<NonNullable<GatewayOperatorViewQuery['gateway']>['operator']>;
type Upstream = View['upstreams'][number];
type Topic = View['eventTopics'][number];

const QUEUES = `{ queues { name } }`;
const RECORD_EVENTS = `subscription($after: ID) { callRecordCreated(after: $after) { eventId } }`;

describe('gateway { operator }: the on-call view', () => {
  const disposer = createDisposer();
  afterEach(() => disposer.dispose());

  const start = (env: Record<string, string> = {}) => startGateway(disposer, { env: { CALLBACK_SECRET: SECRET, ...env } });

  async function view(gw: TestGateway): Promise<View> {
    const result = await gw.op(GatewayOperatorViewDocument, {});
    expect(result.errors).toBeUndefined();
    const operator = result.data?.gateway.operator;
    if (!operator) throw new Error('no operator view');
    return operator;
  }
  const upstream = (v: View, kind: 'SIP' | 'AI_CALL'): Upstream => {
    const found = v.upstreams.find((u) => u.kind === kind);
    if (!found) throw new Error(`no ${kind}`);
    return found;
  };
  const topic = (v: View, kind: Topic['topic']): Topic => {
    const found = v.eventTopics.find((t) => t.topic === kind);
    if (!found) throw new Error(`no ${kind}`);
    return found;
  };

  /** A call-record callback (end time 10:01:00 Shanghai); resolves with its stored event id. */
  async function postCallRecord(gw: TestGateway, id: number): Promise<number> {
    const detail = JSON.stringify({
      id, uuid: `health-${id}`, type: 'callout', callmethod: 5, starttime: '2026-11-23 10:00:00', answertime: '2026-11-23 10:00:05',
      endtime: '2026-11-23 10:01:00', duration: 5, billsec: 55, crmid: '1', memberid: '', chengshudu: '', customuuid: `H-${id}`,
      disnumber: '02100000000', destnumber: '13900009999', extnumber: '90240001', recordfilename: '', downloadip: '',
      hangupdirection: 10041, hangupcause: 10001, companycode: '9024', userkey: '',
    });
    const response = await fetch(`${gw.url}/callbacks/${SECRET}/call-record`, { method: 'POST', body: new URLSearchParams({ detail }) });
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: number }).id;
  }

  it('shows an admin every platform and topic, untouched, before any traffic', async () => {
    const gw = await start();
    const v = await view(gw);
    const poolSize = gw.app.services.config.http.maxConnections;
    expect(v.upstreams).toEqual([
      {
        kind: 'SIP', configured: true, lastSuccessAt: null, secondsSinceSuccess: null, requestsInFlight: 0, poolSize, lastFailure: null,
        session: { loggedInAt: null, loginAgeSeconds: null, logins: 0, renewals: 0 },
      },
      { kind: 'AI_CALL', configured: true, lastSuccessAt: null, secondsSinceSuccess: null, requestsInFlight: 0, poolSize, lastFailure: null, session: null },
    ]);
    expect(v.eventTopics.map((t) => t.topic)).toEqual(['AGENT_STATUS', 'CALL_RECORD', 'TASK_STATUS', 'AICALL_NOTIFY', 'ABANDON_GUARD']);
    for (const t of v.eventTopics) {
      expect(t).toEqual({
        topic: t.topic, subscribers: 0, lastEventId: null, lastEventAt: null, lastReceivedAt: null, lastPublishedAt: null,
        publishLagSeconds: null, lagSeconds: null, secondsSinceLastEvent: null, pendingEvents: 0, oldestPendingAgeSeconds: null,
      });
    }
    expect(v.openConnections).toBe(0);
    expect(Date.parse(v.checkedAt)).not.toBeNaN();
  });

  it('refuses viewers and operators with FORBIDDEN, and callers without a key with 401, while gateway still answers', async () => {
    const gw = await start();
    for (const key of ['viewer', 'operator'] as const) {
      const result = await gw.op(GatewayOperatorViewDocument, {}, key);
      expect(result.data?.gateway.operator).toBeNull();
      expect(result.data?.gateway.version).toBe(gw.app.services.version);
      expect(result.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([['FORBIDDEN', ['gateway', 'operator']]]);
      expect(JSON.stringify(result.data)).not.toContain('upstreams');
    }
    const anonymous = await gw.op(GatewayOperatorViewDocument, {}, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.data ?? null).toBeNull();
    // Bad input: the field takes no arguments.
    const bad = await gw.gql(`{ gateway { operator(kind: SIP) { checkedAt } } }`);
    expect(bad.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('logs in on the first SIP call, then shows the login age and counts, and a renewal after the PBX refuses the token', async () => {
    const gw = await start();
    const before = Date.now();
    expect((await gw.gql(QUEUES)).errors).toBeUndefined();
    const first = upstream(await view(gw), 'SIP');
    expect(first.session).toMatchObject({ logins: 1, renewals: 0 });
    expect(Date.parse(first.session?.loggedInAt ?? '')).toBeGreaterThanOrEqual(before);
    expect(first.session?.loginAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(first.lastFailure).toBeNull();
    expect(Date.parse(first.lastSuccessAt ?? '')).toBeGreaterThanOrEqual(Date.parse(first.session?.loggedInAt ?? ''));
    // The session the view reads is the client's own (B's metrics read the same counts).
    expect(gw.app.services.sip?.session.loginCount).toBe(1);

    gw.sim.control.expireAllTokens();
    expect((await gw.gql(QUEUES)).errors).toBeUndefined();
    const renewed = upstream(await view(gw), 'SIP');
    expect(renewed.session).toMatchObject({ logins: 2, renewals: 1 });
    expect(gw.app.services.sip?.session.renewCount).toBe(1);
    // The ret 600 the renewal cured is not a failure the caller saw.
    expect(renewed.lastFailure).toBeNull();
  });

  it('shows the last SIP refusal with its codes and operation, never the platform text, and a later success after it', async () => {
    const gw = await start();
    expect((await gw.gql(QUEUES)).errors).toBeUndefined();
    gw.sim.control.failNext(1, { code: SipCode.OperationFailed, msg: PLATFORM_TEXT }, SipService.GetQueueList);
    const refused = await gw.gql(QUEUES);
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_REJECTED']);

    const afterRefusal = await gw.gql(`{ gateway { operator { upstreams { kind lastSuccessAt lastFailure { at code upstreamCode operation } } } } }`);
    expect(JSON.stringify(afterRefusal)).not.toContain(PLATFORM_TEXT);
    const sip = upstream(await view(gw), 'SIP');
    expect(sip.lastFailure).toEqual({
      at: expect.any(String), code: 'UPSTREAM_REJECTED', upstreamCode: `code:${SipCode.OperationFailed}`, operation: SipService.GetQueueList,
    });
    expect(upstream(await view(gw), 'AI_CALL').lastFailure).toBeNull();

    gw.sim.control.failNext(1, { ret: SipRet.ServerError, msg: PLATFORM_TEXT }, SipService.GetQueueList);
    expect((await gw.gql(QUEUES)).errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const failed = upstream(await view(gw), 'SIP');
    expect(failed.lastFailure).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: `ret:${SipRet.ServerError}`, operation: SipService.GetQueueList });

    expect((await gw.gql(QUEUES)).errors).toBeUndefined();
    const recovered = upstream(await view(gw), 'SIP');
    expect(Date.parse(recovered.lastSuccessAt ?? '')).toBeGreaterThanOrEqual(Date.parse(failed.lastFailure?.at ?? ''));
    expect(Date.parse(recovered.lastSuccessAt ?? '')).toBeGreaterThanOrEqual(Date.parse(failed.lastSuccessAt ?? ''));
    // The failure stays what it was until the next one.
    expect(recovered.lastFailure).toEqual(failed.lastFailure);
  });

  it('shows an AI-call HTTP failure with its status and route', async () => {
    const gw = await start();
    gw.sim.control.failNext(1, { httpStatus: 503, body: { message: PLATFORM_TEXT } }, 'GET /v1/task/create');
    const result = await gw.gql(`{ aiTaskOptions { doNotCallWindows { id } } }`);
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const v = await view(gw);
    expect(upstream(v, 'AI_CALL').lastFailure).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: 'http:503', operation: 'GET /v1/task/create' });
    expect(upstream(v, 'SIP').lastFailure).toBeNull();
    expect(JSON.stringify(v)).not.toContain(PLATFORM_TEXT);
  });

  it('counts a request in flight while the PBX hangs, and shows the cut connection as UPSTREAM_UNAVAILABLE after', async () => {
    const gw = await start();
    expect((await gw.gql(QUEUES)).errors).toBeUndefined();
    // Told synchronously when the request is sent: wrap the tracker's own hook.
    const health = gw.app.telemetry.upstreamHealth;
    const sent = createDeferred<void>();
    const started = health.started.bind(health);
    health.started = (call) => {
      const ended = started(call);
      sent.resolve();
      return ended;
    };
    gw.sim.control.hang(true);
    const pending = gw.gql(QUEUES);
    await sent.promise;
    expect(upstream(await view(gw), 'SIP').requestsInFlight).toBe(1);
    gw.sim.control.hang(false);
    expect((await pending).errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const after = upstream(await view(gw), 'SIP');
    expect(after.requestsInFlight).toBe(0);
    expect(after.lastFailure).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: 'NETWORK', operation: SipService.GetQueueList });
  });

  it('shows the PBX unreachable as CONNECT_FAILED', async () => {
    const gw = await start();
    await gw.sim.stop();
    expect((await gw.gql(QUEUES)).errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    // The first call is the login: that is where it failed.
    expect(upstream(await view(gw), 'SIP').lastFailure).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: 'CONNECT_FAILED', operation: SipService.Login });
  });

  it('counts a graphql-ws subscriber and its connection, and moves the last event and its lag when a callback is published', async () => {
    const gw = await start();
    const firstId = await postCallRecord(gw, 880001);
    const client = wsClient(disposer, gw, 'viewer');
    // Replayed from after 0: once it arrives, the subscription listens to the feed.
    const records = collectSubscription<{ eventId: string }>(client, RECORD_EVENTS, { after: '0' });
    expect(await records.until(1)).toEqual([{ eventId: String(firstId) }]);

    const listening = await view(gw);
    expect(topic(listening, 'CALL_RECORD')).toMatchObject({ subscribers: 1, lastEventId: null, pendingEvents: 0 });
    expect(topic(listening, 'AGENT_STATUS').subscribers).toBe(0);
    expect(listening.openConnections).toBe(1);

    const secondId = await postCallRecord(gw, 880002);
    expect((await records.until(2)).map((e) => e.eventId)).toEqual([String(firstId), String(secondId)]);
    const published = topic(await view(gw), 'CALL_RECORD');
    expect(published.lastEventId).toBe(String(secondId));
    // The record's own time is its hang-up: 10:01:00 in the platform's zone (Shanghai, UTC+8).
    expect(published.lastEventAt).toBe('2026-11-23T02:01:00.000Z');
    const publishedAt = Date.parse(published.lastPublishedAt ?? '');
    const receivedAt = Date.parse(published.lastReceivedAt ?? '');
    expect(publishedAt).toBeGreaterThanOrEqual(receivedAt);
    expect(published.publishLagSeconds).toBe((publishedAt - receivedAt) / 1000);
    expect(published.lagSeconds).toBe((publishedAt - Date.parse('2026-11-23T02:01:00.000Z')) / 1000);
    expect(published.secondsSinceLastEvent).toBeGreaterThanOrEqual(0);
    records.stop();
  });

  it('shows events stored but not settled as pending, with the oldest one\'s age', async () => {
    // A long lease: the catch-up sweep leaves the pending events alone while the test reads them.
    const gw = await start({ EVENT_SETTLE_LEASE_SECONDS: '3600' });
    const events = gw.app.services.store.events;
    const receivedAt = new Date(Date.now() - 5_000);
    for (const [index, at] of [receivedAt, new Date()].entries()) {
      await events.append({
        topic: 'task-status', dedupeKey: `pending-${index}`, subject: 'T1', occurredAt: null, receivedAt: at,
        payload: { taskId: 'T1', companyCode: null, status: 'FINISHED', statusCode: '3' },
      });
    }
    const v = await view(gw);
    const tasks = topic(v, 'TASK_STATUS');
    expect(tasks.pendingEvents).toBe(2);
    expect(tasks.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(5);
    expect(tasks.oldestPendingAgeSeconds).toBe((Date.parse(v.checkedAt) - receivedAt.getTime()) / 1000);
    expect(topic(v, 'CALL_RECORD')).toMatchObject({ pendingEvents: 0, oldestPendingAgeSeconds: null });
  });
});
