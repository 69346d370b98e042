import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, roleAtLeast } from '../../src/auth.ts';
import { type GatewayConfig, Role } from '../../src/config.ts';

/** The API-key check at its edges (src/auth.ts): the header's grammar, every key compared, role ranks. */
describe('API key authentication', () => {
  const keys = new Map<string, Role>([
    ['viewer-key', Role.Viewer],
    ['operator-key', Role.Operator],
    ['admin-key', Role.Admin],
  ]);
  const exposure = (only: boolean, arbitraryKeys: string[] = []) => ({ trustedDocuments: { only, files: [], arbitraryKeys: new Set(arbitraryKeys) } });
  // Built inside each test, so the key table's construction counts as covered by these tests.
  const authenticator = () => createAuthenticator({ apiKeys: keys, exposure: exposure(false) } as unknown as GatewayConfig);
  const keyId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);

  it('answers each key with its own role and an 8-hex-digit fingerprint of that key', () => {
    const authenticate = authenticator();
    expect(authenticate('Bearer viewer-key')).toEqual({ role: Role.Viewer, keyId: keyId('viewer-key'), arbitraryOperations: true });
    expect(authenticate('Bearer operator-key')).toEqual({ role: Role.Operator, keyId: keyId('operator-key'), arbitraryOperations: true });
    expect(authenticate('Bearer admin-key')).toEqual({ role: Role.Admin, keyId: keyId('admin-key'), arbitraryOperations: true });
    expect(keyId('admin-key')).toMatch(/^[0-9a-f]{8}$/);
  });

  it('takes the scheme in any case and blanks around the parts', () => {
    const authenticate = authenticator();
    expect(authenticate('bearer admin-key')?.role).toBe(Role.Admin);
    expect(authenticate('BEARER admin-key')?.role).toBe(Role.Admin);
    expect(authenticate('  Bearer \t admin-key  ')?.role).toBe(Role.Admin);
  });

  it('refuses anything that is not exactly "Bearer <one token>"', () => {
    const authenticate = authenticator();
    for (const header of [
      null,
      undefined,
      '',
      'admin-key',
      'Bearer',
      'Bearer ',
      'Basic admin-key',
      'XBearer admin-key',
      'Bearer admin-key extra',
      'Bearer admin-keyX',
      'Bearer Xadmin-key',
      'Beareradmin-key',
      'Bearer admin-key\nBearer admin-key',
      'Bearer admin',
      'x Bearer admin-key',
    ]) {
      expect(authenticate(header), String(header)).toBeNull();
    }
  });

  it('with TRUSTED_DOCUMENTS=on only keys marked arbitrary may send document text', () => {
    const authenticate = createAuthenticator({ apiKeys: keys, exposure: exposure(true, ['operator-key']) } as unknown as GatewayConfig);
    expect(authenticate('Bearer viewer-key')?.arbitraryOperations).toBe(false);
    expect(authenticate('Bearer operator-key')?.arbitraryOperations).toBe(true);
    expect(authenticate('Bearer admin-key')?.arbitraryOperations).toBe(false);
  });

  it('everyone is admin, without a key id, when auth is off; arbitrary documents unless TRUSTED_DOCUMENTS=on', () => {
    const open = createAuthenticator({ apiKeys: null, exposure: exposure(false) } as unknown as GatewayConfig);
    expect(open(null)).toEqual({ role: Role.Admin, keyId: null, arbitraryOperations: true });
    expect(open('Bearer whatever')).toEqual({ role: Role.Admin, keyId: null, arbitraryOperations: true });
    const trusted = createAuthenticator({ apiKeys: null, exposure: exposure(true) } as unknown as GatewayConfig);
    expect(trusted(null)).toEqual({ role: Role.Admin, keyId: null, arbitraryOperations: false });
  });

  it('ranks roles viewer < operator < admin, and no role reaches none', () => {
    const roles = [Role.Viewer, Role.Operator, Role.Admin];
    for (const [i, role] of roles.entries()) {
      for (const [j, needed] of roles.entries()) expect(roleAtLeast(role, needed), `${role} ≥ ${needed}`).toBe(i >= j);
      expect(roleAtLeast(undefined, role)).toBe(false);
    }
  });
});
