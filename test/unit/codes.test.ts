import { describe, expect, it } from 'vitest';
import { codeTables, decodeSipCode, SipCode, UNKNOWN } from '../../src/upstream/sip/codes.ts';

/** The values an enum object really holds (numeric TS enums also map value → name). */
function valuesOf(table: Record<string, string | number>): Array<string | number> {
  return Object.entries(table)
    .filter(([name, value]) => typeof value === 'number' || table[value] === undefined || !/^\d+$/.test(name))
    .map(([, value]) => value);
}

describe('code tables', () => {
  for (const [name, [table, decode]] of Object.entries(codeTables)) {
    it(`${name}: every value maps to itself, from a number or from text`, () => {
      const values = valuesOf(table);
      expect(values.length).toBeGreaterThan(0);
      for (const value of values) {
        expect(decode(value)).toEqual({ value, raw: String(value) });
        expect(decode(String(value)).value).toBe(value);
      }
    });

    it(`${name}: an unknown value is UNKNOWN and keeps the raw value`, () => {
      expect(decode('99999')).toEqual({ value: UNKNOWN, raw: '99999' });
      expect(decode('no-such-code')).toEqual({ value: UNKNOWN, raw: 'no-such-code' });
      expect(decode(null)).toEqual({ value: UNKNOWN, raw: '' });
    });
  }

  it('keeps the codes the manual shows but does not list as UNKNOWN with their raw value', () => {
    for (const seen of [10015, 10020, 1042]) expect(decodeSipCode(seen)).toEqual({ value: UNKNOWN, raw: String(seen) });
  });

  it('decodes the documented table, e.g. 1028 task over and 10041 callee hung up', () => {
    expect(decodeSipCode('1028').value).toBe(SipCode.TaskOver);
    expect(decodeSipCode(10041).value).toBe(SipCode.CalleeHungUp);
    expect(decodeSipCode(' 1211 ').value).toBe(SipCode.IllegalQueue);
  });
});
