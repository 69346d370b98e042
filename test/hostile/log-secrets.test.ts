import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { buildApp } from '../../src/app.ts';
import { loadConfig, secretsOf } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { REQUEST_ID_HEADER } from '../../src/observability/request-scope.ts';
import { createSimulator } from '../../src/simulator/server.ts';
import { SipRet, SipService } from '../../src/upstream/sip/codes.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS } from '../utils/gateway.ts';
import { tempDatabaseUrl } from '../utils/temp-db.ts';

/**
 * Issue 14's check: a full scripted run at LOG_LEVEL=debug (logins and a forced re-login, the wallboard, mutations,
 * failing upstreams that echo credentials and extension passwords, callbacks (a malformed one carrying a password
 * among them), a WebSocket subscription) whose every log line is captured: no line holds a configured secret, a SIP
 * token the simulator issued, an API key, the callback secret or an extension password.
 */

const CREDENTIALS = { appId: 'log-run-appid-7c1d', accessKey: 'log-run-accesskey-51f0e9a2', aicallToken: 'log-run-aicall-token-9b3e77c1' };
const CALLBACK_SECRET = 'log-run-callback-secret-3d8a0c';

describe('a full run at debug', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('logs no secret, token or extension password', async () => {
    const sim = disposer.use(createSimulator(CREDENTIALS), (s) => s.stop());
    const simUrl = await sim.start();
    // Every SIP token the simulator hands out.
    const issued: string[] = [];
    const issue = sim.sip.tokens.issue.bind(sim.sip.tokens);
    sim.sip.tokens.issue = () => {
      const token = issue();
      issued.push(token.token);
      return token;
    };
    const passwords = [...sim.sip.extensions.values()].map((extension) => extension.password);
    const [extension] = [...sim.sip.extensions.values()];
    if (!extension) throw new Error('no demo extension');

    const config = loadConfig({
      SIP_API_URL: simUrl,
      SIP_APPID: CREDENTIALS.appId,
      SIP_ACCESSKEY: CREDENTIALS.accessKey,
      AICALL_API_URL: simUrl,
      AICALL_API_TOKEN: CREDENTIALS.aicallToken,
      DATABASE_URL: tempDatabaseUrl(disposer),
      GATEWAY_API_KEYS: `${KEYS.viewer}:viewer,${KEYS.operator}:operator,${KEYS.admin}:admin`,
      CALLBACK_SECRET,
      LOG_LEVEL: 'debug',
    });
    const lines: string[] = [];
    const app = disposer.use(await buildApp(config, createLogger(config.logLevel, (line) => lines.push(line))), (a) => a.stop());
    const url = await app.start(0, '127.0.0.1');

    const gql = async (query: string, key: keyof typeof KEYS = 'admin', headers: Record<string, string> = {}) => {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS[key]}`, ...headers },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> };
    };
    const callback = async (kind: string, detail: string, secret = CALLBACK_SECRET) => {
      const form = new FormData();
      form.set('detail', detail);
      const response = await fetch(`${url}/callbacks/${secret}/${kind}`, { method: 'POST', body: form });
      await response.arrayBuffer();
      return response.status;
    };

    // Logins: the first SIP call logs in; expired tokens force a second login.
    expect((await gql('query Queues { queues { name } }')).errors).toBeUndefined();
    sim.control.expireAllTokens();
    expect((await gql('query QueuesAgain { queues { name } }')).errors).toBeUndefined();
    expect(issued.length).toBeGreaterThanOrEqual(2);

    // The wallboard, as a viewer.
    const wallboard = await gql('query Wallboard { agents(first: 200) { totalCount edges { node { extension callStatus { state } seats { state } } } } }', 'viewer');
    expect(wallboard.errors).toBeUndefined();

    // Mutations.
    expect((await gql('mutation NewQueue { createQueue(input: { name: "log-run-queue" }) { __typename } }')).errors).toBeUndefined();
    await gql(`mutation Member { addExtGroupMember(input: { group: "escalations", extension: "${extension.number}" }) { __typename } }`);

    // Failing upstreams whose answers echo credentials, tokens and extension passwords.
    const echo = `accesskey=${CREDENTIALS.accessKey} token=${issued.at(-1)} Authorization: Bearer ${CREDENTIALS.aicallToken}`;
    sim.control.failNext(1, { ret: SipRet.IpNotAuthorized, msg: echo }, SipService.GetQueueList);
    expect((await gql('query Refused { queues { name } }')).errors?.[0]?.extensions?.code).toBe('UPSTREAM_REJECTED');
    const truncated = `{"ret":0,"data":[{"number":"${extension.number}","password":"${extension.password}","status":1},{"password":"${passwords[1] ?? ''}`;
    sim.control.failNext(1, { httpStatus: 200, body: truncated }, SipService.GetSipNumberInfo);
    await gql('query Broken { agents(first: 5) { totalCount } }');
    const misshapen = JSON.stringify({ ret: 0, data: [{ number: 8001, password: extension.password, status: 'weird' }] });
    sim.control.failNext(1, { httpStatus: 200, body: misshapen }, SipService.GetSipNumberInfo);
    await gql('query Misshapen { agents(first: 5) { totalCount } }');
    sim.control.failNext(1, { httpStatus: 502, body: `upstream proxy: ${echo} password=${extension.password}` }, SipService.GetQueueList);
    expect((await gql('query Down { queues { name } }')).errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    sim.control.failNext(1, { httpStatus: 500, body: JSON.stringify({ error: 'bad', token: CREDENTIALS.aicallToken }) }, 'GET /v1/task/create');
    await gql('query Options { aiTaskOptions { fetchedAt } }');

    // A client sending its own API key, or a phone number, as its request id: not taken.
    await gql('{ gateway { version } }', 'admin', { [REQUEST_ID_HEADER]: KEYS.admin });

    // Callbacks: stored, duplicate, malformed (with a password in it), a password field, a wrong secret, a bad kind.
    const status = JSON.stringify({ ...EXTENSION_STATUS_COMMON, uuid: 'log-run-1' });
    expect(await callback('extension-status', status)).toBe(200);
    expect(await callback('extension-status', status)).toBe(200);
    expect(await callback('extension-status', `{"status":"ring","password":"${extension.password}",`)).toBe(400);
    await callback('extension-status', JSON.stringify({ ...EXTENSION_STATUS_COMMON, uuid: 'log-run-2', password: extension.password }));
    expect(await callback('extension-status', status, `${CALLBACK_SECRET}x`)).toBe(404);
    expect(await callback('no-such-kind', status)).toBe(404);

    // A WebSocket subscription: the stored events replayed, one received.
    const client = createClient({
      url: `${url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${KEYS.viewer}` },
    });
    disposer.add(() => client.dispose());
    const received = await new Promise<unknown>((resolve, reject) => {
      const stop = client.subscribe(
        { query: 'subscription Watch { agentStatusChanged(after: "0") { eventId } }' },
        {
          next: (value) => {
            stop();
            resolve(value);
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    expect(received).toMatchObject({ data: { agentStatusChanged: { eventId: expect.any(String) } } });
    await client.dispose();
    await app.stop();

    // The run did log: access lines, refusals, upstream failures, a socket operation.
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.filter((r) => r.msg === 'request').length).toBeGreaterThanOrEqual(15);
    expect(records.some((r) => r.module === 'upstream' && r.level === 'warn')).toBe(true);
    expect(records.some((r) => r.transport === 'ws' && r.operationName === 'Watch')).toBe(true);
    expect(records.some((r) => r.callbackOutcome === 'rejected')).toBe(true);

    const secrets = [
      ...secretsOf(config),
      ...Object.values(KEYS),
      CALLBACK_SECRET,
      CREDENTIALS.accessKey,
      CREDENTIALS.aicallToken,
      ...issued,
      ...passwords,
    ];
    const text = lines.join('\n');
    const leaks = secrets.filter((secret) => text.includes(secret));
    expect(leaks).toEqual([]);
  }, 60_000);
});
