import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, UnavailableReason, UpstreamInvalidResponseError, UpstreamUnavailableError, type UpstreamErrorContext } from '../../src/errors.ts';
import { type UpstreamHttp, createUpstreamHttp } from '../../src/upstream/http.ts';
import { createDeferred, type Deferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startLoopbackServer } from '../utils/loopback-server.ts';
import { rejectionOfType } from '../utils/rejection.ts';

/**
 * The caps of src/upstream/http.ts against a loopback server: a body over maxResponseBytes (declared, or streamed
 * without a length) is an UpstreamInvalidResponseError (UPSTREAM_INVALID_RESPONSE) and the connection is cut without
 * reading the rest; a body of exactly the cap is read; a body that trickles past the whole-request deadline is an
 * UpstreamUnavailableError TIMEOUT even though every chunk comes well inside undici's own body timeout. The cap lives
 * in the one HTTP layer both platform clients share: each is checked with its own error context.
 */

const CAP = 64 * 1024;
const CONTEXTS: UpstreamErrorContext[] = [
  { upstream: 'sip', operation: 'App.Sip_Queue.GetQueueList' },
  { upstream: 'aicall', operation: 'GET /v1/task' },
];

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('upstream HTTP caps', () => {
  const disposer = createDisposer();
  let base: string;
  let http: UpstreamHttp;
  let handler: Handler = (_req, res) => res.end('{}');

  beforeAll(async () => {
    base = await startLoopbackServer(disposer, (req, res) => handler(req, res));
    http = disposer.use(createUpstreamHttp({ connectTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxConnections: 4, maxResponseBytes: CAP }), (h) => h.close());
  });
  afterAll(() => disposer.dispose());

  /** Records, for the response under test, whether the client cut it before the server finished, and how much was written. */
  function cutWatch(res: ServerResponse, closed: Deferred<{ finished: boolean; written: number }>, written: () => number) {
    res.on('close', () => closed.resolve({ finished: res.writableFinished, written: written() }));
  }

  for (const context of CONTEXTS) {
    it(`${context.upstream}: a declared Content-Length over the cap is refused from the headers alone`, async () => {
      const closed = createDeferred<{ finished: boolean; written: number }>();
      handler = (_req, res) => {
        cutWatch(res, closed, () => 0);
        // Headers only: the body never comes, so a client that read it would hang until the deadline.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(CAP + 1) });
        res.flushHeaders();
      };
      const error = await rejectionOfType(UpstreamInvalidResponseError, () => http.request(new URL(`${base}/declared`), { method: 'GET', context }));
      expect(error.code).toBe(ErrorCode.UpstreamInvalidResponse);
      expect(error.code).toBe('UPSTREAM_INVALID_RESPONSE');
      expect(error.message).toBe(`${context.upstream} ${context.operation}: unexpected response: response of ${CAP + 1} bytes exceeds ${CAP}`);
      expect(error.extensions()).toMatchObject({ upstream: context.upstream });
      expect(await closed.promise).toEqual({ finished: false, written: 0 });
    });

    it(`${context.upstream}: a streamed body over the cap is cut once past it, not read to its end`, async () => {
      const closed = createDeferred<{ finished: boolean; written: number }>();
      const TOTAL = 1024 * CAP; // 64 MiB on offer: more than loopback socket buffers hold, so finishing means it was read
      let written = 0;
      handler = (_req, res) => {
        cutWatch(res, closed, () => written);
        res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no length to refuse up front
        const chunk = Buffer.alloc(8 * 1024, 0x61);
        const pump = () => {
          while (written < TOTAL && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        pump();
      };
      const error = await rejectionOfType(UpstreamInvalidResponseError, () => http.request(new URL(`${base}/streamed`), { method: 'GET', context }));
      expect(error.code).toBe('UPSTREAM_INVALID_RESPONSE');
      expect(error.message).toBe(`${context.upstream} ${context.operation}: unexpected response: response exceeds ${CAP} bytes`);
      const cut = await closed.promise;
      expect(cut.finished).toBe(false);
      expect(cut.written).toBeLessThan(TOTAL);
    });
  }

  it('a body of exactly the cap is read whole, declared or streamed; one byte more is refused', async () => {
    const context = CONTEXTS[0]!;
    for (const declared of [true, false]) {
      for (const [size, ok] of [[CAP, true], [CAP + 1, false]] as const) {
        handler = (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain', ...(declared ? { 'content-length': String(size) } : {}) });
          // Two writes, so the streamed count crosses chunks.
          res.write(Buffer.alloc(size - 10, 0x62));
          res.end(Buffer.alloc(10, 0x63));
        };
        const run = () => http.request(new URL(`${base}/exact`), { method: 'GET', context });
        if (ok) {
          const answer = await run();
          expect([answer.status, answer.contentType, answer.text.length]).toEqual([200, 'text/plain', CAP]);
        } else {
          expect((await rejectionOfType(UpstreamInvalidResponseError, run)).code).toBe('UPSTREAM_INVALID_RESPONSE');
        }
      }
    }
  });

  it('a body trickling past the whole-request deadline is a TIMEOUT, though each chunk is quick', { timeout: 5_000 }, async () => {
    const short = disposer.use(createUpstreamHttp({ connectTimeoutMs: 1_000, requestTimeoutMs: 300, maxConnections: 1, maxResponseBytes: CAP }), (h) => h.close());
    const closed = createDeferred<{ finished: boolean; written: number }>();
    let written = 0;
    handler = (_req, res) => {
      cutWatch(res, closed, () => written);
      res.writeHead(200, { 'content-type': 'application/json' });
      // One byte every 50 ms, for ever: never idle long enough for undici's bodyTimeout (also 300 ms) to fire.
      const timer = setInterval(() => {
        written += 1;
        res.write(' ');
      }, 50);
      res.on('close', () => clearInterval(timer));
    };
    const started = performance.now();
    const error = await rejectionOfType(UpstreamUnavailableError, () => short.request(new URL(`${base}/trickle`), { method: 'GET', context: CONTEXTS[1]! }));
    const elapsed = performance.now() - started;
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.reason).toBe(UnavailableReason.Timeout);
    expect(error.extensions()).toMatchObject({ upstream: 'aicall', reason: 'TIMEOUT' });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3_000);
    expect((await closed.promise).finished).toBe(false);
  });
});
