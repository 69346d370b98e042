import type { Rng } from '../rng.ts';

/** Small draws shared by the demo seed's parts. */

export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

export function mobileNumber(rng: Rng): string {
  return `1${rng.pick(['3', '5', '7', '8', '9'])}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`;
}

export function password(rng: Rng): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 10 }, () => alphabet[rng.int(0, alphabet.length - 1)]).join('');
}

/** The agent's employee id: the same in every queue. */
export function crmidOf(extnumber: string): string {
  return String(1000 + Number(extnumber.slice(-4)));
}
