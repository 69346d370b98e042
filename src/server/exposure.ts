import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { type FieldNode, getNamedType, GraphQLError, isIntrospectionType, type ValidationRule } from 'graphql';
import { type CORSOptions, createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Principal } from '../auth.ts';
import { IntrospectionPolicy, Role } from '../config.ts';
import { ErrorCode } from '../errors.ts';
import { REQUEST_ID_HEADER } from '../observability/request-scope.ts';
import { withVary } from './compression.ts';
import type { OriginPolicy } from './origins.ts';

/**
 * What a web page in someone's browser may do with this gateway (docs/security.md, "Browser exposure").
 *
 * - CSRF: a page can send a "simple" request (GET, or a POST of a form or text/plain) to any address without the
 *   browser asking the server first. Such requests are refused unless they carry a header no simple request can:
 *   X-GraphQL-Yoga-CSRF (any value) or Authorization. JSON POSTs pass: cross-origin, they need a CORS preflight.
 * - CORS: nothing is reflected. A listed origin (ALLOWED_ORIGINS) or the gateway's own origin gets
 *   Access-Control-Allow-Origin; any other origin gets no CORS headers, so the browser refuses the preflight and never
 *   shows the page the answer. Credentials are never allowed: the gateway authenticates with bearer keys, not cookies.
 * - Introspection: off, admin keys only, or everyone (INTROSPECTION).
 */

/** Headers that mark a request as not "simple" (a browser sends them only after a CORS preflight). */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'authorization'] as const;

export const CSRF_MESSAGE =
  'Required CSRF header(s) not present: a GET, or a POST that is not application/json, needs an X-GraphQL-Yoga-CSRF (any value) or Authorization header';

/**
 * Refuses GET and form / text/plain POSTs that carry none of CSRF_HEADERS (403 FORBIDDEN, reason CSRF_HEADER_REQUIRED),
 * in every mode: yoga's plugin decides, this wrapper only gives its refusal a code and says what to send.
 */
export function useCsrfProtection(): Plugin {
  const inner = useCSRFPrevention({ requestHeaders: [...CSRF_HEADERS] }) as Plugin;
  return {
    onRequestParse(payload) {
      try {
        return inner.onRequestParse?.(payload);
      } catch {
        throw createGraphQLError(CSRF_MESSAGE, {
          extensions: { http: { status: 403 }, code: ErrorCode.Forbidden, reason: 'CSRF_HEADER_REQUIRED' },
        });
      }
    },
  };
}

const CORS_METHODS = ['GET', 'POST', 'OPTIONS'];
const CORS_MAX_AGE_SECONDS = 600;
/** Response headers a page of an allowed origin may read. */
const CORS_EXPOSED_HEADERS = [REQUEST_ID_HEADER];

/** yoga's `cors` option: the Origin only when the policy allows it, never credentials. */
export function corsFor(policy: OriginPolicy): (request: Request) => CORSOptions | false {
  return (request) => {
    const origin = request.headers.get('origin');
    if (!origin || !policy.allows(origin, request.headers.get('host'))) return false;
    return {
      origin: [origin],
      credentials: false,
      methods: CORS_METHODS,
      // Requested headers are echoed for allowed origins only (Authorization, Content-Type, X-GraphQL-Yoga-CSRF, …).
      // A page may read the request id, so a user's report can quote the id the gateway's log lines carry.
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: CORS_MAX_AGE_SECONDS,
    };
  };
}

export type CorsHeaders = Record<string, string>;

/**
 * The headers yoga's CORS plugin adds to an actual (not preflight) request under corsFor's options, for the HTTP fast
 * path (src/server/json-fast-path.ts); null when none. Names in lower case.
 */
export function corsHeadersFor(
  policy: OriginPolicy,
  origin: string | undefined,
  host: string | undefined,
  requestedHeaders: string | undefined,
): CorsHeaders | null {
  if (!origin || !policy.allows(origin, host ?? null)) return null;
  const headers: CorsHeaders = { 'access-control-allow-origin': origin, 'access-control-allow-methods': CORS_METHODS.join(', ') };
  if (requestedHeaders) {
    headers['access-control-allow-headers'] = requestedHeaders;
    headers.vary = 'Access-Control-Request-Headers';
  }
  headers['access-control-expose-headers'] = CORS_EXPOSED_HEADERS.join(', ');
  headers['access-control-max-age'] = String(CORS_MAX_AGE_SECONDS);
  return headers;
}

/** CORS answers depend on Origin: say so, so that no cache hands one origin's answer to another. */
export function useVaryOrigin(): Plugin {
  return {
    onResponse({ response }) {
      response.headers.set('vary', withVary(response.headers.get('vary'), 'Origin'));
    },
  };
}

function refusal(policy: IntrospectionPolicy): string {
  return policy === IntrospectionPolicy.Off
    ? 'Introspection is off on this gateway (INTROSPECTION=off); the schema is published as schema.graphql'
    : 'Introspection needs an admin API key on this gateway (INTROSPECTION=admin); the schema is published as schema.graphql';
}

/** graphql-js's NoSchemaIntrospectionCustomRule with a message that says why, and `extensions.code` FORBIDDEN. */
function introspectionRefused(policy: IntrospectionPolicy): ValidationRule {
  const message = refusal(policy);
  return function IntrospectionRefused(context) {
    // One error per document (the first introspection field), not one per field of a 100-field introspection query.
    let reported = false;
    return {
      Field(node: FieldNode) {
        if (reported) return;
        const type = getNamedType(context.getType());
        if (type && isIntrospectionType(type)) {
          reported = true;
          context.reportError(
            new GraphQLError(`${message} (field "${node.name.value}")`, {
              nodes: node,
              extensions: { code: ErrorCode.Forbidden, reason: 'INTROSPECTION_DISABLED' },
            }),
          );
        }
      },
    };
  };
}

/**
 * INTROSPECTION: `all` lets everyone introspect; `admin` only admin keys (with GATEWAY_AUTH=off or in demo mode every
 * caller is admin); `off` nobody. The rule is added at validation, which HTTP and graphql-ws share: the principal is
 * the one graphql-ws put in the server context or the one the auth plugin found for this HTTP request.
 * (@graphql-yoga/plugin-disable-introspection decides in onRequestParse, which graphql-ws never runs, so it would
 * leave introspection open over WebSocket.) `__typename` stays allowed.
 */
export function useIntrospectionPolicy(
  policy: IntrospectionPolicy,
  principalOf: (context: Record<string, unknown>) => Principal | null | undefined,
): Plugin {
  if (policy === IntrospectionPolicy.All) return {};
  const rule = introspectionRefused(policy);
  return {
    onValidate({ addValidationRule, context }) {
      if (policy === IntrospectionPolicy.Admin && principalOf(context as Record<string, unknown>)?.role === Role.Admin) return;
      addValidationRule(rule);
    },
  };
}
