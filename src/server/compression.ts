import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants as zlib, gzip, gzipSync } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

/**
 * Response compression for GraphQL results (docs/security.md, "HTTP server").
 *
 * Only whole JSON results are compressed, and only from COMPRESSION_THRESHOLD_BYTES up: below it the header and the
 * deflate work cost more than the bytes saved. Streams (text/event-stream, multipart/mixed) are never touched, so a
 * subscription event leaves as soon as it is produced rather than waiting in a compressor's window. Request bodies
 * are not decompressed (no Content-Encoding on requests): the body limit counts the bytes we would have to hold.
 */

/** Smallest JSON body compressed: under ~1 KB gzip saves a few hundred bytes at most and costs a deflate context. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;
/** From this size compression runs on the thread pool instead of the event loop (~1 ms of deflate). */
const ASYNC_FROM_BYTES = 64 * 1024;

const COMPRESSIBLE = /^application\/(json|graphql-response\+json)\b/i;

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
/**
 * Dynamic content, measured on a 62 KB result: brotli 4 with a 256 KB window 0.8 ms → 1.5 KB; gzip 6 1.7 ms → 3.5 KB;
 * brotli's default 4 MB window costs 0.5 ms more per call for nothing at these sizes. A 1 KB body: ~0.12 ms either way.
 */
const BROTLI_OPTIONS = {
  params: { [zlib.BROTLI_PARAM_QUALITY]: 4, [zlib.BROTLI_PARAM_LGWIN]: 18, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
};
const GZIP_OPTIONS = { level: 6 };

export type ContentCoding = 'br' | 'gzip';

/**
 * The coding to answer with for an Accept-Encoding header: br, else gzip, else null (identity). q-values are honoured
 * as far as q=0 meaning "not this one"; `*` stands for br.
 */
export function acceptedEncoding(header: string | null | undefined): ContentCoding | null {
  if (!header) return null;
  let br = false;
  let gz = false;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    if (coding === 'br' || coding === '*') br = true;
    else if (coding === 'gzip' || coding === 'x-gzip') gz = true;
  }
  return br ? 'br' : gz ? 'gzip' : null;
}

export function compress(body: Buffer, coding: ContentCoding): Buffer | Promise<Buffer> {
  if (body.length < ASYNC_FROM_BYTES) return coding === 'br' ? brotliCompressSync(body, BROTLI_OPTIONS) : gzipSync(body, GZIP_OPTIONS);
  return coding === 'br' ? brotliAsync(body, BROTLI_OPTIONS) : gzipAsync(body, GZIP_OPTIONS);
}

/** A Vary value with `name` added unless it is already there (any case); the one rule for every Vary we send. */
export function withVary(vary: string | null | undefined, name: string): string {
  if (!vary) return name;
  return vary.toLowerCase().split(/\s*,\s*/).includes(name.toLowerCase()) ? vary : `${vary}, ${name}`;
}

/** A yoga plugin compressing JSON results of at least `thresholdBytes` for clients that accept br or gzip. */
export function useResponseCompression(thresholdBytes = COMPRESSION_THRESHOLD_BYTES): Plugin {
  return {
    onResponse({ request, response, setResponse, fetchAPI }) {
      // Not `response.body`: on yoga's responses that getter builds a web stream (and a proxy over it) for the string
      // body, on every response, only to be thrown away. A JSON response without a body reads as '' below.
      if (response.headers.has('content-encoding')) return;
      if (!COMPRESSIBLE.test(response.headers.get('content-type') ?? '')) return;
      response.headers.set('vary', withVary(response.headers.get('vary'), 'Accept-Encoding'));
      const coding = acceptedEncoding(request.headers.get('accept-encoding'));
      if (!coding) return;
      // yoga's results are strings: text() hands the string back without consuming the body.
      return response.text().then(async (text) => {
        const raw = text.length < thresholdBytes ? null : Buffer.from(text, 'utf8');
        if (!raw || raw.length < thresholdBytes) {
          // A native Response (the 401 of the auth plugin) is consumed by text(): send a copy.
          if (response.bodyUsed) setResponse(new fetchAPI.Response(text, { status: response.status, statusText: response.statusText, headers: response.headers }));
          return;
        }
        const body = await compress(raw, coding);
        const headers = new fetchAPI.Headers(response.headers);
        headers.set('content-encoding', coding);
        headers.set('content-length', String(body.length));
        setResponse(new fetchAPI.Response(body as unknown as Uint8Array<ArrayBuffer>, { status: response.status, statusText: response.statusText, headers }));
      });
    },
  };
}
