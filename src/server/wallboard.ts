import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { acceptedEncoding } from './compression.ts';
import { notModified } from './graphiql.ts';
import { sendJson } from './send-json.ts';

/**
 * The supervisor's wallboard (docs/front-end.md): a static page built by `npm run build` into dist/wallboard/
 * (scripts/bundle-wallboard.ts), served here with no key — the page asks for one and sends it with every operation,
 * so it sees exactly what the API shows that key.
 *
 * The few files are read and compressed on the first load of each (nothing is spent when nobody opens the page), and
 * again only when a build replaced them; every load gets the same bytes with an ETag and `Cache-Control: no-cache`, so a wall screen
 * reloading the page revalidates in one small 304. The page runs with a strict Content-Security-Policy: its own
 * scripts, styles and connections only, never inside a frame.
 */

export const WALLBOARD_PATH = '/wallboard';

/** The files the build writes, by the name the page asks for; nothing else under /wallboard/ is served. */
const FILES: Record<string, string> = {
  '': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const INDEX = 'index.html';

/**
 * Same-origin only: scripts and styles from these files, GraphQL over HTTP and WebSocket to this host (`'self'`
 * covers ws: and wss: of the same host in CSP Level 3). data: images for the icons drawn inline.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  etag: string;
  raw: Buffer;
  gzip: Buffer;
  br: Buffer;
  contentType: string;
}

export interface WallboardPage {
  /** Whether this path is the wallboard's; serve() then answers it. */
  owns(path: string): boolean;
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

function compressOnce(raw: Buffer, contentType: string): Asset {
  return {
    etag: `W/"${createHash('sha256').update(raw).digest('base64url').slice(0, 27)}"`,
    raw,
    gzip: gzipSync(raw, { level: 9 }),
    br: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
    contentType,
  };
}

/** `dir`: the build's output directory (a file: URL ending in `/`). */
export function createWallboardPage(dir: URL): WallboardPage {
  const assets = new Map<string, { version: string; asset: Promise<Asset> }>();
  /**
   * The file as built now: one stat per load, and a read and compression only when the build replaced it (the build
   * renames each file into place, so a new build is a new inode and mtime). A page rebuilt under a running gateway
   * (`npm run dev`, a deployment that builds in place) is served as built, never a stale copy.
   */
  const load = async (name: string): Promise<Asset | null> => {
    const file = new URL(name === '' ? INDEX : name, dir);
    let version: string;
    try {
      const info = await stat(file);
      version = `${info.ino}:${info.mtimeMs}:${info.size}`;
    } catch {
      // Not built (a checkout run through tsx without `npm run build`): answered 404.
      assets.delete(name);
      return null;
    }
    let entry = assets.get(name);
    if (entry?.version !== version) {
      entry = { version, asset: readFile(file).then((raw) => compressOnce(raw, FILES[name]!)) };
      assets.set(name, entry);
      entry.asset.catch(() => assets.delete(name));
    }
    return entry.asset.catch(() => null);
  };

  return {
    owns: (path) => path === WALLBOARD_PATH || path.startsWith(`${WALLBOARD_PATH}/`),
    async serve(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
        return;
      }
      // Relative asset URLs resolve under /wallboard/ only.
      if (path === WALLBOARD_PATH) {
        const query = (req.url ?? '').slice(path.length);
        res.writeHead(308, { location: `${WALLBOARD_PATH}/${query}`, 'content-length': '0' });
        res.end();
        return;
      }
      const name = path.slice(WALLBOARD_PATH.length + 1);
      if (!Object.hasOwn(FILES, name)) {
        sendJson(res, 404, { error: 'not found' });
        return;
      }
      const asset = await load(name);
      if (!asset) {
        sendJson(res, 404, { error: 'not found', reason: 'the wallboard is not built: run `npm run build`' });
        return;
      }
      const headers: Record<string, string> = {
        'content-type': asset.contentType,
        etag: asset.etag,
        'cache-control': 'no-cache',
        vary: 'Accept-Encoding',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'content-security-policy': CONTENT_SECURITY_POLICY,
      };
      if (notModified(req, asset.etag)) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      const encoding = acceptedEncoding(req.headers['accept-encoding']);
      const body = encoding === 'br' ? asset.br : encoding === 'gzip' ? asset.gzip : asset.raw;
      if (encoding) headers['content-encoding'] = encoding;
      headers['content-length'] = String(body.length);
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
