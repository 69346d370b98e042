import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Idempotency keys for mutations: the first request with a key runs, a retry with the same key gets the stored
 * result, and a different request under the same key is refused.
 *
 * Race safety comes from the (scope, key) primary key, not from reading first: claim() is one
 * INSERT … ON CONFLICT DO UPDATE … WHERE <reclaimable>, and only the caller whose statement inserted or reclaimed
 * the row gets `new`. Two processes, or two connections, can never both get it.
 */

export type ClaimResult =
  /** The caller owns the key: run the request, then complete() or release(). */
  | { state: 'new' }
  /** The same request already ran; `result` is what complete() stored. */
  | { state: 'done'; result: unknown }
  /** The same request is running elsewhere. */
  | { state: 'in-progress' }
  /** The key was used for a different request. */
  | { state: 'mismatch' };

export interface IdempotencyRepository {
  claim(scope: string, key: string, requestHash: string): Promise<ClaimResult>;
  /** Stores the result (JSON-serialisable) of a claimed key. False when the key is not claimed (expired and purged). */
  complete(scope: string, key: string, result: unknown): Promise<boolean>;
  /** Forgets a claim whose request failed, so a retry runs again. Finished keys are kept. */
  release(scope: string, key: string): Promise<boolean>;
  /** Deletes expired keys; returns how many. Expired keys are reclaimable anyway, so this only saves space. */
  purgeExpired(): Promise<number>;
}

export interface IdempotencyOptions {
  now: () => number;
  /** How long a key is remembered from its claim (default 24 h); after that the key may be used afresh. */
  ttlMs?: number;
  /**
   * How long an unfinished claim blocks its own retries (default 5 min). A process that dies mid-request never
   * completes or releases its key; after the lease, the same request (same hash) may claim it again. Keep it well
   * above the longest a mutation can take (upstream calls time out far sooner).
   */
  leaseMs?: number;
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
export const DEFAULT_IDEMPOTENCY_LEASE_MS = 5 * 60_000;
const TABLE = 'idempotency_keys';
// A key can vanish between our failed claim and our read (released by its owner); then we try again.
const MAX_CLAIM_ATTEMPTS = 5;

export function createIdempotencyRepository(db: Kysely<Database>, options: IdempotencyOptions): IdempotencyRepository {
  const { now } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_IDEMPOTENCY_LEASE_MS;

  /** Inserts the key, or takes over an expired / abandoned row; true when this call now owns the key. */
  async function tryClaim(scope: string, key: string, requestHash: string): Promise<boolean> {
    const at = now();
    const row = await db
      .insertInto(TABLE)
      .values({ scope, key, request_hash: requestHash, state: 'in-progress', result: null, claimed_at: at, expires_at: at + ttlMs })
      .onConflict((oc) =>
        oc
          .columns(['scope', 'key'])
          .doUpdateSet((eb) => ({
            request_hash: eb.ref('excluded.request_hash'),
            state: eb.ref('excluded.state'),
            result: null,
            claimed_at: eb.ref('excluded.claimed_at'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          // Evaluated against the row as it is when the statement gets its lock, so only one racer wins.
          .where((eb) =>
            eb.or([
              eb(`${TABLE}.expires_at`, '<=', at),
              eb.and([
                eb(`${TABLE}.state`, '=', 'in-progress'),
                eb(`${TABLE}.claimed_at`, '<=', at - leaseMs),
                eb(`${TABLE}.request_hash`, '=', eb.ref('excluded.request_hash')),
              ]),
            ]),
          ),
      )
      // RETURNING yields a row only when this statement inserted or updated: unambiguous on both dialects.
      .returning('scope')
      .executeTakeFirst();
    return row !== undefined;
  }

  return {
    async claim(scope, key, requestHash) {
      for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
        if (await tryClaim(scope, key, requestHash)) return { state: 'new' };
        const row = await db
          .selectFrom(TABLE)
          .select(['request_hash', 'state', 'result'])
          .where('scope', '=', scope)
          .where('key', '=', key)
          .executeTakeFirst();
        if (!row) continue;
        if (row.request_hash !== requestHash) return { state: 'mismatch' };
        if (row.state === 'done') return { state: 'done', result: row.result === null ? null : (JSON.parse(row.result) as unknown) };
        return { state: 'in-progress' };
      }
      throw new Error(`idempotency key ${scope}/${key} kept changing; gave up after ${MAX_CLAIM_ATTEMPTS} attempts`);
    },

    async complete(scope, key, result) {
      const outcome = await db
        .updateTable(TABLE)
        // JSON.stringify(undefined) is undefined: store JSON null instead.
        .set({ state: 'done', result: JSON.stringify(result) ?? 'null' })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('state', '=', 'in-progress')
        .executeTakeFirst();
      return outcome.numUpdatedRows > 0n;
    },

    async release(scope, key) {
      const outcome = await db
        .deleteFrom(TABLE)
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('state', '=', 'in-progress')
        .executeTakeFirst();
      return outcome.numDeletedRows > 0n;
    },

    async purgeExpired() {
      const outcome = await db.deleteFrom(TABLE).where('expires_at', '<=', now()).executeTakeFirst();
      return Number(outcome.numDeletedRows);
    },
  };
}
