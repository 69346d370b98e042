import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import busboy from 'busboy';

/** The body is larger than the server accepts (→ 413). */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The body claims to be a form but cannot be read as one. */
export class FormParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FormParseError';
  }
}

/**
 * Reads a request body up to `maxBytes`. Past the cap it stops keeping bytes and rejects at once, while the rest of
 * the upload is drained and dropped, so the 413 can still be read by the client.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.resume();
        chunks.length = 0;
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

function mediaType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Parses a multipart/form-data or application/x-www-form-urlencoded body into string fields (file parts are read
 * as text too; a repeated field keeps its last value, as PHP does). A body without a content type is read as
 * url-encoded; any other content type gives no fields.
 */
export function parseForm(headers: IncomingHttpHeaders, body: Buffer, maxBytes: number): Promise<Record<string, string>> {
  const type = mediaType(headers);
  if (body.length === 0) return Promise.resolve({});
  if (type === '') return Promise.resolve(Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  if (type !== 'multipart/form-data' && type !== 'application/x-www-form-urlencoded') return Promise.resolve({});

  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = Object.create(null);
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers,
        defCharset: 'utf8',
        defParamCharset: 'utf8',
        limits: { fieldSize: maxBytes, fileSize: maxBytes, fieldNameSize: 256 },
      });
    } catch (error) {
      reject(new FormParseError(`unreadable form: ${(error as Error).message}`, { cause: error }));
      return;
    }
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated) {
        reject(new FormParseError(`field ${name} is too large`));
        return;
      }
      fields[name] = value;
    });
    parser.on('file', (name, stream) => {
      const parts: Buffer[] = [];
      stream.on('data', (part: Buffer) => parts.push(part));
      stream.on('end', () => {
        fields[name] = Buffer.concat(parts).toString('utf8');
      });
    });
    parser.on('error', (error) => {
      reject(new FormParseError(`unreadable form: ${(error as Error).message}`, { cause: error }));
    });
    parser.on('close', () => resolve({ ...fields }));
    parser.end(body);
  });
}
