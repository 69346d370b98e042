import { describe, expect, it } from 'vitest';
import { compareExtensions } from '../../src/schema/agent.ts';

/** The fast path for plain numbers must give exactly the collator's order (numeric, then text for ties). */
const collator = new Intl.Collator('en', { numeric: true });
const reference = (a: string, b: string) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

describe('compareExtensions', () => {
  it('orders like the numeric collator, leading zeros and non-digits included', () => {
    const samples = ['9', '10', '010', '0', '00', '7000', '7001', '700', '69999', '1000000000', '999999999', 'a1', '1a', '', '12', '012', '٣'];
    // Deterministic pseudo-random digit strings on top (bounded).
    let seed = 7;
    for (let i = 0; i < 300; i += 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const length = 1 + (seed % 6);
      samples.push(String(seed).padStart(length, '0').slice(0, length));
    }
    const mismatches: string[] = [];
    for (const a of samples) {
      for (const b of samples) if (Math.sign(compareExtensions(a, b)) !== Math.sign(reference(a, b))) mismatches.push(`${a} vs ${b}`);
    }
    expect(mismatches).toEqual([]);
  });
});
