/**
 * The SIP API's 12-hour token. Logs in lazily, refreshes before the end of the token's life, and when the platform
 * says a token is no longer good, renews it once for every caller that met the same stale token: 100 concurrent
 * calls that all get `ret` 600 make exactly one login between them.
 */

export interface SipSessionOptions {
  /** Performs App.Sip_Auth.Login and returns the new token. */
  login(): Promise<string>;
  /** Best-effort App.Sip_Auth.Logout of a token (used before renewing after code 1010). */
  logout(token: string): Promise<void>;
  /** How long the platform keeps a token (12 h). */
  ttlMs: number;
  /** Renew this long before the end, so no call is sent with a token about to lapse. */
  refreshMarginMs: number;
  now(): number;
}

export interface SipSession {
  /** A token believed valid, logging in first if there is none or it is near its end. */
  token(): Promise<string>;
  /**
   * The platform refused `stale`: returns a fresh token. Callers that report the same stale token while a renewal is
   * under way share it; a caller whose stale token was already replaced gets the replacement without a login.
   */
  renew(stale: string, options?: { logoutFirst?: boolean }): Promise<string>;
  /** Forget the token (after an explicit logout). */
  clear(): void;
  /** Logins started so far, the first one and every renewal, failed ones included (for diagnostics and tests). */
  readonly loginCount: number;
  /**
   * Renewals started so far: logins that replace a token the session had, either because the platform refused it
   * (`renew`: ret 600, code 1010) or because it came within the refresh margin of its end (`token`). The first login,
   * and one after `clear()` (an explicit logout), are not renewals. Failed attempts count, as in `loginCount`.
   */
  readonly renewCount: number;
  /** When the current token was obtained (epoch ms, the session's clock); null before the first successful login. */
  readonly lastLoginAt: number | null;
}

export function createSipSession(options: SipSessionOptions): SipSession {
  let current: { token: string; renewAt: number } | null = null;
  let inFlight: Promise<string> | null = null;
  let loginCount = 0;
  let renewCount = 0;
  let lastLoginAt: number | null = null;

  function login(renewal: boolean, before?: () => Promise<void>): Promise<string> {
    if (inFlight) return inFlight;
    inFlight = (async () => {
      try {
        if (before) await before();
        loginCount += 1;
        if (renewal) renewCount += 1;
        const token = await options.login();
        const obtainedAt = options.now();
        current = { token, renewAt: obtainedAt + options.ttlMs - options.refreshMarginMs };
        lastLoginAt = obtainedAt;
        return token;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  return {
    token() {
      if (current && options.now() < current.renewAt) return Promise.resolve(current.token);
      // A token near its end is being renewed; none (first call, after clear()) is a plain login.
      return login(current !== null);
    },
    renew(stale, renewOptions) {
      if (current && current.token !== stale) return Promise.resolve(current.token);
      if (inFlight) return inFlight;
      current = null;
      const logoutFirst = renewOptions?.logoutFirst
        ? () => options.logout(stale).catch(() => undefined)
        : undefined;
      return login(true, logoutFirst);
    },
    clear() {
      current = null;
    },
    get loginCount() {
      return loginCount;
    },
    get renewCount() {
      return renewCount;
    },
    get lastLoginAt() {
      return lastLoginAt;
    },
  };
}
