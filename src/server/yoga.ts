import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Authenticate, Principal } from '../auth.ts';
import { createContext, type GatewayContext, type GatewayServices } from '../context.ts';
import { GatewayError, UnauthenticatedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { schema } from '../schema.ts';

export const GRAPHQL_PATH = '/graphql';

/** What yoga's context factory receives: graphql-ws passes the principal it authenticated on connect. */
export interface ServerContext {
  principal?: Principal;
}

export type GatewayYoga = YogaServerInstance<ServerContext, GatewayContext>;

/** Errors the gateway means to show keep their message and code; anything else is masked. */
function maskGatewayErrors(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof GatewayError) {
    return new GraphQLError(original.message, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      originalError: original,
      extensions: { ...original.extensions(), code: original.code },
    });
  }
  return maskError(error, message, isDev);
}

/**
 * Authentication before parsing: no key, no work. The GraphiQL page itself is public (keys go in its headers).
 * Principals found here are handed to the context factory of the same request through `principals`.
 */
function useApiKeys(authenticate: Authenticate, principals: WeakMap<Request, Principal>): Plugin<ServerContext> {
  return {
    onRequest({ request, endResponse }) {
      if (request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html')) return;
      const principal = authenticate(request.headers.get('authorization'));
      if (principal) {
        principals.set(request, principal);
        return;
      }
      const error = new UnauthenticatedError();
      endResponse(
        new Response(JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] }), {
          status: 401,
          headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
        }),
      );
    },
  };
}

export interface GatewayYogaOptions {
  services: GatewayServices;
  authenticate: Authenticate;
  logger: Logger;
}

/** The GraphQL server: schema, auth, limits, masking. HTTP and WebSocket both run operations through it. */
export function createGatewayYoga({ services, authenticate, logger }: GatewayYogaOptions): GatewayYoga {
  const principals = new WeakMap<Request, Principal>();
  return createYoga<ServerContext, GatewayContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // Assets come from the package, not a CDN: GraphiQL must work offline and on intranets.
    renderGraphiQL,
    graphiql: { title: 'Call-centre GraphQL gateway' },
    landingPage: false,
    // Yoga's limit pipes every body through a web stream and halves throughput (docs/design.md); the HTTP handler
    // bounds bodies by Content-Length instead.
    maxRequestBodySize: false,
    maskedErrors: { maskError: maskGatewayErrors },
    plugins: [useApiKeys(authenticate, principals)],
    context: ({ request, principal }) => createContext(services, principal ?? principals.get(request) ?? null),
    logging: {
      debug: (...args) => logger.debug(String(args[0]), ...args.slice(1)),
      info: (...args) => logger.info(String(args[0]), ...args.slice(1)),
      warn: (...args) => logger.warn(String(args[0]), ...args.slice(1)),
      error: (...args) => logger.error(String(args[0]), ...args.slice(1)),
    },
  });
}
