import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createMemoryPubSub } from '../../src/events/pubsub.ts';
import { createDatabase } from '../../src/store/index.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway } from '../utils/gateway.ts';
import { tempDatabaseUrl } from '../utils/temp-db.ts';

/** `/readyz` (docs/deploy.md, "Probes"): what it checks, what it costs the PBX, what it shows. */

interface Report {
  status: string;
  checks: Record<'database' | 'redis' | 'sipLogin' | 'aicall', { state: string; ms?: number }>;
}

async function readyz(base: string): Promise<{ status: number; body: Report; text: string }> {
  const response = await fetch(`${base}/readyz`);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Report, text };
}

describe('/readyz', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('is ready when the database answers and the PBX login works; probes cost the PBX one login between them', async () => {
    const gateway = await startGateway(disposer);
    const sip = gateway.app.services.sip;
    if (!sip) throw new Error('the test gateway has no SIP client');
    const answers = await Promise.all(Array.from({ length: 50 }, () => readyz(gateway.url)));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        status: 'ready',
        checks: { database: { state: 'ok' }, redis: { state: 'not-configured' }, sipLogin: { state: 'ok' }, aicall: { state: 'configured' } },
      });
    }
    // One login for the whole process: the probes and the start-up work share its token.
    expect(sip.session.loginCount).toBe(1);
    // Liveness stays separate and static.
    expect(await (await fetch(`${gateway.url}/healthz`)).json()).toMatchObject({ status: 'ok' });
  });

  it('is degraded (still 200) when the PBX login fails, without a login per probe and without the reason', async () => {
    let logins = 0;
    // A PBX that refuses every login (answers with a 500 page the gateway cannot read).
    const { createServer } = await import('node:http');
    const pbx = createServer((_req, res) => {
      logins += 1;
      res.writeHead(500).end('<html>secret-internal-detail</html>');
    });
    await new Promise<void>((resolve) => pbx.listen(0, '127.0.0.1', resolve));
    disposer.add(() => new Promise<void>((resolve) => pbx.close(() => resolve())));
    const address = pbx.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const config = loadConfig({
      SIP_API_URL: `http://127.0.0.1:${port}/`,
      SIP_APPID: 'app',
      SIP_ACCESSKEY: 'key',
      GATEWAY_AUTH: 'off',
      DATABASE_URL: tempDatabaseUrl(disposer),
    });
    const app = disposer.use(await buildApp(config, createLogger('silent')), (a) => a.stop());
    const url = await app.start(0, '127.0.0.1');
    const before = logins;
    for (let i = 0; i < 20; i++) {
      const answer = await readyz(url);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'degraded', checks: { database: { state: 'ok' }, sipLogin: { state: 'failed' } } });
      expect(answer.text).not.toContain('secret-internal-detail');
    }
    // The first probe tried one login; the next ones within LOGIN_RETRY_MS reuse its failure.
    expect(logins - before).toBeLessThanOrEqual(1);
  });

  it('is degraded (still 200) when Redis does not answer: every replica shares it, and the store poll carries events', async () => {
    // A Redis pub/sub whose connections are down, as the readiness check sees it.
    const pubsub = { ...createMemoryPubSub(), kind: 'redis' as const, ping: () => Promise.reject(new Error('redis down at redis://:pw@cache')) };
    const config = loadConfig({ SIP_API_URL: 'http://127.0.0.1:9/', SIP_APPID: 'app', SIP_ACCESSKEY: 'key', GATEWAY_AUTH: 'off', DATABASE_URL: tempDatabaseUrl(disposer) });
    const app = disposer.use(await buildApp({ ...config, sip: null }, createLogger('silent'), { pubsub }), (a) => a.stop());
    const url = await app.start(0, '127.0.0.1');
    const answer = await readyz(url);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'degraded', checks: { database: { state: 'ok' }, redis: { state: 'failed' }, sipLogin: { state: 'not-configured' } } });
    expect(answer.text).not.toContain('redis://');
  });

  it('is not ready (503) when the database does not answer', async () => {
    const store = await createDatabase(tempDatabaseUrl(disposer));
    const config = loadConfig({ SIP_API_URL: 'http://127.0.0.1:9/', SIP_APPID: 'app', SIP_ACCESSKEY: 'key', GATEWAY_AUTH: 'off' });
    const app = disposer.use(await buildApp({ ...config, sip: null }, createLogger('silent'), { store }), (a) => a.stop());
    const url = await app.start(0, '127.0.0.1');
    expect((await readyz(url)).status).toBe(200);
    await store.close();
    // Answers are reused for a second: ask until the change shows (bounded: the loop ends by itself).
    let answer = await readyz(url);
    const giveUpAt = Date.now() + 10_000;
    while (answer.status === 200 && Date.now() < giveUpAt) answer = await readyz(url);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: 'not-ready', checks: { database: { state: 'failed' } } });
  });
});
