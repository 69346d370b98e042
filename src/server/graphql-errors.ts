import { GraphQLError, type GraphQLErrorExtensions } from 'graphql';

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
