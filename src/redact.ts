/**
 * The one redaction rule for text the gateway did not write itself: upstream error bodies and messages, connection
 * errors, stack traces. Errors shown to clients and every log line go through it (docs/security.md).
 *
 * Two audiences, one rule set:
 * - `log` (the default): configured secrets, `Bearer …`/`Basic …` credentials, secret-looking `key=value` /
 *   `"key":"value"` / `Authorization: …` pairs, passwords in URLs, control characters (newlines kept) and phone
 *   numbers are masked. Hosts, paths and stack traces stay: an operator needs them, and none is a secret.
 * - `client`: all of that, and also URLs, hosts and IP addresses, file paths, everything from a traceback marker on;
 *   whitespace collapsed and the length capped (~200 characters). Used for the few fields that keep platform text
 *   (`UpstreamRejectedError.upstreamMessage`, AI-call `fieldErrors`, import refusals).
 */

export type RedactAudience = 'client' | 'log';

export interface RedactOptions {
  /** Default `log`. */
  audience?: RedactAudience;
  /** Secrets to hide besides the ones registered with registerSecrets(). */
  secrets?: readonly string[];
  /** Longest result (client default 200, log default unlimited). */
  maxLength?: number;
}

export const REDACTED = '[redacted]';
export const CLIENT_MAX_LENGTH = 200;
/** Shorter configured "secrets" are ignored: hiding every "1" or "abc" would destroy the text and protect nothing. */
const MIN_SECRET_LENGTH = 6;

// ---- the process's configured secrets ---------------------------------------------------------------------------

const registered = new Map<string, number>();
let registeredPattern: RegExp | null | undefined;
/** Changes whenever the registered secrets do: a cache of redacted text is good for one version only. */
let secretsVersion = 0;
export const registeredSecretsVersion = (): number => secretsVersion;

/**
 * Registers configured secrets (SIP access key, AI-call token, API keys, …: `secretsOf(config)`) so every redact()
 * in the process hides them. Returns the function that takes them back (an app's stop()). Several apps in one process
 * (tests) only add to what is hidden.
 */
export function registerSecrets(secrets: readonly string[]): () => void {
  const mine = usable(secrets);
  for (const secret of mine) registered.set(secret, (registered.get(secret) ?? 0) + 1);
  registeredPattern = undefined;
  secretsVersion += 1;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const secret of mine) {
      const count = (registered.get(secret) ?? 1) - 1;
      if (count <= 0) registered.delete(secret);
      else registered.set(secret, count);
    }
    registeredPattern = undefined;
    secretsVersion += 1;
  };
}

function usable(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    out.add(secret);
    // As sent in a form or query string, and as a JSON string would carry it.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out.add(encoded);
    const json = JSON.stringify(secret).slice(1, -1);
    if (json !== secret) out.add(json);
  }
  return [...out];
}

function secretPattern(secrets: readonly string[]): RegExp | null {
  if (secrets.length === 0) return null;
  // Longest first, so a secret that contains another is hidden whole.
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---- the patterns ---------------------------------------------------------------------------------------------

/** Names of keys whose values are secrets: access key, token, password, secret, authorization, API key, cookie, … */
const SECRET_KEY = /access[_-]?key|token|passw(?:or)?d|^pwd$|[_-]pwd$|secret|authori[sz]ation|api[_-]?key|cookie|session[_-]?id|credential|private[_-]?key/i;
/** `sign` and `signature` only as the whole key or its last part (not `assign…`, `SipSignIn`). */
const SIGN_KEY = /(?:^|[_.-])sign(?:ature)?$/i;
/** Whether a field of that name holds a secret (the logger masks such fields at any depth). */
export const isSecretKey = (key: string) => SECRET_KEY.test(key) || SIGN_KEY.test(key);

/** `"key": "value"` and `"key": 123` in JSON (also with single quotes, as Python reprs have it). */
const JSON_PAIR = /(["'])([A-Za-z0-9_.-]{1,64})\1(\s*:\s*)(?:"(?:[^"\\]|\\.)*(?:"|$)|'(?:[^'\\]|\\.)*(?:'|$)|[^\s,}\]]+)/g;
/** `key=value` in forms, query strings, environment dumps, log lines (the value runs to a separator). */
const EQUALS_PAIR = /(^|[^A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,64})(\s*=\s*)(?:"[^"]*"?|'[^']*'?|[^\s&;,"'<>)}\]]+)/g;
/** `Authorization: …`, `X-Api-Key: …`, `Cookie: …`, `password: …` header or prose style (one value, with its scheme). */
const COLON_PAIR = /(^|[^A-Za-z0-9_.-])((?:proxy-)?authorization|x-api-key|api[_-]?key|access[_-]?key|set-cookie|cookie|password|passwd|secret|token)(\s*:\s*)(?:"[^"]*"?|(?:(?:Bearer|Basic|Digest|Token)\s+)?[^\s,;}]+)/gi;
/** HTTP credentials. */
const SCHEME_CREDENTIAL = /\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9._~+/=-]{4,}/gi;
/** `scheme://user:password@host` */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi;

const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?![\d.])/g;
const IPV6 = /\[[0-9a-f:.]*:[0-9a-f:.]*\](?::\d{1,5})?/gi;
const HOST_PORT = /\b(?:localhost|[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+):\d{1,5}\b/gi;
const HOSTNAME =
  /\b(?:localhost|(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.)+(?:local|localdomain|internal|intranet|corp|lan|home|svc|cluster|com|net|org|cn|io|cloud|dev))\b/gi;
const FILE_PATH = /(?:[A-Za-z]:\\|\/)(?:[\w.-]+[\\/])+[\w.-]+\.(?:php|py|js|mjs|cjs|ts|java|rb|go|cs|kt|scala|pl|inc)\b(?::\d+(?::\d+)?)?/g;

/** Where a stack trace or traceback starts; the client text is cut there. */
const TRACE_MARKERS: readonly RegExp[] = [
  /Traceback \(most recent call last\)/i,
  /\bStack ?trace\b/i,
  /#0\s+(?:\/|[A-Za-z]:\\|\{main\}|\[internal)/,
  /\bat\s+\S+\s+\((?:file:\/\/|node:|\/|[A-Za-z]:\\)?[^()\s]*:\d+(?::\d+)?\)/,
  /\bat\s+(?:file:\/\/|node:|\/)\S*:\d+/,
  /\bat\s+[\w$.<>]+\([\w$.<> ]*\.(?:java|kt|scala|cs):\d+\)/,
  /\bin\s+(?:\/|[A-Za-z]:\\)\S+\.php\b/i,
  /\bon line \d+/i,
  /\bFile "[^"]+", line \d+/,
];

/** Phone-number-like digit runs: 8–15 digits, optionally `+`, not part of a longer word or number. */
const PHONE = /(?<![\w.+])\+?\d{8,15}(?![\w.])/g;

// ---- the rule -------------------------------------------------------------------------------------------------

/** Redacts `text` for its audience (see the top of this file). Idempotent: redacting twice changes nothing more. */
export function redact(text: string, options: RedactOptions = {}): string {
  const audience = options.audience ?? 'log';
  const client = audience === 'client';
  let out = String(text);

  if (client) {
    const cut = traceStart(out);
    if (cut >= 0) out = `${out.slice(0, cut).trimEnd()} […]`;
  }
  // Control characters: a log line stays one event (newlines and tabs are kept and indented by the logger); a
  // client message is one line.
  out = client
    ? out.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    : out.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '');

  out = hideSecrets(out, options.secrets ?? []);

  if (client) {
    out = out
      .replace(URL, (url) => `[url]${/[.,;:!?)\]]+$/.exec(url)?.[0] ?? ''}`)
      .replace(FILE_PATH, '[path]')
      .replace(IPV6, '[host]')
      .replace(IPV4, '[host]')
      .replace(HOST_PORT, '[host]')
      .replace(HOSTNAME, '[host]');
  }
  out = maskPhones(out);

  if (client) out = out.replace(/\s+/g, ' ').trim();
  const max = options.maxLength ?? (client ? CLIENT_MAX_LENGTH : Number.POSITIVE_INFINITY);
  if (out.length > max) out = `${out.slice(0, max)}…`;
  return out;
}

/** Shorthand for the client audience. */
export function redactForClient(text: string, secrets?: readonly string[]): string {
  return redact(text, { audience: 'client', secrets });
}

/**
 * The pattern of a caller's own secrets (a logger's `secretsOf(config)`), built once per list: building it is a sort
 * and a RegExp compile, which on every log line was most of an access line's cost.
 */
const extraPatterns = new WeakMap<readonly string[], RegExp | null>();
function extraPattern(extra: readonly string[]): RegExp | null {
  let pattern = extraPatterns.get(extra);
  if (pattern === undefined) extraPatterns.set(extra, (pattern = secretPattern(usable(extra))));
  return pattern;
}

/** Configured secrets, credentials and secret-looking pairs only (the part both audiences share). */
function hideSecrets(text: string, extra: readonly string[]): string {
  let out = text;
  if (registeredPattern === undefined) registeredPattern = secretPattern([...registered.keys()]);
  if (registeredPattern) out = out.replace(registeredPattern, REDACTED);
  if (extra.length > 0) {
    const pattern = extraPattern(extra);
    if (pattern) out = out.replace(pattern, REDACTED);
  }
  out = out.replace(URL_USERINFO, `$1${REDACTED}@`);
  out = out.replace(SCHEME_CREDENTIAL, `$1 ${REDACTED}`);
  out = out.replace(JSON_PAIR, (whole, quote: string, key: string, colon: string) =>
    isSecretKey(key) ? `${quote}${key}${quote}${colon}"${REDACTED}"` : whole,
  );
  const pair = (whole: string, before: string, key: string, sep: string) => {
    const value = whole.slice(before.length + key.length + sep.length);
    if (!isSecretKey(key) || value.replace(/^["']/, '').startsWith(REDACTED.slice(0, -1))) return whole;
    return `${before}${key}${sep}${REDACTED}`;
  };
  out = out.replace(EQUALS_PAIR, pair);
  out = out.replace(COLON_PAIR, pair);
  return out;
}

/** Keeps the first 3 and last 4 digits of phone-number-like runs: 13812345678 → 138****5678. */
export function maskPhones(text: string): string {
  return text.replace(PHONE, (run) => {
    const plus = run.startsWith('+') ? '+' : '';
    const digits = plus ? run.slice(1) : run;
    return `${plus}${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
  });
}

function traceStart(text: string): number {
  let first = -1;
  for (const marker of TRACE_MARKERS) {
    const match = marker.exec(text);
    if (match && (first < 0 || match.index < first)) first = match.index;
  }
  return first;
}
