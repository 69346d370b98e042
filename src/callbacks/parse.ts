import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import busboy from 'busboy';

/**
 * From an HTTP callback to the object it carries. The predictive manual says a callback is a form-data POST whose
 * field `detail` holds a JSON string; the common manual says the address "receives json data". So: `detail` in a
 * multipart or url-encoded form, or the JSON body itself (a JSON body that is only `{"detail": …}` is unwrapped too).
 */

/** Why a callback request is refused before anything is stored; `status` is the HTTP answer. */
export class CallbackRequestError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'CallbackRequestError';
  }
}

export const tooLarge = (maxBytes: number) => new CallbackRequestError(413, `body over ${maxBytes} bytes`);

/**
 * Reads the body, counting bytes as they stream in: past `maxBytes` it stops keeping them and rejects with 413 at
 * once (the caller answers and closes the connection). A declared Content-Length over the cap is refused unread.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        chunks.length = 0;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    // A client that goes away mid-body is refused like a malformed one: nothing stored, a warning, no error log.
    const onError = () => {
      cleanup();
      reject(new CallbackRequestError(400, 'the request was aborted before its body ended'));
    };
    const onAborted = onError;
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** The media type of a Content-Type header, lower case, without parameters ('' when absent). */
export function mediaType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

const isJsonType = (type: string) => type === 'application/json' || type.endsWith('+json');
const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Shape limits of a decoded callback. Real callbacks are a few hundred bytes and two or three levels deep; JSON.parse
 * itself is iterative, but everything after it (zod, canonical JSON for the dedupe key, JSON.stringify into the store)
 * recurses, and a 10 000-deep body overflowed the stack there: a RangeError, answered 500 "send it again", which the
 * platform retries for ever. So the value is measured right after parsing, without recursion, and refused with 400.
 */
export const CALLBACK_JSON_LIMITS = {
  /** Nesting of objects and arrays: the top-level value is depth 1. */
  maxDepth: 32,
  /** Values of any kind (objects, arrays, strings, numbers, …), the top-level one included. */
  maxValues: 10_000,
} as const;

/** Throws CallbackRequestError(400) when `value` nests deeper or holds more values than CALLBACK_JSON_LIMITS. */
export function checkJsonShape(value: unknown, what: string, limits: { maxDepth: number; maxValues: number } = CALLBACK_JSON_LIMITS): void {
  // Depth-first with an explicit stack of [value, depth]: no recursion, so no input can overflow the call stack.
  const stack: Array<[unknown, number]> = [[value, 1]];
  let values = 0;
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    values++;
    if (values > limits.maxValues) {
      throw new CallbackRequestError(400, `${what} holds more than ${limits.maxValues} values (a callback is a few hundred bytes)`);
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth > limits.maxDepth) {
      throw new CallbackRequestError(400, `${what} nests deeper than ${limits.maxDepth} levels`);
    }
    const children = Array.isArray(current) ? current : Object.values(current as Record<string, unknown>);
    // Refuse before pushing a huge flat array or object, so the stack never holds more than the limit.
    if (values + stack.length + children.length > limits.maxValues) {
      throw new CallbackRequestError(400, `${what} holds more than ${limits.maxValues} values (a callback is a few hundred bytes)`);
    }
    for (const child of children) stack.push([child, depth + 1]);
  }
}

function parseJson(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new CallbackRequestError(400, `${what} is not valid JSON (${(error as Error).message})`);
  }
  checkJsonShape(value, what);
  return value;
}

/** Form fields of a multipart body (file parts read as text; a repeated field keeps its last value). */
function parseMultipart(headers: IncomingHttpHeaders, body: Buffer, maxBytes: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    const fail = (reason: string) => reject(new CallbackRequestError(400, reason));
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, defCharset: 'utf8', defParamCharset: 'utf8', limits: { fieldSize: maxBytes, fileSize: maxBytes, fieldNameSize: 256 } });
    } catch (error) {
      fail(`unreadable multipart form (${(error as Error).message})`);
      return;
    }
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated) fail(`form field ${name} is too large`);
      else fields[name] = value;
    });
    parser.on('file', (name, stream) => {
      const parts: Buffer[] = [];
      stream.on('data', (part: Buffer) => parts.push(part));
      stream.on('end', () => {
        fields[name] = Buffer.concat(parts).toString('utf8');
      });
    });
    parser.on('error', (error) => fail(`unreadable multipart form (${(error as Error).message})`));
    parser.on('close', () => resolve({ ...fields }));
    parser.end(body);
  });
}

export interface DecodeOptions {
  maxBytes: number;
  /**
   * What a form without a `detail` field means: an error (the SIP callbacks), or the fields themselves (AI-call
   * notifications, whose shape is unknown).
   */
  formWithoutDetail: 'error' | 'fields';
}

/** A JSON body `{"detail": "<json>"}` (or `{"detail": {…}}`) and nothing else is the form convention sent as JSON. */
function unwrapDetail(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'detail') return value;
  const detail = value.detail;
  return typeof detail === 'string' ? parseJson(detail, 'detail') : detail;
}

function fromForm(fields: Record<string, string>, options: DecodeOptions): unknown {
  const detail = fields.detail;
  if (detail !== undefined) return parseJson(detail, 'the detail field');
  if (options.formWithoutDetail === 'fields' && Object.keys(fields).length > 0) {
    const value = { ...fields };
    checkJsonShape(value, 'the form');
    return value;
  }
  throw new CallbackRequestError(400, 'the form has no detail field (it should hold the callback as a JSON string)');
}

/** Decodes a callback body into the value it carries; throws CallbackRequestError (400/415) with the reason. */
export async function decodeCallbackBody(headers: IncomingHttpHeaders, body: Buffer, options: DecodeOptions): Promise<unknown> {
  if (body.length === 0) throw new CallbackRequestError(400, 'empty body');
  let type = mediaType(headers);
  if (type === '' || type === 'text/plain') {
    // No (or a vague) content type: JSON if it looks like JSON, a url-encoded form otherwise.
    const first = body.toString('utf8', 0, Math.min(body.length, 64)).trimStart()[0];
    type = first === '{' || first === '[' ? 'application/json' : 'application/x-www-form-urlencoded';
  }
  if (isJsonType(type)) return unwrapDetail(parseJson(body.toString('utf8'), 'the body'));
  if (type === 'application/x-www-form-urlencoded') {
    return fromForm(Object.fromEntries(new URLSearchParams(body.toString('utf8'))), options);
  }
  if (type === 'multipart/form-data') return fromForm(await parseMultipart(headers, body, options.maxBytes), options);
  throw new CallbackRequestError(415, `unsupported content type ${type}: send JSON, or a form with a detail field`);
}
