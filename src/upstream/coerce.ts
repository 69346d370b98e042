import { z } from 'zod';
import type { ZonedTime } from './time.ts';

/**
 * zod building blocks for the platforms' loose JSON: numbers sent as strings, `""` or null for absent values,
 * codes as either. Every result schema of both clients is built from these, so the rules live in one place.
 */

const isBlank = (value: unknown) => value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

const toNumber = (value: unknown) => (typeof value === 'string' ? Number(value.trim()) : value);

/** A string; numbers become their decimal text, absent becomes "". */
export const text = z.preprocess(
  (value) => (isBlank(value) ? '' : typeof value === 'number' ? String(value) : value),
  z.string(),
);

/** A string or null; numbers become their decimal text, blank becomes null. */
export const optionalText = z.preprocess(
  (value) => (isBlank(value) ? null : typeof value === 'number' ? String(value) : value),
  z.string().nullable(),
);

/** An integer, from a number or a numeric string. */
export const integer = z.preprocess(toNumber, z.number().int());

/** An integer or null when blank. */
export const optionalInteger = z.preprocess((value) => (isBlank(value) ? null : toNumber(value)), z.number().int().nullable());

/** An integer, 0 when blank (counters the platform leaves empty). */
export const count = z.preprocess((value) => (isBlank(value) ? 0 : toNumber(value)), z.number().int());

/** A number (not necessarily whole), 0 when blank. */
export const decimal = z.preprocess((value) => (isBlank(value) ? 0 : toNumber(value)), z.number());

/** A boolean from true/false, 1/0, "1"/"0", "true"/"false". */
export const flag = z.preprocess((value) => {
  if (typeof value === 'string') {
    const lowered = value.trim().toLowerCase();
    if (lowered === '1' || lowered === 'true') return true;
    if (lowered === '0' || lowered === 'false' || lowered === '') return false;
  }
  if (value === 1) return true;
  if (value === 0 || value === null || value === undefined) return false;
  return value;
}, z.boolean());

/** A code as the platform sends it (number or string), kept as text for the code decoders. */
export const code = z.union([z.string(), z.number()]).transform((value) => String(value).trim());

/** An optional code: blank becomes null. */
export const optionalCode = z.preprocess((value) => (isBlank(value) ? null : value), code.nullable());

/** Zero dates (MySQL's `0000-00-00 00:00:00`) mean "never" on these platforms. */
const ZERO_TIME = /^0{4}-0{2}-0{2}/;

/** `yyyy-mm-dd hh:mm:ss` on the platform's wall clock → Date (blank or zero → null). */
export function localTime(time: ZonedTime) {
  return z.preprocess(
    (value) => (isBlank(value) || (typeof value === 'string' && ZERO_TIME.test(value)) ? null : value),
    z
      .string()
      .nullable()
      .transform((value, ctx) => {
        if (value === null) return null;
        const parsed = time.parse(value);
        if (!parsed) {
          ctx.addIssue({ code: 'custom', message: `not a yyyy-mm-dd hh:mm:ss time: ${JSON.stringify(value)}` });
          return z.NEVER;
        }
        return parsed;
      }),
  );
}
