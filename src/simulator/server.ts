import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { SipRet } from '../upstream/sip/codes.ts';
import { createZonedTime } from '../upstream/time.ts';
import { type AiCallSimulatorModule, createAiCallSimulator } from './aicall/index.ts';
import {
  CONTROL_PREFIX,
  type InjectedFailure,
  type Platform,
  type SimulatorControl,
  Switches,
  handleControlRequest,
} from './control.ts';
import { createSimClock } from './dialer/clock.ts';
import { type Dialer, type DialerTuning, createDialer } from './dialer/index.ts';
import { BodyTooLargeError, FormParseError, parseForm, readBody } from './http-body.ts';
import { createRng } from './rng.ts';
import { type SipApi, createSipApi } from './sip/api.ts';
import { illegal, requestEnvelope } from './sip/envelope.ts';
import { RECORDINGS_PATH } from './sip/recordings.ts';
import type { SipState } from './sip/state.ts';
import { type CallStats, createCallStats } from './stats.ts';
import type { SimContext, SimRequest, SimResponse } from './types.ts';

export interface SimulatorOptions {
  /** Seed of the demo data and of every random choice (default 1). */
  seed?: number;
  /** Zone of the platforms' `yyyy-mm-dd hh:mm:ss` times (default Asia/Shanghai). */
  timeZone?: string;
  /** The simulator clock in epoch ms (default Date.now); tests move it. */
  now?: () => number;
  /** SIP credentials (default sim-appid / sim-accesskey). */
  appId?: string;
  accessKey?: string;
  /** AI-call credentials (default `Authorization: Bearer sim-aicall-token`). */
  aicallToken?: string;
  aicallAuthHeader?: string;
  /** SIP token lifetime (default 12 h). */
  tokenTtlMs?: number;
  /** Lifetime of a recording download link (default 1 h). */
  recordingLinkTtlMs?: number;
  /** Largest request body (default 8 MiB); larger → 413. */
  maxBodyBytes?: number;
  /** Base of the links the simulator hands out, when it is reached through another address (default its own). */
  publicUrl?: string;
  /** Fill both platforms with demo data (default true). */
  demoData?: boolean;
  /**
   * Base URL the dialer posts callbacks to: `<base>/extension-status`, `<base>/call-record`, `<base>/task-status`
   * (form-data `detail=<json>`) and `<base>/aicall-notify` (JSON). None by default: nothing is posted.
   */
  callbackUrl?: string;
  /** Simulated seconds per real second while the dialer runs on its timer (default 1; e.g. 60 for demos). */
  speed?: number;
  /**
   * Run the dialer on its timer from start() (default: true when a callbackUrl is given). Without it the dialer
   * still exists and a test steps it with `sim.dialer.advance(ms)` / `tick()`.
   */
  dialer?: boolean;
  /** Outcome proportions, callback retries and the like (defaults in docs/simulator.md). */
  dialerTuning?: DialerTuning;
}

export interface SimulatorCredentials {
  appId: string;
  accessKey: string;
  aicallToken: string;
  aicallAuthHeader: string;
}

export interface Simulator {
  /** Listens (port 0 = any free port) and resolves the base URL, e.g. http://127.0.0.1:8080. */
  start(port?: number, host?: string): Promise<string>;
  /** Drops held requests, destroys every connection and stops listening. */
  stop(): Promise<void>;
  /** The base URL; throws before start(). */
  readonly url: string;
  readonly control: SimulatorControl;
  readonly stats: CallStats;
  /** The SIP PBX's state: read and change it directly (a dialer, a test). */
  readonly sip: SipState;
  readonly aicall: AiCallSimulatorModule;
  readonly credentials: SimulatorCredentials;
  /** The clock, zone and seed the platforms run on. */
  readonly context: SimContext;
  /** Dials running tasks, progresses AI tasks and posts callbacks (docs/simulator.md, "The dialer"). */
  readonly dialer: Dialer;
}

const DEFAULTS = {
  seed: 1,
  timeZone: 'Asia/Shanghai',
  appId: 'sim-appid',
  accessKey: 'sim-accesskey',
  aicallToken: 'sim-aicall-token',
  aicallAuthHeader: 'authorization',
  tokenTtlMs: 12 * 3_600_000,
  recordingLinkTtlMs: 3_600_000,
  maxBodyBytes: 8 * 1024 * 1024,
} as const;
const CONTROL_BODY_BYTES = 64 * 1024;
const RECORDING_OPERATION = 'GET /recordings/{filename}';

function textResponse(status: number, body: string): SimResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

function send(res: ServerResponse, response: SimResponse): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
}

function injectedHttp(failure: Extract<InjectedFailure, { httpStatus: number }>): SimResponse {
  const { body } = failure;
  if (typeof body === 'string') return textResponse(failure.httpStatus, body);
  return {
    status: failure.httpStatus,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body ?? { message: 'simulated failure' }),
  };
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const seed = options.seed ?? DEFAULTS.seed;
  // The base clock plus the dialer's offset: `speed` and `advance()` move every clock-dependent behaviour together.
  const clock = createSimClock(options.now ?? Date.now);
  const now = clock.now;
  const time = createZonedTime(options.timeZone ?? DEFAULTS.timeZone);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const credentials: SimulatorCredentials = {
    appId: options.appId ?? DEFAULTS.appId,
    accessKey: options.accessKey ?? DEFAULTS.accessKey,
    aicallToken: options.aicallToken ?? DEFAULTS.aicallToken,
    aicallAuthHeader: (options.aicallAuthHeader ?? DEFAULTS.aicallAuthHeader).toLowerCase(),
  };
  let baseUrl: string | null = null;
  const publicUrl = () => {
    const url = options.publicUrl ?? baseUrl;
    if (!url) throw new Error('the simulator has not been started');
    return url;
  };

  // Each platform draws from its own generator, so one platform's draws never shift the other's demo data; the dialer
  // has its own too, so that API calls (which draw task ids) never shift the calls it makes, and the other way round.
  const context: SimContext = { now, rng: createRng(seed), time, publicUrl };
  const sip: SipApi = createSipApi(context, {
    appId: credentials.appId,
    accessKey: credentials.accessKey,
    tokenTtlMs: options.tokenTtlMs ?? DEFAULTS.tokenTtlMs,
    recordingLinkTtlMs: options.recordingLinkTtlMs ?? DEFAULTS.recordingLinkTtlMs,
    demoData: options.demoData ?? true,
  });
  const aicall = createAiCallSimulator(
    { ...context, rng: createRng((seed ^ 0x5bd1e995) >>> 0) },
    { token: credentials.aicallToken, authHeader: credentials.aicallAuthHeader },
  );
  const dialer = createDialer({
    clock,
    time,
    rng: createRng((seed ^ 0x2545f491) >>> 0),
    sip: sip.state,
    aicall: aicall.state,
    callbackUrl: options.callbackUrl ?? null,
    speed: options.speed ?? 1,
    tuning: options.dialerTuning ?? {},
  });
  const runDialer = options.dialer ?? Boolean(options.callbackUrl);
  const stats = createCallStats();
  const switches = new Switches(() => sip.state.tokens.expireAll());

  /** Counts the call, then applies hang, latency and an injected failure before `run`. */
  async function gate(
    res: ServerResponse,
    operation: string,
    platform: Platform,
    run: () => SimResponse | Promise<SimResponse>,
    fail: (failure: InjectedFailure) => SimResponse,
  ): Promise<void> {
    stats.increment(operation);
    if (switches.hanging) {
      const unregister = switches.hold(() => res.destroy());
      res.on('close', unregister);
      return;
    }
    const failure = switches.takeFailure(operation, platform);
    const latency = switches.latencyFor(operation);
    if (latency > 0) await switches.sleep(latency);
    if (res.destroyed) return;
    send(res, failure ? fail(failure) : await run());
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    const request = (body: Buffer): SimRequest => ({ method, path, query: url.searchParams, headers: req.headers, body });

    if (path.startsWith(CONTROL_PREFIX)) {
      send(res, handleControlRequest(request(await readBody(req, CONTROL_BODY_BYTES)), switches, stats));
      return;
    }
    if (method === 'GET' && path.startsWith(RECORDINGS_PATH)) {
      req.resume();
      const filename = decodeURIComponent(path.slice(RECORDINGS_PATH.length));
      await gate(res, RECORDING_OPERATION, 'recordings', () => sip.recordings.serve(filename, url.searchParams), (f) =>
        'httpStatus' in f ? injectedHttp(f) : textResponse(500, 'simulated failure'),
      );
      return;
    }
    if (path === '/v1' || path.startsWith('/v1/')) {
      const body = await readBody(req, maxBodyBytes);
      const operation = aicall.routeOf(method, path) ?? `${method} ${path}`;
      await gate(res, operation, 'aicall', () => aicall.handle(request(body)), (f) =>
        'httpStatus' in f ? injectedHttp(f) : textResponse(500, 'simulated failure'),
      );
      return;
    }
    if (method === 'POST') {
      const body = await readBody(req, maxBodyBytes);
      let fields: Record<string, string>;
      try {
        // The query string may carry fields too (PhalApi reads both); the body wins.
        fields = { ...Object.fromEntries(url.searchParams), ...(await parseForm(req.headers, body, maxBodyBytes)) };
      } catch (error) {
        if (!(error instanceof FormParseError)) throw error;
        stats.increment('(unreadable form)');
        send(res, requestEnvelope(SipRet.IllegalRequest, illegal(error.message).message));
        return;
      }
      await gate(res, sip.operationOf(fields), 'sip', () => sip.handle(fields, receivedAt), (f) =>
        'httpStatus' in f ? injectedHttp(f) : sip.fail(f, fields, receivedAt),
      );
      return;
    }
    req.resume();
    send(res, textResponse(404, `no route ${method} ${path}`));
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        res.setHeader('connection', 'close');
        send(res, textResponse(413, error.message));
        return;
      }
      console.error('simulator: request failed', error);
      send(res, textResponse(500, 'simulator error'));
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return {
    async start(port = 0, host = '127.0.0.1') {
      if (baseUrl) throw new Error(`the simulator is already listening on ${baseUrl}`);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      if (!address || typeof address === 'string') throw new Error('the simulator has no TCP address');
      const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
      baseUrl = `http://${shownHost}:${address.port}`;
      if (runDialer) dialer.start();
      return baseUrl;
    },
    async stop() {
      switches.close();
      await dialer.close();
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      baseUrl = null;
    },
    get url() {
      if (!baseUrl) throw new Error('the simulator has not been started');
      return baseUrl;
    },
    control: switches,
    stats,
    sip: sip.state,
    aicall,
    credentials,
    context,
    dialer,
  };
}
