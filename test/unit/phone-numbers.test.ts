import { describe, expect, it } from 'vitest';
import {
  type NumberEntry,
  NumberRejectionReason as R,
  PhoneNumberKind,
  checkPhoneNumber,
  prepareTaskNumbers,
} from '../../src/domain/phone-numbers.ts';

describe('checkPhoneNumber: accepted, in national form', () => {
  const cases: Array<[input: string, phone: string, kind: PhoneNumberKind]> = [
    // mobile, every second digit 3–9
    ['13812345678', '13812345678', PhoneNumberKind.Mobile],
    ['19912345678', '19912345678', PhoneNumberKind.Mobile],
    ['14512345678', '14512345678', PhoneNumberKind.Mobile],
    // separators
    [' 138 1234 5678 ', '13812345678', PhoneNumberKind.Mobile],
    ['138-1234-5678', '13812345678', PhoneNumberKind.Mobile],
    ['(138) 1234.5678', '13812345678', PhoneNumberKind.Mobile],
    ['138\t1234\u00a05678', '13812345678', PhoneNumberKind.Mobile],
    ['\ufeff138\u200b1234\u20135678', '13812345678', PhoneNumberKind.Mobile],
    // full-width digits and punctuation from a Chinese IME
    ['１３８－１２３４－５６７８', '13812345678', PhoneNumberKind.Mobile],
    ['（０１０）８８８８８８８８', '01088888888', PhoneNumberKind.FixedLine],
    // country prefix on mobile numbers
    ['+8613812345678', '13812345678', PhoneNumberKind.Mobile],
    ['+86 138 1234 5678', '13812345678', PhoneNumberKind.Mobile],
    ['+86-138-1234-5678', '13812345678', PhoneNumberKind.Mobile],
    ['008613812345678', '13812345678', PhoneNumberKind.Mobile],
    ['0086 138 1234 5678', '13812345678', PhoneNumberKind.Mobile],
    ['8613812345678', '13812345678', PhoneNumberKind.Mobile],
    ['86 138 1234 5678', '13812345678', PhoneNumberKind.Mobile],
    // trunk 0 before a mobile number
    ['013812345678', '13812345678', PhoneNumberKind.Mobile],
    // fixed lines: two-digit area codes with 8 digits, three-digit area codes with 7 or 8
    ['01088888888', '01088888888', PhoneNumberKind.FixedLine],
    ['010-8888 8888', '01088888888', PhoneNumberKind.FixedLine],
    ['(021) 6123-4567', '02161234567', PhoneNumberKind.FixedLine],
    ['0755-86001234', '075586001234', PhoneNumberKind.FixedLine],
    ['0571-8765432', '05718765432', PhoneNumberKind.FixedLine],
    ['0991 1234567', '09911234567', PhoneNumberKind.FixedLine],
    // fixed lines in international form: the trunk 0 comes back
    ['+86 10 8888 8888', '01088888888', PhoneNumberKind.FixedLine],
    ['+86 755 8600 1234', '075586001234', PhoneNumberKind.FixedLine],
    ['0086 21 6123 4567', '02161234567', PhoneNumberKind.FixedLine],
    ['+86 (0)10 8888 8888', '01088888888', PhoneNumberKind.FixedLine],
  ];
  it.each(cases)('%j → %s', (input, phone, kind) => {
    expect(checkPhoneNumber(input)).toEqual({ ok: true, phone, kind });
  });
});

describe('checkPhoneNumber: rejected with a stable reason', () => {
  const cases: Array<[input: string, reason: R]> = [
    ['', R.Empty],
    ['   ', R.Empty],
    ['\u3000', R.Empty],
    ['abc', R.NotANumber],
    ['138-1234-567x', R.NotANumber],
    ['1381234567#', R.NotANumber],
    ['13812345678,13912345678', R.NotANumber],
    ['010-88888888转123', R.NotANumber],
    ['010-88888888 ext 123', R.NotANumber],
    ['138+12345678', R.NotANumber],
    ['+', R.NotANumber],
    ['---', R.NotANumber],
    ['1.5e10', R.NotANumber],
    // too short: truncated mobile, extensions, short codes
    ['1381234567', R.TooShort],
    ['138', R.TooShort],
    ['8001', R.TooShort],
    ['100001', R.TooShort],
    ['1001', R.TooShort],
    ['+86', R.TooShort],
    ['+86 138 1234 567', R.TooShort],
    ['0108888888', R.TooShort],
    ['075512345', R.TooShort],
    ['010', R.TooShort],
    // too long
    ['138123456789', R.TooLong],
    ['010888888889', R.TooLong],
    ['0755860012345', R.TooLong],
    ['010-88888888-123', R.TooLong],
    ['1'.repeat(65), R.TooLong],
    // prefixes no Chinese customer number has
    ['12012345678', R.InvalidPrefix],
    ['10012345678', R.InvalidPrefix],
    ['11012345678', R.InvalidPrefix],
    ['+1 415 555 0100', R.InvalidPrefix],
    ['+852 9123 4567', R.InvalidPrefix],
    ['001 415 555 0100', R.InvalidPrefix],
    ['01112345678', R.InvalidPrefix],
    ['23812345678', R.InvalidPrefix],
    ['861381234567', R.InvalidPrefix],
    // a local number without its area code
    ['88888888', R.MissingAreaCode],
    ['8765432', R.MissingAreaCode],
    // service, hotline and emergency numbers
    ['110', R.ServiceNumber],
    ['120', R.ServiceNumber],
    ['119', R.ServiceNumber],
    ['10086', R.ServiceNumber],
    ['12315', R.ServiceNumber],
    ['95588', R.ServiceNumber],
    ['95 588', R.ServiceNumber],
    ['9510 5888', R.ServiceNumber],
    ['96777', R.ServiceNumber],
    ['400-123-4567', R.ServiceNumber],
    ['800 810 8888', R.ServiceNumber],
    ['+86 400 123 4567', R.ServiceNumber],
    ['+86 95588', R.ServiceNumber],
  ];
  it.each(cases)('%j → %s', (input, reason) => {
    const check = checkPhoneNumber(input);
    // A refusal always says why, in words.
    expect(check).toEqual({ ok: false, reason, message: expect.stringMatching(/\S/) });
  });

  it('is not fooled by a value that is not text at run time', () => {
    expect(checkPhoneNumber(13812345678 as unknown as string)).toMatchObject({ ok: false, reason: R.NotANumber });
  });
});

describe('prepareTaskNumbers', () => {
  const sum = (prepared: ReturnType<typeof prepareTaskNumbers>) => prepared.accepted.length + prepared.rejected.length;

  it('keeps every entry once, with its index in the caller list, in order', () => {
    const entries: NumberEntry[] = [
      { phone: '138 1234 5678', userId: 'u1', memberId: 'm1', maturity: 'A', customerId: 'c1' },
      { phone: 'nope' },
      { phone: '+86 139-0000-0000', dialAfter: new Date('2024-03-16T01:00:00Z') },
      { phone: '' },
      { phone: '010 8888 8888' },
    ];
    const prepared = prepareTaskNumbers(entries);
    expect(sum(prepared)).toBe(entries.length);
    expect(prepared.accepted.map((a) => a.index)).toEqual([0, 2, 4]);
    expect(prepared.rejected.map((r) => [r.index, r.reason])).toEqual([
      [1, R.NotANumber],
      [3, R.Empty],
    ]);
    expect(prepared.accepted[0]).toEqual({
      index: 0,
      input: '138 1234 5678',
      entry: { phone: '13812345678', userId: 'u1', memberId: 'm1', maturity: 'A', customerId: 'c1' },
      kind: PhoneNumberKind.Mobile,
    });
    expect(prepared.accepted[1]?.entry).toEqual({ phone: '13900000000', dialAfter: new Date('2024-03-16T01:00:00Z') });
    expect(prepared.accepted[2]?.kind).toBe(PhoneNumberKind.FixedLine);
    expect(prepared.rejected[0]).toMatchObject({ index: 1, input: 'nope' });
  });

  it('does not change the caller entries', () => {
    const entries = [{ phone: ' 138-1234-5678 ' }];
    prepareTaskNumbers(entries);
    expect(entries).toEqual([{ phone: ' 138-1234-5678 ' }]);
  });

  it('reports duplicates after normalisation against the later entries, pointing at the first', () => {
    const entries: NumberEntry[] = [
      { phone: '13812345678' },
      { phone: '010-88888888' },
      { phone: '+86 138 1234 5678' },
      { phone: '(010) 8888 8888' },
      { phone: '8613812345678' },
      { phone: '13900000000' },
    ];
    const prepared = prepareTaskNumbers(entries);
    expect(sum(prepared)).toBe(entries.length);
    expect(prepared.accepted.map((a) => a.index)).toEqual([0, 1, 5]);
    expect(prepared.rejected).toEqual([
      expect.objectContaining({ index: 2, input: '+86 138 1234 5678', reason: R.DuplicateInRequest, duplicateOf: 0 }),
      expect.objectContaining({ index: 3, reason: R.DuplicateInRequest, duplicateOf: 1 }),
      expect.objectContaining({ index: 4, reason: R.DuplicateInRequest, duplicateOf: 0 }),
    ]);
    expect(prepared.rejected[0]?.message).toContain('13812345678');
  });

  it('lets a later valid entry keep a number whose first entry was rejected for another reason', () => {
    const prepared = prepareTaskNumbers([
      { phone: '13812345678', dialAfter: new Date(Number.NaN) },
      { phone: '138 1234 5678' },
      { phone: '13812345678' },
    ]);
    expect(prepared.rejected).toEqual([
      expect.objectContaining({ index: 0, reason: R.InvalidDialTime }),
      expect.objectContaining({ index: 2, reason: R.DuplicateInRequest, duplicateOf: 1 }),
    ]);
    expect(prepared.accepted.map((a) => a.index)).toEqual([1]);
  });

  it('refuses a dial time the platform cannot take (not a date, before 1970) and keeps a past one', () => {
    const prepared = prepareTaskNumbers([
      { phone: '13800000001', dialAfter: new Date('nonsense') },
      { phone: '13800000002', dialAfter: new Date(-1000) },
      { phone: '13800000003', dialAfter: '2024-01-01' as unknown as Date },
      { phone: '13800000004', dialAfter: new Date(0) },
      { phone: '13800000005', dialAfter: new Date('2020-01-01T00:00:00Z') },
    ]);
    expect(prepared.rejected.map((r) => [r.index, r.reason])).toEqual([
      [0, R.InvalidDialTime],
      [1, R.InvalidDialTime],
      [2, R.InvalidDialTime],
    ]);
    expect(prepared.accepted.map((a) => a.index)).toEqual([3, 4]);
  });

  it('handles an empty list and a large one', () => {
    expect(prepareTaskNumbers([])).toEqual({ accepted: [], rejected: [] });
    const entries = Array.from({ length: 50_000 }, (_, i) => ({ phone: String(13_800_000_000 + (i % 40_000)) }));
    const prepared = prepareTaskNumbers(entries);
    expect(prepared.accepted).toHaveLength(40_000);
    expect(prepared.rejected).toHaveLength(10_000);
    expect(prepared.rejected[0]).toMatchObject({ index: 40_000, duplicateOf: 0 });
  });
});
