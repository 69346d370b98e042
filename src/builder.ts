import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import ComplexityPlugin from '@pothos/plugin-complexity';
import AuthBeforeInputPlugin from './auth-before-input.ts';
import type { GatewayContext } from './context.ts';
import { ForbiddenError, InvalidInputError } from './errors.ts';
import { roleAtLeast } from './auth.ts';
import { Role } from './config.ts';
import { cost, defaultFieldCost } from './limits/cost.ts';

/**
 * The one Pothos builder: plugins, scalars and empty roots only; domain types live in src/schema/.
 * Roles are ordered (viewer < operator < admin), so a scope means "at least this role".
 */
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
  AuthScopes: { viewer: boolean; operator: boolean; admin: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string | number };
  };
  Connection: { totalCount?: number | null };
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  // Scope auth first, so no other plugin does work for a caller who may not see the field; AuthBeforeInput runs its
  // checks before argument validation too (Pothos maps arguments outside every resolve wrapper: auth-before-input.ts).
  plugins: [ScopeAuthPlugin, AuthBeforeInputPlugin, ErrorsPlugin, ValidationPlugin, RelayPlugin, DataloaderPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      viewer: roleAtLeast(ctx.principal?.role, Role.Viewer),
      operator: roleAtLeast(ctx.principal?.role, Role.Operator),
      admin: roleAtLeast(ctx.principal?.role, Role.Admin),
    }),
    unauthorizedError: (_parent, ctx, info) =>
      new ForbiddenError(
        `${ctx.principal ? `role ${ctx.principal.role}` : 'this caller'} may not use ${info.parentType.name}.${info.fieldName}`,
      ),
  },
  // Input validation failures become InvalidInputError members of mutation results. Not unsafe here: AuthBeforeInput
  // has authorized the caller before any argument is validated.
  errors: { defaultTypes: [], unsafelyHandleInputErrors: true },
  // Field costs for the operation limits (src/limits/): declared next to each field, else defaultFieldCost. The limits
  // are checked at validation, before any resolver (useOperationLimits), so the plugin's own resolve-time check is off.
  complexity: { fieldComplexity: defaultFieldCost, disabled: true },
  validation: {
    validationError: (result) =>
      new InvalidInputError(
        result.issues.map((issue) => issue.message).join('; '),
        undefined,
        result.issues.map((issue) => ({
          path: (issue.path ?? []).map((part) => String(typeof part === 'object' ? part.key : part)),
          message: issue.message,
        })),
      ),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: {
      description:
        'Any object with a global id: Agent, Queue, ExtGroup, CallRecord, Task (PredictiveTask, AiTask), and the AI-task resources ' +
        '(CallerLine, RedialRule, DoNotCallWindow, ScriptGroup, HandoverGroup).',
      args: { id: { description: 'A global id, as read from an `id` field.' } },
      // Cost: a CallRecord id is a GetBill read of its dial time; other types load batched or from the store.
      complexity: cost.call,
    },
    nodesQueryOptions: {
      description: 'Objects by global ids, in the order asked; null for an id that is not found.',
      args: { ids: { description: 'Global ids, as read from `id` fields.' } },
      // Cost: up to one upstream read per id (CallRecord ids are a GetBill each), and each id's sub-selection.
      complexity: (args) => cost.perId(args.ids.length),
    },
    nodeTypeOptions: { description: 'An object with a global id, which node(id:) fetches again.' },
    idFieldOptions: { description: 'Global id: opaque, stable, accepted by node(id:).' },
    pageInfoTypeOptions: { description: 'Where a page sits in its connection.' },
    hasNextPageFieldOptions: { description: 'More items follow: ask again with `after: endCursor`.' },
    hasPreviousPageFieldOptions: { description: 'Items come before this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of the page.' },
    endCursorFieldOptions: { description: 'Cursor of the last item: pass it as `after` for the next page.' },
    cursorFieldOptions: { description: 'Where this item sits; pass as `after` to continue after it.' },
    edgesFieldOptions: { nullable: false, description: 'The items of this page, with their cursors.', complexity: cost.edges },
    nodeFieldOptions: { nullable: false, description: 'The item.' },
    pageInfoFieldOptions: { description: 'Paging state.' },
    defaultConnectionTypeOptions: { description: 'A page of items.' },
    defaultEdgeTypeOptions: { description: 'An item with its cursor.' },
  },
});

builder.queryType({ description: 'Reads over the call centre: its agents, queues, groups, tasks and call records.' });
builder.mutationType({
  description: 'Commands to the call centre. Every mutation needs at least the operator role.',
  authScopes: { operator: true },
});

// The DateTime scalar (strict RFC 3339): src/schema/scalars.ts.
