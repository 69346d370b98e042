import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createSimulator, type Simulator } from '../../src/simulator/server.ts';
import type { Bill as SimBill, NewBill } from '../../src/simulator/sip/model.ts';
import { CallDirection, CallMethod, SipCode } from '../../src/upstream/sip/codes.ts';
import { createDisposer } from '../utils/disposer.ts';
import { tempDatabaseUrl } from '../utils/temp-db.ts';

const DAY = 86_400_000;
const GET_BILL = 'App.Sip_Cdr.GetBill';
const GET_RECORDING = 'App.Sip_Cdr.GetRecodeFile';
const AGENTS = Array.from({ length: 8 }, (_, i) => String(90240001 + i));
const BULK = 2_600;

interface GqlResult<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

interface PageNode {
  id: string;
  recordId: number;
  direction: string;
  callMethod: string;
  extension: string | null;
  customerId: string | null;
}

interface Page {
  totalCount: number | null;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: Array<{ cursor: string; node: PageNode }>;
}

const PAGE_QUERY = /* GraphQL */ `
  query CallRecordsPage($filter: CallRecordFilter!, $first: Int, $after: String) {
    callRecords(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id recordId direction callMethod extension customerId } }
    }
  }
`;

const DETAIL_QUERY = /* GraphQL */ `
  query CallRecordDetails($filter: CallRecordFilter!) {
    callRecords(filter: $filter, first: 100) {
      totalCount
      edges {
        node {
          id recordId uuid direction directionCode callMethod callMethodCode extension agent { extension }
          callerNumber calleeNumber displayNumber startedAt answeredAt endedAt waitSeconds talkSeconds answered
          hangupSide hangupSideCode hangupCause hangupCauseCode keysPressed userId memberId maturity customerId
        }
      }
    }
  }
`;

const RECORDING_QUERY = /* GraphQL */ `
  query CallRecordRecordings($filter: CallRecordFilter!) {
    callRecords(filter: $filter, first: 50) {
      edges { node { recordId recording { url expiresAt } } }
    }
  }
`;

const NODE_QUERY = /* GraphQL */ `
  query CallRecordNode($id: ID!) {
    node(id: $id) { id ... on CallRecord { recordId startedAt calleeNumber } }
  }
`;

const iso = (ms: number) => new Date(ms).toISOString();

describe('callRecords over the simulator', () => {
  const disposer = createDisposer();
  let sim: Simulator;
  let app: App;
  /** Window A: the bulk (2 600 records, 10 s apart), 20 days back so no seeded record shares it. */
  let a0 = 0;
  /** Window B: a few hand-written records, 10 days back at 09:30 Shanghai time. */
  let b0 = 0;
  /** Window C: records the mutation tests change, 25 days back. */
  let c0 = 0;

  async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<GqlResult<T>> {
    const response = await app.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GqlResult<T>;
  }

  async function page(filter: Record<string, unknown>, first?: number, after?: string | null): Promise<Page> {
    const result = await gql<{ callRecords: Page }>(PAGE_QUERY, { filter, first, after });
    expect(result.errors).toBeUndefined();
    return result.data!.callRecords;
  }

  /** Pages to the end; `sizes` gives `first` page by page (the last one repeats). */
  async function collect(filter: Record<string, unknown>, sizes: number[] | number, between?: (pageNo: number) => void) {
    const list = Array.isArray(sizes) ? sizes : [sizes];
    const nodes: PageNode[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const p = await page(filter, list[Math.min(pages, list.length - 1)], after);
      pages += 1;
      nodes.push(...p.edges.map((edge) => edge.node));
      if (!p.pageInfo.hasNextPage) break;
      expect(p.pageInfo.endCursor).toEqual(expect.any(String));
      after = p.pageInfo.endCursor;
      between?.(pages);
      if (pages > 500) throw new Error('paging does not end');
    }
    return { nodes, pages, ids: nodes.map((n) => n.recordId) };
  }

  const windowA = () => ({ from: iso(a0 - 1_000), to: iso(a0 + BULK * 10_000 + 3_600_000) });
  const windowB = () => ({ from: iso(b0 - 60_000), to: iso(b0 + 3_600_000) });
  const windowC = () => ({ from: iso(c0 - 1_000), to: iso(c0 + 1_000 * 10_000) });
  const inWindow = (bill: SimBill, from: string, to: string) =>
    bill.starttime >= new Date(from).getTime() && bill.starttime <= new Date(to).getTime();
  const simBills = (window: { from: string; to: string }, where: (bill: SimBill) => boolean = () => true) =>
    sim.sip.bills.filter((bill) => inWindow(bill, window.from, window.to) && where(bill));

  function bulkBill(i: number, start: number): NewBill {
    const inbound = i % 7 === 0;
    const methods = [CallMethod.Predictive, CallMethod.ManualDial, CallMethod.ApiCall, CallMethod.Predictive, CallMethod.ApiDoubleCall, CallMethod.ExtensionToExtension];
    const method = inbound ? CallMethod.IvrGroupCall : (methods[i % methods.length] as CallMethod);
    const answered = i % 3 !== 0;
    const predictive = method === CallMethod.Predictive;
    const agent = AGENTS[i % AGENTS.length] as string;
    const talk = answered ? 30 + (i % 50) : 0;
    return {
      uuid: `bulk-${i}`,
      extnumber: predictive && !answered ? '' : agent,
      destnumber: inbound ? '2190240001' : method === CallMethod.ExtensionToExtension ? (AGENTS[(i + 1) % AGENTS.length] as string) : `138${String(i).padStart(8, '0')}`,
      displaynumber: inbound ? `139${String(i).padStart(8, '0')}` : '2190240002',
      starttime: start,
      answertime: answered ? start + 5_000 : null,
      endtime: start + (5 + talk) * 1_000,
      duration: 5,
      billsec: talk,
      direction: inbound ? CallDirection.In : CallDirection.Out,
      callmethod: method,
      crmid: '0',
      userid: predictive ? `u${i % 10}` : '0',
      memberid: predictive ? `m${i % 13}` : '0',
      chengshudu: predictive ? String((i % 5) + 1) : '0',
      customuuid: predictive ? `c${i % 17}` : '0',
      recordfilename: answered ? `bulk-${i}.wav` : '',
      downloadip: answered ? '10.90.24.1' : '',
      hangupdirection: i % 2 === 0 ? SipCode.CallerHungUp : SipCode.CalleeHungUp,
      hangupcause: answered ? SipCode.CallNormalHangup : SipCode.CallTimeout,
      userkey: inbound ? '1' : '',
    };
  }

  // A fresh simulator, gateway and record set for every test: several tests add, mark or drop records, and the counts
  // asserted are exact.
  beforeEach(async () => {
    sim = disposer.use(createSimulator({ seed: 1 }), (s) => s.stop());
    const simUrl = await sim.start();
    const config = loadConfig({
      SIP_API_URL: simUrl,
      SIP_APPID: 'sim-appid',
      SIP_ACCESSKEY: 'sim-accesskey',
      GATEWAY_AUTH: 'off',
      DATABASE_URL: tempDatabaseUrl(disposer),
    });
    app = disposer.use(await buildApp(config, createLogger('silent')), (built) => built.stop());

    const now = sim.context.now();
    a0 = Math.floor((now - 20 * DAY) / 1_000) * 1_000;
    for (let i = 0; i < BULK; i++) sim.sip.addBill(bulkBill(i, a0 + i * 10_000));
    c0 = Math.floor((now - 25 * DAY) / 1_000) * 1_000;
    for (let i = 0; i < 300; i++) sim.sip.addBill({ ...bulkBill(i, c0 + i * 10_000), uuid: `c-${i}`, fetched: i % 2 === 0 });

    const day = sim.context.time.format(new Date(now - 10 * DAY)).slice(0, 10);
    b0 = sim.context.time.parse(`${day} 09:30:00`)!.getTime();
    const base = bulkBill(1, b0);
    const detail: NewBill[] = [
      // 1: outbound manual dial, answered, an unlisted hang-up direction
      { ...base, uuid: 'b1', extnumber: '90240011', destnumber: '13800000001', displaynumber: '2190240001', callmethod: CallMethod.ManualDial,
        starttime: b0, answertime: b0 + 7_000, endtime: b0 + 67_000, duration: 7, billsec: 60, recordfilename: 'shared-a.wav',
        hangupdirection: 10015, hangupcause: SipCode.CallNormalHangup, userid: '0', memberid: '0', chengshudu: '0', customuuid: '0', userkey: '' },
      // 2: inbound IVR call answered by 90240012
      { ...base, uuid: 'b2', direction: CallDirection.In, callmethod: CallMethod.IvrGroupCall, extnumber: '90240012', destnumber: '2190240003',
        displaynumber: '13900000002', starttime: b0 + 60_000, answertime: b0 + 64_000, endtime: b0 + 100_000, duration: 4, billsec: 36,
        recordfilename: 'shared-a.wav', hangupdirection: SipCode.CallerHungUp, hangupcause: SipCode.CallNormalHangup, userkey: '#' },
      // 3: outbound predictive, unanswered, no agent, custom fields, an unlisted cause
      { ...base, uuid: 'b3', callmethod: CallMethod.Predictive, extnumber: '', destnumber: '13800000003', displaynumber: '2190240002',
        starttime: b0 + 120_000, answertime: null, endtime: b0 + 150_000, duration: 30, billsec: 0, recordfilename: '', downloadip: '',
        hangupdirection: SipCode.CalleeHungUp, hangupcause: 10020, userid: '42', memberid: '4242', chengshudu: '3', customuuid: 'cust-9', userkey: '' },
      // 4 and 5: same dial second, same recording file
      { ...base, uuid: 'b4', callmethod: CallMethod.ApiCall, extnumber: '90240013', destnumber: '13800000004', starttime: b0 + 180_000,
        answertime: b0 + 183_000, endtime: b0 + 200_000, recordfilename: 'shared-b.wav' },
      { ...base, uuid: 'b5', callmethod: CallMethod.ApiCall, extnumber: '90240013', destnumber: '13800000005', starttime: b0 + 180_000,
        answertime: b0 + 184_000, endtime: b0 + 210_000, recordfilename: 'shared-b.wav' },
    ];
    for (const bill of detail) sim.sip.addBill(bill);
  });
  afterEach(() => disposer.dispose());

  it('pages 2 600 records with first=100: each exactly once, one GetBill per page, nothing marked fetched', async () => {
    const expected = simBills(windowA()).map((bill) => bill.id);
    expect(expected).toHaveLength(BULK);
    const before = sim.stats.count(GET_BILL);
    const recordingsBefore = sim.stats.count(GET_RECORDING);
    const first = await page(windowA(), 100);
    expect(first.totalCount).toBe(BULK);
    expect(first.pageInfo.hasPreviousPage).toBe(false);
    const { ids, pages } = await collect(windowA(), 100);
    expect(pages).toBe(26);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected);
    // The first probe plus 26 pages, one call each; recordings are never read unless asked.
    expect(sim.stats.count(GET_BILL) - before).toBe(1 + pages);
    expect(sim.stats.count(GET_RECORDING)).toBe(recordingsBefore);
    expect(simBills(windowA()).every((bill) => !bill.fetched)).toBe(true);
  });

  it('pages correctly when `first` changes between pages', async () => {
    const expected = simBills(windowA()).map((bill) => bill.id);
    const before = sim.stats.count(GET_BILL);
    const { ids, pages } = await collect(windowA(), [100, 150, 70, 333, 1000, 999]);
    expect(ids).toEqual(expected);
    // Misaligned pages cost at most two calls each.
    expect(sim.stats.count(GET_BILL) - before).toBeLessThanOrEqual(2 * pages);
  });

  it('returns records that arrive at the end while paging, once', async () => {
    const { ids } = await collect(windowA(), 500, (pageNo) => {
      if (pageNo === 2) for (let i = 0; i < 5; i++) sim.sip.addBill(bulkBill(BULK + i, a0 + (BULK + i) * 10_000));
    });
    const expected = simBills(windowA()).map((bill) => bill.id);
    expect(expected).toHaveLength(BULK + 5);
    expect(ids).toEqual(expected);
  });

  it('filters by direction, extensions (or the deprecated agents), call method, called number and custom fields like the platform', async () => {
    const cases: Array<[Record<string, unknown>, (bill: SimBill) => boolean]> = [
      [{ direction: 'INBOUND' }, (b) => b.direction === CallDirection.In],
      [{ direction: 'OUTBOUND', extensions: ['90240002', '90240005'] }, (b) => b.direction === CallDirection.Out && ['90240002', '90240005'].includes(b.extnumber)],
      [{ direction: 'OUTBOUND', agents: ['90240002', '90240005'] }, (b) => b.direction === CallDirection.Out && ['90240002', '90240005'].includes(b.extnumber)],
      [{ callMethod: 'PREDICTIVE' }, (b) => b.callmethod === CallMethod.Predictive],
      [{ callMethod: 'PREDICTIVE', customerId: 'c3' }, (b) => b.callmethod === CallMethod.Predictive && b.customuuid === 'c3'],
      [{ userId: 'u4', memberId: 'm5' }, (b) => b.userid === 'u4' && b.memberid === 'm5'],
      [{ maturity: '2' }, (b) => b.chengshudu === '2'],
      [{ calleeNumber: '13800000010' }, (b) => b.destnumber === '13800000010'],
    ];
    for (const [conditions, where] of cases) {
      const expected = simBills(windowA(), where);
      expect(expected.length, JSON.stringify(conditions)).toBeGreaterThan(0);
      const { nodes } = await collect({ ...windowA(), ...conditions }, 1000);
      expect(nodes.map((n) => n.recordId), JSON.stringify(conditions)).toEqual(expected.map((b) => b.id));
    }
    const inbound = await page({ ...windowA(), direction: 'INBOUND' }, 5);
    expect(inbound.edges.every((edge) => edge.node.direction === 'INBOUND' && edge.node.callMethod === 'IVR_GROUP_CALL')).toBe(true);
    const predictive = await page({ ...windowA(), callMethod: 'PREDICTIVE', customerId: 'c3' }, 5);
    expect(predictive.edges.every((edge) => edge.node.customerId === 'c3')).toBe(true);
  });

  it('NOT_YET_FETCHED returns each unfetched record once and marks exactly those; ALL and ALREADY_FETCHED do not', async () => {
    const filter = { ...windowA(), agents: ['90240003'] };
    const target = simBills(windowA(), (b) => b.extnumber === '90240003');
    // Every eighth bulk record is 90240003's, less its unanswered predictive calls (no agent): 233.
    expect(target).toHaveLength(233);
    await collect({ ...filter, syncMode: 'ALREADY_FETCHED' }, 100);
    expect(target.every((bill) => !bill.fetched)).toBe(true);

    const before = sim.stats.count(GET_BILL);
    const first = await page({ ...filter, syncMode: 'NOT_YET_FETCHED' }, 50);
    expect(first.totalCount).toBe(target.length);
    expect(first.pageInfo.hasPreviousPage).toBe(false);
    let ids = first.edges.map((edge) => edge.node.recordId);
    let after = first.pageInfo.endCursor;
    let pages = 1;
    let hasNext = first.pageInfo.hasNextPage;
    while (hasNext) {
      const next = await page({ ...filter, syncMode: 'NOT_YET_FETCHED' }, 50, after);
      expect(next.pageInfo.hasPreviousPage).toBe(true);
      ids = ids.concat(next.edges.map((edge) => edge.node.recordId));
      after = next.pageInfo.endCursor;
      hasNext = next.pageInfo.hasNextPage;
      pages += 1;
    }
    expect(pages).toBe(Math.ceil(target.length / 50));
    expect(sim.stats.count(GET_BILL) - before).toBe(pages);
    expect(ids).toEqual(target.map((bill) => bill.id));
    expect(target.every((bill) => bill.fetched)).toBe(true);
    expect(simBills(windowA(), (b) => b.extnumber !== '90240003').every((bill) => !bill.fetched)).toBe(true);

    const again = await page({ ...filter, syncMode: 'NOT_YET_FETCHED' }, 50);
    expect(again.totalCount).toBe(0);
    expect(again.edges).toEqual([]);
    expect(again.pageInfo).toMatchObject({ hasNextPage: false, endCursor: null });
    const fetched = await collect({ ...filter, syncMode: 'ALREADY_FETCHED' }, 100);
    expect(fetched.ids).toEqual(target.map((bill) => bill.id));
  });

  it('ALREADY_FETCHED stays duplicate-free while records join the set behind the cursor', async () => {
    const filter = { ...windowC(), syncMode: 'ALREADY_FETCHED' };
    const initially = simBills(windowC(), (b) => b.fetched).map((b) => b.id);
    expect(initially).toHaveLength(150);
    const all = simBills(windowC());
    expect(all).toHaveLength(300);
    // Odd indexes start unfetched: these four join the set, three before the cursor and one far after it.
    const joining = [all[1], all[3], all[5], all[291]].map((bill) => bill!);
    expect(joining.map((bill) => bill.fetched)).toEqual([false, false, false, false]);
    const { ids } = await collect(filter, 20, (pageNo) => {
      // Someone else fetches records: three before the cursor (shifting it right), one far after it.
      if (pageNo === 2) for (const bill of joining) bill.fetched = true;
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    // Those behind the cursor are not returned (records at or below the cursor's id are dropped); the one ahead is.
    expect(ids).toEqual([...initially, joining[3]!.id].sort((x, y) => x - y));
  });

  it('neither skips nor repeats when records leave the set before the cursor', async () => {
    const filter = windowC();
    const first = await page(filter, 50);
    const seen = first.edges.map((edge) => edge.node.recordId);
    // The platform drops ten records of the first page.
    for (const id of seen.slice(10, 20)) sim.sip.bills.splice(sim.sip.bills.findIndex((bill) => bill.id === id), 1);
    let after = first.pageInfo.endCursor;
    let ids = [...seen];
    for (;;) {
      const next = await page(filter, 50, after);
      ids = ids.concat(next.edges.map((edge) => edge.node.recordId));
      if (!next.pageInfo.hasNextPage) break;
      after = next.pageInfo.endCursor;
    }
    expect(new Set(ids).size).toBe(ids.length);
    const survivors = simBills(windowC()).map((b) => b.id);
    expect(ids.filter((id) => survivors.includes(id))).toEqual(survivors);
  });

  it('maps every field, with times as ISO instants converted from Asia/Shanghai', async () => {
    const result = await gql<{ callRecords: { totalCount: number; edges: Array<{ node: Record<string, unknown> }> } }>(DETAIL_QUERY, {
      filter: windowB(),
    });
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.callRecords.edges.map((edge) => edge.node);
    expect(nodes).toHaveLength(5);
    const [outbound, inbound, predictive] = nodes;
    // 09:30:00 on the Shanghai wall clock is 01:30:00 UTC.
    expect(outbound).toMatchObject({
      uuid: null,
      direction: 'OUTBOUND',
      directionCode: 'callout',
      callMethod: 'MANUAL_DIAL',
      callMethodCode: '2',
      extension: '90240011',
      agent: { extension: '90240011' },
      callerNumber: '90240011',
      calleeNumber: '13800000001',
      displayNumber: '2190240001',
      startedAt: iso(b0),
      answeredAt: iso(b0 + 7_000),
      endedAt: iso(b0 + 67_000),
      waitSeconds: 7,
      talkSeconds: 60,
      answered: true,
      hangupSide: 'UNKNOWN',
      hangupSideCode: '10015',
      hangupCause: 'NORMAL',
      hangupCauseCode: '10001',
      keysPressed: null,
      // The platform writes "0" for "none" in the custom tags: null here.
      userId: null,
      memberId: null,
      maturity: null,
      customerId: null,
    });
    expect(outbound?.startedAt).toMatch(/T01:30:00\.000Z$/);
    expect(inbound).toMatchObject({
      direction: 'INBOUND',
      directionCode: 'callin',
      callMethod: 'IVR_GROUP_CALL',
      agent: { extension: '90240012' },
      callerNumber: '13900000002',
      calleeNumber: '2190240003',
      displayNumber: '13900000002',
      hangupSide: 'CALLER_HUNG_UP',
      keysPressed: '#',
    });
    expect(predictive).toMatchObject({
      callMethod: 'PREDICTIVE',
      extension: null,
      agent: null,
      callerNumber: '2190240002',
      calleeNumber: '13800000003',
      answeredAt: null,
      answered: false,
      talkSeconds: 0,
      waitSeconds: 30,
      hangupSide: 'CALLEE_HUNG_UP',
      hangupCause: 'UNKNOWN',
      hangupCauseCode: '10020',
      userId: '42',
      memberId: '4242',
      maturity: '3',
      customerId: 'cust-9',
    });
  });

  it('resolves recordings lazily: one GetRecodeFile per distinct file, expiresAt as an ISO instant', async () => {
    const before = sim.stats.count(GET_RECORDING);
    const result = await gql<{ callRecords: { edges: Array<{ node: { recordId: number; recording: { url: string; expiresAt: string } | null } }> } }>(
      RECORDING_QUERY,
      { filter: windowB() },
    );
    expect(result.errors).toBeUndefined();
    const recordings = result.data!.callRecords.edges.map((edge) => edge.node.recording);
    expect(sim.stats.count(GET_RECORDING) - before).toBe(2);
    expect(recordings[2]).toBeNull();
    expect(recordings[0]?.url).toContain('shared-a.wav');
    expect(recordings[1]).toEqual(recordings[0]);
    expect(recordings[3]?.url).toContain('shared-b.wav');
    expect(recordings[4]).toEqual(recordings[3]);
    const expiresAt = recordings[0]?.expiresAt ?? '';
    expect(expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    // The simulator's links live one hour; the platform writes the expiry to the second.
    expect(Math.abs(new Date(expiresAt).getTime() - (sim.context.now() + 3_600_000))).toBeLessThan(5_000);
  });

  it('gives a null recording when the platform refuses the file (business failure), without failing the page', async () => {
    sim.control.failNext(1, { code: SipCode.OperationFailed, msg: 'recording file does not exist' }, GET_RECORDING);
    const result = await gql<{ callRecords: { edges: Array<{ node: { recordId: number; recording: unknown } }> } }>(RECORDING_QUERY, {
      filter: { ...windowB(), agents: ['90240013'] },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.callRecords.edges.map((edge) => edge.node.recording)).toEqual([null, null]);
  });

  it('node(id) finds the same record with one narrow GetBill, even beside a record of the same second', async () => {
    const records = await page({ ...windowB(), agents: ['90240013'] }, 10);
    expect(records.edges.map((edge) => edge.node.recordId)).toEqual(simBills(windowB(), (b) => b.uuid === 'b4' || b.uuid === 'b5').map((b) => b.id));
    const second = records.edges[1]?.node;
    const before = sim.stats.count(GET_BILL);
    const result = await gql<{ node: { id: string; recordId: number; startedAt: string; calleeNumber: string } | null }>(NODE_QUERY, {
      id: second?.id,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.node).toEqual({ id: second?.id, recordId: second?.recordId, startedAt: iso(b0 + 180_000), calleeNumber: '13800000005' });
    expect(sim.stats.count(GET_BILL) - before).toBe(1);

    const missing = Buffer.from(`CallRecord:999999@${b0}`).toString('base64');
    expect((await gql<{ node: unknown }>(NODE_QUERY, { id: missing })).data?.node).toBeNull();
    const noDialTime = Buffer.from('CallRecord:5@').toString('base64');
    expect((await gql<{ node: unknown }>(NODE_QUERY, { id: noDialTime })).data?.node).toBeNull();
    const malformed = await gql(NODE_QUERY, { id: Buffer.from('CallRecord:nonsense').toString('base64') });
    expect(malformed.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });

  it('refuses a bad window, page size, cursor or filter with INVALID_INPUT before calling the platform', async () => {
    const before = sim.stats.count(GET_BILL);
    const { from } = windowA();
    const start = new Date(from).getTime();
    const cursor = (await page(windowA(), 2)).pageInfo.endCursor;
    const calls = sim.stats.count(GET_BILL);
    const bad: Array<[Record<string, unknown>, number | undefined, string | null | undefined]> = [
      [{ from, to: from }, undefined, undefined],
      [{ from, to: iso(start - 1_000) }, undefined, undefined],
      [{ from, to: iso(start + 32 * DAY) }, undefined, undefined],
      [{ ...windowA(), direction: 'UNKNOWN' }, undefined, undefined],
      [{ ...windowA(), agents: ['9024,0001'] }, undefined, undefined],
      [{ ...windowA(), extensions: ['9024,0001'] }, undefined, undefined],
      [{ ...windowA(), extensions: ['90240001'], agents: ['90240001'] }, undefined, undefined],
      [{ ...windowA(), customerId: '' }, undefined, undefined],
      [windowA(), 0, undefined],
      [windowA(), 1001, undefined],
      [windowA(), 10, 'bm90IGEgY3Vyc29y'],
      [{ ...windowA(), direction: 'INBOUND' }, 10, cursor],
      [{ ...windowA(), syncMode: 'ALREADY_FETCHED' }, 10, cursor],
    ];
    for (const [filter, first, after] of bad) {
      const result = await gql<{ callRecords: Page }>(PAGE_QUERY, { filter, first, after });
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify({ filter, first, after })).toBe('INVALID_INPUT');
      // callRecords is nullable (docs/api.md, "Partial results"): the refused field is null, not the whole document.
      expect(result.data?.callRecords ?? null).toBeNull();
    }
    const both = await gql(PAGE_QUERY, { filter: { ...windowA(), extensions: ['90240001'], agents: ['90240002'] } });
    expect(both.errors?.[0]?.message).toMatch(/`extensions` or the deprecated `agents`, not both/);
    const window = await gql(PAGE_QUERY, { filter: { from, to: iso(start + 32 * DAY) } });
    expect(window.errors?.[0]?.message).toMatch(/31 days/);
    // Backwards paging is not an argument at all: a document asking for it fails validation, and nothing runs.
    const last = await gql(`query { callRecords(filter: { from: "${from}", to: "${windowA().to}" }, last: 5) { totalCount } }`);
    expect(last.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(sim.stats.count(GET_BILL)).toBe(calls);
    expect(calls - before).toBe(1);
  });

  it('reports an upstream failure as an UPSTREAM_UNAVAILABLE error on callRecords, which is null', async () => {
    sim.control.failNext(1, { ret: 500 }, GET_BILL);
    const result = await gql<{ callRecords: Page | null }>(PAGE_QUERY, { filter: windowA(), first: 10 });
    expect(result.data).toEqual({ callRecords: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({ path: ['callRecords'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
  });
});
