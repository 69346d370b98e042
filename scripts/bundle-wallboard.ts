import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The last step of `npm run build`: the browser wallboard (src/wallboard) → dist/wallboard/, which the gateway serves
 * at /wallboard (src/server/wallboard.ts):
 * - app.js: src/wallboard/main.tsx bundled and minified (Preact, graphql-ws's client and the page; the generated
 *   documents are hashes only, so neither the `graphql` package nor any document text is in it);
 * - app.css, index.html: copied as written (no inline script or style: the page's CSP allows neither);
 * - persisted-documents.json: codegen's manifest of the page's operations (`npm run codegen`), which the gateway
 *   loads so it knows every hash the page sends (trusted documents, TRUSTED_DOCUMENTS=on).
 * Names are fixed (no content hashes): the server sends ETag + no-cache. Same input, same bytes: no timestamps, no
 * absolute paths, no source map.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = join(ROOT, 'src/wallboard');

/** Anything that would make the page reach another site (the page must work offline, and the CSP would block it). */
const OFF_SITE = /(?:https?:)?\/\/(?!localhost\b|127\.0\.0\.1\b)[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s"'`)]*/gi;

export interface WallboardBundle {
  outdir: string;
  files: Record<string, number>;
}

export async function bundleWallboard(outdir = 'dist/wallboard'): Promise<WallboardBundle> {
  const final = isAbsolute(outdir) ? outdir : resolve(ROOT, outdir);
  // Built beside the output and moved in file by file (rename replaces atomically): a gateway serving the page while
  // a build or a test run rebuilds it never finds a file missing or half written, and a failed build leaves the last
  // good one in place.
  mkdirSync(final, { recursive: true });
  const target = mkdtempSync(`${final}.staging-`);
  try {
    return await buildInto(target, final);
  } finally {
    rmSync(target, { recursive: true, force: true });
  }
}

async function buildInto(target: string, final: string): Promise<WallboardBundle> {
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/wallboard/main.tsx'],
    outfile: join(target, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Chromium 100+ and its contemporaries: wallboard screens are browsers kept up to date, not legacy ones.
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    sourcemap: false,
    charset: 'utf8',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  copyFileSync(join(SOURCE, 'styles.css'), join(target, 'app.css'));
  copyFileSync(join(SOURCE, 'index.html'), join(target, 'index.html'));
  copyFileSync(join(SOURCE, 'generated/persisted-documents.json'), join(target, 'persisted-documents.json'));
  const files: Record<string, number> = {};
  for (const name of ['index.html', 'app.js', 'app.css']) {
    const text = readFileSync(join(target, name), 'utf8');
    // Strings such as the SVG namespace are names, not requests: allowed by exact match.
    const offSite = [...text.matchAll(OFF_SITE)].map((match) => match[0]).filter((url) => !ALLOWED_NAMES.has(url.replace(/^https?:/, '')));
    if (offSite.length > 0) throw new Error(`dist/wallboard/${name} names another site (${[...new Set(offSite)].join(', ')}): the wallboard must work offline`);
    files[name] = Buffer.byteLength(text);
  }
  for (const name of ['persisted-documents.json', 'app.css', 'app.js', 'index.html']) renameSync(join(target, name), join(final, name));
  return { outdir: final, files };
}

/** URL-shaped strings that are identifiers, never fetched (namespaces Preact uses to create SVG and MathML elements). */
const ALLOWED_NAMES = new Set(['//www.w3.org/2000/svg', '//www.w3.org/1998/Math/MathML', '//www.w3.org/1999/xhtml', '//www.w3.org/1999/xlink', '//www.w3.org/XML/1998/namespace']);

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outdir, files } = await bundleWallboard(process.argv[2]);
  writeFileSync(1, `wallboard: ${Object.entries(files).map(([name, bytes]) => `${name} ${bytes} B`).join(', ')} → ${outdir}\n`);
}
