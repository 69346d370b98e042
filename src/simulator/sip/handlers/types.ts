import type { SimContext } from '../../types.ts';
import type { Params } from '../params.ts';
import type { RecordingLinks } from '../recordings.ts';
import type { SipState } from '../state.ts';

export interface SipApiOptions {
  appId: string;
  accessKey: string;
  recordingLinkTtlMs: number;
}

/** What every handler gets besides its parameters. */
export interface SipEnv {
  ctx: SimContext;
  state: SipState;
  options: SipApiOptions;
  recordings: RecordingLinks;
}

/** `result` goes into the status-0 envelope (left out when undefined); `bare` becomes `data` itself. */
export type SipOutcome = { result?: unknown } | { bare: unknown };

export interface ServiceDefinition {
  handle(params: Params, env: SipEnv): SipOutcome;
  /** `desc` on success and on a business failure. */
  ok: string;
  fail: string;
  /** Login is the only service without a token. */
  public?: boolean;
}
