import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWallboard } from '../../scripts/bundle-wallboard.ts';

/**
 * The wallboard's build (scripts/bundle-wallboard.ts): the contract's four files, the same bytes from the same input,
 * nothing that would make the page reach another site, no document text but the manifest's, and a manifest whose keys
 * are the SHA-256 of their documents (what the gateway checks when it loads it).
 */
describe('wallboard bundle', () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'wallboard-a-')), mkdtempSync(join(tmpdir(), 'wallboard-b-'))];
  // Built once for every test (tests run in a random order).
  beforeAll(async () => {
    for (const dir of dirs) await bundleWallboard(dir);
  }, 30_000);
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

  it('writes the same four files, byte for byte, on every build', () => {
    for (const name of ['index.html', 'app.js', 'app.css', 'persisted-documents.json']) {
      expect(read(dirs[0]!, name), name).toBe(read(dirs[1]!, name));
    }
  });

  it('names no other site and inlines nothing the CSP refuses', () => {
    const [dir] = dirs as [string];
    const html = read(dir, 'index.html');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/<style|\sstyle=/); // no inline style
    expect(html).toContain('<div id="app"');
    for (const name of ['index.html', 'app.js', 'app.css']) {
      const urls = [...read(dir, name).matchAll(/(?:https?:)?\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s"'`)]*/gi)].map((m) => m[0]);
      // Only XML namespaces (identifiers, never fetched) look like URLs.
      expect(urls.filter((url) => !/^(?:https?:)?\/\/www\.w3\.org\//.test(url)), name).toEqual([]);
    }
  });

  it('sends hashes only: no document text in the script, every manifest key the sha256 of its document', () => {
    const [dir] = dirs as [string];
    const app = read(dir, 'app.js');
    const manifest = JSON.parse(read(dir, 'persisted-documents.json')) as Record<string, string>;
    expect(Object.keys(manifest).length).toBeGreaterThan(5);
    for (const [hash, document] of Object.entries(manifest)) {
      expect(createHash('sha256').update(document).digest('hex')).toBe(hash);
      expect(app).toContain(hash);
      expect(app).not.toContain(document.slice(0, 40));
    }
    // graphql-js stays out of the bundle (the documents are hashes, not ASTs).
    expect(app).not.toContain('Syntax Error:');
  });
});
