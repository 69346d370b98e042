import { setImmediate as nextTurn } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { TaskNumber } from '../upstream/sip/types.ts';

/**
 * The one rule set for the numbers a Chinese call centre dials (predictive tasks; reuse it for any other field that
 * takes a customer's number). Pure: no I/O, no clock.
 *
 * Normalisation, in order:
 *  1. Unicode NFKC, so full-width digits and punctuation typed with a Chinese IME ("１３８", "（０１０）") become ASCII;
 *     then trim.
 *  2. Separators are dropped: whitespace, `-` (and the other Unicode dashes and minus), `(`, `)`, `.`, zero-width
 *     characters. Anything else that is not a digit (letters, `#`, `*`, `,`, `;`, `转`/`ext` before an extension…)
 *     makes it NOT_A_NUMBER. A `+` is allowed only first.
 *  3. Country prefix: `+86` or `0086` before a national number is dropped (mobile, or fixed line written without its
 *     trunk 0: `+86 10 8888 8888` → `01088888888`). A bare `86` is dropped only before an 11-digit mobile number
 *     (`8613812345678`), where it cannot be anything else. Any other `+` / `00` international prefix is
 *     INVALID_PREFIX: only Chinese numbers are dialled.
 *  4. A trunk `0` written before a mobile number (`013812345678`, the old way to dial another city's mobile from a
 *     landline) is dropped: `013`…`019` are not area codes, so this is unambiguous.
 *
 * Valid numbers (the national form is what is sent to the platform):
 *  - MOBILE: 11 digits, `1[3-9]` + 9 digits.
 *  - FIXED_LINE: trunk 0 + area code + local number. Two-digit area codes (10 Beijing, 20–29) carry 8-digit local
 *    numbers (11 digits in all); three-digit area codes (3xx–9xx) carry 7- or 8-digit local numbers (11–12 digits).
 *    So 10 digits starting with 0 is TOO_SHORT: no Chinese geographic number is that short.
 *
 * Refused on purpose:
 *  - SERVICE_NUMBER: 400/800 hotlines (10 digits), 95xxx/96xxx enterprise numbers (5–8 digits), 10xxx/12xxx carrier
 *    and government hotlines (5 digits) and 11x/12x emergency numbers (3 digits). A predictive dialer connects an
 *    agent when the far end answers: these answer with an IVR or a queue (or are emergency services), 400/800 numbers
 *    are inbound-only and 800 is not reachable from many lines. None of them is a customer to call in a campaign.
 *  - MISSING_AREA_CODE: a 7–8 digit local number without its area code (the platform cannot guess the city).
 *  - Extensions (the PBX's own 3–6 digit agent numbers such as 100001) and anything else shorter than a valid number:
 *    TOO_SHORT. An extension written after a number (`010-12345678-123`) is TOO_LONG.
 */
export enum NumberRejectionReason {
  /** Blank. */
  Empty = 'EMPTY',
  /** Characters other than digits and separators, or a `+` that is not first. */
  NotANumber = 'NOT_A_NUMBER',
  /** Fewer digits than a valid number of its kind; also extensions and short codes. */
  TooShort = 'TOO_SHORT',
  /** More digits than a valid number of its kind; also a number with an extension appended. */
  TooLong = 'TOO_LONG',
  /** Starts in a way no Chinese customer number does (foreign country code, 01x area code, 10x/11x/12x mobile…). */
  InvalidPrefix = 'INVALID_PREFIX',
  /** A local fixed-line number without its area code. */
  MissingAreaCode = 'MISSING_AREA_CODE',
  /** A service, hotline or emergency number: never dialled by a campaign. */
  ServiceNumber = 'SERVICE_NUMBER',
  /** `dialAfter` is not a valid instant on or after 1970-01-01 (the platform takes unix seconds). */
  InvalidDialTime = 'INVALID_DIAL_TIME',
  /** The same number (after normalisation) appears earlier in the same request; `duplicateOf` is that entry. */
  DuplicateInRequest = 'DUPLICATE_IN_REQUEST',
  /** Sent, and the platform listed it as invalid data; `platformDetail` is what the platform answered. */
  RefusedByPlatform = 'REFUSED_BY_PLATFORM',
  /** Valid, but not (or not provably) delivered because a call to the platform failed; `error` says which. */
  NotSent = 'NOT_SENT',
}

export enum PhoneNumberKind {
  Mobile = 'MOBILE',
  FixedLine = 'FIXED_LINE',
}

/** One number as the caller gives it: the platform's per-number fields in plain names. */
export type NumberEntry = TaskNumber;

export type PhoneCheck =
  | { ok: true; phone: string; kind: PhoneNumberKind }
  | { ok: false; reason: NumberRejectionReason; message: string };

export interface AcceptedNumber {
  /** Position in the caller's list. */
  index: number;
  /** The phone exactly as the caller wrote it. */
  input: string;
  /** The caller's entry with `phone` in national form. */
  entry: NumberEntry;
  kind: PhoneNumberKind;
}

/** Why an error stopped the upload, in the terms GraphQL errors use (`extensions.code`, upstream code). */
export interface NumberSendError {
  /** The gateway's ErrorCode (`UPSTREAM_UNAVAILABLE`, `UPSTREAM_REJECTED`, …), or `INTERNAL`. */
  code: string;
  message: string;
  /** The platform's own code (`ret` or `errors.code`) when it gave one. */
  upstreamCode?: string;
}

export interface RejectedNumber {
  /** Position in the caller's list. */
  index: number;
  /** The phone exactly as the caller wrote it. */
  input: string;
  reason: NumberRejectionReason;
  /** For people; switch on `reason`. */
  message: string;
  /** DUPLICATE_IN_REQUEST: the index of the first entry with the same number (the one that is kept). */
  duplicateOf?: number;
  /** REFUSED_BY_PLATFORM: the platform's `invaliddata` entry, as it came. */
  platformDetail?: unknown;
  /** NOT_SENT: the error that stopped the upload. */
  error?: NumberSendError;
  /**
   * NOT_SENT only: true for the numbers of the call that failed when the failure does not prove the platform did
   * nothing (a timeout, a dropped connection, an unreadable answer): they may be on the task after all.
   */
  uncertain?: boolean;
}

export interface PreparedTaskNumbers {
  /** In the caller's order. */
  accepted: AcceptedNumber[];
  /** In the caller's order. accepted.length + rejected.length is always the input length. */
  rejected: RejectedNumber[];
}

// ---- one number -------------------------------------------------------------------------------------------------

/** Longest input looked at: anything longer is TOO_LONG without further work. */
const MAX_INPUT_CHARS = 64;
/** Whitespace, dashes and minus signs, parentheses, dots, zero-width characters and BOM. */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212().\u200b-\u200d\u2060\ufeff]/g;

const MOBILE = /^1[3-9]\d{9}$/;
const TWO_DIGIT_AREA = /^0(?:10|2\d)/;
const THREE_DIGIT_AREA = /^0[3-9]\d\d/;
const SERVICE_400_800 = /^[48]00\d{7}$/;
const SERVICE_95_96 = /^9[56]\d{3,6}$/;
const SERVICE_1XXXX = /^1[0-2]\d{3}$/;
const EMERGENCY = /^1[12]\d$/;

const reject = (reason: NumberRejectionReason, message: string): PhoneCheck => ({ ok: false, reason, message });
const digits = (n: number) => `${n} digit${n === 1 ? '' : 's'}`;

/** Normalises one number to its national form, or says why it cannot be dialled. */
export function checkPhoneNumber(input: string): PhoneCheck {
  if (typeof input !== 'string') return reject(NumberRejectionReason.NotANumber, 'the phone must be text');
  // The common case, a bare 11-digit mobile number, is already in national form: no normalisation to do.
  if (input.length === 11 && MOBILE.test(input)) return { ok: true, phone: input, kind: PhoneNumberKind.Mobile };
  const trimmed = input.normalize('NFKC').trim();
  if (trimmed === '') return reject(NumberRejectionReason.Empty, 'the phone is empty');
  if (trimmed.length > MAX_INPUT_CHARS) {
    return reject(NumberRejectionReason.TooLong, `too long: ${trimmed.length} characters`);
  }
  const compact = trimmed.replace(SEPARATORS, '');
  if (!/^\+?\d+$/.test(compact)) {
    return reject(
      NumberRejectionReason.NotANumber,
      compact.includes('+', 1) || compact === '+'
        ? 'not a phone number: "+" may only start an international number'
        : 'not a phone number: only digits, spaces, "-", "(", ")", "." and a leading "+86" are allowed',
    );
  }

  // International form: +86 / 0086 is dropped; every other country is refused.
  const international = compact.startsWith('+') ? compact.slice(1) : compact.startsWith('00') ? compact.slice(2) : null;
  if (international !== null) {
    if (!international.startsWith('86')) {
      return reject(NumberRejectionReason.InvalidPrefix, 'only Chinese numbers (+86) can be dialled');
    }
    const national = international.slice(2);
    if (national === '') return reject(NumberRejectionReason.TooShort, 'only a country code');
    return checkNational(withTrunkZero(national));
  }
  // A bare 86 only where nothing else fits: before an 11-digit mobile number.
  if (compact.length === 13 && compact.startsWith('86') && MOBILE.test(compact.slice(2))) {
    return checkNational(compact.slice(2));
  }
  return checkNational(compact);
}

/**
 * After the country code a fixed line drops its trunk 0 (`+86 10 8888 8888`, `+86 755 …`); put it back. Written with
 * it anyway (`+86 010 …`) is tolerated. Mobile and service numbers have no trunk 0 to restore.
 */
function withTrunkZero(national: string): string {
  if (national.startsWith('0')) return national;
  if (/^10\d{8}$/.test(national)) return `0${national}`; // Beijing
  if (national.startsWith('1') || SERVICE_400_800.test(national) || SERVICE_95_96.test(national)) return national;
  return `0${national}`;
}

/** Digits only, no country code. */
function checkNational(number: string): PhoneCheck {
  const n = number.length;
  const first = number[0];

  if (first === '1') {
    if (EMERGENCY.test(number)) {
      return reject(NumberRejectionReason.ServiceNumber, 'an emergency or public service number is never dialled');
    }
    if (SERVICE_1XXXX.test(number)) {
      return reject(NumberRejectionReason.ServiceNumber, 'a carrier or government hotline is never dialled');
    }
    if (n < 11) {
      return reject(
        NumberRejectionReason.TooShort,
        /^1[3-9]/.test(number)
          ? `too short for a mobile number: ${digits(n)}, a mobile number has 11`
          : `too short: ${digits(n)} (extensions and short codes are not customer numbers)`,
      );
    }
    if (n > 11) return reject(NumberRejectionReason.TooLong, `too long for a mobile number: ${digits(n)}, it has 11`);
    if (!MOBILE.test(number)) {
      return reject(NumberRejectionReason.InvalidPrefix, `no mobile number starts with ${number.slice(0, 2)}`);
    }
    return { ok: true, phone: number, kind: PhoneNumberKind.Mobile };
  }

  if (first === '0') {
    // A trunk 0 before a mobile number.
    if (n === 12 && MOBILE.test(number.slice(1))) {
      return { ok: true, phone: number.slice(1), kind: PhoneNumberKind.Mobile };
    }
    const [min, max] = TWO_DIGIT_AREA.test(number) ? [11, 11] : THREE_DIGIT_AREA.test(number) ? [11, 12] : [0, 0];
    if (max === 0) {
      if (n < 4) return reject(NumberRejectionReason.TooShort, `too short: ${digits(n)}`);
      return reject(
        NumberRejectionReason.InvalidPrefix,
        number.startsWith('00')
          ? 'an international prefix other than 0086'
          : `no area code starts with ${number.slice(0, 3)}`,
      );
    }
    if (n < min) {
      return reject(
        NumberRejectionReason.TooShort,
        `too short for a fixed line: ${digits(n)}, at least ${min} with the area code`,
      );
    }
    if (n > max) {
      return reject(
        NumberRejectionReason.TooLong,
        `too long for a fixed line: ${digits(n)}, at most ${max} with the area code (extensions cannot be dialled)`,
      );
    }
    return { ok: true, phone: number, kind: PhoneNumberKind.FixedLine };
  }

  // 2–9: service numbers, or a local number missing its area code.
  if (SERVICE_400_800.test(number)) {
    return reject(
      NumberRejectionReason.ServiceNumber,
      `a ${number.slice(0, 3)} hotline is inbound only, never dialled`,
    );
  }
  if (SERVICE_95_96.test(number)) {
    return reject(NumberRejectionReason.ServiceNumber, 'a 95/96 service number is never dialled');
  }
  if (n === 7 || n === 8) {
    return reject(NumberRejectionReason.MissingAreaCode, 'a local number needs its area code (e.g. 010, 021, 0755)');
  }
  if (n < 7) {
    return reject(
      NumberRejectionReason.TooShort,
      `too short: ${digits(n)} (extensions and short codes are not customer numbers)`,
    );
  }
  return reject(NumberRejectionReason.InvalidPrefix, 'a customer number starts with 1 (mobile), 0 (area code) or +86');
}

/** `dialAfter` becomes the platform's unix-seconds `time`: it must be a real instant, not before 1970. */
function checkDialAfter(dialAfter: unknown): string | null {
  if (dialAfter === undefined) return null;
  if (!(dialAfter instanceof Date) || !Number.isFinite(dialAfter.getTime())) return 'dialAfter is not a valid time';
  if (dialAfter.getTime() < 0) return 'dialAfter is before 1970';
  return null;
}

// ---- a request's list -------------------------------------------------------------------------------------------

/** Work done between two yields to the event loop by the sliced functions below. */
export const SLICE_MS = 8;
/** Items done between two looks at the clock. */
const ITEMS_PER_CLOCK_CHECK = 256;

/**
 * Calls `visit` for every item in order, synchronously in slices of about `sliceMs`, yielding to the event loop
 * (setImmediate, so I/O and timers run) between slices: a 300 000-entry list never holds the loop for long. A list
 * done within one slice never yields.
 */
export async function forEachInSlices<T>(
  items: readonly T[],
  visit: (item: T, index: number) => void,
  sliceMs = SLICE_MS,
): Promise<void> {
  let index = 0;
  while (index < items.length) {
    const deadline = performance.now() + sliceMs;
    do {
      const end = Math.min(items.length, index + ITEMS_PER_CLOCK_CHECK);
      for (; index < end; index++) visit(items[index] as T, index);
    } while (index < items.length && performance.now() < deadline);
    if (index < items.length) await nextTurn();
  }
}

/**
 * The state of one request's list being checked entry by entry (prepareTaskNumbers and its sliced form): every entry
 * lands in exactly one of the two lists, with its index. A number seen before (after normalisation) is
 * DUPLICATE_IN_REQUEST pointing at the first accepted entry with that number; an entry rejected for another reason
 * does not claim its number.
 */
export function createNumberPreparer(): { add(entry: NumberEntry, index: number): void; result(): PreparedTaskNumbers } {
  const accepted: AcceptedNumber[] = [];
  const rejected: RejectedNumber[] = [];
  const firstIndexOf = new Map<string, number>();
  return {
    add(entry, index) {
      const input = typeof entry?.phone === 'string' ? entry.phone : String(entry?.phone ?? '');
      // A bare 11-digit mobile number (most entries of a campaign list) is already in national form: checked here
      // without building a PhoneCheck, so 100 000 entries make 100 000 fewer objects.
      const bareMobile = input.length === 11 && MOBILE.test(input);
      const check = bareMobile ? null : checkPhoneNumber(input);
      if (check && !check.ok) {
        rejected.push({ index, input, reason: check.reason, message: check.message });
        return;
      }
      const phone = check ? check.phone : input;
      const kind = check ? check.kind : PhoneNumberKind.Mobile;
      const badTime = checkDialAfter(entry.dialAfter);
      if (badTime) {
        rejected.push({ index, input, reason: NumberRejectionReason.InvalidDialTime, message: badTime });
        return;
      }
      const first = firstIndexOf.get(phone);
      if (first !== undefined) {
        rejected.push({
          index,
          input,
          reason: NumberRejectionReason.DuplicateInRequest,
          message: `${phone} is already entry ${first}`,
          duplicateOf: first,
        });
        return;
      }
      firstIndexOf.set(phone, index);
      accepted.push({ index, input, entry: phone === entry.phone ? entry : { ...entry, phone }, kind });
    },
    result: () => ({ accepted, rejected }),
  };
}

/**
 * Checks and normalises a list of numbers for a predictive task. Every entry lands in exactly one of the two lists,
 * with its index in `entries` (see createNumberPreparer). A server checks long lists entry by entry in slices
 * (forEachInSlices + createNumberPreparer, as schema/task-numbers.ts does).
 */
export function prepareTaskNumbers(entries: readonly NumberEntry[]): PreparedTaskNumbers {
  const preparer = createNumberPreparer();
  entries.forEach((entry, index) => preparer.add(entry, index));
  return preparer.result();
}
