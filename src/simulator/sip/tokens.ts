import { randomBytes } from 'node:crypto';

export type TokenCheck = 'ok' | 'missing' | 'unknown' | 'expired';

/** Login tokens: 32 hex characters, each living `ttlMs` on the simulator clock. */
export class TokenStore {
  readonly #expiry = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  issue(): { token: string; expiresAt: number } {
    this.#sweep();
    const token = randomBytes(16).toString('hex');
    const expiresAt = this.now() + this.ttlMs;
    this.#expiry.set(token, expiresAt);
    return { token, expiresAt };
  }

  check(token: string): TokenCheck {
    if (!token) return 'missing';
    const expiresAt = this.#expiry.get(token);
    if (expiresAt === undefined) return 'unknown';
    return expiresAt > this.now() ? 'ok' : 'expired';
  }

  revoke(token: string): void {
    this.#expiry.delete(token);
  }

  /** Every token issued so far stops working (the next call answers ret 600). */
  expireAll(): void {
    this.#expiry.clear();
  }

  get size(): number {
    return this.#expiry.size;
  }

  #sweep(): void {
    if (this.#expiry.size < 1_000) return;
    const now = this.now();
    for (const [token, expiresAt] of this.#expiry) if (expiresAt <= now) this.#expiry.delete(token);
  }
}
