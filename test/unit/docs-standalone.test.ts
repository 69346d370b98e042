import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The repository's documentation stands alone: no doc or comment sends the reader to a file outside the repository
 * (the vendors' original documents, a design note or a scratch path on some machine), and every relative markdown
 * link of the docs leads to a file that exists. The vendors' documents are restated in docs/upstream.md; that is the
 * page to point at.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SELF = fileURLToPath(import.meta.url);

/** Directories never scanned: installed packages and generated code. */
const SKIPPED_DIRS = new Set([join(ROOT, 'node_modules'), join(ROOT, 'test', 'generated')]);

function tsFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !SKIPPED_DIRS.has(path)) files.push(...tsFilesUnder(path));
    } else if (entry.isFile() && entry.name.endsWith('.ts') && path !== SELF) {
      files.push(path);
    }
  }
  return files;
}

/** README.md, every docs/*.md and bench/README.md. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, 'docs', name));
  return [join(ROOT, 'README.md'), ...docs, join(ROOT, 'bench', 'README.md')].filter((path) => existsSync(path));
}

const sourceFiles = (): string[] => ['src', 'test', 'scripts', 'bench'].flatMap((dir) => tsFilesUnder(join(ROOT, dir)));

/**
 * The outside places, spelled in pieces so this file does not itself contain the references it looks for (other
 * checks grep the repository for them).
 */
const WORK = `/${'work'}/`;
const PARENT_SHARED = `..${'/shared'}`;

/** Not preceded by a character that would make the match part of a longer word, path or URL. */
const START = String.raw`(?<![\w.\-/~:])`;

/** References that can only point outside the repository, wherever they appear (docs, comments, strings). */
const OUTSIDE_EVERYWHERE: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: new RegExp(`${START}${WORK}`), what: `an absolute path on a development machine (${WORK}…)` },
  { pattern: new RegExp(`${START}/root/`), what: 'an absolute path in a home directory (/root/…)' },
  { pattern: /\.\.\/shared\b/, what: `a path to ${PARENT_SHARED}, outside the repository` },
  { pattern: /\bshared\/(?:seeds|DESIGN\.md|hooks)\b/, what: 'a path into the shared folder outside the repository' },
  { pattern: /(?<![\w-])seeds\/(?:\d|README)/, what: "a path to the vendors' original documents (seeds/…): cite docs/upstream.md" },
  { pattern: /\b\d{3}_[0-9a-f]{16}\.txt\b/, what: "a vendor document's file name: cite docs/upstream.md" },
  { pattern: /\bupstream-api\.md\b/, what: 'upstream-api.md, which is not in the repository: cite docs/upstream.md' },
  { pattern: /\bDESIGN\.md\b/, what: 'DESIGN.md, which is not in the repository: cite docs/design.md' },
];

/**
 * A scratch path is only a documentation problem in the docs: code may legitimately build temporary paths (and should
 * use os.tmpdir() to do it), so `/tmp/` is not looked for in .ts files.
 */
const OUTSIDE_IN_MARKDOWN: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: new RegExp(`${START}/tmp/`), what: 'a scratch path (/tmp/…)' },
];

interface Finding {
  where: string;
  text: string;
}

const at = (file: string, index: number) => `${relative(ROOT, file).split(sep).join('/')}:${index + 1}`;

function outsideReferences(file: string, rules: ReadonlyArray<{ pattern: RegExp; what: string }>): Finding[] {
  const findings: Finding[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      for (const { pattern, what } of rules) {
        if (pattern.test(line)) findings.push({ where: at(file, index), text: `${what}: ${line.trim()}` });
      }
    });
  return findings;
}

/** `[text](target)` and `[text](target "title")`, and reference definitions `[label]: target`. */
const INLINE_LINK = /\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/;

/** Targets that are not files of this repository: web links, mail, and anchors within the same page. */
const isExternalOrAnchor = (target: string) => /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(target);

/** Relative links whose file does not exist, or that leave the repository. Fenced code and code spans are not links. */
function brokenLinks(file: string): Finding[] {
  const findings: Finding[] = [];
  let fenced = false;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (/^\s*(?:```|~~~)/.test(line)) {
        fenced = !fenced;
        return;
      }
      if (fenced) return;
      const prose = line.replace(/`[^`]*`/g, '');
      const targets = [...prose.matchAll(INLINE_LINK)].map((match) => match[1] as string);
      const definition = REFERENCE_DEFINITION.exec(prose);
      if (definition) targets.push(definition[1] as string);
      for (const target of targets) {
        if (isExternalOrAnchor(target)) continue;
        const path = decodeURIComponent(target.replace(/[#?].*$/, ''));
        if (path === '') continue;
        const resolved = resolve(dirname(file), path);
        const inside = resolved === ROOT || resolved.startsWith(ROOT + sep);
        if (!inside) findings.push({ where: at(file, index), text: `link leaves the repository: ${target}` });
        else if (!existsSync(resolved)) findings.push({ where: at(file, index), text: `link to a missing file: ${target}` });
      }
    });
  return findings;
}

const report = (findings: readonly Finding[]) => findings.map((f) => `${f.where}: ${f.text}`);

describe('documentation stands alone', () => {
  it('scans the docs and the sources it should', () => {
    const docs = markdownFiles().map((file) => relative(ROOT, file).split(sep).join('/'));
    expect(docs).toEqual(expect.arrayContaining(['README.md', 'docs/design.md', 'docs/upstream.md', 'bench/README.md']));
    const sources = sourceFiles().map((file) => relative(ROOT, file).split(sep).join('/'));
    expect(sources).toEqual(expect.arrayContaining(['src/main.ts', 'test/unit/codes.test.ts', 'scripts/fuzz.ts', 'bench/run.ts']));
    expect(sources).not.toContain('test/unit/docs-standalone.test.ts');
    expect(sources.some((file) => file.startsWith('test/generated/') || file.includes('node_modules/'))).toBe(false);
  });

  it('refers to nothing outside the repository', () => {
    const findings = [
      ...markdownFiles().flatMap((file) => outsideReferences(file, [...OUTSIDE_EVERYWHERE, ...OUTSIDE_IN_MARKDOWN])),
      ...sourceFiles().flatMap((file) => outsideReferences(file, OUTSIDE_EVERYWHERE)),
    ];
    expect(report(findings)).toEqual([]);
  });

  it('has relative markdown links that lead to files in the repository', () => {
    expect(report(markdownFiles().flatMap(brokenLinks))).toEqual([]);
  });

  it('recognises what it is looking for', () => {
    const flagged = (line: string) => OUTSIDE_EVERYWHERE.some(({ pattern }) => pattern.test(line));
    for (const bad of [
      `see ${WORK}shared/upstream-api.md`,
      `(${PARENT_SHARED}/DESIGN.md)`,
      'shared/seeds/001_76d0535c48e0851e.txt',
      'the examples in seeds/001',
      'DESIGN.md principle 4',
      '`/root/notes.md`',
    ]) {
      expect(flagged(bad), bad).toBe(true);
    }
    for (const good of [
      'docs/design.md',
      'docs/upstream.md',
      'test/utils/callback-seeds.ts',
      `https://example.com${WORK}x`,
      "join(tmpdir(), 'gateway-')",
      'the same seed gives the same data',
    ]) {
      expect(flagged(good), good).toBe(false);
    }
    const tmp = OUTSIDE_IN_MARKDOWN.some(({ pattern }) => pattern.test('written to /tmp/run.log'));
    expect(tmp).toBe(true);
    expect(isExternalOrAnchor('https://example.com')).toBe(true);
    expect(isExternalOrAnchor('#a-the-sip-api')).toBe(true);
    expect(isExternalOrAnchor('upstream.md#a-the-sip-api')).toBe(false);
  });
});
