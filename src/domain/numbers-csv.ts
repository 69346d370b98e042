import { setImmediate as nextTurn } from 'node:timers/promises';
import { type InputIssue, InvalidInputError } from '../errors.ts';
import { SLICE_MS } from './phone-numbers.ts';

/**
 * A number list as CSV text (`numbersCsv`), for lists too long to send as GraphQL input objects: graphql-js coerces
 * a `[TaskNumberInput!]` variable entry by entry in one go (300 000 entries hold the event loop for over a second),
 * while one String is coerced at once and read here in time slices.
 *
 * Format (RFC 4180): the first row names the columns, `phone` required, then any of `dialAfter` (RFC 3339 with an
 * offset), `userId`, `memberId`, `maturity`, `customerId` (names match case-insensitively); every other column is a
 * custom field of that name (AI tasks only). Fields may be quoted (`"a, b"`, `""` for a quote); rows end with LF or
 * CRLF; blank lines are skipped; an empty cell is an absent value. Entry indexes in the report count data rows from 0.
 */

/** One customer as the schema takes it (a TaskNumberInput), and what one CSV row becomes. */
export interface NumberInput {
  phone: string;
  dialAfter?: Date | null;
  userId?: string | null;
  memberId?: string | null;
  maturity?: string | null;
  customerId?: string | null;
  fields?: ReadonlyArray<{ name: string; value: string }> | null;
}

const KNOWN_COLUMNS = ['phone', 'dialAfter', 'userId', 'memberId', 'maturity', 'customerId'] as const;
type KnownColumn = (typeof KNOWN_COLUMNS)[number];
const KNOWN_BY_LOWER = new Map<string, KnownColumn>(KNOWN_COLUMNS.map((name) => [name.toLowerCase(), name]));

/** Most custom-field columns a list may carry (the per-entry limit of TaskNumberInput.fields). */
const MAX_CUSTOM_COLUMNS = 50;
/** Row problems spelled out in `issues` before the rest are only counted. */
const MAX_ISSUES = 100;
const ROWS_PER_CLOCK_CHECK = 256;

/** A cursor over the text that reads one RFC 4180 record at a time; null at the end. */
function createRecordReader(text: string) {
  let at = 0;
  return {
    get offset() {
      return at;
    },
    next(): string[] | null {
      if (at >= text.length) return null;
      const cells: string[] = [];
      let cell = '';
      for (;;) {
        if (text.charCodeAt(at) === 34 /* " */) {
          // A quoted cell runs to the next quote that is not doubled.
          at++;
          for (;;) {
            const quote = text.indexOf('"', at);
            if (quote === -1) throw new CsvSyntaxError('a quoted field is never closed');
            cell += text.slice(at, quote);
            at = quote + 1;
            if (text.charCodeAt(at) !== 34) break;
            cell += '"';
            at++;
          }
          const after = text.charCodeAt(at);
          if (at < text.length && after !== 44 && after !== 10 && after !== 13) throw new CsvSyntaxError('text after a closing quote');
        } else {
          let end = at;
          while (end < text.length) {
            const c = text.charCodeAt(end);
            if (c === 44 || c === 10 || c === 13) break;
            if (c === 34) throw new CsvSyntaxError('a quote inside an unquoted field (quote the field and double the quote)');
            end++;
          }
          cell += text.slice(at, end);
          at = end;
        }
        cells.push(cell);
        cell = '';
        const c = text.charCodeAt(at);
        if (c === 44) {
          at++;
          continue;
        }
        if (c === 13) at++;
        if (text.charCodeAt(at) === 10) at++;
        return cells;
      }
    },
  };
}

class CsvSyntaxError extends Error {}

interface Columns {
  known: Array<KnownColumn | null>;
  custom: Array<string | null>;
}

function readHeader(cells: readonly string[]): Columns {
  const known: Array<KnownColumn | null> = [];
  const custom: Array<string | null> = [];
  const seen = new Set<string>();
  for (const raw of cells) {
    const name = raw.trim();
    if (name === '') throw new InvalidInputError('numbersCsv: every column of the header row needs a name', 'numbersCsv');
    if (seen.has(name.toLowerCase())) throw new InvalidInputError(`numbersCsv: the column ${JSON.stringify(name)} appears twice`, 'numbersCsv');
    seen.add(name.toLowerCase());
    const match = KNOWN_BY_LOWER.get(name.toLowerCase()) ?? null;
    known.push(match);
    custom.push(match ? null : name);
  }
  if (!known.includes('phone')) {
    throw new InvalidInputError('numbersCsv: the first row must name the columns, one of them `phone`', 'numbersCsv');
  }
  if (custom.filter((name) => name !== null).length > MAX_CUSTOM_COLUMNS) {
    throw new InvalidInputError(`numbersCsv: at most ${MAX_CUSTOM_COLUMNS} custom-field columns`, 'numbersCsv');
  }
  return { known, custom };
}

/** One data row as an entry, or a sentence saying why it is none. */
function entryOf(cells: readonly string[], columns: Columns, parseDateTime: (text: string) => Date | string): NumberInput | string {
  if (cells.length > columns.known.length) return `${cells.length} fields, but the header names ${columns.known.length} columns`;
  const entry: NumberInput = { phone: '' };
  let fields: Array<{ name: string; value: string }> | null = null;
  for (let i = 0; i < cells.length; i++) {
    const value = cells[i] ?? '';
    if (value === '') continue;
    const known = columns.known[i];
    if (known === 'dialAfter') {
      const when = parseDateTime(value.trim());
      if (typeof when === 'string') return `dialAfter: ${when}`;
      entry.dialAfter = when;
    } else if (known) {
      entry[known] = value;
    } else {
      (fields ??= []).push({ name: columns.custom[i] as string, value });
    }
  }
  if (fields) entry.fields = fields;
  return entry;
}

/**
 * Reads `numbersCsv` into entries, in slices of about SLICE_MS with a yield between them. A malformed text or row
 * refuses the whole list with an InvalidInputError naming the rows (`input.numbersCsv.<row>`); phone-number rules are
 * applied later, entry by entry, like for `numbers`.
 */
export async function parseNumbersCsv(
  text: string,
  parseDateTime: (text: string) => Date | string,
  path: readonly string[] = ['input', 'numbersCsv'],
): Promise<NumberInput[]> {
  const reader = createRecordReader(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const issues: InputIssue[] = [];
  let problems = 0;
  const entries: NumberInput[] = [];
  let columns: Columns | null = null;
  try {
    for (;;) {
      const deadline = performance.now() + SLICE_MS;
      let done = false;
      do {
        for (let n = 0; n < ROWS_PER_CLOCK_CHECK; n++) {
          const cells = reader.next();
          if (cells === null) {
            done = true;
            break;
          }
          if (cells.length === 1 && cells[0]?.trim() === '') continue; // a blank line
          if (!columns) {
            columns = readHeader(cells);
            continue;
          }
          const entry = entryOf(cells, columns, parseDateTime);
          if (typeof entry === 'string') {
            problems++;
            if (issues.length < MAX_ISSUES) issues.push({ path: [...path, String(entries.length)], message: `row ${entries.length + 1}: ${entry}` });
          }
          entries.push(typeof entry === 'string' ? { phone: '' } : entry);
        }
      } while (!done && performance.now() < deadline);
      if (done) break;
      await nextTurn();
    }
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new InvalidInputError(`numbersCsv: ${error.message} (near character ${reader.offset})`, 'numbersCsv');
    }
    throw error;
  }
  if (!columns) throw new InvalidInputError('numbersCsv: the first row must name the columns, one of them `phone`', 'numbersCsv');
  if (problems > 0) {
    const more = problems > issues.length ? `; and ${problems - issues.length} more` : '';
    throw new InvalidInputError(issues.slice(0, 10).map((issue) => issue.message).join('; ') + more, undefined, issues);
  }
  if (entries.length === 0) throw new InvalidInputError('numbersCsv: no rows after the header', 'numbersCsv');
  return entries;
}
