import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type DocumentNode, type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { Authenticate, Principal } from '../auth.ts';
import type { GatewayConfig } from '../config.ts';
import { ConnectionLimit, SubscriptionLimitError } from '../errors.ts';
import { onSubscriberOverflow } from '../events/subscribe.ts';
import { overrideSource, takeCapturedSource } from '../events/subscriber-source.ts';
import type { Logger } from '../logger.ts';
import { logSocketOperation, OperationOutcome } from '../observability/access-log.ts';
import { newRequestId, REQUEST_ID_HEADER, RequestScope, requestIdFrom, Transport } from '../observability/request-scope.ts';
import { CLOSE_REASON, CLOSE_REASON_GOING_AWAY, GatewayCloseCode, StandardCloseCode } from './close-codes.ts';
import { clientAddress, type ConnectionCounter, principalKey } from './connection-limits.ts';
import { asGraphQLError, withExtensions } from './graphql-errors.ts';
import { resolveDocument, type TrustedDocuments } from './trusted-documents.ts';
import type { Drain } from './drain.ts';
import type { OriginPolicy } from './origins.ts';
import { createSharedExecution, fanOutMetrics, serializedPayload, type SharedExecution } from './shared-execution.ts';
import { GRAPHQL_PATH, type GatewayYoga, PARSE_REQUEST } from './yoga.ts';
import { type GatewayMetrics, SlowConsumerReason } from '../observability/metrics.ts';

type OperationResult = ExecutionResult | AsyncIterable<ExecutionResult>;

/**
 * Yoga's enveloped execute/subscribe, carried to graphql-ws through rootValue (the graphql-ws + yoga recipe), with what
 * a subscription needs to join its group (src/server/shared-execution.ts).
 */
interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult | Promise<OperationResult>;
  subscribe: (args: ExecutionArgs) => OperationResult | Promise<OperationResult>;
  query: string;
  principal: Principal;
  /** The operation's id and socket: a shared subscription writes its `next` frames itself. */
  id: string;
  socket: WebSocket;
  wire: Duplex | null;
}

/** What each socket carries: graphql-ws's `ctx.extra`. No upgrade request: it would live as long as the socket. */
interface SocketExtra {
  socket: WebSocket;
  /** The TCP socket under it, when shared frames may be written there whole (see `frameOf`); else null. */
  wire: Duplex | null;
  principal?: Principal;
  /** The upgrade request's `x-request-id` (or a fresh id): every operation line of the socket carries it. */
  connectionId: string;
  /**
   * The scopes of operations under way, for their line when they end (access-log.ts): the first in a slot of its
   * own, the others (a socket with several subscriptions) by operation id. A map per socket was ~0.8 kB of every idle
   * subscription's memory (bench/README.md), and most sockets carry one.
   */
  operation?: { id: string; scope: RequestScope } | null;
  operations?: Map<string, RequestScope>;
}

/** Bytes a socket may hold unsent before a shared subscription's next frame waits for the last one to be written. */
const WRITE_THROUGH_BYTES = 16 * 1024;
const TEXT_FRAME = { binary: false } as const;

/** Encoded frames kept per shared result, one per distinct operation id. */
const MAX_FRAMES_PER_RESULT = 8;

/** graphql-ws's view of a socket; a class, so a socket costs no closures for it. */
class SocketAdapter {
  readonly protocol: string;
  constructor(
    private readonly socket: WebSocket,
    private readonly logger: Logger | undefined,
  ) {
    this.protocol = socket.protocol;
  }

  send(data: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.socket.readyState !== WebSocket.OPEN) return resolve();
      this.socket.send(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>): void {
    this.socket.on('message', async (data) => {
      try {
        await handle(String(data));
      } catch (error) {
        this.logger?.error('websocket: handling a message failed', error);
        this.socket.close(CloseCode.InternalServerError, 'Internal server error');
      }
    });
  }
}

/** A shared subscription's operation, as the transport needs it to run and write it. */
interface Subscriber {
  socket: WebSocket;
  wire: Duplex | null;
  id: string;
  principal: Principal;
  document: DocumentNode;
  operationName: string | null;
  variables: Record<string, unknown> | null | undefined;
}

/**
 * A whole unmasked text frame (RFC 6455 5.2: FIN and opcode 1, the length in 7, 7+16 or 7+64 bits, then the UTF-8
 * bytes), as ws would frame it: built once and written to each TCP socket as it is, where ws would make a header and
 * a two-buffer write per send.
 */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, header, 'utf8');
  return frame;
}

/** The payload of a frame made by textFrame, for a socket whose frames ws must make itself. */
function payloadOf(frame: Buffer): Buffer {
  const length = frame[1] ?? 0;
  return frame.subarray(length === 127 ? 10 : length === 126 ? 4 : 2);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

export interface GatewayWebSocket {
  /**
   * Closes every socket with 1001 (Going Away) so graphql-ws clients reconnect (to another replica) and resume with
   * `after`; upgrades are refused with 503 from the moment the drain began. Resolves when every socket has closed or
   * `deadlineMs` passed (the rest are then cut).
   */
  drain(deadlineMs: number): Promise<void>;
  /** Cuts every socket and stops accepting new ones. */
  close(): Promise<void>;
}

export interface GatewayWebSocketOptions {
  server: Server;
  yoga: GatewayYoga;
  authenticate: Authenticate;
  config: GatewayConfig;
  /** Shared with SSE streams, so both count against the same per-key and per-address caps. */
  connections: ConnectionCounter;
  /** The Origin rule CORS uses too (one instance, built by the app). */
  originPolicy: OriginPolicy;
  /** Once closing, upgrades are refused. */
  drain: Drain;
  logger?: Logger;
  /** Counts subscribers closed for unsent bytes (telemetry.metrics); queue overflows are counted by their streams. */
  metrics?: Pick<GatewayMetrics, 'subscriptions'> | null;
  /** Persisted documents by hash (the same instance yoga's HTTP side uses); absent: document text only. */
  documents?: TrustedDocuments;
}

/**
 * Operations started per event-loop turn, over all sockets. A burst of subscribe messages (one read can carry
 * hundreds) would otherwise be parsed, validated and started in one go while every other client waits; past this
 * many, the rest start in the next turns, after pending I/O.
 */
const STARTS_PER_TURN = 32;

function createStartGate() {
  let started = 0;
  let resetScheduled = false;
  return async function takeTurn(): Promise<void> {
    while (started >= STARTS_PER_TURN) await nextTurn();
    if (!resetScheduled) {
      resetScheduled = true;
      setImmediate(() => {
        started = 0;
        resetScheduled = false;
      });
    }
    started += 1;
  };
}

/** A refusal's `extensions.http` (the HTTP status yoga answers with) means nothing on a socket: it is left out. */
function withoutHttp(error: GraphQLError): GraphQLError {
  if (!error.extensions || !('http' in error.extensions)) return error;
  const { http: _http, ...extensions } = error.extensions;
  return withExtensions(error, extensions);
}

/**
 * graphql-ws on the GraphQL path, through the same envelop pipeline as HTTP, so auth, limits and context apply.
 * Before the handshake: a browser Origin neither same-origin nor allowed gets 403, an address holding
 * MAX_SOCKETS_PER_ADDRESS sockets gets 429. At connection_init: no valid key → 4403; a key holding MAX_SOCKETS_PER_KEY
 * → 4029. Frames are bounded like HTTP bodies (1009 past MAX_REQUEST_BODY_BYTES), a socket holds at most
 * MAX_SUBSCRIPTIONS_PER_SOCKET operations, a peer that misses a ping is cut, and a subscriber too far behind closes
 * its socket with 4030 (docs/security.md, "Sockets and subscriptions").
 */
export function attachWebSocket(options: GatewayWebSocketOptions): GatewayWebSocket {
  const { server, yoga, authenticate, config, connections, originPolicy, drain, logger, documents } = options;
  const limits = config.connectionLimits;
  const origins = originPolicy;
  // graphql-ws waits until each frame is written before it sends the operation's next, so a socket buffers about one
  // frame per operation; a buffer past this means the peer stopped reading while frames are large.
  const maxBufferedBytes = 2 * config.maxRequestBodyBytes;

  const serverErrorListeners = server.listeners('error');
  const wsServer = new WebSocketServer({
    server,
    path: GRAPHQL_PATH,
    maxPayload: config.maxRequestBodyBytes,
    // Runs before the handshake: a refusal is a plain HTTP answer and no socket is made.
    verifyClient: ({ origin, req }, done) => {
      if (drain.closing) {
        done(false, 503, 'Server shutting down', { 'Retry-After': '1', Connection: 'close' });
        return;
      }
      if (!origins.allows(origin, req.headers.host)) {
        done(false, 403, 'Origin not allowed');
        return;
      }
      const release = connections.acquireAddress(clientAddress(req));
      if (!release) {
        done(false, 429, 'Too many connections from this address', { 'Retry-After': '5' });
        return;
      }
      // The TCP connection outlives the handshake and the WebSocket; its end gives the place back whatever happened.
      req.socket.once('close', release);
      done(true);
    },
  });

  // ws re-emits the HTTP server's 'error' events as its own, and graphql-ws prints the first with its stack ("Internal
  // error emitted on the WebSocket server") and closes every socket: a taken PORT was printed twice, once so and once
  // by main.ts as start() rejected. The HTTP server's errors are not the sockets' business: stop the forwarding.
  for (const listener of server.listeners('error')) {
    if (!serverErrorListeners.includes(listener)) server.off('error', listener as (error: Error) => void);
  }

  const takeTurn = createStartGate();

  // A reason is given where no stream counted it already (a queue overflow is counted by its stream).
  const slowConsumer = (socket: WebSocket, why: string, counted?: SlowConsumerReason) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (counted) options.metrics?.subscriptions.dropped(counted);
    logger?.warn(`websocket: closing a slow consumer (${why})`);
    socket.close(GatewayCloseCode.SlowConsumer, CLOSE_REASON[GatewayCloseCode.SlowConsumer]);
  };

  /**
   * A shared subscription's frames: graphql-ws's `next` message around the group's serialized payload, written like
   * graphql-ws writes (the next one once this one is out), with the same slow-consumer check. The frame differs
   * between subscribers only by the operation id, and clients mostly number alike ("1"): one encoded frame per
   * (result, id) serves all of them. The last one asked for is kept at hand: a group's subscribers ask in a row.
   */
  const frames = new WeakMap<ExecutionResult, Map<string, Buffer>>();
  let lastResult: ExecutionResult | null = null;
  let lastId = '';
  let lastFrame: Buffer | null = null;
  const frameOf = (result: ExecutionResult, id: string): Buffer => {
    if (result === lastResult && id === lastId && lastFrame) return lastFrame;
    let byId = frames.get(result);
    if (!byId) {
      byId = new Map();
      frames.set(result, byId);
    }
    let frame = byId.get(id);
    if (!frame) {
      frame = textFrame(`{"id":${JSON.stringify(id)},"type":"next","payload":${serializedPayload(result) ?? '{}'}}`);
      fanOutMetrics.frames += 1;
      // Bounded: a client choosing odd ids gets a frame of its own rather than a slot in the cache.
      if (byId.size < MAX_FRAMES_PER_RESULT) byId.set(id, frame);
    }
    lastResult = result;
    lastId = id;
    lastFrame = frame;
    return frame;
  };

  const shared: SharedExecution<Subscriber> = createSharedExecution<Subscriber>({
    /**
     * The operation as an ordinary subscription through a fresh envelop pipeline whose subscribe resolver hands
     * graphql `source` (overrideSource): a group's one pipeline, or a subscriber's ended stream turned into its error.
     */
    async run(subscriber, source) {
      // `socket` (null: no one socket) tells the drain plugin this is not an SSE stream.
      const { schema: enveloped, subscribe, contextFactory } = yoga.getEnveloped({
        socket: null,
        principal: subscriber.principal,
        scope: new RequestScope(newRequestId(), Transport.WebSocket),
      });
      const contextValue = await contextFactory();
      overrideSource(contextValue, source);
      return subscribe({ schema: enveloped, document: subscriber.document, operationName: subscriber.operationName, variableValues: subscriber.variables, contextValue });
    },
    deliver(subscriber, result) {
      const { socket, wire } = subscriber;
      if (socket.readyState !== WebSocket.OPEN) return false;
      const buffered = socket.bufferedAmount;
      if (buffered > maxBufferedBytes) {
        slowConsumer(socket, `${buffered} bytes unsent`, SlowConsumerReason.SocketBuffer);
        return false;
      }
      const frame = frameOf(result, subscriber.id);
      // While the socket writes through, the next event follows at once; once frames queue up in the process, the
      // next waits until this one is out (as graphql-ws does for every frame), so a peer that stops reading leaves
      // its events in its own bounded queue (SUBSCRIBER_QUEUE_LIMIT, then 4030).
      if (buffered <= WRITE_THROUGH_BYTES) {
        if (wire) wire.write(frame);
        else socket.send(payloadOf(frame), TEXT_FRAME);
        return true;
      }
      return new Promise<boolean>((resolve) => {
        const written = (error?: Error | null) => resolve(!error);
        if (wire) wire.write(frame, written);
        else socket.send(payloadOf(frame), TEXT_FRAME, written);
      });
    },
  });

  /** A graphql-ws operation's scope, kept until the operation ends. */
  function operationScope(extra: SocketExtra, id: string): RequestScope {
    const scope = new RequestScope(newRequestId(), Transport.WebSocket);
    if (!extra.operation) extra.operation = { id, scope };
    else (extra.operations ??= new Map()).set(id, scope);
    return scope;
  }
  /** Its line, once (complete after a result, error after a refusal). */
  function operationEnded(extra: SocketExtra, id: string, outcome: OperationOutcome): void {
    let scope: RequestScope | undefined;
    if (extra.operation?.id === id) {
      scope = extra.operation.scope;
      extra.operation = null;
    } else {
      scope = extra.operations?.get(id);
      extra.operations?.delete(id);
    }
    if (scope && logger) logSocketOperation(logger, scope, extra.connectionId, outcome);
  }

  const protocol = makeServer<Record<string, unknown> | undefined, SocketExtra>({
    onConnect: (ctx) => {
      const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
      const principal = authenticate(typeof raw === 'string' ? raw : null);
      // A socket without a valid key gets nothing: returning false closes it with 4403 Forbidden.
      if (!principal) return false;
      const socket = ctx.extra.socket;
      const release = connections.acquireKey(principalKey(principal));
      if (!release) {
        // Closed with our code first; graphql-ws's own 4403 for `false` is then a no-op on a closing socket.
        socket.close(GatewayCloseCode.TooManyConnections, CLOSE_REASON[GatewayCloseCode.TooManyConnections]);
        return false;
      }
      if (socket.readyState === WebSocket.OPEN) socket.once('close', release);
      else release();
      ctx.extra.principal = principal;
      return true;
    },
    execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
    subscribe: async (args) => {
      const root = args.rootValue as EnvelopedRoot;
      const result = await root.subscribe(args);
      if (!isAsyncIterable(result)) return result;
      const source = takeCapturedSource(args.contextValue as object);
      // A subscription field that does not record its stream keeps graphql's own per-subscriber execution.
      if (!source) return result;
      const operationName = args.operationName ?? null;
      const variables = args.variableValues as Record<string, unknown> | null | undefined;
      const subscriber: Subscriber = {
        socket: root.socket,
        wire: root.wire,
        id: root.id,
        principal: root.principal,
        document: args.document,
        operationName,
        variables,
      };
      const stream = shared.subscribe({ query: root.query, document: args.document, operationName, variables, role: root.principal.role, source, subscriber });
      // graphql-ws keeps these arguments for the operation's life: the context (loaders, services) and the enveloped
      // instance served the subscribe phase only.
      const lean = args as { contextValue?: unknown; rootValue?: unknown };
      lean.contextValue = undefined;
      lean.rootValue = undefined;
      return stream;
    },
    onSubscribe: async (ctx, id, payload) => {
      // graphql-ws has already entered this operation in ctx.subscriptions, so the count includes it.
      if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerSocket) {
        return [asGraphQLError(new SubscriptionLimitError(ConnectionLimit.SubscriptionsPerSocket, limits.maxSubscriptionsPerSocket))];
      }
      const principal = ctx.extra.principal as Principal;
      // A persisted document's hash becomes its text, as on HTTP, before anything is spent on it
      // (src/server/trusted-documents.ts); a refusal is an error for this operation, not a closed socket.
      const resolved = documents ? resolveDocument(documents, payload, principal) : { query: payload.query };
      if ('error' in resolved) return [asGraphQLError(resolved.error)];
      const { query } = resolved;
      await takeTurn();
      const { schema: enveloped, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        // So a syntax error parsed here first is cached with its code, as HTTP would have it (PARSE_REQUEST).
        request: PARSE_REQUEST,
        socket: ctx.extra.socket,
        params: { ...payload, query },
        principal,
        scope: operationScope(ctx.extra, id),
      });
      const contextValue = await contextFactory();
      const socket = ctx.extra.socket;
      onSubscriberOverflow(contextValue, () => slowConsumer(socket, 'a subscription fell behind'));
      // A syntax error or a refused document (OPERATION_LIMIT_EXCEEDED for tokens) is an error, not a closed socket.
      let document: ReturnType<typeof parse>;
      try {
        document = parse(query);
      } catch (error) {
        if (error instanceof GraphQLError) return [withoutHttp(error)];
        throw error;
      }
      const args: ExecutionArgs = {
        schema: enveloped,
        operationName: payload.operationName,
        document,
        variableValues: payload.variables,
        contextValue,
        rootValue: { execute, subscribe, query, principal, id, socket, wire: ctx.extra.wire } satisfies EnvelopedRoot,
      };
      const errors = validate(args.schema, args.document);
      return errors.length > 0 ? errors.map(withoutHttp) : args;
    },
    onComplete: (ctx, id) => operationEnded(ctx.extra, id, OperationOutcome.Completed),
    onError: (ctx, id) => void operationEnded(ctx.extra, id, OperationOutcome.Error),
    onNext: (ctx) => {
      const socket = ctx.extra.socket;
      if (socket.bufferedAmount > maxBufferedBytes) slowConsumer(socket, `${socket.bufferedAmount} bytes unsent`, SlowConsumerReason.SocketBuffer);
    },
  });

  // graphql-ws's socket side, written here rather than graphql-ws/use/ws: no upgrade request kept per socket, one
  // ping timer for all sockets.
  wsServer.options.handleProtocols = handleProtocols;
  // graphql-ws pings every interval and terminates a socket whose pong has not come back by the next one.
  const awaitingPong = new WeakSet<WebSocket>();
  // `this` is the socket that answered (ws emits on it): one listener function for all sockets.
  function markAlive(this: WebSocket) {
    awaitingPong.delete(this);
  }
  const pinger =
    limits.pingIntervalMs > 0 && Number.isFinite(limits.pingIntervalMs)
      ? setInterval(() => {
          for (const client of wsServer.clients) {
            if (client.readyState !== WebSocket.OPEN) continue;
            if (awaitingPong.has(client)) {
              client.terminate();
              continue;
            }
            awaitingPong.add(client);
            client.ping();
          }
        }, limits.pingIntervalMs)
      : null;
  pinger?.unref();
  // The HTTP server's own errors were detached above; nothing else is expected here, but an unheard 'error' throws.
  wsServer.on('error', (error) => logger?.warn('websocket server error', error));

  wsServer.on('connection', (socket, request) => {
    const address = clientAddress(request);
    // A socket's 'error' is a frame the peer got wrong (too large: 1009, bad opcode or UTF-8: 1002/1007); ws has
    // already closed it with that code: log one line.
    socket.on('error', (error: Error & { code?: string }) => {
      logger?.info(`websocket from ${address}: closed for a bad frame (${error.code ?? error.message})`);
    });
    socket.on('pong', markAlive);
    // Shared frames go straight to the TCP socket ws writes to, in order with ws's own writes (every ws send without
    // an extension writes at once, nothing queued in ws). An extension (none is offered today) transforms frames:
    // those sockets get theirs through ws.
    const wire = socket.extensions === '' ? request.socket : null;
    const connectionId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    const closed = protocol.opened(new SocketAdapter(socket, logger), { socket, wire, connectionId });
    socket.once('close', (code, reason) => void closed(code, String(reason)));
  });
  return {
    async drain(deadlineMs) {
      const open = [...wsServer.clients];
      const closed = open.map((client) =>
        client.readyState === WebSocket.CLOSED ? Promise.resolve() : new Promise<void>((resolve) => client.once('close', () => resolve())),
      );
      for (const client of open) client.close(StandardCloseCode.GoingAway, CLOSE_REASON_GOING_AWAY);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(closed), new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
      clearTimeout(timer);
      for (const client of open) if (client.readyState !== WebSocket.CLOSED) client.terminate();
    },
    async close() {
      if (pinger) clearInterval(pinger);
      for (const client of wsServer.clients) client.terminate();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
