import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { buildApp, type App, type AppOptions } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.ts';
import type { SimAiTaskFields } from '../../src/simulator/aicall/index.ts';
import type { Disposer } from './disposer.ts';
import { tempDatabaseUrl } from './temp-db.ts';

export const KEYS = {
  viewer: 'viewer-key-0123456789',
  operator: 'operator-key-0123456789',
  admin: 'admin-key-0123456789abc',
} as const;

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
}

export interface TestGateway {
  sim: Simulator;
  app: App;
  url: string;
  /** POSTs one operation over the real port; `key` picks the API key (default admin; null sends none). */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, key?: keyof typeof KEYS | null): Promise<GraphQLResponse<T> & { status: number }>;
  /** Runs a typed document from test/generated (codegen), so results and variables are checked against the schema. */
  op<T, V extends Record<string, unknown>>(document: TypedDocumentNode<T, V>, variables?: V, key?: keyof typeof KEYS | null): Promise<GraphQLResponse<T> & { status: number }>;
}

/**
 * A gateway (not yet listening) in front of a running simulator, with API keys for each role and a fresh SQLite
 * file; `env` adds or overrides variables, `options` goes to buildApp (a span exporter) with the logger (silent by default). Several gateways may share one
 * simulator.
 */
export async function startApp(
  disposer: Disposer,
  sim: Simulator,
  simUrl: string,
  env: Record<string, string> = {},
  { logger = createLogger('silent'), ...options }: AppOptions & { logger?: Logger } = {},
): Promise<App> {
  const config = loadConfig({
    SIP_API_URL: simUrl,
    SIP_APPID: sim.credentials.appId,
    SIP_ACCESSKEY: sim.credentials.accessKey,
    AICALL_API_URL: simUrl,
    AICALL_API_TOKEN: sim.credentials.aicallToken,
    DATABASE_URL: tempDatabaseUrl(disposer),
    GATEWAY_API_KEYS: `${KEYS.viewer}:viewer,${KEYS.operator}:operator,${KEYS.admin}:admin`,
    ...env,
  });
  return disposer.use(await buildApp(config, logger, options), (a) => a.stop());
}

/** A simulator and a gateway in front of it with API keys for each role, both on free loopback ports. */
export async function startGateway(
  disposer: Disposer,
  options: { simulator?: SimulatorOptions; env?: Record<string, string>; app?: AppOptions } = {},
): Promise<TestGateway> {
  const sim = disposer.use(createSimulator(options.simulator ?? {}), (s) => s.stop());
  const simUrl = await sim.start();
  const app = await startApp(disposer, sim, simUrl, options.env, options.app);
  const url = await app.start(0, '127.0.0.1');
  const gateway: TestGateway = {
    sim,
    app,
    url,
    op: (document, variables, key) => gateway.gql(print(document), variables, key),
    async gql(query, variables, key = 'admin') {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${KEYS[key]}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as GraphQLResponse<any>) };
    },
  };
  return gateway;
}

/** The gateway's graphql-ws address. */
export const wsUrl = (gw: Pick<TestGateway, 'url'>) => `${gw.url.replace(/^http/, 'ws')}/graphql`;

/**
 * A graphql-ws client with a key (null: none); never retries, so a refusal is seen as it is. Disposed by the disposer.
 * `lazy: false` connects at once (the socket counts against the caps before any operation).
 */
export function wsClient(
  disposer: Disposer,
  gw: Pick<TestGateway, 'url'>,
  key: keyof typeof KEYS | null = 'admin',
  options: { lazy?: boolean } = {},
): Client {
  const client = createClient({
    url: wsUrl(gw),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: options.lazy ?? true,
    connectionParams: key ? { authorization: `Bearer ${KEYS[key]}` } : {},
  });
  disposer.add(() => client.dispose());
  return client;
}

/** The simulator's first demo queue: what tests check agents in to and create tasks for. */
export function demoQueue(sim: Simulator): string {
  const first = [...sim.sip.queues.keys()][0];
  if (!first) throw new Error('the demo data has no queue');
  return first;
}

/** The settable fields of an AI task put straight into the simulator's state, with its first demo resources. */
export function simAiTaskFields(sim: Simulator, name: string, overrides: Partial<SimAiTaskFields> = {}): SimAiTaskFields {
  const state = sim.aicall.state;
  const [line] = [...state.callerLines.values()];
  const [window] = [...state.doNotCallWindows.values()];
  if (!line || !window) throw new Error('no demo resources');
  return {
    name,
    remark: null,
    callerLineId: line.id,
    scriptGroupId: 391,
    doNotCallWindowId: window.uuid,
    maximumcall: 1,
    customerServiceId: null,
    redialRuleId: 103,
    callPauseSecond: 10,
    originateTimeout: 60,
    recycleLimit: 0,
    randomAssignmentNumber: 0,
    ...overrides,
  };
}
