import { request } from 'undici';
import type { FormEncoding } from '../../src/upstream/form.ts';

/**
 * Posts raw SIP API forms, the way the manual's PHP curl does, with none of the gateway's client in between: the
 * simulator's tests check the wire, not a client's reading of it. The body is encoded by the platform (FormData or
 * URLSearchParams through a WHATWG Request), not by the gateway's encoder, so a bug in that encoder cannot be matched
 * by the same bug on the simulator's side and pass unseen (the encoder has literal-bytes unit tests of its own).
 */

export type SipFormFields = Record<string, string | number | undefined>;

export interface SipReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface PostOptions {
  encoding?: FormEncoding;
  signal?: AbortSignal;
}

export async function postForm(url: string, fields: SipFormFields, options: PostOptions = {}): Promise<SipReply> {
  const strings = Object.fromEntries(
    Object.entries(fields)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
      .map(([name, value]) => [name, String(value)]),
  );
  const form = await platformEncoded(strings, options.encoding ?? 'multipart');
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': form.contentType },
    body: form.body,
    signal: options.signal,
  });
  const text = await response.body.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the test reads `text`
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

async function platformEncoded(fields: Record<string, string>, encoding: FormEncoding): Promise<{ contentType: string; body: Buffer }> {
  let body: FormData | URLSearchParams;
  if (encoding === 'multipart') {
    body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
  } else {
    body = new URLSearchParams(fields);
  }
  const encoded = new Request('http://127.0.0.1/', { method: 'POST', body });
  return { contentType: encoded.headers.get('content-type') ?? '', body: Buffer.from(await encoded.arrayBuffer()) };
}

/** A logged-in SIP caller: `call` adds the token; `relogin` after the simulator expires tokens. */
export interface SipCaller {
  token: string;
  login(): Promise<string>;
  call(service: string, fields?: SipFormFields, options?: PostOptions): Promise<SipReply>;
}

export function createSipCaller(url: string, credentials: { appId: string; accessKey: string }): SipCaller {
  const caller: SipCaller = {
    token: '',
    async login() {
      const reply = await postForm(url, {
        service: 'App.Sip_Auth.Login',
        appid: credentials.appId,
        accesskey: credentials.accessKey,
      });
      const token = reply.json?.data?.result?.token;
      if (typeof token !== 'string') throw new Error(`login failed: ${reply.text}`);
      caller.token = token;
      return token;
    },
    call(service, fields = {}, options) {
      return postForm(url, { service, token: caller.token, ...fields }, options);
    },
  };
  return caller;
}

/** GET with undici, for recordings and control endpoints. */
export async function get(url: string): Promise<{ status: number; contentType: string; body: Buffer }> {
  const response = await request(url);
  const body = Buffer.from(await response.body.arrayBuffer());
  const contentType = response.headers['content-type'];
  return { status: response.statusCode, contentType: String(contentType ?? ''), body };
}

/** POST JSON to a control endpoint. */
export async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, json: await response.body.json() };
}
