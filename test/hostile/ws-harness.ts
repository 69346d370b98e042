import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createDeferred } from '../utils/deferred.ts';
import type { Disposer } from '../utils/disposer.ts';
import { KEYS, type TestGateway, wsUrl } from '../utils/gateway.ts';

/** What happened to one hostile operation, frame or socket over WebSocket. */
export interface WsOutcome {
  /** GraphQL errors the operation got (an `error` message, or a `next` whose payload carries errors). */
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
  /** The socket was closed: code and reason. */
  close?: { code: number; reason: string };
  /** The upgrade was refused with this HTTP status: no socket was made. */
  upgrade?: number;
  /** The operation got data (a hostile one should not). */
  data?: unknown;
}

export { wsClient, wsUrl } from '../utils/gateway.ts';

const isCloseEvent = (value: unknown): value is { code: number; reason: string } =>
  typeof value === 'object' && value !== null && 'code' in value && typeof (value as { code: unknown }).code === 'number';

/** Runs one operation and resolves with its first outcome (errors, data, or the socket's close). */
export function firstOutcome(client: Client, query: string, variables?: Record<string, unknown>): Promise<WsOutcome> {
  const done = createDeferred<WsOutcome>();
  const stop = client.subscribe(
    { query, ...(variables ? { variables } : {}) },
    {
      next: (result) => {
        if (result.errors?.length) done.resolve({ errors: result.errors as WsOutcome['errors'] });
        else done.resolve({ data: result.data });
      },
      error: (error: unknown) => {
        if (Array.isArray(error)) done.resolve({ errors: error });
        else if (isCloseEvent(error)) done.resolve({ close: { code: error.code, reason: String(error.reason) } });
        else done.resolve({ errors: [{ message: String(error), extensions: { code: 'CLIENT_ERROR' } }] });
      },
      complete: () => done.resolve({}),
    },
  );
  return done.promise.finally(() => stop());
}

/** A raw `ws` socket speaking graphql-transport-ws by hand: for frames, origins, pings and close codes. */
export interface RawSocket {
  socket: WebSocket;
  /** Resolves once the socket is open, or with the HTTP status when the upgrade is refused. */
  opened: Promise<{ open: true } | { open: false; status: number }>;
  /** Resolves when the socket closes (never rejects). */
  closed: Promise<{ code: number; reason: string }>;
  /** Sends connection_init with the key and resolves when acked, or with the close if it is closed instead. */
  init(key?: keyof typeof KEYS | null): Promise<{ acked: true } | { acked: false; close: { code: number; reason: string } }>;
}

export function rawSocket(
  disposer: Disposer,
  gw: TestGateway,
  options: { origin?: string; autoPong?: boolean } = {},
): RawSocket {
  const socket = new WebSocket(wsUrl(gw), 'graphql-transport-ws', {
    ...(options.origin ? { origin: options.origin } : {}),
    autoPong: options.autoPong ?? true,
    maxPayload: 64 * 1024 * 1024,
  });
  disposer.add(() => socket.terminate());
  const opened = createDeferred<{ open: true } | { open: false; status: number }>();
  const closed = createDeferred<{ code: number; reason: string }>();
  const acked = createDeferred<void>();
  socket.on('open', () => opened.resolve({ open: true }));
  socket.on('unexpected-response', (_req, res) => {
    opened.resolve({ open: false, status: res.statusCode ?? 0 });
    res.resume();
    closed.resolve({ code: 0, reason: `upgrade refused with ${res.statusCode}` });
    socket.terminate();
  });
  socket.on('error', () => undefined);
  socket.on('message', (data) => {
    try {
      if ((JSON.parse(data.toString()) as { type?: string }).type === 'connection_ack') acked.resolve();
    } catch {
      // not ours to judge
    }
  });
  socket.on('close', (code, reason) => {
    opened.resolve({ open: false, status: 0 });
    closed.resolve({ code, reason: reason.toString() });
  });
  return {
    socket,
    opened: opened.promise,
    closed: closed.promise,
    async init(key = 'admin') {
      const state = await opened.promise;
      if (!state.open) return { acked: false, close: { code: 0, reason: `upgrade refused with ${state.status}` } };
      socket.send(JSON.stringify({ type: 'connection_init', payload: key ? { authorization: `Bearer ${KEYS[key]}` } : {} }));
      return Promise.race([acked.promise.then(() => ({ acked: true }) as const), closed.promise.then((close) => ({ acked: false, close }) as const)]);
    },
  };
}

/** A complete call-record callback body (as live.test.ts posts), with its own id and uuid. */
export function callRecordDetail(id: number): string {
  return JSON.stringify({
    id, uuid: `hostile-${id}`, type: 'callout', callmethod: 5, starttime: '2026-11-23 10:00:00', answertime: '2026-11-23 10:00:05',
    endtime: '2026-11-23 10:01:00', duration: 5, billsec: 55, crmid: '1', memberid: '', chengshudu: '', customuuid: `H-${id}`,
    disnumber: '02100000000', destnumber: '13900009999', extnumber: '90240001', recordfilename: '', downloadip: '',
    hangupdirection: 10041, hangupcause: 10001, companycode: '9024', userkey: '',
  });
}
