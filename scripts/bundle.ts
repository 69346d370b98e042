import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The second half of `npm run build`: after `tsc -p tsconfig.build.json` has type-checked and emitted src/ → dist/,
 * this replaces dist/main.js with one ESM bundle of the gateway and the packages it uses (bench/README.md, "Cold
 * start and memory of the production process").
 *
 * Why: most of the production process's start was Node loading ~1,300 separate module files (resolving, reading,
 * linking and compiling each: kysely alone is 262 files). One file halves the CPU to ready. What a plain start does
 * not run stays out of it: the dynamic `import()`s (the simulator, only in demo mode) become chunks in dist/chunks/,
 * loaded when first imported; native and optional drivers (better-sqlite3, pg, ioredis) and GraphiQL's renderer
 * (resolved by path for its worker thread) stay external and load from node_modules as before.
 *
 * The rest of dist/ (tsc's per-module output) stays: `node dist/simulator/main.js` and anything importing single
 * modules keeps working.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Loaded from node_modules at run time: native bindings, drivers chosen by configuration, a path resolved by name. */
const EXTERNAL = ['better-sqlite3', 'pg', 'pg-native', 'ioredis', '@graphql-yoga/render-graphiql'];

export async function bundleMain(): Promise<void> {
  rmSync(`${ROOT}dist/chunks`, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'src/main.ts' },
    outdir: 'dist',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // CommonJS packages inside an ESM bundle call require() for Node's built-ins: give the bundle one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // Whitespace and syntax only, and keepNames: functions and classes keep their `.name` even where bundling renames
    // a clash between modules, so stack traces, logged class names and error names read as in the sources.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    // Stack traces point at src/ and node_modules/ (node --enable-source-maps), as with tsc's output.
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const file of [`${ROOT}dist/main.js.map`, ...readdirSync(`${ROOT}dist/chunks`).filter((name) => name.endsWith('.js.map')).map((name) => `${ROOT}dist/chunks/${name}`)]) {
    writeFileSync(file, JSON.stringify(withoutPackages(JSON.parse(readFileSync(file, 'utf8')) as SourceMap)));
  }
}

interface SourceMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  [key: string]: unknown;
}

/**
 * The map keeps only what points into src/. With --enable-source-maps, Node decodes a file's whole map the first time
 * a stack trace of that file is formatted: with every package's code mapped that took ~0.4 s (the first error
 * logged, an undici socket closing at shutdown). Frames in packages then show their place in the bundle instead.
 */
function withoutPackages(map: SourceMap): SourceMap {
  const keep = map.sources.map((source) => !source.includes('node_modules/'));
  const sourceIndex = new Map<number, number>();
  const sources: string[] = [];
  keep.forEach((kept, index) => {
    if (kept) {
      sourceIndex.set(index, sources.length);
      sources.push(map.sources[index] as string);
    }
  });
  const nameIndex = new Map<number, number>();
  const names: string[] = [];
  // Source, line, column and name are deltas over the whole map; the generated column restarts on every line.
  let [source, line, column, name] = [0, 0, 0, 0];
  let [outSource, outLine, outColumn, outName] = [0, 0, 0, 0];
  const lines = map.mappings.split(';').map((text) => {
    let generated = 0;
    let outGenerated = 0;
    const kept: string[] = [];
    for (const segment of text === '' ? [] : text.split(',')) {
      const fields = decodeVlq(segment);
      const [dGenerated = 0, dSource = 0, dLine = 0, dColumn = 0, dName] = fields;
      generated += dGenerated;
      if (fields.length < 4) continue; // a segment that maps to nothing
      source += dSource;
      line += dLine;
      column += dColumn;
      if (dName !== undefined) name += dName;
      const keptSource = sourceIndex.get(source);
      if (keptSource === undefined) continue;
      const encoded = [generated - outGenerated, keptSource - outSource, line - outLine, column - outColumn];
      [outGenerated, outSource, outLine, outColumn] = [generated, keptSource, line, column];
      if (dName !== undefined) {
        let keptName = nameIndex.get(name);
        if (keptName === undefined) {
          keptName = names.length;
          nameIndex.set(name, keptName);
          names.push(map.names[name] ?? '');
        }
        encoded.push(keptName - outName);
        outName = keptName;
      }
      kept.push(encodeVlq(encoded));
    }
    return kept.join(',');
  });
  return { ...map, sources, names, mappings: lines.join(';') };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Map([...BASE64].map((char, index) => [char, index]));

/** One source-map segment's base64 VLQ fields. */
function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64_VALUE.get(char) ?? 0;
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function encodeVlq(values: number[]): string {
  let text = '';
  for (const value of values) {
    let rest = value < 0 ? -value * 2 + 1 : value * 2;
    do {
      let digit = rest % 32;
      rest = Math.floor(rest / 32);
      if (rest > 0) digit |= 32;
      text += BASE64[digit];
    } while (rest > 0);
  }
  return text;
}

await bundleMain();
