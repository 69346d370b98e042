import { SipRet, SipService } from '../../upstream/sip/codes.ts';
import type { SimContext, SimResponse } from '../types.ts';
import {
  RET_MESSAGES,
  SipBusinessFailure,
  SipRequestFailure,
  bareEnvelope,
  businessEnvelope,
  illegal,
  requestEnvelope,
  successEnvelope,
  unixSeconds,
} from './envelope.ts';
import { authServices } from './handlers/auth.ts';
import { cdrServices } from './handlers/cdr.ts';
import { extGroupServices } from './handlers/ext-groups.ts';
import { extensionServices } from './handlers/extensions.ts';
import { queueServices } from './handlers/queues.ts';
import { taskServices } from './handlers/tasks.ts';
import type { ServiceDefinition, SipApiOptions, SipEnv } from './handlers/types.ts';
import { type FormFields, Params } from './params.ts';
import { type RecordingLinks, createRecordingLinks } from './recordings.ts';
import { seedSipState } from './seed.ts';
import { SipState } from './state.ts';

const SERVICES: Readonly<Record<SipService, ServiceDefinition>> = {
  ...authServices,
  ...cdrServices,
  ...extensionServices,
  ...queueServices,
  ...extGroupServices,
  ...taskServices,
};

/** Lower-cased spelling → the service: names are trimmed and matched case-insensitively. */
const BY_NAME = new Map(Object.values(SipService).map((service) => [service.toLowerCase(), service]));

/** A failure the test switches inject instead of handling the request. */
export type SipInjectedFailure = { ret: number; msg?: string } | { code: number; msg?: string };

export interface SipApi {
  readonly state: SipState;
  readonly recordings: RecordingLinks;
  /** The service a form names (SipService spelling), or null when it names none the platform has. */
  serviceOf(fields: FormFields): SipService | null;
  /** The key of a request in counts and switches: the SipService spelling, else the trimmed `service` text. */
  operationOf(fields: FormFields): string;
  handle(fields: FormFields, receivedAt: number): SimResponse;
  /** The envelope an injected failure answers with. */
  fail(failure: SipInjectedFailure, fields: FormFields, receivedAt: number): SimResponse;
}

export interface SipApiConfig extends SipApiOptions {
  tokenTtlMs: number;
  /** Fill the state with the demo call centre (default true). */
  demoData?: boolean;
}

export const NO_SERVICE = '(no service)';

export function createSipApi(ctx: SimContext, config: SipApiConfig): SipApi {
  const state = new SipState(ctx, { tokenTtlMs: config.tokenTtlMs });
  if (config.demoData ?? true) seedSipState(state, ctx);
  const recordings = createRecordingLinks(ctx, state, config.recordingLinkTtlMs);
  const env: SipEnv = { ctx, state, options: config, recordings };

  const serviceOf = (fields: FormFields) => BY_NAME.get((fields.service ?? '').trim().toLowerCase()) ?? null;

  function handle(fields: FormFields, receivedAt: number): SimResponse {
    const reqtime = unixSeconds(receivedAt);
    const raw = (fields.service ?? '').trim();
    const service = serviceOf(fields);
    if (!service) {
      return requestEnvelope(SipRet.IllegalRequest, illegal(raw ? `unknown service ${raw}` : 'service is required').message);
    }
    const definition = SERVICES[service];
    const params = new Params(fields);
    try {
      if (!definition.public && state.tokens.check(params.text('token')) !== 'ok') {
        throw new SipRequestFailure(SipRet.TokenInvalid);
      }
      const outcome = definition.handle(params, env);
      if ('bare' in outcome) return bareEnvelope(outcome.bare);
      return successEnvelope(definition.ok, outcome.result, reqtime, unixSeconds(ctx.now()));
    } catch (error) {
      if (error instanceof SipRequestFailure) return requestEnvelope(error.ret, error.message);
      if (error instanceof SipBusinessFailure) {
        return businessEnvelope(definition.fail, error.code, error.codemsg, reqtime, unixSeconds(ctx.now()));
      }
      console.error(`simulator: ${service} failed`, error);
      return requestEnvelope(SipRet.ServerError, RET_MESSAGES[SipRet.ServerError]);
    }
  }

  function fail(failure: SipInjectedFailure, fields: FormFields, receivedAt: number): SimResponse {
    if ('ret' in failure) {
      return requestEnvelope(failure.ret, failure.msg ?? RET_MESSAGES[failure.ret as SipRet] ?? 'error');
    }
    const service = serviceOf(fields);
    const desc = service ? SERVICES[service].fail : 'operation fail';
    const codemsg = failure.msg ?? new SipBusinessFailure(failure.code).codemsg;
    return businessEnvelope(desc, failure.code, codemsg, unixSeconds(receivedAt), unixSeconds(ctx.now()));
  }

  return {
    state,
    recordings,
    serviceOf,
    operationOf: (fields) => serviceOf(fields) ?? ((fields.service ?? '').trim() || NO_SERVICE),
    handle,
    fail,
  };
}
