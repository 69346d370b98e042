import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { PothosScopeAuthPlugin } from '@pothos/plugin-scope-auth';
import type { GraphQLFieldResolver } from 'graphql';

/**
 * Authorization before input validation, so that input errors can be union members without telling a caller who may
 * not use a field whether their input was valid.
 *
 * Why a plugin: Pothos runs every field's argument mappers (the validation plugin's zod checks are one) *outside* all
 * plugins' `wrapResolve` wrappers (core `MergedPlugins.wrapResolve`: `wrapArgMappers(argMappers → wrapResolve…)`), and
 * scope-auth only wraps `resolve`. So whatever the order of the plugins list, validation ran before the scope checks:
 * a viewer sending invalid input to a mutation got INVALID_INPUT, not FORBIDDEN. Plugins' `wrapArgMappers` wrappers
 * are the only place outside the argument mappers; this one runs scope-auth's own checks there (type scopes, as on
 * Mutation, and field scopes), for fields that have argument mappers. Put it before the errors plugin, whose
 * `unsafelyHandleInputErrors` turns validation failures into result-union members: it is then safe, because nothing
 * reaches the mappers unauthorized. scope-auth still checks again inside (its request cache answers from memory).
 * Subscription fields keep scope-auth's `authorizeOnSubscribe`.
 */
export class AuthBeforeInputPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  private readonly scopeAuth = new PothosScopeAuthPlugin<Types>(this.buildCache, 'scopeAuth' as keyof PothosSchemaTypes.Plugins<Types>);

  override wrapArgMappers(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: a short cut (wrapping these fields too would run the same check once more, same answer)
    if (!resolver || fieldConfig.argMappers.length === 0 || fieldConfig.kind === 'Subscription') return resolver;
    const authorized = Symbol('authorized');
    const pass: GraphQLFieldResolver<unknown, Types['Context'], object> = () => authorized;
    const check = this.scopeAuth.wrapResolve(pass, fieldConfig);
    // Stryker disable next-line ConditionalExpression: a short cut (without scopes `pass` answers authorized anyway)
    if (check === pass) return resolver; // no scopes on the field or its type
    return async (parent, args, context, info) => {
      // Throws (or returns the unauthorized resolver's answer) when the caller may not use the field.
      const result: unknown = await check(parent, args, context, info);
      // Stryker disable next-line ConditionalExpression: with `unauthorizedError` set, the check throws or answers authorized
      if (result !== authorized) return result;
      return resolver(parent, args, context, info);
    };
  }
}

const pluginName = 'authBeforeInput';
SchemaBuilder.registerPlugin(pluginName, AuthBeforeInputPlugin);

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      authBeforeInput: AuthBeforeInputPlugin<Types>;
    }
  }
}

export default pluginName;
