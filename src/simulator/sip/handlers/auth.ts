import { SipCode, SipRet, SipService } from '../../../upstream/sip/codes.ts';
import { SipBusinessFailure, SipRequestFailure } from '../envelope.ts';
import type { ServiceDefinition } from './types.ts';

export const authServices = {
  [SipService.Login]: {
    ok: 'Authorization successful',
    fail: 'Authorization fail',
    public: true,
    handle(params, { ctx, state, options }) {
      const appid = params.required('appid');
      const accesskey = params.required('accesskey');
      if (appid !== options.appId) throw new SipRequestFailure(SipRet.AppIdNotAuthorized);
      // Exactly the manual's example of a business failure.
      if (accesskey !== options.accessKey) throw new SipBusinessFailure(SipCode.OperationFailed, 'Authorization failed');
      const { token } = state.tokens.issue();
      return {
        result: {
          companycode: state.company.code,
          companyname: state.company.name,
          token,
          authtime: ctx.time.format(new Date(ctx.now())),
          authmodel: '',
        },
      };
    },
  },
  [SipService.Logout]: {
    ok: 'logout successful',
    fail: 'logout fail',
    handle(params, { state }) {
      state.tokens.revoke(params.text('token'));
      return {};
    },
  },
} satisfies Partial<Record<SipService, ServiceDefinition>>;
