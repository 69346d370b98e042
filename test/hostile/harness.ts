import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'vitest';
import { ErrorCode, type OperationLimit } from '../../src/errors.ts';
import { createDeferred } from '../utils/deferred.ts';
import type { Disposer } from '../utils/disposer.ts';
import { KEYS, startGateway, type TestGateway } from '../utils/gateway.ts';

/**
 * Shared machinery of the hostile-input suite (test/hostile/*.test.ts): gateways per configuration, raw HTTP that
 * controls every byte and header, the probe, and the checks every shape gets. A shape is one row of a table; the
 * runner sends it, then asserts the HTTP status, the stable `extensions.code` (and for operation limits the `limit`,
 * `max` and `measured`), that the simulator counted 0 upstream calls, and that a probe was answered meanwhile.
 */

export const CALLBACK_SECRET = 'hostile-suite-callback-secret-01';
export const ALLOWED_ORIGIN = 'https://wallboard.example.com';
export const FOREIGN_ORIGIN = 'https://evil.example';
export const PROBE = '{ gateway { version } }';
/** The version the gateway reports (the probe's answer): package.json's. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The defaults of src/config.ts the shapes are measured against (a shape that lowers one sets it in `env`). */
export const DEFAULTS = {
  maxDepth: 12,
  maxBreadth: 300,
  maxAliases: 30,
  maxDirectives: 20,
  maxTokens: 3_000,
  maxCost: 5_000,
  maxValidationErrors: 100,
  maxRequestBodyBytes: 8 * 1024 * 1024,
  maxSubscriptionsPerSocket: 20,
} as const;

/** Base environment of every gateway in the suite: API keys (from startGateway), a callback secret, one allowed origin. */
export const BASE_ENV: Record<string, string> = {
  CALLBACK_SECRET,
  ALLOWED_ORIGINS: ALLOWED_ORIGIN,
  RECONCILE_GRACE_SECONDS: '0',
};

/** One gateway per distinct extra environment, started on first use and stopped by the file's disposer. */
export function gatewayPool(disposer: Disposer) {
  const gateways = new Map<string, Promise<TestGateway>>();
  return (env: Record<string, string> = {}): Promise<TestGateway> => {
    const key = JSON.stringify(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
    let gateway = gateways.get(key);
    if (!gateway) {
      gateway = startGateway(disposer, { env: { ...BASE_ENV, ...env } });
      gateways.set(key, gateway);
    }
    return gateway;
  };
}

/** Lets the start-up reconciliation finish, then zeroes the simulator's counters. */
export async function settle(gw: TestGateway): Promise<void> {
  await gw.app.reconcile();
  gw.sim.stats.reset();
}

export const bearer = (key: keyof typeof KEYS) => `Bearer ${KEYS[key]}`;

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: any;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length). */
  chunked?: boolean;
  timeoutMs?: number;
}

/** HTTP/1.1 over node:http with exactly the headers given (Content-Length only when a body is given unchunked). */
export function rawRequest(baseUrl: string, spec: RawRequest): Promise<RawReply> {
  const { method = 'POST', path = '/graphql', headers = {}, body, chunked = false, timeoutMs = 15_000 } = spec;
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        const text = all.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body !== undefined && chunked) {
      req.setHeader('transfer-encoding', 'chunked');
      req.write(body);
      req.end();
    } else if (body !== undefined) {
      req.setHeader('content-length', String(Buffer.byteLength(body)));
      req.end(body);
    } else {
      req.end();
    }
  });
}

/** A POST of a JSON GraphQL request with a key (admin unless said otherwise). */
export function graphqlPost(query: string, options: { key?: keyof typeof KEYS | null; variables?: unknown; headers?: Record<string, string> } = {}): RawRequest {
  const { key = 'admin', variables, headers = {} } = options;
  return {
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(key ? { authorization: bearer(key) } : {}), ...headers },
    body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
  };
}

/** The probe: a query that costs no upstream call, with the least privileged key. Resolves with its reply. */
export async function probe(baseUrl: string): Promise<RawReply> {
  return rawRequest(baseUrl, { ...graphqlPost(PROBE, { key: 'viewer' }), timeoutMs: 10_000 });
}

export function expectProbeAnswered(reply: RawReply, when: string): void {
  expect(reply.status, `probe ${when}: ${reply.text.slice(0, 300)}`).toBe(200);
  expect(reply.json?.data, `probe ${when}`).toEqual({ gateway: { version: PACKAGE_VERSION } });
}

/** What a shape must produce. Arrays mean "one of" (used only where the contract leaves the choice open). */
export interface Expected {
  status: number | readonly number[];
  /** The stable `extensions.code` of the (first) error; omitted for refusals that are not GraphQL responses. */
  code?: string | readonly string[];
  /** Look for the code in any error rather than the first (a refusal appended after errors it explains). */
  inAnyError?: boolean;
  /** For OPERATION_LIMIT_EXCEEDED: which limit, and its configured maximum. */
  limit?: { name: `${OperationLimit}` | readonly `${OperationLimit}`[]; max?: number };
  /** Further checks on the reply (headers, messages). */
  check?: (reply: RawReply) => void;
}

/** Every code a client may see: the gateway's own and the protocol-level ones yoga and graphql-js give. */
export const KNOWN_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'REQUEST_ENTITY_TOO_LARGE',
  'LENGTH_REQUIRED',
  'INTERNAL_SERVER_ERROR',
]);

const oneOf = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

export function describeReply(reply: RawReply): string {
  return `HTTP ${reply.status} ${reply.text.length > 400 ? `${reply.text.slice(0, 400)}… (${reply.text.length} chars)` : reply.text}`;
}

/** Status, code, limit details; never a stack trace, never an unmasked internal error. */
export function expectRefusal(reply: RawReply, expected: Expected): void {
  const what = describeReply(reply);
  expect(oneOf(expected.status), `status of ${what}`).toContain(reply.status);
  if (expected.code !== undefined) {
    const errors: Array<{ message: string; extensions?: Record<string, any> }> | undefined = reply.json?.errors;
    expect(Array.isArray(errors) && errors.length > 0, `errors in ${what}`).toBe(true);
    const first = expected.inAnyError ? (errors!.find((e) => oneOf(expected.code!).includes(e.extensions?.code)) ?? errors![0]!) : errors![0]!;
    expect(oneOf(expected.code), `extensions.code of ${what}`).toContain(first.extensions?.code);
    for (const error of errors!) {
      expect(error.extensions?.code, `every error carries a code: ${what}`).toEqual(expect.any(String));
      expect(error.message, 'no stack trace in a message').not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
    if (expected.limit && first.extensions?.code === 'OPERATION_LIMIT_EXCEEDED') {
      expect(oneOf(expected.limit.name), `extensions.limit of ${what}`).toContain(first.extensions?.limit);
      if (expected.limit.max !== undefined && oneOf(expected.limit.name).length === 1) {
        expect(first.extensions?.max, `extensions.max of ${what}`).toBe(expected.limit.max);
      }
      expect(first.extensions?.measured, `extensions.measured of ${what}`).toBeGreaterThan(first.extensions?.max as number);
    }
    // A refusal never carries data from a resolver: no data, or only the refused root fields, null.
    const data: Record<string, unknown> | null = reply.json?.data ?? null;
    expect(data === null || Object.values(data).every((value) => value === null), `no data in ${what}`).toBe(true);
  }
  expected.check?.(reply);
}

export function expectNoUpstreamCalls(gw: TestGateway, shape: string): void {
  expect(gw.sim.stats.snapshot(), `upstream calls made for "${shape}"`).toEqual({});
  expect(gw.sim.stats.total()).toBe(0);
}

/**
 * Opens a TCP connection and sends only the start of a request's header block, then nothing more: the server must
 * give up on it (408 or a close) on its own. Resolves with what the server did and when; bounded by `giveUpMs`.
 */
export function slowHeaders(baseUrl: string, giveUpMs: number): { sent: Promise<void>; outcome: Promise<{ answer: string; closed: boolean; ms: number }> } {
  const { hostname, port } = new URL(baseUrl);
  const started = Date.now();
  const sent = createDeferred<void>();
  const outcome = createDeferred<{ answer: string; closed: boolean; ms: number }>();
  const socket = connect(Number(port), hostname, () => {
    socket.write(`POST /graphql HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nX-Slow: `, () => sent.resolve());
  });
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (answer += chunk));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    clearTimeout(guard);
    outcome.resolve({ answer, closed: true, ms: Date.now() - started });
  });
  const guard = setTimeout(() => {
    outcome.resolve({ answer, closed: false, ms: Date.now() - started });
    socket.destroy();
  }, giveUpMs);
  return { sent: sent.promise, outcome: outcome.promise };
}

/** Repeats a string builder n times, joined by a separator. */
export const times = (n: number, item: (i: number) => string, separator = ' ') => Array.from({ length: n }, (_, i) => item(i)).join(separator);
