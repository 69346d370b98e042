import { timingSafeEqual, createHash } from 'node:crypto';
import { Role, type GatewayConfig } from './config.ts';

/** Who is calling: the role of the API key they showed (in demo mode or with GATEWAY_AUTH=off, everyone is admin). */
export interface Principal {
  role: Role;
  /** A short, non-secret fingerprint of the key, for logs; null when auth is off. */
  keyId: string | null;
}

const RANK: Record<Role, number> = { [Role.Viewer]: 1, [Role.Operator]: 2, [Role.Admin]: 3 };

export function roleAtLeast(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}

export type Authenticate = (authorization: string | null | undefined) => Principal | null;

const OPEN: Principal = { role: Role.Admin, keyId: null };

/**
 * Builds the key check once at start. Keys are compared as SHA-256 digests with timingSafeEqual, so neither the key
 * length nor a matching prefix shows in the response time.
 */
export function createAuthenticator(config: GatewayConfig): Authenticate {
  if (!config.apiKeys) return () => OPEN;
  const keys = [...config.apiKeys].map(([key, role]) => ({ digest: digest(key), role, keyId: digest(key).toString('hex').slice(0, 8) }));
  return (authorization) => {
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return null;
    const presented = digest(match[1]);
    let found: Principal | null = null;
    // Compare against every key (no early exit), so timing does not tell how many keys were tried.
    for (const key of keys) {
      if (timingSafeEqual(key.digest, presented)) found = { role: key.role, keyId: key.keyId };
    }
    return found;
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
