import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableReason, UpstreamUnavailableError, type UpstreamErrorContext } from '../../src/errors.ts';
import { useUpstreamBudget } from '../../src/upstream/budget.ts';
import { type UpstreamHttp, createUpstreamHttp } from '../../src/upstream/http.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startLoopbackServer } from '../utils/loopback-server.ts';
import { rejectionOfType } from '../utils/rejection.ts';

/**
 * The failure paths of src/upstream/http.ts against loopback servers: how each way an upstream can fail becomes an
 * UpstreamUnavailableError with its reason (refused connection, a socket cut mid-answer, the whole-request deadline,
 * the operation having answered), how response headers are read (repeated or absent Content-Type), and close()
 * cutting a request that outlives its grace. The size caps are test/integration/upstream-http-caps.test.ts's.
 */

const CONTEXT: UpstreamErrorContext = { upstream: 'sip', operation: 'App.Sip_Queue.GetQueueList' };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('upstream HTTP failures', () => {
  const disposer = createDisposer();
  let base: string;
  let http: UpstreamHttp;
  let handler: Handler = (_req, res) => res.end('{}');

  beforeAll(async () => {
    base = await startLoopbackServer(disposer, (req, res) => handler(req, res));
    http = disposer.use(createUpstreamHttp({ connectTimeoutMs: 1_000, requestTimeoutMs: 5_000, maxConnections: 2 }), (h) => h.close());
  });
  afterAll(() => disposer.dispose());

  it('a refused connection is CONNECT_FAILED with the socket code in the detail', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const error = await rejectionOfType(UpstreamUnavailableError, () => http.request(new URL(`http://127.0.0.1:${port}/x`), { method: 'GET', context: CONTEXT }));
    expect(error.reason).toBe(UnavailableReason.ConnectFailed);
    expect(error.message).toBe('sip App.Sip_Queue.GetQueueList: upstream unavailable (CONNECT_FAILED)');
    expect(error.detail.startsWith('ECONNREFUSED: ')).toBe(true);
    expect(error.extensions()).toEqual({ upstream: 'sip', operation: 'App.Sip_Queue.GetQueueList', reason: 'CONNECT_FAILED' });
  });

  it('a socket cut after the headers is NETWORK with undici’s code in the detail', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"ret":');
      // Half a body, then the connection goes.
      setImmediate(() => res.socket?.destroy());
    };
    const error = await rejectionOfType(UpstreamUnavailableError, () => http.request(new URL(`${base}/cut`), { method: 'GET', context: CONTEXT }));
    expect(error.reason).toBe(UnavailableReason.Network);
    expect(error.message).toBe('sip App.Sip_Queue.GetQueueList: upstream unavailable (NETWORK)');
    expect(error.detail).toMatch(/^UND_ERR_SOCKET: /);
  });

  it('a socket cut before any answer is NETWORK too', async () => {
    handler = (req) => req.socket.destroy();
    const error = await rejectionOfType(UpstreamUnavailableError, () => http.request(new URL(`${base}/reset`), { method: 'POST', body: 'a=1', context: CONTEXT }));
    expect(error.reason).toBe(UnavailableReason.Network);
    expect(error.detail).toMatch(/^UND_ERR_SOCKET: /);
  });

  it('no headers within the whole-request deadline is TIMEOUT, naming the deadline', async () => {
    const short = disposer.use(createUpstreamHttp({ connectTimeoutMs: 1_000, requestTimeoutMs: 150, maxConnections: 1 }), (h) => h.close());
    const closed = createDeferred();
    handler = (_req, res) => res.on('close', () => closed.resolve());
    const error = await rejectionOfType(UpstreamUnavailableError, () => short.request(new URL(`${base}/silent`), { method: 'GET', context: CONTEXT }));
    expect(error.reason).toBe(UnavailableReason.Timeout);
    expect(error.detail).toBe('no answer within 150 ms');
    // The request was aborted: the server sees its connection go.
    await closed.promise;
  });

  it('a request of an operation that has answered is dropped at once, not left to its deadline', async () => {
    const arrived = createDeferred();
    const closed = createDeferred();
    handler = (_req, res) => {
      res.on('close', () => closed.resolve());
      arrived.resolve();
    };
    // The budget plugin as yoga runs it: the execute function's result settling is the operation answering.
    const answer = createDeferred<string>();
    let inFlight: Promise<unknown> | undefined;
    let execute: ((args: unknown) => Promise<unknown>) | undefined;
    const onExecute = useUpstreamBudget(10).onExecute as (payload: unknown) => void;
    onExecute({
      executeFn: () => {
        inFlight = http.request(new URL(`${base}/slow`), { method: 'GET', context: CONTEXT });
        inFlight.catch(() => undefined);
        return answer.promise;
      },
      setExecuteFn: (fn: (args: unknown) => Promise<unknown>) => {
        execute = fn;
      },
    });
    const started = performance.now();
    const result = execute?.({});
    await arrived.promise;
    // The operation answers while its request is in flight.
    answer.resolve('answered');
    expect(await result).toBe('answered');
    const error = await rejectionOfType(UpstreamUnavailableError, () => inFlight);
    // Dropped long before the 5 s deadline; the abort is reported like a deadline's (nobody reads it).
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.reason).toBe(UnavailableReason.Timeout);
    await closed.promise;
  });

  it('reads the first of repeated Content-Type headers, and "" when there is none', async () => {
    handler = (_req, res) => {
      res.setHeader('content-type', ['application/json', 'text/plain']);
      res.end('{"a":1}');
    };
    expect(await http.request(new URL(`${base}/two-types`), { method: 'GET', context: CONTEXT })).toEqual({
      status: 200,
      contentType: 'application/json',
      text: '{"a":1}',
    });

    handler = (_req, res) => {
      res.removeHeader('content-type');
      res.writeHead(503);
      res.end('busy');
    };
    expect(await http.request(new URL(`${base}/no-type`), { method: 'GET', context: CONTEXT })).toEqual({ status: 503, contentType: '', text: 'busy' });
  });

  it('close() lets a request finish within its grace, and cuts one that does not after it', async () => {
    const own = createUpstreamHttp({ connectTimeoutMs: 1_000, requestTimeoutMs: 20_000, maxConnections: 1 });
    let release: (() => void) | undefined;
    const arrived = createDeferred();
    handler = (_req, res) => {
      release = () => res.end('late');
      arrived.resolve();
    };
    // Within the grace: the answer comes while close() waits, and the request succeeds.
    const quick = own.request(new URL(`${base}/within-grace`), { method: 'GET', context: CONTEXT });
    await arrived.promise;
    const closing = own.close();
    release?.();
    expect((await quick).text).toBe('late');
    await closing;

    // Past the grace (2 s): the pool is destroyed and the request fails.
    const stuck = createUpstreamHttp({ connectTimeoutMs: 1_000, requestTimeoutMs: 20_000, maxConnections: 1 });
    const arrivedStuck = createDeferred();
    const cut = createDeferred();
    handler = (_req, res) => {
      res.on('close', () => cut.resolve());
      arrivedStuck.resolve();
    };
    const hanging = stuck.request(new URL(`${base}/past-grace`), { method: 'GET', context: CONTEXT });
    hanging.catch(() => undefined);
    await arrivedStuck.promise;
    const started = performance.now();
    await stuck.close();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1_900);
    expect(waited).toBeLessThan(5_000);
    const error = await rejectionOfType(UpstreamUnavailableError, () => hanging);
    expect(error.reason).toBe(UnavailableReason.Network);
    expect(error.detail).toMatch(/^UND_ERR_DESTROYED: /);
    await cut.promise;
  });
});
