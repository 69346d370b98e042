import { timingSafeEqual, createHash } from 'node:crypto';
import { Role, type GatewayConfig } from './config.ts';

/** Who is calling: the role of the API key they showed (in demo mode or with GATEWAY_AUTH=off, everyone is admin). */
export interface Principal {
  role: Role;
  /** A short, non-secret fingerprint of the key, for logs; null when auth is off. */
  keyId: string | null;
  /**
   * Whether this caller may send document text: always unless TRUSTED_DOCUMENTS=on, then only keys marked `:arbitrary`
   * (src/server/trusted-documents.ts).
   */
  arbitraryOperations: boolean;
}

const RANK: Record<Role, number> = { [Role.Viewer]: 1, [Role.Operator]: 2, [Role.Admin]: 3 };

export function roleAtLeast(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}

export type Authenticate = (authorization: string | null | undefined) => Principal | null;


/** Computes a key's digest; a parameter of createAuthenticator so that the count tests can see how often it runs. */
export type KeyDigest = (value: string) => Buffer;

/**
 * Builds the key check once at start. Keys are compared as SHA-256 digests with timingSafeEqual, so neither the key
 * length nor a matching prefix shows in the response time.
 *
 * A key that matched is remembered (by the key as presented), so a client's every later request costs one Map
 * lookup instead of a regex, a SHA-256 and a comparison with every key: at tens of thousands of requests a second
 * that was measurable. Only keys that matched are kept, so the map holds at most as many entries as there are keys
 * configured (one per spelling of the header's key), and a flood of wrong keys cannot grow it. A hit reveals nothing
 * the answer itself does not: the key is valid. Wrong keys take the full, constant-time path every time.
 */
export function createAuthenticator(config: GatewayConfig, hash: KeyDigest = digest): Authenticate {
  const trusted = config.exposure.trustedDocuments;
  // Without keys there is nobody to mark: TRUSTED_DOCUMENTS=on then holds for everyone.
  if (!config.apiKeys) {
    const open: Principal = Object.freeze({ role: Role.Admin, keyId: null, arbitraryOperations: !trusted.only });
    return () => open;
  }
  const keys = [...config.apiKeys].map(([key, role]) => {
    const keyDigest = hash(key);
    return { digest: keyDigest, role, keyId: keyDigest.toString('hex').slice(0, 8), arbitraryOperations: !trusted.only || trusted.arbitraryKeys.has(key) };
  });
  const known = new Map<string, Principal>();
  return (authorization) => {
    if (!authorization) return null;
    const remembered = known.get(authorization);
    if (remembered) return remembered;
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) return null;
    const presented = hash(match[1]);
    let found: Principal | null = null;
    // Compare against every key (no early exit), so timing does not tell how many keys were tried.
    for (const key of keys) {
      if (timingSafeEqual(key.digest, presented)) found = Object.freeze({ role: key.role, keyId: key.keyId, arbitraryOperations: key.arbitraryOperations });
    }
    // Bounded: the same key in another spelling ("bearer", other spaces) is one more entry, a handful per key at most.
    if (found && known.size < keys.length * MAX_SPELLINGS_PER_KEY) known.set(authorization, found);
    return found;
  };
}

/** Header spellings remembered per configured key ("Bearer k", "bearer k", extra spaces...), beyond which they are not. */
const MAX_SPELLINGS_PER_KEY = 4;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
