import {
  ExtGroupMemberState,
  ExtGroupStatus,
  ExtGroupStatusFilter,
  ExtensionCallEvent,
  SipCode,
  SipService,
} from '../../../upstream/sip/codes.ts';
import { SipBusinessFailure, illegal } from '../envelope.ts';
import { type ExtGroup, type Extension, ExtensionCallState } from '../model.ts';
import { type Params, enumValues } from '../params.ts';
import type { SipState } from '../state.ts';
import type { ServiceDefinition } from './types.ts';

const STATUS_FILTERS = enumValues<ExtGroupStatusFilter>(ExtGroupStatusFilter);
const MEMBER_STATES: readonly string[] = Object.values(ExtGroupMemberState);

function knownGroup(state: SipState, name: string): ExtGroup {
  const group = state.extGroups.get(name);
  if (!group) throw new SipBusinessFailure(SipCode.AbnormalOperation, 'extension group does not exist');
  return group;
}

/** `extnumber` of the member calls: one extension, or a comma list; each must be the company's (1012). */
function memberNumbers(params: Params, state: SipState): string[] {
  const numbers = params.list('extnumber');
  if (numbers.length === 0) throw illegal('extnumber is required');
  for (const number of numbers) {
    if (!state.extensions.has(number)) throw new SipBusinessFailure(SipCode.ExtensionNotFound);
  }
  return numbers;
}

/** A member's call status in GetGroupExt: the extension-status callback's words. */
function callEvent(extension: Extension | undefined): ExtensionCallEvent {
  switch (extension?.callState) {
    case ExtensionCallState.Ringing:
      return ExtensionCallEvent.Ring;
    case ExtensionCallState.OffHook:
    case ExtensionCallState.Calling:
      return ExtensionCallEvent.Answer;
    default:
      return ExtensionCallEvent.Hangup;
  }
}

export const extGroupServices = {
  [SipService.AddExtgroup]: {
    ok: 'Added successfully',
    fail: 'Add fail',
    handle(params, { state }) {
      const name = params.required('name');
      const status = params.choice(
        'status',
        [ExtGroupStatusFilter.Disabled, ExtGroupStatusFilter.Enabled],
        ExtGroupStatusFilter.Enabled,
      );
      if (state.extGroups.has(name)) {
        throw new SipBusinessFailure(SipCode.AbnormalOperation, 'extension group already exists');
      }
      state.addExtGroup(name, status === ExtGroupStatusFilter.Enabled);
      return {};
    },
  },
  [SipService.GetExtgroupInfo]: {
    ok: 'get success',
    fail: 'get fail',
    handle(params, { state }) {
      const name = params.text('name');
      const status = params.choice('status', STATUS_FILTERS, ExtGroupStatusFilter.All);
      const groups = name ? [state.extGroups.get(name)].filter((g) => g !== undefined) : [...state.extGroups.values()];
      const result = groups
        .filter((g) => status === ExtGroupStatusFilter.All || g.enabled === (status === ExtGroupStatusFilter.Enabled))
        .map((g) => ({
          id: g.id,
          name: g.name,
          status: g.enabled ? ExtGroupStatus.Enabled : ExtGroupStatus.Disabled,
        }));
      return { result };
    },
  },
  [SipService.AddExtnumber]: {
    ok: 'Added successfully',
    fail: 'Add fail',
    handle(params, { state }) {
      const group = knownGroup(state, params.required('name'));
      const numbers = memberNumbers(params, state);
      if (numbers.some((number) => group.members.has(number))) {
        throw new SipBusinessFailure(SipCode.AbnormalOperation, 'extension is already in the group');
      }
      for (const number of numbers) state.addGroupMember(group.name, number);
      return {};
    },
  },
  [SipService.DelExtnumber]: {
    ok: 'successfully deleted',
    fail: 'delete fail',
    handle(params, { state }) {
      const group = knownGroup(state, params.required('name'));
      const numbers = memberNumbers(params, state);
      if (numbers.some((number) => !group.members.has(number))) {
        throw new SipBusinessFailure(SipCode.AbnormalOperation, 'extension is not in the group');
      }
      for (const number of numbers) state.removeGroupMember(group.name, number);
      return {};
    },
  },
  [SipService.EditExtnumber]: {
    ok: 'edited successfully',
    fail: 'edit fail',
    handle(params, { state }) {
      const group = knownGroup(state, params.required('name'));
      const numbers = memberNumbers(params, state);
      const memberState = params.required('state').toLowerCase();
      if (!MEMBER_STATES.includes(memberState)) throw illegal(`state must be ${MEMBER_STATES.join(' or ')}`);
      if (numbers.some((number) => !group.members.has(number))) {
        throw new SipBusinessFailure(SipCode.AbnormalOperation, 'extension is not in the group');
      }
      for (const number of numbers) state.setGroupMemberState(group.name, number, memberState as ExtGroupMemberState);
      return {};
    },
  },
  [SipService.GetGroupExt]: {
    ok: 'get success',
    fail: 'get fail',
    handle(params, { state }) {
      const group = state.extGroups.get(params.required('name'));
      const wanted = new Set(params.list('extnumber'));
      const members = group ? [...group.members.values()] : [];
      return {
        bare: members
          .filter((m) => wanted.size === 0 || wanted.has(m.extnumber))
          .map((m) => ({
            name: group?.name ?? '',
            extnumber: m.extnumber,
            status: callEvent(state.extensions.get(m.extnumber)),
            state: m.state,
          })),
      };
    },
  },
} satisfies Partial<Record<SipService, ServiceDefinition>>;
