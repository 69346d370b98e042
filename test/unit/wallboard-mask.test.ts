import { describe, expect, it } from 'vitest';
import { maskNumber } from '../../src/wallboard/lib/mask.ts';

describe('wallboard maskNumber', () => {
  it('keeps the first 3 and last 4 digits of an 11-digit mobile', () => {
    expect(maskNumber('13812345678')).toBe('138****5678');
    expect(maskNumber('19900000001')).toBe('199****0001');
  });

  it('masks the middle of longer numbers the same way, keeping a leading +', () => {
    expect(maskNumber('8613812345678')).toBe('861******5678');
    expect(maskNumber('+8613812345678')).toBe('+861******5678');
  });

  it('drops separators before masking', () => {
    expect(maskNumber('138-1234-5678')).toBe('138****5678');
    expect(maskNumber(' 138 1234 5678 ')).toBe('138****5678');
  });

  it('keeps only the tail of shorter numbers: 4 digits of a landline, fewer of short codes', () => {
    expect(maskNumber('02112345678')).toBe('021****5678'); // 11 digits with an area code: like a mobile
    expect(maskNumber('1234567890')).toBe('******7890');
    expect(maskNumber('87654321')).toBe('****4321');
    expect(maskNumber('7654321')).toBe('***4321');
    expect(maskNumber('654321')).toBe('***321');
    expect(maskNumber('12345')).toBe('**345');
    expect(maskNumber('1001')).toBe('**01');
    expect(maskNumber('110')).toBe('*10');
    expect(maskNumber('12')).toBe('*2');
    expect(maskNumber('7')).toBe('*');
  });

  it('never shows a whole number', () => {
    for (let length = 1; length <= 16; length++) {
      const digits = '9'.repeat(length);
      expect(maskNumber(digits)).toContain('*');
      expect(maskNumber(digits)).toHaveLength(length);
    }
  });

  it('is empty for nothing', () => {
    expect(maskNumber(null)).toBe('');
    expect(maskNumber(undefined)).toBe('');
    expect(maskNumber('')).toBe('');
    expect(maskNumber('anonymous')).toBe('');
  });
});
