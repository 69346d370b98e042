import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { acceptedEncoding } from './compression.ts';

/**
 * The GraphiQL page, served by the HTTP layer instead of yoga (docs/security.md, "Browser exposure").
 *
 * render-graphiql inlines every asset (about 9 MB): yoga rendered that string again for every load and sent it
 * uncompressed and uncached. Here the page is rendered once, on the first load (nothing is spent when nobody opens
 * it), in a worker thread, compressed once to gzip and brotli (about 2.4 and 1.9 MB), and only those two are kept. Every load gets the
 * same bytes: the page reads `?query=` and the endpoint from `window.location`, so the query string does not change
 * the page. Loads carry a weak ETag (the same page in every content coding) and `Cache-Control: no-cache`, so a
 * browser revalidates each time and gets a 304 of a few hundred bytes.
 */

/**
 * What the page is rendered with. GraphiQL runs subscriptions as SSE over GET, which CSRF prevention refuses without
 * a header (src/server/exposure.ts): the page sends X-GraphQL-Yoga-CSRF on every request, besides the headers the
 * user types (the API key).
 */
const PAGE_OPTIONS = {
  title: 'Call-centre GraphQL gateway',
  additionalHeaders: { 'X-GraphQL-Yoga-CSRF': 'graphiql' },
};


interface Page {
  etag: string;
  gzip: Buffer;
  br: Buffer;
  /** Uncompressed size, for Content-Length of the rare client that accepts neither coding. */
  rawLength: number;
}

export interface GraphiQLPage {
  /** Whether this request asks for the page: GET or HEAD with `Accept: text/html`. */
  wants(req: IncomingMessage): boolean;
  /** Answers with the page (200 in the best accepted coding, or 304). */
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Renders and compresses now (otherwise done on the first load); resolves with the sizes. */
  prepare(): Promise<{ raw: number; gzip: number; br: number }>;
}

export function wantsHtml(req: IncomingMessage): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && (req.headers.accept ?? '').includes('text/html');
}

/**
 * Rendering runs in a worker thread that exits afterwards: importing render-graphiql costs the process ~140 MB (a
 * 9 MB module of string literals), all of it given back when the worker ends. Only the two compressed copies return.
 * Level 6 / quality 5: within 1 % (gzip) and 5 % (brotli) of the best, ~0.3 and ~0.5 s, where brotli's best takes 30 s.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const zlib = require('node:zlib');
const { createHash } = require('node:crypto');
const { renderGraphiQL } = require(workerData.module);
const raw = Buffer.from(renderGraphiQL(workerData.options), 'utf8');
const gzip = zlib.gzipSync(raw, { level: 6 });
const br = zlib.brotliCompressSync(raw, { params: {
  [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
  [zlib.constants.BROTLI_PARAM_QUALITY]: 5,
  [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
} });
const etag = 'W/"' + createHash('sha256').update(raw).digest('base64url').slice(0, 27) + '"';
parentPort.postMessage({ etag, gzip, br, rawLength: raw.length });
`;

function buildPage(): Promise<Page> {
  const module = createRequire(import.meta.url).resolve('@graphql-yoga/render-graphiql');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, options: PAGE_OPTIONS } });
    worker.once('message', (page: { etag: string; gzip: Uint8Array; br: Uint8Array; rawLength: number }) => {
      const buffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      resolve({ etag: page.etag, gzip: buffer(page.gzip), br: buffer(page.br), rawLength: page.rawLength });
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`GraphiQL renderer exited with ${code}`)));
  });
}

/** True when If-None-Match names this ETag (weak comparison, as RFC 9110 asks for If-None-Match) or is `*`. */
export function notModified(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === bare;
  });
}

export function createGraphiQLPage(): GraphiQLPage {
  let page: Promise<Page> | null = null;
  const load = () => {
    page ??= buildPage().catch((error: unknown) => {
      page = null;
      throw error;
    });
    return page;
  };

  return {
    wants: wantsHtml,
    async prepare() {
      const p = await load();
      return { raw: p.rawLength, gzip: p.gzip.length, br: p.br.length };
    },
    async serve(req, res) {
      const p = await load();
      const headers: Record<string, string> = {
        'content-type': 'text/html; charset=utf-8',
        etag: p.etag,
        'cache-control': 'no-cache',
        vary: 'Accept, Accept-Encoding',
        'x-content-type-options': 'nosniff',
        // The page runs operations with whatever headers the user stored in it: never inside another site's frame.
        'x-frame-options': 'DENY',
        'content-security-policy': "frame-ancestors 'none'",
      };
      if (notModified(req, p.etag)) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      const encoding = acceptedEncoding(req.headers['accept-encoding']);
      const body = encoding === 'br' ? p.br : encoding === 'gzip' ? p.gzip : null;
      if (body) {
        res.writeHead(200, { ...headers, 'content-encoding': encoding!, 'content-length': String(body.length) });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      // Neither coding accepted (curl without --compressed): inflate the gzip copy as it is sent.
      res.writeHead(200, { ...headers, 'content-length': String(p.rawLength) });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      await pipeline(Readable.from([p.gzip]), createGunzip(), res).catch(() => res.destroy());
    },
  };
}
