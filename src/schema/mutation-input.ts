import { createHash } from 'node:crypto';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import type { GatewayContext } from '../context.ts';
import { ConflictError, type InputIssue, InvalidInputError } from '../errors.ts';

/**
 * Conventions shared by mutation inputs (docs/api.md, "Mutations"): idempotency keys on creates, and references to an
 * agent, queue or extension group given either by global id or by name — exactly one of the two.
 */

// ---- Idempotency --------------------------------------------------------------------------------------------------

/** The rule every `idempotencyKey` input field follows (the same as the number uploads'). */
export const idempotencyKeySchema = z.string().trim().min(8, 'idempotencyKey needs at least 8 characters').max(128).nullish();

export const IDEMPOTENCY_KEY_DESCRIPTION =
  'Makes retries safe: a retry with the same key (kept 24 hours) returns the first result instead of creating a second one; ' +
  'the same key with a different input is a ConflictError.';

/**
 * Runs `work` at most once per (scope, key): a retry of the same request gets the stored result back (as `replay`
 * makes it from the stored JSON); the same key with another request, or while the first still runs, is a
 * ConflictError. A failure releases the key for a retry. Without a key, `work` just runs.
 */
export async function idempotent<T>(
  ctx: GatewayContext,
  scope: string,
  key: string | null | undefined,
  request: unknown,
  work: () => Promise<T>,
  replay: (stored: T) => T = (stored) => stored,
): Promise<T> {
  const trimmed = key?.trim();
  if (!trimmed) return work();
  const hash = createHash('sha256').update(JSON.stringify(request ?? null)).digest('hex');
  const claim = await ctx.store.idempotency.claim(scope, trimmed, hash);
  if (claim.state === 'done') return replay(claim.result as T);
  if (claim.state === 'mismatch') throw new ConflictError(`idempotencyKey "${trimmed}" was already used for a different request`);
  if (claim.state === 'in-progress') throw new ConflictError(`a request with idempotencyKey "${trimmed}" is still running; retry shortly`);
  try {
    const result = await work();
    await ctx.store.idempotency.complete(scope, trimmed, result);
    return result;
  } catch (error) {
    await ctx.store.idempotency.release(scope, trimmed);
    throw error;
  }
}

// ---- Global id or name --------------------------------------------------------------------------------------------

export type ReferencedType = 'Agent' | 'Queue' | 'ExtGroup';

/** The key (extension or name) inside a global id of `type`, or null when the id is not one. */
export function keyOfGlobalId(globalId: string, type: ReferencedType): string | null {
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename === type && decoded.id !== '' ? decoded.id : null;
  } catch {
    return null;
  }
}

const WHAT: Record<ReferencedType, string> = { Agent: 'agent', Queue: 'queue', ExtGroup: 'extension group' };

/**
 * One reference in an input, given as a global id (`idField`) or a name (`nameField`): exactly one of the two.
 * Returns the key (extension or name), or records an issue at `[...path, field]` and returns ''.
 */
export function referenceOf(
  input: Record<string, unknown>,
  ref: { type: ReferencedType; idField: string; nameField: string },
  issues: InputIssue[],
  path: readonly string[] = ['input'],
): string {
  const id = input[ref.idField];
  const name = input[ref.nameField];
  const given = (v: unknown) => v !== null && v !== undefined;
  if (given(id) === given(name)) {
    issues.push({
      path: [...path, given(id) ? ref.idField : ref.nameField],
      message: `give the ${WHAT[ref.type]} either as \`${ref.idField}\` (its global id) or as \`${ref.nameField}\`, ${given(id) ? 'not both' : 'one is required'}`,
    });
    return '';
  }
  if (given(id)) {
    const key = keyOfGlobalId(String(id), ref.type);
    if (key === null) issues.push({ path: [...path, ref.idField], message: `not a ${ref.type} id: use ${ref.type}.id` });
    return key ?? '';
  }
  return String(name).trim();
}

/** Throws one InvalidInputError with every issue, when there are any. */
export function throwIssues(issues: readonly InputIssue[]): void {
  if (issues.length > 0) throw new InvalidInputError(issues.map((i) => i.message).join('; '), undefined, [...issues]);
}

export const AGENT_REF = { type: 'Agent', idField: 'agentId', nameField: 'extension' } as const;
export const QUEUE_REF = { type: 'Queue', idField: 'queueId', nameField: 'queue' } as const;
export const EXT_GROUP_REF = { type: 'ExtGroup', idField: 'groupId', nameField: 'group' } as const;
