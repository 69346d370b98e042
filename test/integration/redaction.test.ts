import { createServer } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ErrorCode } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { createSimulator, type Simulator } from '../../src/simulator/server.ts';
import { SipCode, SipRet, SipService } from '../../src/upstream/sip/codes.ts';
import { createDisposer, type Disposer } from '../utils/disposer.ts';
import { KEYS } from '../utils/gateway.ts';
import { tempDatabaseUrl } from '../utils/temp-db.ts';

/**
 * Upstream text never reaches a client's `message`, and reaches `upstreamMessage`, `fieldErrors` and the logs only
 * redacted (src/redact.ts): a platform that echoes the request cannot leak credentials, hosts or numbers.
 */

const ACCESS_KEY = 'AK-live-7f3a9c2e51d04b8b';
const AICALL_TOKEN = 'aic-tok-5e1f2a9b7c3d8e0f';

/** What a careless platform might answer: our own credentials, an internal host, a phone number, a traceback. */
const ECHO =
  `bad request accesskey=${ACCESS_KEY} (echo: ${ACCESS_KEY}) Authorization: Bearer ${AICALL_TOKEN} ` +
  'password=hunter2secret via http://pbx-internal.corp.local:8443/api from 10.20.30.40:5060 for 13812345678\n' +
  'Traceback (most recent call last):\n  File "/srv/pbx/handler.py", line 12, in handle';

/** Must appear in no client response. */
const NEVER_TO_CLIENTS = [ACCESS_KEY, AICALL_TOKEN, 'hunter2secret', 'pbx-internal', '10.20.30.40', '5060', '13812345678', 'Traceback', '/srv/pbx'];
/** Must appear in no log line (logs may keep hosts and traces, never secrets or numbers). */
const NEVER_IN_LOGS = [ACCESS_KEY, AICALL_TOKEN, 'hunter2secret', '13812345678'];

interface Gateway {
  url: string;
  gql(query: string, variables?: Record<string, unknown>): Promise<{ status: number; text: string; body: any }>;
}

/** A gateway logging at debug into `lines` (and into the file's lines, checked as a whole in afterAll). */
async function startGateway(disposer: Disposer, env: Record<string, string>, lines: string[]): Promise<Gateway> {
  const config = loadConfig({
    DATABASE_URL: tempDatabaseUrl(disposer),
    GATEWAY_API_KEYS: `${KEYS.admin}:admin`,
    ...env,
  });
  const logger = createLogger('debug', (line) => {
    lines.push(line);
    fileLines.push(line);
  });
  const app = disposer.use(await buildApp(config, logger), (a) => a.stop());
  const url = await app.start(0, '127.0.0.1');
  return {
    url,
    async gql(query, variables) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.admin}` },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) };
    },
  };
}

function expectNone(haystack: string, needles: readonly string[]): void {
  for (const needle of needles) expect(haystack, `must not contain ${needle}`).not.toContain(needle);
}

/** Every log line written by any gateway of this file, checked as a whole after the last test. */
const fileLines: string[] = [];

afterAll(() => {
  expect(fileLines.length).toBeGreaterThan(0);
  expectNone(fileLines.join('\n'), NEVER_IN_LOGS);
});

describe('redaction of upstream text', () => {
  const disposer = createDisposer();
  let lines: string[];
  let sim: Simulator;
  let gw: Gateway;

  // A simulator and gateway of their own for every test, with their own log lines.
  beforeEach(async () => {
    lines = [];
    sim = disposer.use(createSimulator({ accessKey: ACCESS_KEY, aicallToken: AICALL_TOKEN }), (s) => s.stop());
    const simUrl = await sim.start(0, '127.0.0.1');
    gw = await startGateway(
      disposer,
      {
        SIP_API_URL: simUrl,
        SIP_APPID: sim.credentials.appId,
        SIP_ACCESSKEY: ACCESS_KEY,
        AICALL_API_URL: simUrl,
        AICALL_API_TOKEN: AICALL_TOKEN,
      },
      lines,
    );
    // Log in once, so the echoes below answer the calls under test.
    expect((await gw.gql('{ queues { name } }')).body.errors).toBeUndefined();
  });
  afterEach(() => disposer.dispose());

  it('a SIP ret error (top level): the message is the gateway\'s, upstreamMessage is redacted', async () => {
    sim.control.failNext(1, { ret: SipRet.IpNotAuthorized, msg: ECHO }, SipService.GetQueueList);
    const { text, body } = await gw.gql('{ queues { name } }');
    const [error] = body.errors;
    expect(error.extensions).toMatchObject({ code: ErrorCode.UpstreamRejected, upstream: 'sip', upstreamCode: '604', ret: SipRet.IpNotAuthorized });
    expect(error.message).toBe(`sip ${SipService.GetQueueList}: ret 604 (ip not authorized)`);
    expect(error.extensions.upstreamMessage).toContain('bad request accesskey=[redacted]');
    expect(error.extensions.upstreamMessage).toContain('138****5678');
    expectNone(text, NEVER_TO_CLIENTS);
  });

  it('a SIP business error in a mutation result: UpstreamRejectedError.upstreamMessage is redacted', async () => {
    sim.control.failNext(1, { code: SipCode.OperationFailed, msg: ECHO }, SipService.AddQueue);
    const { text, body } = await gw.gql(
      `mutation { createQueue(input: { name: "redaction-q" }) { __typename ... on UpstreamRejectedError { message code upstreamCode upstreamMessage } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.createQueue).toMatchObject({
      __typename: 'UpstreamRejectedError',
      code: ErrorCode.UpstreamRejected,
      upstreamCode: String(SipCode.OperationFailed),
      message: `sip ${SipService.AddQueue}: code 1003 (operation failed)`,
    });
    expect(body.data.createQueue.upstreamMessage.length).toBeLessThanOrEqual(201);
    expectNone(text, NEVER_TO_CLIENTS);
  });

  it('an unreadable SIP answer: the message names the problem, never the body', async () => {
    sim.control.failNext(1, { httpStatus: 200, body: ECHO }, SipService.GetExtgroupInfo);
    const { text, body } = await gw.gql('{ extGroups { name } }');
    expect(body.errors[0].extensions.code).toBe(ErrorCode.UpstreamInvalidResponse);
    expect(body.errors[0].message).toBe(`sip ${SipService.GetExtgroupInfo}: unexpected response: not JSON`);
    expectNone(text, NEVER_TO_CLIENTS);
  });

  it('an AI-call 422 and a 500 with a traceback: upstreamMessage and fieldErrors are redacted', async () => {
    sim.control.failNext(1, { httpStatus: 422, body: { message: ECHO, errors: { name: [ECHO] } } }, 'GET /v1/task/create');
    const rejected = await gw.gql('{ aiTaskOptions { fetchedAt } }');
    const [error] = rejected.body.errors;
    expect(error.extensions).toMatchObject({ code: ErrorCode.UpstreamRejected, upstream: 'aicall', upstreamCode: '422' });
    expect(error.message).toBe('aicall GET /v1/task/create: HTTP 422');
    expect(error.extensions.fieldErrors.name[0]).toContain('[redacted]');
    expectNone(rejected.text, NEVER_TO_CLIENTS);

    sim.control.failNext(1, { httpStatus: 500, body: ECHO }, 'GET /v1/task/create');
    const failed = await gw.gql('{ aiTaskOptions { fetchedAt } }');
    expect(failed.body.errors[0].extensions.code).toBe(ErrorCode.UpstreamUnavailable);
    expectNone(failed.text, NEVER_TO_CLIENTS);
  });

  it('logs refusals and failures, and no log line holds a secret or a phone number', async () => {
    sim.control.failNext(1, { ret: SipRet.IpNotAuthorized, msg: ECHO }, SipService.GetQueueList);
    expect((await gw.gql('{ queues { name } }')).body.errors[0].extensions.code).toBe(ErrorCode.UpstreamRejected);
    sim.control.failNext(1, { httpStatus: 200, body: ECHO }, SipService.GetExtgroupInfo);
    expect((await gw.gql('{ extGroups { name } }')).body.errors[0].extensions.code).toBe(ErrorCode.UpstreamInvalidResponse);
    sim.control.failNext(1, { httpStatus: 500, body: ECHO }, 'GET /v1/task/create');
    expect((await gw.gql('{ aiTaskOptions { fetchedAt } }')).body.errors[0].extensions.code).toBe(ErrorCode.UpstreamUnavailable);
    const log = lines.join('\n');
    expect(log).toContain('upstream refused');
    expect(log).toContain('upstream failed');
    // The raw detail is logged (redacted): an operator still sees what the platform said.
    expect(log).toContain('"detail":"bad request accesskey=[redacted]');
    expectNone(log, NEVER_IN_LOGS);
  });
});

describe('connection errors', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('a refused connection shows the client no address, only the reason', async () => {
    // A port that was free a moment ago and has nothing listening now.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const lines: string[] = [];
    const gw = await startGateway(
      disposer,
      { SIP_API_URL: `http://127.0.0.1:${port}/`, SIP_APPID: 'appid-0123456789', SIP_ACCESSKEY: ACCESS_KEY },
      lines,
    );
    const { text, body } = await gw.gql('{ queues { name } }');
    expect(body.errors[0].extensions).toMatchObject({ code: ErrorCode.UpstreamUnavailable, reason: 'CONNECT_FAILED', upstream: 'sip' });
    expect(body.errors[0].message).toBe(`sip ${SipService.Login}: upstream unavailable (CONNECT_FAILED)`);
    expectNone(text, ['127.0.0.1', String(port), 'ECONNREFUSED', ACCESS_KEY]);
    // The operator's log keeps the address (not a secret) but not the key.
    const log = lines.join('\n');
    expect(log).toContain('ECONNREFUSED');
    expectNone(log, [ACCESS_KEY]);
  });
});
