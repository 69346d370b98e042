import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import AuthBeforeInputPlugin from '../../src/auth-before-input.ts';

/**
 * The AuthBeforeInput plugin (src/auth-before-input.ts) on a schema of its own, built inside each test (the gateway's
 * schema is built once at import, where no test sees the plugin's set-up): a caller without the scope gets the scope
 * error, not the input error, and the plugin stays out of fields without scopes or without argument checks.
 */
function buildSchema(calls: string[]) {
  const builder = new SchemaBuilder<{ Context: { role: 'viewer' | 'operator' }; AuthScopes: { operator: boolean } }>({
    plugins: [ScopeAuthPlugin, AuthBeforeInputPlugin, ValidationPlugin],
    scopeAuth: {
      authScopes: (ctx) => ({ operator: ctx.role === 'operator' }),
      unauthorizedError: (_parent, _ctx, info) => new Error(`FORBIDDEN ${info.fieldName}`),
    },
    validation: { validationError: () => new Error('INVALID_INPUT') },
  });
  builder.queryType({ fields: (t) => ({ ok: t.string({ resolve: () => 'ok' }) }) });
  builder.mutationType({
    fields: (t) => ({
      guarded: t.string({
        authScopes: { operator: true },
        args: { n: t.arg.int({ required: true, validate: z.number().min(1) }) },
        resolve: (_root, args) => {
          calls.push(`guarded ${args.n}`);
          return 'done';
        },
      }),
      unscoped: t.string({
        args: { n: t.arg.int({ required: true, validate: z.number().min(1) }) },
        resolve: (_root, args) => {
          calls.push(`unscoped ${args.n}`);
          return 'done';
        },
      }),
      unchecked: t.string({
        authScopes: { operator: true },
        args: { n: t.arg.int({ required: true }) },
        resolve: (_root, args) => {
          calls.push(`unchecked ${args.n}`);
          return 'done';
        },
      }),
    }),
  });
  return builder.toSchema();
}

async function run(role: 'viewer' | 'operator', source: string) {
  const calls: string[] = [];
  const result = await graphql({ schema: buildSchema(calls), source, contextValue: { role } });
  return { data: result.data, errors: result.errors?.map((e) => e.message), calls };
}

describe('authorization before input validation', () => {
  it('answers a caller without the scope with the scope error, whatever the input', async () => {
    expect(await run('viewer', 'mutation { guarded(n: 0) }')).toEqual({ data: { guarded: null }, errors: ['FORBIDDEN guarded'], calls: [] });
    expect(await run('viewer', 'mutation { guarded(n: 5) }')).toEqual({ data: { guarded: null }, errors: ['FORBIDDEN guarded'], calls: [] });
  });

  it('validates the input of a caller with the scope, then resolves', async () => {
    expect(await run('operator', 'mutation { guarded(n: 0) }')).toEqual({ data: { guarded: null }, errors: ['INVALID_INPUT'], calls: [] });
    expect(await run('operator', 'mutation { guarded(n: 5) }')).toEqual({ data: { guarded: 'done' }, errors: undefined, calls: ['guarded 5'] });
  });

  it('leaves fields without scopes, or without argument checks, to the other plugins', async () => {
    expect(await run('viewer', 'mutation { unscoped(n: 0) }')).toEqual({ data: { unscoped: null }, errors: ['INVALID_INPUT'], calls: [] });
    expect(await run('viewer', 'mutation { unscoped(n: 2) }')).toEqual({ data: { unscoped: 'done' }, errors: undefined, calls: ['unscoped 2'] });
    expect(await run('viewer', 'mutation { unchecked(n: 0) }')).toEqual({ data: { unchecked: null }, errors: ['FORBIDDEN unchecked'], calls: [] });
    expect(await run('operator', 'mutation { unchecked(n: 0) }')).toEqual({ data: { unchecked: 'done' }, errors: undefined, calls: ['unchecked 0'] });
  });
});
