/**
 * Errors that end a subscription because its `after` cannot be served (docs/events.md, "Resume points"): the client
 * reloads everything (horizon, then state) and subscribes again.
 */
export const RELOAD_CODES: ReadonlySet<string> = new Set(['EVENT_ID_AHEAD', 'EVENT_ID_EXPIRED', 'REPLAY_LIMIT_EXCEEDED']);

/** Errors after which the same subscription is simply started again (with the cursor it has reached). */
export const RESUBSCRIBE_CODES: ReadonlySet<string> = new Set(['SERVER_DRAINING', 'SUBSCRIBER_TOO_SLOW']);

export interface GraphQLErrorLike {
  message?: string;
  extensions?: { code?: unknown } | null;
}

export function errorCodes(errors: unknown): string[] {
  const list = Array.isArray(errors) ? errors : [errors];
  const codes: string[] = [];
  for (const error of list as GraphQLErrorLike[]) {
    const code = error?.extensions?.code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

export type SubscriptionErrorAction = 'reload' | 'resubscribe' | 'unauthenticated' | 'outdated' | 'give-up';

/** The gateway does not know the page's document hashes: it was upgraded under the page, which must load again. */
export const OUTDATED_CODE = 'PERSISTED_QUERY_NOT_FOUND';

export function subscriptionErrorAction(errors: unknown): SubscriptionErrorAction {
  const codes = errorCodes(errors);
  if (codes.some((code) => RELOAD_CODES.has(code))) return 'reload';
  if (codes.includes('UNAUTHENTICATED')) return 'unauthenticated';
  if (codes.includes(OUTDATED_CODE)) return 'outdated';
  if (codes.some((code) => RESUBSCRIBE_CODES.has(code))) return 'resubscribe';
  return 'give-up';
}
