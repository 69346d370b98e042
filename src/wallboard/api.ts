import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { persisted, persistedExtensions } from './documents.ts';
import { errorCodes, type GraphQLErrorLike } from './lib/resume-errors.ts';

/**
 * Queries and mutations over plain `fetch` (same origin `/graphql`): the operation goes by its persisted hash, the
 * key as a bearer token. A 401 (or UNAUTHENTICATED) is its own error so the page can ask for a key.
 */

export class UnauthenticatedError extends Error {
  constructor() {
    super('unauthenticated');
    this.name = 'UnauthenticatedError';
  }
}

export class GraphQLRequestError extends Error {
  readonly codes: string[];
  constructor(message: string, codes: string[]) {
    super(message);
    this.name = 'GraphQLRequestError';
    this.codes = codes;
  }
}

export interface RequestResult<TData> {
  data: TData | null;
  /** Errors on single paths (partial results): the rest of `data` is usable. */
  errors: GraphQLErrorLike[];
}

export type Requester = <TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
) => Promise<RequestResult<TData>>;

export function createRequester(getKey: () => string | null): Requester {
  return async (document, variables) => {
    const meta = persisted(document);
    const key = getKey();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      // yoga's CSRF prevention wants this header on requests a form could not send (harmless on POST).
      'x-graphql-yoga-csrf': 'wallboard',
    };
    if (key) headers.authorization = `Bearer ${key}`;
    const response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ operationName: meta.operationName, variables, extensions: persistedExtensions(meta) }),
      credentials: 'omit',
    });
    if (response.status === 401) throw new UnauthenticatedError();
    let body: { data?: unknown; errors?: GraphQLErrorLike[] };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new GraphQLRequestError(`HTTP ${response.status}`, []);
    }
    const errors = body.errors ?? [];
    const codes = errorCodes(errors);
    if (codes.includes('UNAUTHENTICATED')) throw new UnauthenticatedError();
    if (body.data == null) {
      throw new GraphQLRequestError(errors.map((error) => error.message).join('; ') || `HTTP ${response.status}`, codes);
    }
    return { data: body.data as never, errors };
  };
}
