import { GraphQLError, type GraphQLErrorExtensions } from 'graphql';
import type { GatewayError } from '../errors.ts';

/** The same error (message, locations, path, cause) with other extensions: GraphQLError's extensions are fixed at birth. */
export function withExtensions(error: GraphQLError, extensions: GraphQLErrorExtensions): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

/** A gateway error as a GraphQL error, for results the gateway builds itself (not through a resolver and the mask). */
export function asGraphQLError(error: GatewayError): GraphQLError {
  return new GraphQLError(error.message, { originalError: error, extensions: { ...error.extensions(), code: error.code } });
}
