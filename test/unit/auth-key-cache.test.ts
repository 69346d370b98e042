import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, type KeyDigest } from '../../src/auth.ts';
import { loadConfig, Role } from '../../src/config.ts';

const KEYS = { viewer: 'viewer-key-0123456789', admin: 'admin-key-0123456789abc' };

/** An authenticator whose SHA-256 runs are counted: the mechanism that keeps the key check off the hot path. */
function countingAuthenticator() {
  const config = loadConfig({ GATEWAY_API_KEYS: `${KEYS.viewer}:viewer,${KEYS.admin}:admin`, LOG_LEVEL: 'silent' });
  const hashed: string[] = [];
  const hash: KeyDigest = (value) => {
    hashed.push(value);
    return createHash('sha256').update(value).digest();
  };
  const authenticate = createAuthenticator(config, hash);
  // The configured keys are hashed once, at start.
  expect(hashed).toEqual([KEYS.viewer, KEYS.admin]);
  hashed.length = 0;
  return { authenticate, hashed };
}

describe('the API-key check', () => {
  it('hashes a valid key once, however many requests show it', () => {
    const { authenticate, hashed } = countingAuthenticator();
    for (let i = 0; i < 100; i += 1) {
      expect(authenticate(`Bearer ${KEYS.viewer}`)).toMatchObject({ role: Role.Viewer });
      expect(authenticate(`Bearer ${KEYS.admin}`)).toMatchObject({ role: Role.Admin });
    }
    expect(hashed).toEqual([KEYS.viewer, KEYS.admin]);
    // The same principal each time, frozen, so one request cannot change what the next one gets.
    const principal = authenticate(`Bearer ${KEYS.viewer}`);
    expect(principal).toBe(authenticate(`Bearer ${KEYS.viewer}`));
    expect(Object.isFrozen(principal)).toBe(true);
  });

  it('remembers no wrong key: each one takes the whole constant-time comparison again', () => {
    const { authenticate, hashed } = countingAuthenticator();
    for (let i = 0; i < 10; i += 1) expect(authenticate('Bearer not-a-key-0123456789')).toBeNull();
    expect(hashed).toHaveLength(10);
    // Nor a prefix or an extension of a valid key.
    expect(authenticate(`Bearer ${KEYS.viewer.slice(0, -1)}`)).toBeNull();
    expect(authenticate(`Bearer ${KEYS.viewer}x`)).toBeNull();
    expect(hashed).toHaveLength(12);
  });

  it('refuses what is not a Bearer header without hashing anything', () => {
    const { authenticate, hashed } = countingAuthenticator();
    for (const header of [null, undefined, '', KEYS.viewer, `Basic ${KEYS.viewer}`, 'Bearer ', `Bearer ${KEYS.viewer} extra`]) {
      expect(authenticate(header)).toBeNull();
    }
    expect(hashed).toEqual([]);
  });

  it('keeps a bounded number of spellings per key: past it, a new spelling is checked (and accepted) every time', () => {
    const { authenticate, hashed } = countingAuthenticator();
    // Two keys configured: up to 8 remembered spellings in all.
    const spellings = Array.from({ length: 12 }, (_, i) => `${' '.repeat(i)}Bearer ${KEYS.viewer}`);
    for (const header of spellings) expect(authenticate(header)).toMatchObject({ role: Role.Viewer });
    expect(hashed).toHaveLength(12);
    for (const header of spellings) expect(authenticate(header)).toMatchObject({ role: Role.Viewer });
    // The first 8 were remembered; the last 4 were hashed again.
    expect(hashed).toHaveLength(16);
  });
});
