import { decodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import type { CachedTaskOptions } from '../loaders/aicall.ts';
import { loadNodes, loadOrNull } from '../loaders/batch.ts';
import {
  type AiCallerLine,
  type AiDoNotCallWindow,
  type AiHandoverGroup,
  type AiRedialRule,
  type AiScriptGroup,
  isUsableHandoverGroup,
} from '../upstream/aicall/types.ts';
import { requireAiCall } from './upstream.ts';
import { cost } from '../limits/cost.ts';

/**
 * What an AI task is made of, from the platform's `GET /v1/task/create`: caller lines, redial rules, do-not-call
 * windows, script groups and hand-over groups. All of them come from one options list, cached for seconds in the
 * gateway (loaders/aicall.ts), so a form that re-renders and a page of AI tasks with their resources cost one call.
 * Each is a Relay node; createAiTask and updateAiTask take their global ids.
 */

export const CallerLineRef = builder.objectRef<AiCallerLine>('CallerLine');
export const RedialRuleRef = builder.objectRef<AiRedialRule>('RedialRule');
export const DoNotCallWindowRef = builder.objectRef<AiDoNotCallWindow>('DoNotCallWindow');
export const ScriptGroupRef = builder.objectRef<AiScriptGroup>('ScriptGroup');
export const HandoverGroupRef = builder.objectRef<AiHandoverGroup>('HandoverGroup');

export type AiResourceType = 'CallerLine' | 'RedialRule' | 'DoNotCallWindow' | 'ScriptGroup' | 'HandoverGroup';

/**
 * The platform id inside a resource's global id, or null when the id is not of that type. Script groups, redial
 * rules and hand-over groups have integer ids on the platform.
 */
export function resourceIdOf(globalId: string, type: 'CallerLine' | 'DoNotCallWindow'): string | null;
export function resourceIdOf(globalId: string, type: 'ScriptGroup' | 'RedialRule' | 'HandoverGroup'): number | null;
export function resourceIdOf(globalId: string, type: AiResourceType): string | number | null;
export function resourceIdOf(globalId: string, type: AiResourceType): string | number | null {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    return null;
  }
  if (decoded.typename !== type) return null;
  if (type === 'CallerLine' || type === 'DoNotCallWindow') return decoded.id;
  return /^\d+$/.test(decoded.id) ? Number(decoded.id) : null;
}

const intIds = (ids: readonly string[]) => ids.map((id) => (/^\d+$/.test(id) ? Number(id) : null));

builder.node(CallerLineRef, {
  description: 'A telephone line the bot dials out on. A task takes part of its concurrency while it runs.',
  id: { resolve: (line) => line.id },
  loadMany: (ids, ctx) => loadNodes(ctx.aiLoaders.callerLine, ids),
  fields: (t) => ({
    platformId: t.exposeString('id', { description: "The platform's own line id (a uuid). CallerLine.id is the global id." }),
    lineId: t.exposeString('id', { description: "The platform's line id (a uuid).", deprecationReason: 'Use platformId (the same value).' }),
    name: t.exposeString('name', { description: 'Line name.' }),
    callerNumber: t.exposeString('callerNumber', { nullable: true, description: 'The number shown to the called party.' }),
    totalConcurrency: t.exposeInt('totalConcurrency', { description: 'Calls the line carries at once.' }),
    freeConcurrency: t.exposeInt('freeConcurrency', {
      description: "Concurrency not taken by running tasks: a task's concurrency may not exceed it (the platform's residue).",
    }),
    usable: t.boolean({ description: 'True when a task can use the line now (free concurrency ≥ 1).', resolve: (line) => line.freeConcurrency >= 1 }),
    availableFrom: t.expose('availableFrom', { type: 'DateTime', nullable: true, description: 'When the line became available.' }),
  }),
});

builder.node(RedialRuleRef, {
  description: 'How a task dials failed calls again (no answer, busy, …).',
  id: { resolve: (rule) => rule.id },
  loadMany: (ids, ctx) => loadNodes(ctx.aiLoaders.redialRule, intIds(ids)),
  fields: (t) => ({
    platformId: t.exposeInt('id', { description: "The platform's own rule id. RedialRule.id is the global id." }),
    ruleId: t.exposeInt('id', { description: "The platform's rule id.", deprecationReason: 'Use platformId (the same value).' }),
    name: t.exposeString('name', { description: 'Rule name.' }),
    remark: t.exposeString('remark', { nullable: true, description: 'What the rule does, as its author wrote it.' }),
    enabled: t.exposeBoolean('enabled', { description: 'Only an enabled rule may be put on a task.' }),
  }),
});

builder.node(DoNotCallWindowRef, {
  description: 'A time window of the day in which a task does not dial (lunch break, evenings, …).',
  id: { resolve: (window) => window.id },
  loadMany: (ids, ctx) => loadNodes(ctx.aiLoaders.doNotCallWindow, ids),
  fields: (t) => ({
    platformId: t.exposeString('id', { description: "The platform's own window id (a uuid). DoNotCallWindow.id is the global id." }),
    windowId: t.exposeString('id', { description: "The platform's window id (a uuid).", deprecationReason: 'Use platformId (the same value).' }),
    name: t.exposeString('name', { description: 'Window name.' }),
  }),
});

builder.node(ScriptGroupRef, {
  description: 'A group of scripts the voice bot follows on a call.',
  id: { resolve: (group) => group.id },
  loadMany: (ids, ctx) => loadNodes(ctx.aiLoaders.scriptGroup, intIds(ids)),
  fields: (t) => ({
    platformId: t.exposeInt('id', { description: "The platform's own script group id. ScriptGroup.id is the global id." }),
    scriptGroupId: t.exposeInt('id', { description: "The platform's script group id.", deprecationReason: 'Use platformId (the same value).' }),
    name: t.exposeString('name', { description: 'Script group name.' }),
    ttsDebug: t.exposeBoolean('ttsDebug', {
      description: 'Debug mode: every utterance is spoken by text-to-speech instead of the recorded voice.',
    }),
    isDefault: t.exposeBoolean('default', { description: "The account's default script group." }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true, description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', nullable: true, description: 'When it last changed.' }),
  }),
});

builder.node(HandoverGroupRef, {
  description: 'A group of human customer-service agents the bot can hand a call over to, on its own caller line.',
  id: { resolve: (group) => group.id },
  loadMany: (ids, ctx) => loadNodes(ctx.aiLoaders.handoverGroup, intIds(ids)),
  fields: (t) => ({
    platformId: t.exposeInt('id', { description: "The platform's own customer-service group id. HandoverGroup.id is the global id." }),
    groupId: t.exposeInt('id', { description: "The platform's customer-service group id.", deprecationReason: 'Use platformId (the same value).' }),
    name: t.exposeString('name', { description: 'Group name.' }),
    enabled: t.exposeBoolean('enabled', { description: 'The group is enabled (platform status 1).' }),
    callerLine: t.field({
      type: CallerLineRef,
      nullable: true,
      description: 'The line calls are handed over on; null when the group has none (then it cannot be used).',
      resolve: (group, _args, ctx) => (group.callerLineId === null ? null : loadOrNull(ctx.aiLoaders.callerLine, group.callerLineId)),
    }),
    usable: t.boolean({
      description: 'True when a task may hand over to it: enabled and with a caller line.',
      resolve: (group) => isUsableHandoverGroup(group),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true, description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', nullable: true, description: 'When it last changed.' }),
  }),
});

const AiTaskOptionsRef = builder.objectRef<CachedTaskOptions>('AiTaskOptions').implement({
  description:
    'What a new AI task may use, as the platform offered it at `fetchedAt` (`GET /v1/task/create`). Free concurrency changes as tasks start and stop; ' +
    'createAiTask checks again against a fresh copy.',
  fields: (t) => ({
    callerLines: t.field({
      type: [CallerLineRef],
      description: 'Caller lines, with their free concurrency.',
      args: { usableOnly: t.arg.boolean({ description: 'Only lines with free concurrency (≥ 1).' }) },
      resolve: ({ options }, { usableOnly }) => (usableOnly ? options.callerLines.filter((l) => l.freeConcurrency >= 1) : options.callerLines),
    }),
    redialRules: t.field({
      type: [RedialRuleRef],
      description: 'Redial rules.',
      args: { usableOnly: t.arg.boolean({ description: 'Only enabled rules.' }) },
      resolve: ({ options }, { usableOnly }) => (usableOnly ? options.redialRules.filter((r) => r.enabled) : options.redialRules),
    }),
    doNotCallWindows: t.field({
      type: [DoNotCallWindowRef],
      description: 'Do-not-call windows.',
      resolve: ({ options }) => options.doNotCallWindows,
    }),
    scriptGroups: t.field({
      type: [ScriptGroupRef],
      description: 'Script groups.',
      resolve: ({ options }) => options.scriptGroups,
    }),
    handoverGroups: t.field({
      type: [HandoverGroupRef],
      description: 'Human customer-service groups to hand calls over to.',
      args: { usableOnly: t.arg.boolean({ description: 'Only usable groups (enabled, with a caller line).' }) },
      resolve: ({ options }, { usableOnly }) => (usableOnly ? options.handoverGroups.filter(isUsableHandoverGroup) : options.handoverGroups),
    }),
    fetchedAt: t.expose('fetchedAt', { type: 'DateTime', description: 'When the platform gave this answer (it is cached for a few seconds).' }),
  }),
});

builder.queryField('aiTaskOptions', (t) =>
  t.field({
    type: AiTaskOptionsRef,
    // Nullable: a failed `GET /v1/task/create` nulls this field, not the whole response.
    nullable: true,
    description:
      'What a new AI task may use: caller lines, redial rules, do-not-call windows, script groups, hand-over groups. ' +
      'Served from a cache of a few seconds shared by all callers, so a re-rendering form does not hammer the platform. ' +
      'Null with an error on this path when the platform could not be read (or is not configured).',
    // Cost: one `GET /v1/task/create` (often none: cached 5 s and shared); its lists are in memory (default list cost).
    complexity: cost.call,
    authScopes: { viewer: true },
    resolve: (_root, _args, ctx) => {
      requireAiCall(ctx);
      return ctx.aiLoaders.options();
    },
  }),
);
