import { illegal } from './envelope.ts';

export type FormFields = Readonly<Record<string, string>>;

const INTEGER = /^[+-]?\d+$/;

/**
 * Reads a SIP form. Values are trimmed; an empty value counts as absent (PHP forms send '' for "not set"). Every
 * bad or missing required parameter throws ret 400.
 */
export class Params {
  constructor(readonly raw: FormFields) {}

  /** Trimmed value, '' when absent. */
  text(name: string): string {
    return (this.raw[name] ?? '').trim();
  }

  has(name: string): boolean {
    return this.text(name) !== '';
  }

  required(name: string): string {
    const value = this.text(name);
    if (!value) throw illegal(`${name} is required`);
    return value;
  }

  /** An integer in [min, max]; absent → `fallback`, or ret 400 when there is none. */
  int(name: string, options: { min?: number; max?: number; fallback?: number } = {}): number {
    const value = this.text(name);
    if (!value) {
      if (options.fallback === undefined) throw illegal(`${name} is required`);
      return options.fallback;
    }
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    const parsed = INTEGER.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      const range =
        options.max === undefined ? (options.min === undefined ? '' : ` ≥ ${min}`) : ` from ${min} to ${max}`;
      throw illegal(`${name} must be an integer${range}`);
    }
    return parsed;
  }

  /** One of the listed values (an enum's members); absent → `fallback`, or ret 400. */
  choice<T extends number>(name: string, allowed: readonly T[], fallback?: T): T {
    const value = this.text(name);
    if (!value) {
      if (fallback === undefined) throw illegal(`${name} is required`);
      return fallback;
    }
    const found = allowed.find((candidate) => String(candidate) === value);
    if (found === undefined) throw illegal(`${name} must be one of ${allowed.join(', ')}`);
    return found;
  }

  /** A comma-separated list, trimmed, empties and repeats dropped, in order of first appearance. */
  list(name: string): string[] {
    const seen = new Set<string>();
    for (const item of this.text(name).split(',')) {
      const trimmed = item.trim();
      if (trimmed) seen.add(trimmed);
    }
    return [...seen];
  }
}

/** The values of a numeric TS enum (without the reverse-mapping names). */
export function enumValues<E extends number>(table: Record<string, string | number>): E[] {
  return Object.values(table).filter((value): value is E => typeof value === 'number');
}
