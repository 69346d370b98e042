import type { Server } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { Authenticate, Principal } from '../auth.ts';
import type { GatewayConfig } from '../config.ts';
import { ConnectionLimit, SubscriptionLimitError } from '../errors.ts';
import { onSubscriberOverflow } from '../events/subscribe.ts';
import type { Logger } from '../logger.ts';
import { CLOSE_REASON, CLOSE_REASON_GOING_AWAY, GatewayCloseCode, StandardCloseCode } from './close-codes.ts';
import { clientAddress, type ConnectionCounter, principalKey } from './connection-limits.ts';
import { asGraphQLError, withExtensions } from './graphql-errors.ts';
import type { Drain } from './drain.ts';
import type { OriginPolicy } from './origins.ts';
import { GRAPHQL_PATH, type GatewayYoga } from './yoga.ts';

type OperationResult = ExecutionResult | AsyncIterable<ExecutionResult>;

/** Yoga's enveloped execute/subscribe, carried to graphql-ws through rootValue (the graphql-ws + yoga recipe). */
interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult | Promise<OperationResult>;
  subscribe: (args: ExecutionArgs) => OperationResult | Promise<OperationResult>;
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
  const { server, yoga, authenticate, config, connections, originPolicy, drain, logger } = options;
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

  const slowConsumer = (socket: WebSocket, why: string) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    logger?.warn(`websocket: closing a slow consumer (${why})`);
    socket.close(GatewayCloseCode.SlowConsumer, CLOSE_REASON[GatewayCloseCode.SlowConsumer]);
  };

  useServer<Record<string, unknown> | undefined, { principal?: Principal }>(
    {
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
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        // graphql-ws has already entered this operation in ctx.subscriptions, so the count includes it.
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerSocket) {
          return [asGraphQLError(new SubscriptionLimitError(ConnectionLimit.SubscriptionsPerSocket, limits.maxSubscriptionsPerSocket))];
        }
        await takeTurn();
        const { schema: enveloped, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          principal: ctx.extra.principal,
        });
        const contextValue = await contextFactory();
        const socket = ctx.extra.socket;
        onSubscriberOverflow(contextValue, () => slowConsumer(socket, 'a subscription fell behind'));
        // A syntax error or a refused document (OPERATION_LIMIT_EXCEEDED for tokens) is an error, not a closed socket.
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
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
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors.map(withoutHttp) : args;
      },
      onNext: (ctx) => {
        if (ctx.extra.socket.bufferedAmount > maxBufferedBytes) slowConsumer(ctx.extra.socket, `${ctx.extra.socket.bufferedAmount} bytes unsent`);
      },
    },
    wsServer,
    // graphql-ws pings every interval and terminates a socket whose pong has not come back by the next one.
    limits.pingIntervalMs,
  );
  // A socket's 'error' is a frame the peer got wrong (too large: 1009, bad opcode or UTF-8: 1002/1007); ws has already
  // closed it with that code. graphql-ws's own handler would print a stack trace to the console for each: log one line.
  wsServer.on('connection', (socket, request) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      logger?.info(`websocket from ${clientAddress(request)}: closed for a bad frame (${error.code ?? error.message})`);
    });
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
      for (const client of wsServer.clients) client.terminate();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
