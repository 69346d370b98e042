import { GraphQLError, GraphQLScalarType, parseValue as parseGraphQLValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { schema } from '../../src/schema.ts';
import { parseDateTime } from '../../src/schema/scalars.ts';

const scalar = schema.getType('DateTime');
if (!(scalar instanceof GraphQLScalarType)) throw new Error('no DateTime scalar');
const DateTime = scalar;

const instant = (text: string) => {
  const parsed = parseDateTime(text);
  if (typeof parsed === 'string') throw new Error(`refused ${text}: ${parsed}`);
  return parsed.toISOString();
};
const reason = (text: string) => {
  const parsed = parseDateTime(text);
  if (typeof parsed !== 'string') throw new Error(`accepted ${text} as ${parsed.toISOString()}`);
  return parsed;
};

describe('DateTime (strict RFC 3339)', () => {
  it('reads instants with Z or an offset, fractions of any length, lower-case t and z', () => {
    expect(instant('2024-03-15T09:30:00Z')).toBe('2024-03-15T09:30:00.000Z');
    expect(instant('2024-03-15T17:30:00+08:00')).toBe('2024-03-15T09:30:00.000Z');
    expect(instant('2024-03-15T04:00:00-05:30')).toBe('2024-03-15T09:30:00.000Z');
    expect(instant('2024-03-15T09:30:00.5Z')).toBe('2024-03-15T09:30:00.500Z');
    expect(instant('2024-03-15T09:30:00.123456789+00:00')).toBe('2024-03-15T09:30:00.123Z');
    expect(instant('2024-03-15t09:30:00z')).toBe('2024-03-15T09:30:00.000Z');
    expect(instant('2024-01-01T00:30:00+08:00')).toBe('2023-12-31T16:30:00.000Z');
    expect(instant('0050-06-01T00:00:00Z')).toBe('0050-06-01T00:00:00.000Z');
  });

  it('knows leap years: 2028-02-29 and 2000-02-29 exist, 2026-02-29 and 2100-02-29 do not', () => {
    expect(instant('2028-02-29T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(instant('2000-02-29T12:00:00+08:00')).toBe('2000-02-29T04:00:00.000Z');
    expect(reason('2026-02-29T00:00:00Z')).toBe('February 2026 has 28 days');
    expect(reason('2100-02-29T00:00:00Z')).toBe('February 2100 has 28 days');
  });

  it('refuses dates and times that do not exist instead of rolling them over', () => {
    expect(reason('2026-02-30T00:00:00Z')).toBe('February 2026 has 28 days');
    expect(reason('2026-04-31T00:00:00Z')).toBe('April 2026 has 30 days');
    expect(reason('2026-13-01T00:00:00Z')).toBe('there is no month 13');
    expect(reason('2026-00-10T00:00:00Z')).toBe('there is no month 00');
    expect(reason('2026-01-00T00:00:00Z')).toBe('there is no day 00');
    expect(reason('2026-01-01T24:00:00Z')).toBe('there is no hour 24');
    expect(reason('2026-01-01T23:60:00Z')).toBe('there is no minute 60');
    expect(reason('2026-12-31T23:59:60Z')).toBe('leap seconds cannot be represented');
    expect(reason('2026-01-01T00:00:00+24:00')).toBe('the offset +24:00 does not exist');
  });

  it('requires the offset and the full RFC 3339 form', () => {
    for (const text of [
      '2026-11-01T00:00:00', // no offset: would be read in the server's zone
      '2026-11-01',
      '2026-11-01 00:00:00Z',
      '2026-11-01T00:00Z',
      '2026-11-01T00:00:00+0800',
      '2026-11-01T00:00:00+08',
      '20261101T000000Z',
      '+002026-11-01T00:00:00Z',
      ' 2026-11-01T00:00:00Z',
      '1700000000',
    ]) {
      expect(reason(text), text).toMatch(/^expected an RFC 3339 date-time with an offset/);
    }
  });

  it('as a GraphQL scalar: variables refused with INVALID_INPUT, literals with InvalidInputError, the value named; output as today', () => {
    // A variable: a GraphQLError, so the executor's `Variable "$x" … at "x.path"` wrapper keeps its code (not masked).
    expect(() => DateTime.parseValue('2026-02-30T00:00:00Z')).toThrow(GraphQLError);
    try {
      DateTime.parseValue('2026-11-01T00:00:00');
      expect.unreachable();
    } catch (error) {
      expect((error as GraphQLError).extensions).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: [], message: expect.stringContaining('with an offset') }] });
    }
    expect(() => DateTime.parseValue('2026-02-30T00:00:00Z')).toThrow('not a valid DateTime: "2026-02-30T00:00:00Z": February 2026 has 28 days');
    expect(() => DateTime.parseValue(1_700_000_000)).toThrow('DateTime must be a string, got number');
    expect(() => DateTime.parseLiteral(parseGraphQLValue('"2026-11-01T00:00:00"'), {})).toThrow(InvalidInputError);
    expect(() => DateTime.parseLiteral(parseGraphQLValue('1700000000'), {})).toThrow('DateTime must be a string, got IntValue');
    expect((DateTime.parseLiteral(parseGraphQLValue('"2028-02-29T08:00:00+08:00"'), {}) as Date).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(DateTime.serialize(new Date('2024-03-15T09:30:00Z'))).toBe('2024-03-15T09:30:00.000Z');
  });
});
