import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createWallboardPage } from '../../src/server/wallboard.ts';
import { send } from '../utils/raw-http.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway } from '../utils/gateway.ts';

/**
 * The wallboard's files (src/server/wallboard.ts), as the global setup built them into dist/wallboard/: served with a
 * strict CSP and no framing, compressed, revalidated by ETag; nothing else under /wallboard/; off with WALLBOARD=off.
 */

const DIST = new URL('../../dist/wallboard/', import.meta.url);

describe('the /wallboard route', () => {
  const disposer = createDisposer();
  afterEach(() => disposer.dispose());

  it('serves the built page and its two assets, compressed, with a strict policy, and revalidates by ETag', async () => {
    const gw = await startGateway(disposer);
    const redirect = await send(`${gw.url}/wallboard?lang=en`);
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe('/wallboard/?lang=en');

    for (const [name, type] of [['', 'text/html'], ['app.js', 'text/javascript'], ['app.css', 'text/css']] as const) {
      const file = readFileSync(new URL(name === '' ? 'index.html' : name, DIST));
      const br = await send(`${gw.url}/wallboard/${name}`, { headers: { 'accept-encoding': 'br, gzip' } });
      expect(br.status, name).toBe(200);
      expect(br.headers['content-type']).toBe(`${type}; charset=utf-8`);
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.body).equals(file), name).toBe(true);
      expect(br.headers['content-security-policy']).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      expect(br.headers['x-frame-options']).toBe('DENY');
      expect(br.headers['cache-control']).toBe('no-cache');
      const gzip = await send(`${gw.url}/wallboard/${name}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(gunzipSync(gzip.body).equals(file), name).toBe(true);
      const plain = await send(`${gw.url}/wallboard/${name}`);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.equals(file), name).toBe(true);
      const revalidated = await send(`${gw.url}/wallboard/${name}`, { headers: { 'if-none-match': String(br.headers.etag) } });
      expect(revalidated.status).toBe(304);
      expect(revalidated.body.length).toBe(0);
      const head = await send(`${gw.url}/wallboard/${name}`, { method: 'HEAD' });
      expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, String(file.length), 0]);
    }
    // The page's scripts and styles are its own files: nothing inline the policy would block, nothing from elsewhere.
    const html = readFileSync(new URL('index.html', DIST), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|https?:\/\//);
    expect(readFileSync(new URL('app.js', DIST), 'utf8')).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)[a-z0-9.-]+/i);
  });

  it('answers nothing else under /wallboard/, no other method, and 404 with WALLBOARD=off', async () => {
    const gw = await startGateway(disposer);
    for (const path of ['/wallboard/index.html', '/wallboard/persisted-documents.json', '/wallboard/../package.json', '/wallboard/%2e%2e/package.json', '/wallboard/app.js/x']) {
      expect((await send(`${gw.url}${path}`)).status, path).toBe(404);
    }
    const post = await send(`${gw.url}/wallboard/`, { method: 'POST' });
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    const off = await startGateway(disposer, { env: { WALLBOARD: 'off' } });
    expect((await send(`${off.url}/wallboard/`)).status).toBe(404);
  });

  it('says the page is not built when its directory is missing, and serves each later build as built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wallboard-route-'));
    disposer.add(() => rmSync(dir, { recursive: true, force: true }));
    const page = createWallboardPage(pathToFileURL(join(dir, 'build/')));
    const server = createServer((req, res) => void page.serve(req, res, (req.url ?? '/').split('?')[0]!));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    disposer.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wallboard/`;
    const missing = await send(base);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString())).toEqual({ error: 'not found', reason: 'the wallboard is not built: run `npm run build`' });

    // A build writes beside the output and renames into place (scripts/bundle-wallboard.ts): do the same.
    const build = (script: string) => {
      mkdirSync(join(dir, 'build'), { recursive: true });
      writeFileSync(join(dir, 'app.js.next'), script);
      renameSync(join(dir, 'app.js.next'), join(dir, 'build', 'app.js'));
    };
    build('console.log(1);');
    const first = await send(`${base}app.js`);
    expect([first.status, first.body.toString()]).toEqual([200, 'console.log(1);']);
    build('console.log(2);');
    const second = await send(`${base}app.js`, { headers: { 'if-none-match': String(first.headers.etag) } });
    expect([second.status, second.body.toString()]).toEqual([200, 'console.log(2);']);
    expect(second.headers.etag).not.toBe(first.headers.etag);
  });
});
