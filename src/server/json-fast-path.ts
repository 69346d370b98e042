import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { type DocumentNode, type ExecutionResult, getOperationAST, GraphQLError } from 'graphql';
import { createGraphQLError, isAsyncIterable, processRegularResult, type YogaInitialContext } from 'graphql-yoga';
import type { Authenticate, Principal } from '../auth.ts';
import type { Logger } from '../logger.ts';
import { acceptedEncoding, COMPRESSION_THRESHOLD_BYTES, compress, withVary } from './compression.ts';
import { type CorsHeaders, corsHeadersFor } from './exposure.ts';
import { resolveDocument, type TrustedDocuments } from './trusted-documents.ts';
import type { OriginPolicy } from './origins.ts';
import { codeVariableErrors, type GatewayYoga, maskUnexpected, PARSE_REQUEST, type ServerContext } from './yoga.ts';

/**
 * Plain JSON POSTs, nearly all GraphQL traffic, answered without yoga's fetch layer (docs/design.md, "The HTTP
 * fast path").
 *
 * yoga turns every node request into a web Request, runs a dozen request and response hooks over promises, builds a
 * web Response and copies it back to node: about 0.3 ms of CPU a request, five times a bare node:http answer
 * (bench/README.md). Here the same enveloped instance (parse and validation caches, auth rule, limits, upstream budget,
 * masking: every envelop plugin) runs on node's own req/res, and the few HTTP-level plugins are applied as the same
 * functions they use: CORS headers, `Vary`, result status and body (yoga's own `processRegularResult`), compression.
 *
 * Everything else goes to yoga unchanged. The request is taken only when its headers are those of an ordinary
 * client: POST, `Content-Type: application/json`, an Accept that yoga would answer with JSON, no Content-Encoding, a
 * key that authenticates. After the body is read, a request yoga would refuse or treat specially (not JSON, unknown
 * parameters, a parse or validation error, a variable error, a subscription) is handed to yoga with the body already
 * read, before anything has executed: yoga answers it as it always has. So the fast path either answers a request
 * that executed, or has not touched it.
 */

export interface JsonFastPathOptions {
  yoga: GatewayYoga;
  authenticate: Authenticate;
  originPolicy: OriginPolicy;
  logger: Logger;
  /** Persisted documents by hash (the instance yoga uses); absent: document text only. */
  documents?: TrustedDocuments;
}

export interface JsonFastPathCounts {
  /** Requests answered here. */
  answered: number;
  /** Requests whose body was read here and that yoga answered (errors before execution, subscriptions). */
  handedOver: number;
}

export interface JsonFastPath {
  /** Takes the request when its headers qualify (true: it will be answered); false leaves it to yoga untouched. */
  take(req: IncomingMessage, res: ServerResponse): boolean;
  readonly counts: JsonFastPathCounts;
}

/** Responses yoga streams (SSE, incremental delivery). */
const STREAMED = /^(text\/event-stream|multipart\/mixed)/i;
const PARAMETERS = new Set(['query', 'variables', 'operationName', 'extensions']);

type JsonMediaType = 'application/json' | 'application/graphql-response+json';

/** What one acceptable type (as yoga matches it: the asked type may hold wildcards) gives a JSON result, if anything. */
function jsonFor(asked: string): JsonMediaType | null {
  const [main, sub] = asked.split('/');
  if (main !== '*' && main !== 'application') return null;
  // Both JSON types match a wildcard; yoga tries graphql-response+json first, so application/json is the last match.
  if (sub === '*' || sub === 'json') return 'application/json';
  return sub === 'graphql-response+json' ? 'application/graphql-response+json' : null;
}

/**
 * The answer's media type where yoga would answer a query with JSON, else null (SSE, multipart, 406). yoga tries each
 * acceptable type against SSE, multipart, then JSON, and the last match wins: so JSON wins whenever any listed type
 * matches it, and among those the first listed decides. Types with a charset other than utf-8 are ignored.
 */
export function jsonMediaType(accept: string | undefined): JsonMediaType | null {
  for (const entry of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [type = '', ...params] = entry.split(';');
    if ((params.find((p) => p.includes('charset=')) ?? 'charset=utf-8') !== 'charset=utf-8') continue;
    const chosen = jsonFor(type);
    if (chosen) return chosen;
  }
  return null;
}

/** yoga's test for a JSON body (case-sensitive, parameters ignored); a comma list is left to yoga. */
const isJsonContentType = (type: string | undefined) => type === 'application/json' || (type?.startsWith('application/json;') ?? false);

interface Params {
  /** Absent when the request names a persisted document by hash. */
  query?: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The body as GraphQL parameters when it is exactly what an ordinary client sends; else null (yoga decides). */
export function plainParams(body: Buffer): Params | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!isPlainObject(parsed)) return null;
  // Text, or a persisted document's hash in extensions (src/server/trusted-documents.ts decides which runs).
  if (typeof parsed.query !== 'string' && !(parsed.query === undefined && isPlainObject(parsed.extensions))) return null;
  for (const key in parsed) if (!PARAMETERS.has(key)) return null;
  const { variables, operationName, extensions } = parsed;
  if (variables != null && !isPlainObject(variables)) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (extensions != null && !isPlainObject(extensions)) return null;
  return parsed as unknown as Params;
}

/** The Response constructor processRegularResult is given: it keeps the body and init instead of building one. */
class CapturedResponse {
  constructor(
    readonly body: string | null,
    readonly init: { status?: number; headers?: Record<string, string> } = {},
  ) {}
}
const CAPTURE = { Response: CapturedResponse } as unknown as Parameters<typeof processRegularResult>[1];

export function createJsonFastPath({ yoga, authenticate, originPolicy, logger, documents }: JsonFastPathOptions): JsonFastPath {
  const counts: JsonFastPathCounts = { answered: 0, handedOver: 0 };

  /** yoga answers the request from the body already read, with node's req/res as its server context as usual. */
  async function handOver(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    counts.handedOver += 1;
    const headers: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
    const response = await yoga.fetch(url, { method: req.method, headers, body: new Uint8Array(body.buffer, body.byteOffset, body.length) } as RequestInit, { req, res } as ServerContext);
    const outHeaders: OutgoingHttpHeaders = {};
    response.headers.forEach((value, name) => (outHeaders[name] = value));
    // A subscription sent with `Accept: */*` is answered as an event stream: passed on as it comes, never buffered.
    if (STREAMED.test(response.headers.get('content-type') ?? '') && response.body) {
      res.writeHead(response.status, outHeaders);
      const reader = response.body.getReader();
      res.once('close', () => void reader.cancel().catch(() => undefined));
      for (let next = await reader.read(); !next.done; next = await reader.read()) res.write(next.value);
      res.end();
      return;
    }
    // Without a body (a 406) yoga's node adapter sends no length; with one, the length of what it sends.
    if (!response.body) {
      res.writeHead(response.status, outHeaders);
      res.end();
      return;
    }
    const out = Buffer.from(await response.arrayBuffer());
    outHeaders['content-length'] ??= String(out.length);
    res.writeHead(response.status, outHeaders);
    res.end(out);
  }

  async function send(req: IncomingMessage, res: ServerResponse, result: ExecutionResult, mediaType: string, cors: CorsHeaders | null) {
    const processed = processRegularResult(result, CAPTURE, mediaType) as unknown as CapturedResponse;
    const text = processed.body ?? '';
    // Content-Type, and any header an error's `extensions.http` asks for, as yoga sends them.
    const headers: OutgoingHttpHeaders = { ...processed.init.headers };
    if (cors) for (const [name, value] of Object.entries(cors)) headers[name] = value;
    // The order yoga's plugins run in: CORS, then Vary: Origin, then compression's Vary: Accept-Encoding. Almost
    // always nothing is there before them.
    headers.vary =
      headers.vary === undefined ? 'Origin, Accept-Encoding' : withVary(withVary(headers.vary as string, 'Origin'), 'Accept-Encoding');
    let body: Buffer | string = text;
    const coding = acceptedEncoding(req.headers['accept-encoding']);
    if (coding && text.length >= COMPRESSION_THRESHOLD_BYTES) {
      const raw = Buffer.from(text, 'utf8');
      body = await compress(raw, coding);
      headers['content-encoding'] = coding;
    }
    headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
    res.writeHead(processed.init.status ?? 200, headers);
    res.end(body);
  }

  async function answer(req: IncomingMessage, res: ServerResponse, body: Buffer, principal: Principal, mediaType: string): Promise<void> {
    const params = plainParams(body);
    if (!params) return handOver(req, res, body);
    // A hash becomes its document; anything refused (unknown hash, text under TRUSTED_DOCUMENTS=on) yoga answers.
    const resolved = documents ? resolveDocument(documents, { ...params, query: params.query ?? '' }, principal) : { query: params.query };
    if ('error' in resolved || typeof resolved.query !== 'string') return handOver(req, res, body);
    const { query } = resolved;
    const enveloped = yoga.getEnveloped({ req, res, params: { ...params, query }, principal, request: PARSE_REQUEST } as unknown as YogaInitialContext);
    let document: DocumentNode;
    try {
      document = enveloped.parse(query);
    } catch {
      return handOver(req, res, body);
    }
    if (enveloped.validate(enveloped.schema, document).length > 0) return handOver(req, res, body);
    const operation = getOperationAST(document, params.operationName);
    if (!operation || operation.operation === 'subscription') return handOver(req, res, body);
    const cors = corsHeadersFor(originPolicy, req.headers.origin, req.headers.host, req.headers['access-control-request-headers']);
    let result: ExecutionResult;
    try {
      const contextValue = await enveloped.contextFactory();
      const executed = await enveloped.execute({
        schema: enveloped.schema,
        document,
        contextValue,
        variableValues: params.variables,
        operationName: params.operationName,
      });
      if (isAsyncIterable(executed)) throw new Error('an incremental result over plain JSON');
      // A request error (variables that do not coerce): nothing ran, yoga answers it with its own status.
      if (!('data' in executed)) return handOver(req, res, body);
      result = codeVariableErrors(executed);
    } catch (error) {
      result = { errors: [unexpected(error)] };
    }
    counts.answered += 1;
    await send(req, res, result, mediaType, cors);
  }

  /** What yoga does with an error thrown out of execution: masked (and logged when masking changed it). */
  function unexpected(error: unknown): GraphQLError {
    const masked = maskUnexpected(logger, error);
    if (masked !== error) logger.error('operation failed', error);
    return masked instanceof GraphQLError ? masked : createGraphQLError(masked.message, { originalError: masked });
  }

  return {
    counts,
    take(req, res) {
      if (req.method !== 'POST' || req.headers['content-encoding'] !== undefined) return false;
      if (!isJsonContentType(req.headers['content-type']) || req.headers['content-type']!.includes(',')) return false;
      const mediaType = jsonMediaType(req.headers.accept);
      if (!mediaType) return false;
      const principal = authenticate(req.headers.authorization);
      if (!principal) return false;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.once('end', () => {
        answer(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), principal, mediaType).catch((error: unknown) => {
          logger.error('request failed', error);
          if (!res.headersSent) {
            const text = JSON.stringify({ errors: [{ message: 'Unexpected error.' }] });
            res.writeHead(500, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
            res.end(text);
          } else res.destroy();
        });
      });
      return true;
    },
  };
}
