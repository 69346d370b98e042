/**
 * Customer numbers on a wallboard are seen by everyone in the room, so the page never shows one whole (issue 16): an
 * 11-digit mobile keeps its first 3 and last 4 digits (138****5678: the carrier and enough to tell calls apart), a
 * longer number (a country prefix) the same, shorter ones only their tail. Separators are dropped; a leading `+` is
 * kept. Pure, so it is unit-tested (test/unit/wallboard-mask.test.ts).
 */
export function maskNumber(raw: string | null | undefined): string {
  if (raw == null) return '';
  const trimmed = raw.trim();
  const plus = trimmed.startsWith('+') ? '+' : '';
  const digits = trimmed.replace(/\D/g, '');
  const n = digits.length;
  if (n === 0) return '';
  if (n >= 11) return plus + digits.slice(0, 3) + '*'.repeat(n - 7) + digits.slice(-4);
  // Landlines and short codes: the first digits would be the area code, which says little; keep the tail only.
  const keep = n >= 7 ? 4 : n >= 5 ? 3 : Math.min(2, n - 1);
  return plus + '*'.repeat(n - keep) + digits.slice(n - keep);
}
