import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder.ts';
import { ErrorCode, InvalidInputError } from '../errors.ts';

/**
 * Strict RFC 3339 date-times (section 5.6): `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`. The offset is required (a time
 * without one would be read in the server's zone, which the caller cannot know), and every field must exist on the
 * calendar: `new Date()` would turn 2026-02-30 into March 2 and accept `2026-11-01T00:00:00` as local time.
 * Fractions beyond milliseconds are cut (a Date holds milliseconds); leap seconds (`:60`) are refused, for the same
 * reason. `t`/`z` in lower case are accepted, as RFC 3339 allows; a space for `T` is not.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The instant an RFC 3339 date-time names, or a sentence saying why it names none. */
export function parseDateTime(text: string): Date | string {
  const match = RFC3339.exec(text);
  if (!match) return 'expected an RFC 3339 date-time with an offset, e.g. 2024-03-15T09:30:00Z or 2024-03-15T17:30:00+08:00';
  const [, y, mo, d, h, mi, s, fraction = '', z, sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) return `there is no month ${mo}`;
  if (day < 1 || day > daysInMonth(year, month)) {
    return day < 1 ? `there is no day ${d}` : `${MONTH_NAMES[month - 1]} ${year} has ${daysInMonth(year, month)} days`;
  }
  if (hour > 23) return `there is no hour ${h}`;
  if (minute > 59) return `there is no minute ${mi}`;
  if (second > 59) return second === 60 ? 'leap seconds cannot be represented' : `there is no second ${s}`;
  let offsetMinutes = 0;
  if (z === undefined) {
    const offsetHours = Number(oh);
    const offsetMins = Number(om);
    if (offsetHours > 23 || offsetMins > 59) return `the offset ${sign}${oh}:${om} does not exist`;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC: it reads years 0–99 as 1900–1999
  date.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')));
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

/**
 * A refused DateTime variable. Variables are coerced before execution, and the executor wraps what `parseValue` throws
 * as `Variable "$x" got invalid value … at "x.path"; <message>`: a GraphQLError keeps that wrapper and its extensions
 * (INVALID_INPUT with issues, as an InvalidInputError would carry), where any other error would be masked as
 * "Unexpected error." by yoga. Nothing has run when it is raised.
 */
function refusedVariable(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.InvalidInput, issues: [{ path: [], message }] } });
}

function describeRefusal(text: string): string | Date {
  const parsed = parseDateTime(text);
  return typeof parsed === 'string' ? `not a valid DateTime: ${JSON.stringify(text.slice(0, 64))}: ${parsed}` : parsed;
}

builder.scalarType('DateTime', {
  description:
    'An instant, as an RFC 3339 date-time with a required offset (e.g. 2024-03-15T09:30:00.000Z or 2024-03-15T17:30:00+08:00). ' +
    'Dates that do not exist (2026-02-30) and times without an offset are refused. Always returned in UTC with milliseconds.',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    if (typeof value !== 'string') throw refusedVariable(`DateTime must be a string, got ${value === null ? 'null' : typeof value}`);
    const parsed = describeRefusal(value);
    if (typeof parsed === 'string') throw refusedVariable(parsed);
    return parsed;
  },
  // A literal is checked while the document is validated: graphql-js reports it as `Expected value of type "DateTime",
  // found …; <message>` with its location (GRAPHQL_VALIDATION_FAILED), so a plain error gives the best message.
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING) throw new InvalidInputError(`DateTime must be a string, got ${node.kind}`);
    const parsed = describeRefusal(node.value);
    if (typeof parsed === 'string') throw new InvalidInputError(parsed);
    return parsed;
  },
});
