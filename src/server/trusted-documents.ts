import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Principal } from '../auth.ts';
import type { TrustedDocumentsConfig } from '../config.ts';
import { GatewayError, InvalidInputError, PersistedQueryNotFoundError, PersistedQueryOnlyError } from '../errors.ts';

/**
 * Trusted documents (docs/security.md, "Trusted documents"): operations known at build time, sent by their SHA-256
 * instead of their text. The wallboard's build persists every operation of the page (codegen's persisted documents,
 * dist/wallboard/persisted-documents.json); TRUSTED_DOCUMENTS_FILES adds a team's own front-ends.
 *
 * Hashes are always accepted. With TRUSTED_DOCUMENTS=on, document text is refused (PERSISTED_QUERY_ONLY) unless the
 * key is marked `:arbitrary` (GraphiQL, scripts): a leaked browser key then runs only what the page runs, at the cost
 * the page's documents were reviewed for.
 *
 * Why not @graphql-yoga/plugin-persisted-operations: it hooks yoga's HTTP parameter parsing, which graphql-ws
 * operations never pass through here (src/server/websocket.ts runs them on yoga's enveloped instance), nor does the
 * HTTP fast path. One rule, `documentFor`, serves all three transports instead.
 */

/** The wire form: Apollo's persisted-query extension, which graphql-ws and GET requests carry as they are. */
interface PersistedQueryExtension {
  version?: unknown;
  sha256Hash?: unknown;
}

export interface GraphQLRequestParams {
  query?: unknown;
  extensions?: unknown;
}

export interface TrustedDocuments {
  /** TRUSTED_DOCUMENTS=on. */
  readonly only: boolean;
  /** Documents known by hash. */
  readonly size: number;
  /**
   * The document text a request runs: the persisted document its hash names, or null to run its own `query` text.
   * Throws PERSISTED_QUERY_NOT_FOUND for an unknown hash, PERSISTED_QUERY_ONLY for text this principal may not send,
   * INVALID_INPUT for a malformed extension or text that differs from the document its hash names.
   */
  documentFor(params: GraphQLRequestParams, principal: Principal | null): string | null;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Problems with a manifest, reported at start (the process does not run with a manifest it cannot trust). */
export class TrustedDocumentsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrustedDocumentsError';
  }
}

/** Reads one manifest: a JSON object of `sha256 hex → document text`, every hash checked against its text. */
function readManifest(path: string, into: Map<string, string>): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TrustedDocumentsError(`${path}: not readable as JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TrustedDocumentsError(`${path}: expected an object of "<sha256 hex>": "<document>"`);
  }
  for (const [hash, text] of Object.entries(parsed)) {
    if (!SHA256_HEX.test(hash) || typeof text !== 'string') throw new TrustedDocumentsError(`${path}: "${hash.slice(0, 70)}" is not a sha256 hex key of a document string`);
    // A hash that is not its text's would let a manifest say one thing and run another.
    if (createHash('sha256').update(text).digest('hex') !== hash) throw new TrustedDocumentsError(`${path}: ${hash} is not the SHA-256 of its document`);
    into.set(hash, text);
  }
}

/** The hash a request names, null when it names none. */
function persistedHash(extensions: unknown): string | null {
  if (typeof extensions !== 'object' || extensions === null) return null;
  const persisted = (extensions as { persistedQuery?: unknown }).persistedQuery;
  if (persisted === undefined || persisted === null) return null;
  const { version, sha256Hash } = persisted as PersistedQueryExtension;
  if (version !== 1 || typeof sha256Hash !== 'string' || !SHA256_HEX.test(sha256Hash)) {
    throw new InvalidInputError('extensions.persistedQuery must be { version: 1, sha256Hash: "<64 lowercase hex digits>" }', 'extensions');
  }
  return sha256Hash;
}

export interface TrustedDocumentsOptions {
  config: TrustedDocumentsConfig;
  /** The wallboard's manifest (dist/wallboard/persisted-documents.json); absent when the page was not built. */
  builtIn: URL;
  /** Told when a changed manifest could not be read again (the documents known before stay). */
  onReloadFailed?: (error: Error) => void;
  /** The clock of the re-check's interval (tests move it). */
  now?: () => number;
}

/** How often, at most, an unknown hash makes the manifests be looked at again. */
const RECHECK_INTERVAL_MS = 1_000;

/** What identifies one build of a file: a build renames a new file into place (a new inode and mtime). */
function versionOf(path: string): string {
  try {
    const info = statSync(path);
    return `${info.ino}:${info.mtimeMs}:${info.size}`;
  } catch {
    return 'missing';
  }
}

export function loadTrustedDocuments({ config, builtIn, onReloadFailed, now = Date.now }: TrustedDocumentsOptions): TrustedDocuments {
  const builtInPath = fileURLToPath(builtIn);
  const paths = [builtInPath, ...config.files];
  const read = (): Map<string, string> => {
    const documents = new Map<string, string>();
    if (existsSync(builtInPath)) readManifest(builtInPath, documents);
    for (const file of config.files) readManifest(file, documents);
    return documents;
  };
  let versions = paths.map(versionOf);
  let documents = read();
  if (config.only && documents.size === 0) {
    throw new TrustedDocumentsError('TRUSTED_DOCUMENTS=on, but no document is persisted: run `npm run build` (the wallboard) or set TRUSTED_DOCUMENTS_FILES');
  }
  let checkedAt = now();
  /**
   * An unknown hash may come from a page built after the start (`npm run dev`, a build in place): the manifests are
   * read again when one changed, at most once a second, so unknown hashes cannot make the gateway read files in a loop.
   * A manifest that fails its checks then leaves the documents as they were.
   */
  const recheck = (): boolean => {
    const at = now();
    if (at - checkedAt < RECHECK_INTERVAL_MS) return false;
    checkedAt = at;
    const current = paths.map(versionOf);
    if (current.every((version, i) => version === versions[i])) return false;
    versions = current;
    try {
      documents = read();
      return true;
    } catch (error) {
      onReloadFailed?.(error as Error);
      return false;
    }
  };
  return {
    only: config.only,
    get size() {
      return documents.size;
    },
    documentFor(params, principal) {
      const hash = persistedHash(params.extensions);
      if (hash === null) {
        if (principal?.arbitraryOperations === false) throw new PersistedQueryOnlyError();
        return null;
      }
      let text = documents.get(hash);
      if (text === undefined && recheck()) text = documents.get(hash);
      if (text === undefined) throw new PersistedQueryNotFoundError();
      // Apollo clients send the text along with its hash on a retry: it must be the document the hash names.
      if (typeof params.query === 'string' && params.query !== '' && params.query !== text) {
        throw new InvalidInputError('query differs from the persisted document its hash names', 'query');
      }
      return text;
    },
  };
}

/**
 * yoga's side (HTTP POST and GET, SSE included): the hash becomes the query before yoga validates the parameters.
 * A refusal is a request error, as a parse error is: 400 with its code, nothing ran (yoga would answer an error
 * thrown here without a status as 500).
 */
export function useTrustedDocuments(documents: TrustedDocuments, principalOf: (request: Request) => Principal | undefined): Plugin {
  return {
    onParams({ params, request, setParams }) {
      let text: string | null;
      try {
        text = documents.documentFor(params, principalOf(request) ?? null);
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error;
        // Not asGraphQLError: yoga answers an error carrying a non-GraphQL originalError as an unexpected one (500).
        throw createGraphQLError(error.message, { extensions: { ...error.extensions(), code: error.code, http: { status: 400 } } });
      }
      if (text !== null) setParams({ ...params, query: text });
    },
  };
}

/** For callers outside yoga's parameter handling (graphql-ws): the text to run, or the error to answer with. */
export function resolveDocument(
  documents: TrustedDocuments,
  params: GraphQLRequestParams & { query: string },
  principal: Principal,
): { query: string } | { error: GatewayError } {
  try {
    return { query: documents.documentFor(params, principal) ?? params.query };
  } catch (error) {
    if (error instanceof GatewayError) return { error };
    throw error;
  }
}
