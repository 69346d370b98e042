import { z } from 'zod';
import { builder } from '../builder.ts';
import { loadNodes, loadOrNull } from '../loaders/batch.ts';
import type { GatewayContext } from '../context.ts';
import { ExtGroupMemberState, ExtensionCallEvent, ExtGroupStatusFilter } from '../upstream/sip/codes.ts';
import type { ExtGroupMember } from '../upstream/sip/types.ts';
import { defineCodeEnum } from './codes.ts';
import { mutationErrors, resultErrors, sipCommand, UpstreamRejected } from './errors.ts';
import { ConflictError, type InputIssue, InvalidInputError } from '../errors.ts';
import { AGENT_REF, EXT_GROUP_REF, IDEMPOTENCY_KEY_DESCRIPTION, idempotencyKeySchema, idempotent, referenceOf, throwIssues } from './mutation-input.ts';
import { AgentPresenceStateEnum, presenceOfMemberCallStatus } from './presence.ts';
import { AgentRef, agentOf, ExtGroupRef } from './refs.ts';
import { requireSip } from './upstream.ts';
import { cost } from '../limits/cost.ts';

const MemberStateEnum = defineCodeEnum('ExtGroupMemberState', 'Whether a group member takes calls from the group.', [
  ['IDLE', ExtGroupMemberState.Idle, 'Takes calls.'],
  ['BUSY', ExtGroupMemberState.Busy, 'Set busy: the group skips this member.'],
] as const);

const MemberCallStatusEnum = defineCodeEnum('ExtGroupMemberCallStatus', "A member's phone, in the extension-status callback's words.", [
  ['RINGING', ExtensionCallEvent.Ring, 'Ringing.'],
  ['ANSWERED', ExtensionCallEvent.Answer, 'In a call.'],
  ['HUNG_UP', ExtensionCallEvent.Hangup, 'Not in a call.'],
] as const);

const ExtGroupMemberRef = builder.objectRef<ExtGroupMember>('ExtGroupMember').implement({
  description: 'An agent in an extension group.',
  fields: (t) => ({
    agent: t.field({ type: AgentRef, description: 'The agent.', resolve: (m) => agentOf(m.extension) }),
    state: t.field({ type: MemberStateEnum.ref, description: 'Takes group calls (IDLE) or is skipped (BUSY).', resolve: (m) => MemberStateEnum.of(m.state) }),
    callStatus: t.field({ type: MemberCallStatusEnum.ref, description: "The member's phone.", resolve: (m) => MemberCallStatusEnum.of(m.callStatus) }),
    presenceState: t.field({
      type: AgentPresenceStateEnum,
      description:
        "The member's phone in the agents' one vocabulary (as Agent.presence.state): RINGING → RINGING, ANSWERED → IN_CALL, " +
        'HUNG_UP → AVAILABLE, an unknown code → UNKNOWN. Read with the member list (no call of its own).',
      // Cost: none beyond the member list's own read.
      complexity: cost.local,
      resolve: (m) => presenceOfMemberCallStatus(m.callStatus.value),
    }),
  }),
});

builder.node(ExtGroupRef, {
  description: 'An extension group: a set of agents that predictive tasks and IVR can ring together.',
  id: { resolve: (group) => group.name },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.extGroup, ids),
  fields: (t) => ({
    groupId: t.exposeInt('id', { description: "The platform's numeric id of the group." }),
    name: t.exposeString('name', { description: 'Group name (its key on the platform).' }),
    enabled: t.exposeBoolean('enabled', { description: 'Whether the group is enabled.' }),
    statusCode: t.string({ description: "The platform's raw status code of the group.", resolve: (g) => g.status.raw }),
    members: t.field({
      type: [ExtGroupMemberRef],
      // Nullable list of non-null members: a failed GetGroupExt nulls this field only, never the group.
      nullable: { list: true, items: false },
      description:
        'Members with their state (GetGroupExt: one call per group, deduplicated per request); null with an error on this path when ' +
        'the switch could not be read (an empty list means: no members).',
      // Cost: one GetGroupExt per group (not batched: the service takes one group); counted as 20 members.
      complexity: cost.listCall(20),
      resolve: (g, _a, ctx) => ctx.loaders.extGroupMembers.load(g.name),
    }),
  }),
});

builder.queryFields((t) => ({
  extGroups: t.field({
    type: [ExtGroupRef],
    // Nullable list of non-null groups: a failed GetExtgroupInfo nulls this field, not the whole response.
    nullable: { list: true, items: false },
    description:
      'Every extension group, enabled or not (one GetExtgroupInfo call); null with an error on this path when the switch could not be read.',
    // Cost: one GetExtgroupInfo list call; counted as 20 groups for what is selected below it.
    complexity: cost.listCall(20),
    authScopes: { viewer: true },
    resolve: async (_root, _args, ctx) => {
      const groups = await requireSip(ctx).getExtGroups({ status: ExtGroupStatusFilter.All });
      for (const group of groups) ctx.loaders.extGroup.prime(group.name, group);
      return groups;
    },
  }),
  extGroup: t.field({
    type: ExtGroupRef,
    nullable: true,
    description: 'One extension group by name; null when there is none.',
    // Cost: one GetExtgroupInfo for the request (batched).
    complexity: cost.batched,
    authScopes: { viewer: true },
    args: { name: t.arg.string({ required: true, description: 'Group name.', validate: z.string().min(1).max(64, 'group names are at most 64 characters') }) },
    resolve: async (_root, { name }, ctx) => {
      requireSip(ctx);
      return loadOrNull(ctx.loaders.extGroup, name);
    },
  }),
}));

// ---- Mutations ----------------------------------------------------------------------------------------------------

const groupName = z.string().trim().min(1, 'group is required').max(64, 'at most 64 characters');
const extension = z.string().trim().regex(/^\d{2,10}$/, 'extension must be 2–10 digits');

const CreateExtGroupInput = builder.inputType('CreateExtGroupInput', {
  description: 'A new extension group.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Group name (unique).' }),
    enabled: t.boolean({ description: 'Default true.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
  validate: z.object({ name: groupName, idempotencyKey: idempotencyKeySchema }).loose(),
});

const GROUP_FIELDS = 'The group as `groupId` (ExtGroup.id) or `group` (its name), and the agent as `agentId` (Agent.id) or `extension`: exactly one of each.';

const ExtGroupMemberInput = builder.inputType('ExtGroupMemberInput', {
  description: `An agent in a group. ${GROUP_FIELDS}`,
  fields: (t) => ({
    groupId: t.id({ description: "The group's global id (ExtGroup.id); or give `group`." }),
    group: t.string({ description: 'Group name; or give `groupId`.' }),
    agentId: t.id({ description: "The agent's global id (Agent.id); or give `extension`." }),
    extension: t.string({ description: "The agent's extension; or give `agentId`." }),
  }),
  validate: z.object({ group: groupName.nullish(), extension: extension.nullish() }).loose(),
});

const SetExtGroupMemberStateInput = builder.inputType('SetExtGroupMemberStateInput', {
  description: `A member's new state. ${GROUP_FIELDS}`,
  fields: (t) => ({
    groupId: t.id({ description: "The group's global id (ExtGroup.id); or give `group`." }),
    group: t.string({ description: 'Group name; or give `groupId`.' }),
    agentId: t.id({ description: "The agent's global id (Agent.id); or give `extension`." }),
    extension: t.string({ description: "The agent's extension; or give `agentId`." }),
    state: t.field({ type: MemberStateEnum.inputRef, required: true, description: 'IDLE takes group calls; BUSY is skipped.' }),
  }),
  validate: z.object({ group: groupName.nullish(), extension: extension.nullish() }).loose(),
});

const ExtGroupPayload = builder.objectRef<{ name: string; extension?: string }>('ExtGroupPayload').implement({
  description:
    'The command was carried out. `name` (and `extension`) say what it acted on (no platform read); `extGroup` reads the platform again ' +
    'afterwards and is null with an error on its path when that read fails — the command still succeeded.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name of the group the command created or changed.' }),
    extension: t.string({
      nullable: true,
      description: 'The member the command added, removed or changed; null for createExtGroup.',
      resolve: (p) => p.extension ?? null,
    }),
    extGroup: t.field({
      type: ExtGroupRef,
      // Nullable: a read-back after the command; its failure must not report the command as failed.
      nullable: true,
      description:
        'The group as the platform now has it (GetExtgroupInfo): null when it no longer exists, and null with an error on this path when that read fails.',
      // Cost: one GetExtgroupInfo for the request (batched).
      complexity: cost.batched,
      resolve: (p, _a, ctx) => loadOrNull(ctx.loaders.extGroup, p.name),
    }),
  }),
});

/** The group and the agent a member command names (global id or name, exactly one of each), or INVALID_INPUT. */
function memberOf(input: Record<string, unknown>): { group: string; extension: string } {
  const issues: InputIssue[] = [];
  const group = referenceOf(input, EXT_GROUP_REF, issues);
  const extension = referenceOf(input, AGENT_REF, issues);
  if (issues.length === 0 && !/^\d{2,10}$/.test(extension)) issues.push({ path: ['input', 'agentId'], message: 'not an agent id: use Agent.id' });
  throwIssues(issues);
  return { group, extension };
}

/** The platform answers an unknown group with a generic code, so the gateway looks it up first to say NOT_FOUND. */
async function existingGroup(ctx: GatewayContext, name: string): Promise<string> {
  await ctx.loaders.extGroup.load(name);
  return name;
}

function memberMutation(name: string, union: string, description: string, run: (ctx: GatewayContext, group: string, ext: string) => Promise<void>) {
  builder.mutationField(name, (t) =>
    t.field({
      type: ExtGroupPayload,
      description,
      // Cost: GetExtgroupInfo (does the group exist) and AddExtnumber / DelExtnumber.
      complexity: cost.calls(2),
      errors: mutationErrors(union),
      args: { input: t.arg({ type: ExtGroupMemberInput, required: true, description: 'The command, described by its input type.' }) },
      resolve: async (_root, { input }, ctx) => {
        const member = memberOf(input);
        const group = await existingGroup(ctx, member.group);
        const extension = member.extension;
        await sipCommand({ extension }, () => run(ctx, group, extension));
        ctx.loaders.extGroupMembers.clear(group);
        return { name: group, extension };
      },
    }),
  );
}

memberMutation('addExtGroupMember', 'AddExtGroupMemberResult', 'Adds an agent to a group (AddExtnumber).', (ctx, group, ext) =>
  requireSip(ctx).addExtGroupMember(group, ext),
);
memberMutation('removeExtGroupMember', 'RemoveExtGroupMemberResult', 'Removes an agent from a group (DelExtnumber).', (ctx, group, ext) =>
  requireSip(ctx).removeExtGroupMember(group, ext),
);

builder.mutationFields((t) => ({
  createExtGroup: t.field({
    type: ExtGroupPayload,
    description: 'Creates an extension group (AddExtgroup).',
    // Cost: one AddExtgroup.
    complexity: cost.call,
    // No NotFoundError: it names nothing that must exist. ConflictError: an idempotencyKey reused for another input.
    errors: resultErrors('CreateExtGroupResult', [InvalidInputError, UpstreamRejected, ConflictError]),
    args: { input: t.arg({ type: CreateExtGroupInput, required: true, description: 'The command, described by its input type.' }) },
    resolve: async (_root, { input }, ctx) => {
      const name = input.name.trim();
      const sip = requireSip(ctx);
      const { idempotencyKey: key, ...request } = input;
      return idempotent(ctx, 'createExtGroup', key, request, async () => {
        await sip.createExtGroup(name, input.enabled ?? true);
        ctx.loaders.extGroup.clear(name);
        return { name };
      });
    },
  }),
  setExtGroupMemberState: t.field({
    type: ExtGroupPayload,
    description: 'Sets a member idle (takes group calls) or busy (skipped) (EditExtnumber).',
    // Cost: GetExtgroupInfo (does the group exist) and EditExtnumber.
    complexity: cost.calls(2),
    errors: mutationErrors('SetExtGroupMemberStateResult'),
    args: { input: t.arg({ type: SetExtGroupMemberStateInput, required: true, description: 'The command, described by its input type.' }) },
    resolve: async (_root, { input }, ctx) => {
      const state = MemberStateEnum.toUpstream(input.state, ['input', 'state']);
      const member = memberOf(input);
      const group = await existingGroup(ctx, member.group);
      const extension = member.extension;
      await sipCommand({ extension }, () => requireSip(ctx).setExtGroupMemberState(group, extension, state));
      ctx.loaders.extGroupMembers.clear(group);
      return { name: group, extension };
    },
  }),
}));
