import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/**
 * The generated documents carry no text (codegen.ts: persisted documents, replaceDocumentWithHash): only the
 * document's sha256 (the key of persisted-documents.json, which the gateway loads) and its operation name.
 */
export interface PersistedMeta {
  hash: string;
  operationName: string | null;
}

export function persisted(document: TypedDocumentNode<unknown, never> | object): PersistedMeta {
  const meta = (document as { __meta__?: Partial<PersistedMeta> }).__meta__;
  if (!meta?.hash) throw new Error('a wallboard document without a persisted hash: run `npm run codegen`');
  return { hash: meta.hash, operationName: meta.operationName ?? null };
}

/** The request body (HTTP) or subscribe payload (graphql-ws) of a persisted operation: no `query` text. */
export function persistedExtensions(meta: PersistedMeta): { persistedQuery: { version: 1; sha256Hash: string } } {
  return { persistedQuery: { version: 1, sha256Hash: meta.hash } };
}
