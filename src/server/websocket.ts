import type { Server } from 'node:http';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Authenticate, Principal } from '../auth.ts';
import { GRAPHQL_PATH, type GatewayYoga } from './yoga.ts';

type OperationResult = ExecutionResult | AsyncIterable<ExecutionResult>;

/** Yoga's enveloped execute/subscribe, carried to graphql-ws through rootValue (the graphql-ws + yoga recipe). */
interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult | Promise<OperationResult>;
  subscribe: (args: ExecutionArgs) => OperationResult | Promise<OperationResult>;
}

export interface GatewayWebSocket {
  /** Cuts every socket and stops accepting new ones. */
  close(): Promise<void>;
}

export interface GatewayWebSocketOptions {
  server: Server;
  yoga: GatewayYoga;
  authenticate: Authenticate;
}

/** graphql-ws on the GraphQL path, through the same envelop pipeline as HTTP, so auth, limits and context apply. */
export function attachWebSocket({ server, yoga, authenticate }: GatewayWebSocketOptions): GatewayWebSocket {
  const wsServer = new WebSocketServer({ server, path: GRAPHQL_PATH });
  useServer<Record<string, unknown> | undefined, { principal?: Principal }>(
    {
      // A socket without a valid key gets nothing: returning false closes it with 4403 Forbidden.
      onConnect: (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const principal = authenticate(typeof raw === 'string' ? raw : null);
        if (!principal) return false;
        ctx.extra.principal = principal;
        return true;
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const { schema: enveloped, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          principal: ctx.extra.principal,
        });
        const args: ExecutionArgs = {
          schema: enveloped,
          operationName: payload.operationName,
          document: parse(payload.query),
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wsServer,
  );
  return {
    async close() {
      for (const client of wsServer.clients) client.terminate();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
