import { request as httpRequest } from 'node:http';
import type { App } from '../../src/app.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonMediaType } from '../../src/server/json-fast-path.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startApp, startGateway, type TestGateway } from '../utils/gateway.ts';

/**
 * The HTTP fast path (src/server/json-fast-path.ts) must answer exactly as yoga does. Two gateways stand in front of
 * one simulator, one with HTTP_FAST_PATH on and one with it off; every request below goes to both over real ports,
 * and status, headers (but Date) and body bytes must be equal. The fast path's counts say which requests it answered
 * itself and which it read and handed to yoga, so a case that silently stopped taking the fast path fails too.
 */

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

type Route = 'answered' | 'handedOver' | 'yoga';

interface Case {
  name: string;
  route: Route;
  headers?: Record<string, string>;
  body: string;
  method?: string;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const auth = (key: keyof typeof KEYS = 'admin') => ({ authorization: `Bearer ${KEYS[key]}` });
const post = (query: string, extra: Record<string, unknown> = {}) => JSON.stringify({ query, ...extra });
/** Headers that say when and how the connection is kept, not what was answered. */
const TRANSPORT = new Set(['date', 'connection', 'keep-alive']);

function send(base: string, c: Case): Promise<Raw> {
  const url = new URL('/graphql', base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: c.method ?? 'POST', headers: { 'content-length': String(Buffer.byteLength(c.body)), ...c.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () => {
          const headers: Raw['headers'] = {};
          for (const [name, value] of Object.entries(res.headers)) if (!TRANSPORT.has(name)) headers[name] = value;
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
        });
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(c.body);
  });
}

describe('HTTP fast path', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let viaYoga: App;
  let viaYogaUrl: string;
  afterAll(() => disposer.dispose());

  beforeAll(async () => {
    gw = await startGateway(disposer);
    viaYoga = await startApp(disposer, gw.sim, gw.app.services.config.sip?.url ?? '', { HTTP_FAST_PATH: 'off' });
    viaYogaUrl = await viaYoga.start(0, '127.0.0.1');
    expect(viaYoga.fastPath).toBeNull();
    expect(gw.app.fastPath).not.toBeNull();
  });

  /** Both gateways listen on 127.0.0.1; Origin cases name the address each request is sent to. */
  const cases = (own: string): Case[] => [
    { name: 'a trivial query', route: 'answered', headers: { ...JSON_TYPE, ...auth() }, body: post('{ gateway { version } }') },
    { name: 'one upstream call', route: 'answered', headers: { ...JSON_TYPE, ...auth('viewer') }, body: post('{ queues { name } }') },
    {
      name: 'graphql-response+json',
      route: 'answered',
      headers: { ...JSON_TYPE, ...auth(), accept: 'application/graphql-response+json' },
      body: post('{ gateway { version } }'),
    },
    { name: 'Accept */*', route: 'answered', headers: { ...JSON_TYPE, ...auth(), accept: '*/*' }, body: post('{ gateway { version } }') },
    {
      name: 'SSE listed before JSON',
      route: 'answered',
      headers: { ...JSON_TYPE, ...auth(), accept: 'text/event-stream, application/graphql-response+json;q=0.9, application/json' },
      body: post('{ gateway { version } }'),
    },
    {
      name: 'SSE only',
      route: 'yoga',
      headers: { ...JSON_TYPE, ...auth(), accept: 'text/event-stream' },
      body: post('{ gateway { version } }'),
    },
    {
      name: 'a charset yoga does not speak',
      route: 'yoga',
      headers: { ...JSON_TYPE, ...auth(), accept: 'application/json; charset=iso-8859-1' },
      body: post('{ gateway { version } }'),
    },
    {
      name: 'content type with a charset',
      route: 'answered',
      headers: { 'content-type': 'application/json; charset=utf-8', ...auth() },
      body: post('{ gateway { version } }'),
    },
    { name: 'content type in capitals', route: 'yoga', headers: { 'content-type': 'Application/JSON', ...auth() }, body: post('{ gateway { version } }') },
    { name: 'a compressed request body', route: 'yoga', headers: { ...JSON_TYPE, ...auth(), 'content-encoding': 'gzip' }, body: 'not gzip' },
    {
      name: 'a large result, gzip',
      route: 'answered',
      headers: { ...JSON_TYPE, ...auth(), 'accept-encoding': 'gzip' },
      body: post('{ __schema { types { name fields { name } } } }'),
    },
    {
      name: 'a large result, br',
      route: 'answered',
      headers: { ...JSON_TYPE, ...auth(), 'accept-encoding': 'gzip;q=0.5, br' },
      body: post('{ __schema { types { name fields { name } } } }'),
    },
    {
      name: 'introspection refused to a viewer',
      route: 'handedOver',
      headers: { ...JSON_TYPE, ...auth('viewer') },
      body: post('{ __schema { types { name } } }'),
    },
    {
      name: 'same-origin browser request',
      route: 'answered',
      headers: { ...JSON_TYPE, ...auth(), origin: own },
      body: post('{ gateway { version } }'),
    },
    {
      name: 'a foreign origin',
      route: 'answered',
      headers: { ...JSON_TYPE, ...auth(), origin: 'https://evil.example' },
      body: post('{ gateway { version } }'),
    },
    {
      name: 'requested headers echoed to an allowed origin',
      route: 'answered',
      headers: { ...JSON_TYPE, ...auth(), origin: own, 'access-control-request-headers': 'authorization, content-type' },
      body: post('{ gateway { version } }'),
    },
    { name: 'a syntax error', route: 'handedOver', headers: { ...JSON_TYPE, ...auth() }, body: post('{ gateway { version } ') },
    {
      name: 'the same syntax error again, graphql-response+json',
      route: 'handedOver',
      headers: { ...JSON_TYPE, ...auth(), accept: 'application/graphql-response+json' },
      body: post('{ gateway { version } '),
    },
    { name: 'a validation error', route: 'handedOver', headers: { ...JSON_TYPE, ...auth() }, body: post('{ gateway { versio } }') },
    { name: 'an unknown parameter', route: 'handedOver', headers: { ...JSON_TYPE, ...auth() }, body: post('{ gateway { version } }', { foo: 1 }) },
    { name: 'a null unknown parameter', route: 'handedOver', headers: { ...JSON_TYPE, ...auth() }, body: post('{ gateway { version } }', { foo: null }) },
    { name: 'not JSON', route: 'handedOver', headers: { ...JSON_TYPE, ...auth() }, body: '{"query": ' },
    { name: 'an empty body', route: 'handedOver', headers: { ...JSON_TYPE, ...auth() }, body: '' },
    { name: 'a batch', route: 'handedOver', headers: { ...JSON_TYPE, ...auth() }, body: `[${post('{ gateway { version } }')}]` },
    { name: 'null', route: 'handedOver', headers: { ...JSON_TYPE, ...auth() }, body: 'null' },
    { name: 'no query', route: 'handedOver', headers: { ...JSON_TYPE, ...auth() }, body: '{"variables":{}}' },
    { name: 'variables as a string', route: 'handedOver', headers: { ...JSON_TYPE, ...auth() }, body: post('{ gateway { version } }', { variables: 'x' }) },
    {
      name: 'a variable that does not coerce',
      route: 'handedOver',
      headers: { ...JSON_TYPE, ...auth() },
      body: post('query($n: Int!) { agents(first: $n) { totalCount } }', { variables: { n: 'x' } }),
    },
    {
      name: 'an operation name that is not in the document',
      route: 'handedOver',
      headers: { ...JSON_TYPE, ...auth() },
      body: post('query A { gateway { version } }', { operationName: 'B' }),
    },
    {
      name: 'two operations and no name',
      route: 'handedOver',
      headers: { ...JSON_TYPE, ...auth() },
      body: post('query A { gateway { version } } query B { gateway { version } }'),
    },
    {
      name: 'a named operation among two',
      route: 'answered',
      headers: { ...JSON_TYPE, ...auth() },
      body: post('query A { gateway { version } } query B { queues { name } }', { operationName: 'B', extensions: {} }),
    },
    {
      name: 'a subscription that accepts only JSON',
      route: 'handedOver',
      headers: { ...JSON_TYPE, ...auth(), accept: 'application/json' },
      body: post('subscription { agentStatusChanged { eventId } }'),
    },
    { name: 'a partial result', route: 'answered', headers: { ...JSON_TYPE, ...auth() }, body: post('{ gateway { version } node(id: "xyz") { id } }') },
    {
      name: 'a mutation a viewer may not run',
      route: 'answered',
      headers: { ...JSON_TYPE, ...auth('viewer') },
      body: post('mutation { createQueue(input: { name: "nope" }) { __typename } }'),
    },
    {
      name: 'an operation over the limits',
      route: 'handedOver',
      headers: { ...JSON_TYPE, ...auth() },
      body: post(`{ ${Array.from({ length: 300 }, (_, i) => `a${i}: gateway { version }`).join(' ')} }`),
    },
    { name: 'no key', route: 'yoga', headers: { ...JSON_TYPE }, body: post('{ gateway { version } }') },
    { name: 'a wrong key', route: 'yoga', headers: { ...JSON_TYPE, authorization: 'Bearer not-a-key-at-all-000' }, body: post('{ gateway { version } }') },
  ];

  it('answers every request exactly as yoga does, and takes the ones it should', async () => {
    const counts = gw.app.fastPath!;
    const fastOrigin = gw.url;
    const yogaOrigin = viaYogaUrl;
    const fastCases = cases(fastOrigin);
    const yogaCases = cases(yogaOrigin);
    for (let i = 0; i < fastCases.length; i += 1) {
      const c = fastCases[i]!;
      const before = { ...counts };
      const fast = await send(fastOrigin, c);
      const expected = await send(yogaOrigin, yogaCases[i]!);
      const taken = { answered: counts.answered - before.answered, handedOver: counts.handedOver - before.handedOver };
      expect({ case: c.name, taken }).toEqual({
        case: c.name,
        taken: { answered: c.route === 'answered' ? 1 : 0, handedOver: c.route === 'handedOver' ? 1 : 0 },
      });
      // The origin differs between the two gateways (their ports); CORS echoes it.
      // Each answer has an x-request-id of its own (a fresh UUID unless the client sent one): present on both, not equal.
      const normalise = (raw: Raw, origin: string) => ({
        case: c.name,
        status: raw.status,
        headers: JSON.parse(
          JSON.stringify({ ...raw.headers, 'x-request-id': raw.headers['x-request-id'] === undefined ? 'missing' : '<id>' }).replaceAll(origin, '<own>'),
        ) as unknown,
        body: raw.body.toString('base64') === '' ? '' : raw.body.toString('latin1').replaceAll(origin, '<own>'),
      });
      expect(normalise(fast, fastOrigin)).toEqual(normalise(expected, yogaOrigin));
    }
  });

  it('hands a subscription to yoga, which streams it as server-sent events', async () => {
    const before = { ...gw.app.fastPath! };
    const first = await new Promise<{ status: number; type: string | undefined; chunk: string }>((resolve, reject) => {
      const body = post('subscription { agentStatusChanged { eventId } }');
      const req = httpRequest(
        new URL('/graphql', gw.url),
        { method: 'POST', headers: { ...JSON_TYPE, ...auth(), accept: '*/*', 'content-length': String(Buffer.byteLength(body)) } },
        (res) => {
          res.once('data', (chunk: Buffer) => {
            resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], chunk: chunk.toString() });
            req.destroy();
          });
        },
      );
      req.once('error', reject);
      req.end(body);
    });
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^text\/event-stream/);
    expect(first.chunk.length).toBeGreaterThan(0);
    expect(gw.app.fastPath!.handedOver).toBe(before.handedOver + 1);
  });

  it('leaves a client that stops mid-body, and one that sends less than it announced, without an answer or a crash', async () => {
    const before = { ...gw.app.fastPath! };
    await new Promise<void>((resolve) => {
      const req = httpRequest(new URL('/graphql', gw.url), { method: 'POST', headers: { ...JSON_TYPE, ...auth(), 'content-length': '100' } });
      req.once('error', () => resolve());
      req.write('{"query":');
      // The socket closes with 40 bytes of the announced 100 sent: the fast path never sees an 'end'.
      setImmediate(() => {
        req.destroy();
        resolve();
      });
    });
    const after = await gw.gql('{ gateway { version } }');
    expect(after.errors).toBeUndefined();
    expect(gw.app.fastPath!.answered).toBe(before.answered + 1);
    expect(gw.app.fastPath!.handedOver).toBe(before.handedOver);
  });
});

describe('jsonMediaType (yoga\'s choice of a JSON answer)', () => {
  it.each([
    [undefined, 'application/json'],
    ['', 'application/json'],
    ['*/*', 'application/json'],
    ['application/*', 'application/json'],
    ['application/json', 'application/json'],
    ['application/graphql-response+json', 'application/graphql-response+json'],
    ['application/graphql-response+json, application/json', 'application/graphql-response+json'],
    ['application/json, application/graphql-response+json', 'application/json'],
    ['text/event-stream, application/graphql-response+json', 'application/graphql-response+json'],
    ['APPLICATION/JSON; charset=UTF-8', 'application/json'],
    ['text/event-stream', null],
    ['multipart/mixed', null],
    ['text/html', null],
    ['application/json; charset=latin1', null],
    ['*', null],
  ])('%j → %j', (accept, expected) => {
    expect(jsonMediaType(accept)).toBe(expected);
  });
});
