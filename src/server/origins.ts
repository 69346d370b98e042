/**
 * One Origin rule for CORS and the WebSocket upgrade alike. A request without an Origin header is not a browser's
 * cross-site request (curl, a server, a native client) and is let through to authentication. A browser's request is
 * allowed when it is same-origin (the Origin's host is the Host it was sent to) or its origin is in ALLOWED_ORIGINS;
 * nothing is ever reflected by default.
 */
export interface OriginPolicy {
  /** Whether a request with this Origin (null when absent) to this Host may proceed. */
  allows(origin: string | null | undefined, host: string | null | undefined): boolean;
  /** The configured cross-origin list, for CORS headers. */
  readonly allowed: readonly string[];
}

export function createOriginPolicy(allowedOrigins: readonly string[]): OriginPolicy {
  const allowed = new Set(allowedOrigins.map((origin) => origin.toLowerCase()));
  return {
    allowed: [...allowed],
    allows(origin, host) {
      if (origin === undefined || origin === null || origin === '') return true;
      const normalised = origin.toLowerCase();
      if (allowed.has(normalised)) return true;
      let parsed: URL;
      try {
        parsed = new URL(normalised);
      } catch {
        return false;
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
      return host !== undefined && host !== null && parsed.host === host.toLowerCase();
    },
  };
}
