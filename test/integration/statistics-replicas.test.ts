import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { createSimulator, type Simulator } from '../../src/simulator/server.ts';
import { postgresUrl } from '../utils/backends.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startApp } from '../utils/gateway.ts';
import { CAMPAIGN_AND_QUEUE, expectedFigures, expectedQueueStatistics } from '../utils/statistics-oracle.ts';
import { storeBackends } from '../utils/store-backends.ts';

/**
 * Statistics on PostgreSQL with two replicas behind a round-robin balancer (every other callback to each), then after
 * one replica is replaced by a fresh process on the same database: the figures match the independent calculation from
 * the simulated PBX's records each time, whichever replica is asked.
 */

const SECRET = 'statistics-replicas-secret-000001';
const SERVICE_LEVEL = 20;
const NUMBERS = 500;

/** Forwards each request to the next replica in turn: the load balancer the PBX's callbacks go through. */
async function roundRobin(targets: () => string[]): Promise<{ url: string; server: Server; sent: Map<string, number> }> {
  let next = 0;
  const sent = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const list = targets();
      const target = list[next++ % list.length] as string;
      sent.set(target, (sent.get(target) ?? 0) + 1);
      const headers = { ...req.headers };
      delete headers.host;
      request(`${target}${req.url}`, { method: req.method as 'POST', headers, body: Buffer.concat(chunks) })
        .then(async (answer) => {
          res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json') });
          res.end(Buffer.from(await answer.body.arrayBuffer()));
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, sent };
}

describe.runIf(postgresUrl())('statistics across replicas on PostgreSQL, and after a restart', () => {
  const disposer = createDisposer();
  let sim: Simulator;
  let simUrl: string;
  let env: Record<string, string>;
  const replicas: Array<{ app: App; url: string }> = [];
  const abandoned = new Set<string>();
  let taskGlobalId = '';
  let taskId = '';
  let sent: Map<string, number>;
  /** The two replicas that took the day's callbacks (tests run in any order; one of them replaces a replica). */
  let dayReplicas: string[] = [];

  async function replica(): Promise<{ app: App; url: string }> {
    const app = await startApp(disposer, sim, simUrl, env);
    return { app, url: await app.start(0, '127.0.0.1') };
  }

  const gql = async (base: string, query: string, variables: Record<string, unknown> = {}, key: keyof typeof KEYS = 'admin') => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS[key]}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: unknown[] };
  };

  beforeAll(async () => {
    const postgres = storeBackends().find((backend) => backend.name === 'postgres');
    const database = await postgres!.create();
    disposer.add(() => database.dispose());
    sim = disposer.use(createSimulator({ seed: 4242, dialerTuning: { adoptLiveCalls: false } }), (s) => s.stop());
    simUrl = await sim.start();
    env = {
      DATABASE_URL: database.url,
      CALLBACK_SECRET: SECRET,
      RECONCILE_GRACE_SECONDS: '3600',
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_CHANNEL_PREFIX: `test-stats-replicas-${process.pid}-${Date.now()}` } : {}),
    };
    replicas.push(await replica(), await replica());
    const balancer = await roundRobin(() => replicas.map((r) => r.url));
    disposer.add(() => new Promise<void>((resolve) => balancer.server.close(() => resolve())));
    sent = balancer.sent;
    dayReplicas = replicas.map((r) => r.url);
    sim.dialer.setCallbackUrl(`${balancer.url}/callbacks/${SECRET}`);
    sim.dialer.events.on('callEnded', (e) => {
      if (e.end === 'abandoned') abandoned.add(e.uuid);
    });

    const numbers = Array.from({ length: NUMBERS }, (_, i) => ({ phone: `1395${String(i).padStart(7, '0')}`, customerId: `R-${i}` }));
    const created = await gql(
      replicas[0]!.url,
      `mutation($input: CreatePredictiveTaskInput!) { createPredictiveTask(input: $input) { ... on CreatePredictiveTaskPayload { task { id ... on PredictiveTask { platformId } } } } }`,
      { input: { name: 'replicated', assignment: { type: 'QUEUE', assignee: 'sales' }, numbers, pacing: { agents: 1, calls: 3 } } },
    );
    taskGlobalId = created.data.createPredictiveTask.task.id;
    taskId = created.data.createPredictiveTask.task.platformId;
    await gql(replicas[1]!.url, `mutation($id: ID!) { startTask(input: { taskId: $id }) { __typename } }`, { id: taskGlobalId });
    for (let step = 0; step < 4_000 && sim.sip.tasks.get(taskId)?.status !== 'over'; step++) {
      sim.dialer.advance(5_000);
      await sim.dialer.idle();
    }
    expect(sim.sip.tasks.get(taskId)?.status).toBe('over');
  }, 300_000);
  afterAll(() => disposer.dispose());

  const window = () => ({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + sim.dialer.stats.clockOffsetMs + 600_000).toISOString() });

  async function expectFigures(base: string): Promise<void> {
    const bills = sim.sip.bills.filter((b) => b.taskId === taskId);
    expect(bills).toHaveLength(NUMBERS);
    const e = expectedFigures(bills, abandoned, SERVICE_LEVEL);
    expect(e.abandoned).toBeGreaterThan(0);
    const result = await gql(
      base,
      CAMPAIGN_AND_QUEUE,
      { id: taskGlobalId, w: window(), t: SERVICE_LEVEL },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.node.statistics).toEqual({ dialled: NUMBERS, customerAnswered: e.offered, connected: e.answered, abandoned: e.abandoned, remaining: 0 });
    expect(result.data.queueStatistics).toEqual([expectedQueueStatistics('sales', e, SERVICE_LEVEL)]);
  }

  it('counts every call once, whichever replica took its callbacks, and both replicas answer alike', async () => {
    // Both replicas took about half of the day's callbacks.
    for (const url of dayReplicas) expect(sent.get(url)).toBeGreaterThan(NUMBERS);
    for (const { url } of replicas) await expectFigures(url);
  });

  it('a replica replaced by a fresh process answers the same, and a backfill of the day changes nothing', async () => {
    const old = replicas.shift()!;
    await old.app.stop();
    replicas.push(await replica());
    await expectFigures(replicas[1]!.url);
    const backfill = await gql(
      replicas[1]!.url,
      `mutation($input: BackfillStatisticsInput!) { backfillStatistics(input: $input) { ... on BackfillStatisticsPayload { records changed complete } } }`,
      { input: window() },
      'operator',
    );
    expect(backfill.errors).toBeUndefined();
    expect(backfill.data.backfillStatistics).toMatchObject({ changed: 0, complete: true });
    expect(backfill.data.backfillStatistics.records).toBeGreaterThanOrEqual(NUMBERS);
    await expectFigures(replicas[0]!.url);
  });
});
