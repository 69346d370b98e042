import { ExtensionStatusFilter, Registration, SipCode, SipService } from '../../../upstream/sip/codes.ts';
import { illegal } from '../envelope.ts';
import { type Extension, ExtensionCallState } from '../model.ts';
import { type Params, enumValues } from '../params.ts';
import type { ServiceDefinition } from './types.ts';

const STATUS_FILTERS = enumValues<ExtensionStatusFilter>(ExtensionStatusFilter);

const CALL_STATE_CODES: Readonly<Record<ExtensionCallState, SipCode>> = {
  [ExtensionCallState.Idle]: SipCode.ExtensionIdle,
  [ExtensionCallState.Ringing]: SipCode.ExtensionRinging,
  [ExtensionCallState.OffHook]: SipCode.ExtensionOffHook,
  [ExtensionCallState.Calling]: SipCode.ExtensionCalling,
};

/** The status calls answer one entry per requested extension, in request order. */
function requestedExtensions(params: Params): string[] {
  const numbers = params.list('extnumber');
  if (numbers.length === 0) throw illegal('extnumber is required');
  return numbers;
}

/** 1013 disabled, 1014 not registered, else 1201…1204 from the call state. */
export function callStatusCode(extension: Extension): SipCode {
  if (!extension.enabled) return SipCode.ExtensionDisabled;
  if (!extension.registration) return SipCode.ExtensionNotRegistered;
  return CALL_STATE_CODES[extension.callState];
}

const seconds = (fromMs: number, toMs: number) => Math.max(0, Math.floor((toMs - fromMs) / 1000));

export const extensionServices = {
  [SipService.GetSipNumberInfo]: {
    ok: 'get success',
    fail: 'get fail',
    handle(params, { state }) {
      const status = params.choice('status', STATUS_FILTERS, ExtensionStatusFilter.Enabled);
      const wanted = params.list('extnumber');
      const candidates = wanted.length
        ? wanted.flatMap((number) => state.extensions.get(number) ?? [])
        : [...state.extensions.values()];
      const result = candidates
        .filter((ext) => status === ExtensionStatusFilter.All || ext.enabled === (status === ExtensionStatusFilter.Enabled))
        .map((ext) => ({
          extnumber: ext.number,
          password: ext.password,
          status: ext.enabled ? SipCode.ExtensionEnabled : SipCode.ExtensionDisabled,
          register: ext.registration ? Registration.Registered : Registration.NotRegistered,
        }));
      return { result };
    },
  },
  [SipService.GetSipCallStatus]: {
    ok: 'get success',
    fail: 'get fail',
    handle(params, { ctx, state }) {
      const now = ctx.now();
      const result = requestedExtensions(params).map((number) => {
        const ext = state.extensions.get(number);
        const status = ext ? callStatusCode(ext) : SipCode.IllegalExtension;
        const call = ext?.call && status !== SipCode.ExtensionIdle ? ext.call : null;
        return {
          extnumber: number,
          status,
          caller: call?.caller ?? null,
          callee: call?.callee ?? null,
          disnumber: call?.disnumber ?? null,
          direction: call?.direction ?? null,
          channel: call?.channel ?? null,
          idleduration: ext && status === SipCode.ExtensionIdle ? seconds(ext.idleSince, now) : null,
          callduration: call ? seconds(call.since, now) : null,
        };
      });
      return { result };
    },
  },
  [SipService.GetSipValidStatus]: {
    ok: 'get success',
    fail: 'get fail',
    handle(params, { state }) {
      const result = requestedExtensions(params).map((number) => {
        const ext = state.extensions.get(number);
        const code = !ext ? SipCode.IllegalExtension : ext.enabled ? SipCode.ExtensionEnabled : SipCode.ExtensionDisabled;
        return { extnumber: number, code };
      });
      return { result };
    },
  },
  [SipService.GetSipRegisterStatus]: {
    ok: 'get success',
    fail: 'get fail',
    handle(params, { state }) {
      const result = requestedExtensions(params).map((number) => {
        const ext = state.extensions.get(number);
        const registration = ext?.registration ?? null;
        const code = !ext
          ? SipCode.IllegalExtension
          : registration
            ? SipCode.ExtensionRegistered
            : SipCode.ExtensionNotRegistered;
        return {
          extnumber: number,
          code,
          clientip: registration?.clientIp ?? null,
          serverip: registration?.serverIp ?? null,
        };
      });
      return { result };
    },
  },
} satisfies Partial<Record<SipService, ServiceDefinition>>;
