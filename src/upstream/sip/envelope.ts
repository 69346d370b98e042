import { z } from 'zod';
import { SipBusinessError, SipRequestError, UpstreamInvalidResponseError } from '../../errors.ts';
import { code, optionalText } from '../coerce.ts';
import { UpstreamCodeKind, upstreamCodeOf } from '../http.ts';
import { decodeSipCode, decodeSipRet, SipCode, SipRet } from './codes.ts';

/**
 * Reads the SIP API's envelope. `ret` ≠ 200 and `data.status` 1 become typed errors carrying the platform's code,
 * message and the service; GetGroupExt's bare-array `data` is a result like any other.
 */

const envelopeSchema = z.object({
  ret: code,
  data: z.unknown(),
  msg: z.unknown().optional(),
});

const dataSchema = z.object({
  status: code.optional(),
  desc: optionalText.optional(),
  result: z.unknown().optional(),
  errors: z
    .object({ code: code.optional(), codemsg: optionalText.optional() })
    .partial()
    .nullable()
    .optional(),
});

export type EnvelopeOutcome =
  | { kind: 'result'; result: unknown }
  /** The token must be renewed and the call sent again (ret 600, or code 1010 which also wants a logout). */
  | { kind: 'renew'; logoutFirst: boolean; error: SipRequestError | SipBusinessError };

/**
 * The start of a body for an error's log-only excerpt. GetSipnumberInfo answers carry each extension's SIP `password`,
 * so password values are masked first (also one cut short by a truncated body); the logger redacts the rest.
 */
function preview(body: string): string {
  return body.replace(/("password"\s*:\s*)(?:"(?:[^"\\]|\\.)*(?:"|$)|[^,}\]\s]+)/gi, '$1"***"').slice(0, 120);
}

/** A SIP refusal's code as the upstream observers get it: `ret:<ret>` for the envelope, `code:<code>` for a business code. */
export function refusalCode(error: SipRequestError | SipBusinessError): string {
  return upstreamCodeOf(error instanceof SipRequestError ? UpstreamCodeKind.SipRet : UpstreamCodeKind.SipCode, error.upstreamCode);
}

export function readEnvelope(service: string, body: string): EnvelopeOutcome {
  const context = { upstream: 'sip' as const, operation: service };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new UpstreamInvalidResponseError(context, 'not JSON', { cause: error, excerpt: preview(body) });
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new UpstreamInvalidResponseError(context, 'not a SIP envelope', { excerpt: preview(body) });

  const ret = decodeSipRet(envelope.data.ret);
  if (ret.value !== SipRet.Ok) {
    const message = typeof envelope.data.msg === 'string' ? envelope.data.msg : '';
    const error = new SipRequestError(service, ret, message);
    if (ret.value === SipRet.TokenInvalid) return { kind: 'renew', logoutFirst: false, error };
    throw error;
  }

  const data = envelope.data.data;
  if (Array.isArray(data)) return { kind: 'result', result: data };
  const parsed = dataSchema.safeParse(data);
  if (!parsed.success) throw new UpstreamInvalidResponseError(context, 'unexpected data', { excerpt: preview(body) });

  const status = parsed.data.status ?? '0';
  if (status !== '0') {
    const errors = parsed.data.errors ?? {};
    const sipCode = decodeSipCode(errors.code ?? '');
    const error = new SipBusinessError(service, sipCode, errors.codemsg ?? '', parsed.data.desc ?? '');
    if (sipCode.value === SipCode.ExtensionException) return { kind: 'renew', logoutFirst: true, error };
    throw error;
  }
  return { kind: 'result', result: parsed.data.result };
}
