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
  /** Logins performed so far (for diagnostics and tests). */
  readonly loginCount: number;
}

export function createSipSession(options: SipSessionOptions): SipSession {
  let current: { token: string; renewAt: number } | null = null;
  let inFlight: Promise<string> | null = null;
  let loginCount = 0;

  function login(before?: () => Promise<void>): Promise<string> {
    if (inFlight) return inFlight;
    inFlight = (async () => {
      try {
        if (before) await before();
        loginCount += 1;
        const token = await options.login();
        current = { token, renewAt: options.now() + options.ttlMs - options.refreshMarginMs };
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
      return login();
    },
    renew(stale, renewOptions) {
      if (current && current.token !== stale) return Promise.resolve(current.token);
      if (inFlight) return inFlight;
      current = null;
      const logoutFirst = renewOptions?.logoutFirst
        ? () => options.logout(stale).catch(() => undefined)
        : undefined;
      return login(logoutFirst);
    },
    clear() {
      current = null;
    },
    get loginCount() {
      return loginCount;
    },
  };
}
