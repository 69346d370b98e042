import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRecordPayload } from '../../src/simulator/dialer/payloads.ts';
import type { Bill as SimBill, NewBill } from '../../src/simulator/sip/model.ts';
import { CallDirection, CallMethod, SipCode } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway, wsClient } from '../utils/gateway.ts';
import { collectSubscription } from '../utils/subscription.ts';

/**
 * Issue 11 items 14/15: one call is one CallRecord, whether pushed (callRecordCreated, from the callback) or pulled
 * (callRecords, GetBill): the same id, the same fields; the platform's "0" for none is null; the hang-up side and
 * cause decode from separate tables.
 */

const SECRET = 'shape-test-callback-secret-0001';
const DAY = 86_400_000;

const FIELDS = /* GraphQL */ `
  id recordId uuid employeeId direction directionCode callMethod callMethodCode extension agent { extension }
  callerNumber calleeNumber displayNumber startedAt answeredAt endedAt waitSeconds talkSeconds answered
  hangupSide hangupSideCode hangupCause hangupCauseCode keysPressed userId memberId maturity customerId
`;
const RECORD_EVENTS = `subscription($after: ID) { callRecordCreated(after: $after) { eventId record { ${FIELDS} } } }`;
const PAGE = `query($f: CallRecordFilter!) { callRecords(filter: $f, first: 100) { edges { node { ${FIELDS} } } } }`;
const NODE = `query($id: ID!) { node(id: $id) { id ... on CallRecord { recordId uuid employeeId calleeNumber } } }`;

type Rec = Record<string, unknown> & { id: string; recordId: number | null; uuid: string | null };

describe('CallRecord: one shape, pushed or pulled', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let client: Client;
  let t0 = 0;

  beforeAll(async () => {
    gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET } });
    client = wsClient(disposer, gw, 'viewer');
    t0 = Math.floor((gw.sim.context.now() - 12 * DAY) / 1_000) * 1_000;
  });
  afterAll(() => disposer.dispose());

  function bill(i: number, init: Partial<NewBill> = {}): SimBill {
    const start = t0 + i * 600_000;
    return gw.sim.sip.addBill({
      uuid: `shape-${i}`,
      extnumber: '90270001',
      destnumber: `1380000${String(7000 + i)}`,
      displaynumber: '2190270001',
      starttime: start,
      answertime: start + 4_000,
      endtime: start + 64_000,
      duration: 4,
      billsec: 60,
      direction: CallDirection.Out,
      callmethod: CallMethod.Predictive,
      crmid: '7001',
      userid: '0',
      memberid: 'm-1',
      chengshudu: '0',
      customuuid: `SHAPE-${i}`,
      recordfilename: '',
      downloadip: '0',
      hangupdirection: SipCode.CalleeHungUp,
      hangupcause: SipCode.CallNormalHangup,
      userkey: '',
      ...init,
    });
  }

  async function push(record: Record<string, unknown>): Promise<number> {
    const response = await fetch(`${gw.url}/callbacks/${SECRET}/call-record`, {
      method: 'POST',
      body: new URLSearchParams({ detail: JSON.stringify(record) }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: number }).id;
  }

  async function pushed(eventId: number): Promise<Rec> {
    const stream = collectSubscription<{ eventId: string; record: Rec }>(client, RECORD_EVENTS, { after: String(eventId - 1) });
    const [event] = await stream.until(1);
    stream.stop();
    expect(event?.eventId).toBe(String(eventId));
    return event!.record;
  }

  async function pulled(of: SimBill): Promise<Rec> {
    const result = await gw.gql(PAGE, { f: { from: new Date(of.starttime - 1_000).toISOString(), to: new Date(of.starttime + 1_000).toISOString() } });
    expect(result.errors).toBeUndefined();
    const nodes = result.data?.callRecords.edges.map((e: { node: Rec }) => e.node) as Rec[];
    // The two seconds around this test's bill (12 days back, before the seed's week) hold that bill alone.
    expect(nodes.map((n) => n.recordId)).toEqual([of.id]);
    return nodes[0] as Rec;
  }

  it('a callback with the record id: the same id and every field the same, pushed or pulled', async () => {
    const b = bill(1);
    const eventId = await push(callRecordPayload(b, '9027', gw.sim.context.time));
    const push1 = await pushed(eventId);
    const pull1 = await pulled(b);
    expect(pull1).toEqual(push1);
    expect(push1).toMatchObject({
      recordId: b.id,
      uuid: 'shape-1',
      employeeId: 7001,
      memberId: 'm-1',
      customerId: 'SHAPE-1',
      // The platform's "0" for none.
      userId: null,
      maturity: null,
      hangupSide: 'CALLEE_HUNG_UP',
      hangupSideCode: String(SipCode.CalleeHungUp),
      hangupCause: 'NORMAL',
    });
  });

  it('a callback without an id: recordId null (never 0), yet the same id as the GetBill read, which gains uuid and employeeId', async () => {
    const b = bill(2, { crmid: '7002' });
    const { id: _id, ...withoutId } = callRecordPayload(b, '9027', gw.sim.context.time);
    const eventId = await push(withoutId);
    const push2 = await pushed(eventId);
    expect(push2.recordId).toBeNull();
    const pull2 = await pulled(b);
    expect(pull2.id).toBe(push2.id);
    expect(pull2).toMatchObject({ recordId: b.id, uuid: 'shape-2', employeeId: 7002 });
    // Every field both know is the same; only the record id is the GetBill read's own.
    expect({ ...pull2, recordId: null }).toEqual(push2);

    // node(id) of the pushed record reads the same call back through GetBill.
    const node = await gw.gql(NODE, { id: push2.id });
    expect(node.errors).toBeUndefined();
    expect(node.data?.node).toEqual({ id: push2.id, recordId: b.id, uuid: 'shape-2', employeeId: 7002, calleeNumber: b.destnumber });
  });

  it('a call only read through GetBill has the id a later callback of it will have', async () => {
    const b = bill(3, { crmid: '0' });
    const before = await pulled(b);
    expect(before).toMatchObject({ uuid: null, employeeId: null });
    const eventId = await push(callRecordPayload(b, '9027', gw.sim.context.time));
    const after = await pushed(eventId);
    expect(after.id).toBe(before.id);
    expect(await pulled(b)).toEqual({ ...before, uuid: 'shape-3' });
  });

  it('decodes the hang-up side and cause from their own tables: a code of the other table is UNKNOWN with its raw code', async () => {
    // A cause code in the side field and a side code in the cause field, as the platform has been seen to send.
    const b = bill(4, { hangupdirection: SipCode.CallNormalHangup, hangupcause: SipCode.CallerHungUp });
    const eventId = await push(callRecordPayload(b, '9027', gw.sim.context.time));
    const record = await pushed(eventId);
    expect(record).toMatchObject({
      hangupSide: 'UNKNOWN',
      hangupSideCode: String(SipCode.CallNormalHangup),
      hangupCause: 'UNKNOWN',
      hangupCauseCode: String(SipCode.CallerHungUp),
    });
    expect(await pulled(b)).toEqual(record);
    const timeout = await pulled(bill(5, { hangupdirection: SipCode.CallerHungUp, hangupcause: SipCode.CallTimeout }));
    expect(timeout).toMatchObject({ hangupSide: 'CALLER_HUNG_UP', hangupCause: 'TIMEOUT' });
  });

  it('AgentStatusEvent: callStartedAt is the call start; the deprecated occurredAt still resolves to the same', async () => {
    const extension = '90270009';
    gw.sim.sip.addExtension({ number: extension, password: 'not-shown' });
    const starttime = Math.floor(Date.now() / 1000) - 30;
    const query = `subscription($after: ID, $x: [String!]) { agentStatusChanged(after: $after, extensions: $x) { status occurredAt callStartedAt receivedAt call { customerId } } }`;
    const stream = collectSubscription<Record<string, string | null | { customerId: string | null }>>(client, query, { after: '0', x: [extension] });
    const detail = { buuid: 'sa-1-b', callee: '13900002222', caller: extension, companycode: '9027', direction: 'callout', disnumber: '021', extnumber: extension, isbleg: 'false', method: '5', starttime: String(starttime), status: 'ring', type: 'call', uuid: 'sa-1', customuuid: '0' };
    await fetch(`${gw.url}/callbacks/${SECRET}/extension-status`, { method: 'POST', body: new URLSearchParams({ detail: JSON.stringify(detail) }) });
    const [event] = await stream.until(1);
    stream.stop();
    expect(event).toMatchObject({ status: 'RING', callStartedAt: new Date(starttime * 1000).toISOString(), occurredAt: new Date(starttime * 1000).toISOString() });
    // "0" is the platform's "no customer id".
    expect(event?.call).toEqual({ customerId: null });
  });
});
