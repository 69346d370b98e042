import type { GraphQLSchema } from 'graphql';
import { ErrorCode } from '../../src/errors.ts';
import { KEYS, type TestGateway } from '../utils/gateway.ts';
import { createRng, type FuzzCase, generateCase } from './generate.ts';

/**
 * Runs fuzz cases one at a time against a gateway over HTTP and judges every answer. Shared by test/fuzz/fuzz.test.ts
 * (a bounded run in `npm test`) and scripts/fuzz.ts (`npm run fuzz -- --iterations N --seed S`).
 *
 * What counts as a failure:
 * - crash: the request got no HTTP answer (connection refused or reset, or no answer within the timeout), or the probe
 *   (`{ gateway { version } }`) is not answered at a checkpoint or at the end;
 * - status: an HTTP status outside 200, 400, 401, 403, 413;
 * - unmasked: a body that is not JSON with an `errors` or `data` member; an error without `extensions.code`, or with a
 *   code that is neither an ErrorCode nor one of the protocol codes yoga and graphql-js give (GRAPHQL_PARSE_FAILED,
 *   GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, BAD_REQUEST, …); a message holding a stack frame or a source path; any
 *   secret of the deployment (API keys, upstream credentials, callback secret) or the upstream's address in the body;
 * - internal: `INTERNAL_SERVER_ERROR` or "Unexpected error." — a masked error, so nothing leaked, but something threw
 *   that the gateway did not expect: each one is a bug to investigate;
 * - budget: the simulator counted more upstream calls for one operation than MAX_UPSTREAM_CALLS_PER_OPERATION.
 */

export const ALLOWED_STATUSES: ReadonlySet<number> = new Set([200, 400, 401, 403, 413]);

export const PROTOCOL_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'REQUEST_ENTITY_TOO_LARGE',
  'LENGTH_REQUIRED',
]);
const GATEWAY_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

export type FindingKind = 'crash' | 'status' | 'unmasked' | 'internal' | 'budget';

export interface Finding {
  kind: FindingKind;
  iteration: number;
  caseKind: FuzzCase['kind'];
  reason: string;
  status?: number;
  /** The document (or the first bytes of the body), to replay it. */
  input: string;
  /** The start of the answer. */
  answer?: string;
}

export interface FuzzSummary {
  seed: number;
  iterations: number;
  durationMs: number;
  statuses: Record<string, number>;
  codes: Record<string, number>;
  cases: Record<string, number>;
  maxUpstreamCalls: number;
  maxUpstreamInput?: string;
  /** Most upstream calls an operation made after its response had been sent (resolvers still running). */
  maxTrailingCalls: number;
  maxTrailingInput?: string;
  budget: number;
  findings: Finding[];
  counts: Record<FindingKind, number>;
}

export interface FuzzOptions {
  gw: TestGateway;
  schema: GraphQLSchema;
  iterations: number;
  seed: number;
  /** MAX_UPSTREAM_CALLS_PER_OPERATION of the gateway under test. */
  budget: number;
  /** Secrets and addresses that must never appear in an answer. */
  secrets: readonly string[];
  /** Probe every this many cases (and at the end). */
  probeEvery?: number;
  timeoutMs?: number;
  onProgress?: (done: number, summary: FuzzSummary) => void;
}

const STACK_FRAME = /\n\s+at .+[:(]\d+|\bat (?:async )?\S+ \((?:file:\/\/|\/|node:)|node_modules\/|\/work\/|\.ts:\d+:\d+/;

function excerpt(value: string | Buffer, max = 500): string {
  const text = typeof value === 'string' ? value : `<${value.length} bytes> ${value.subarray(0, 64).toString('hex')}`;
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

async function post(url: string, body: string | Buffer, key: keyof typeof KEYS, timeoutMs: number): Promise<{ status: number; text: string } | { error: string }> {
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${KEYS[key]}` },
      body: typeof body === 'string' ? body : new Uint8Array(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}${error.cause ? ` (${String((error.cause as Error).message ?? error.cause)})` : ''}` : String(error) };
  }
}

/**
 * Waits until the simulator's call count has stood still over three round trips to the gateway (at most 60): graphql-js
 * may send a response while sibling resolvers are still running (a non-null error nulls the parent at once), and their
 * upstream calls belong to the operation that started them, not to the next one.
 */
async function quiesce(gw: TestGateway): Promise<void> {
  let still = 0;
  let last = gw.sim.stats.total();
  for (let round = 0; round < 60 && still < 3; round += 1) {
    await fetch(`${gw.url}/healthz`).then((r) => r.arrayBuffer()).catch(() => undefined);
    const now = gw.sim.stats.total();
    still = now === last ? still + 1 : 0;
    last = now;
  }
}

export async function probeAnswers(url: string, timeoutMs = 10_000): Promise<boolean> {
  const reply = await post(url, JSON.stringify({ query: '{ gateway { version } }' }), 'viewer', timeoutMs);
  if ('error' in reply || reply.status !== 200) return false;
  try {
    return typeof (JSON.parse(reply.text) as { data?: { gateway?: { version?: unknown } } }).data?.gateway?.version === 'string';
  } catch {
    return false;
  }
}

/** Judges one answer; returns the problems found (none for an acceptable answer). */
export function judge(status: number, text: string, secrets: readonly string[]): Array<{ kind: FindingKind; reason: string }> {
  const problems: Array<{ kind: FindingKind; reason: string }> = [];
  if (!ALLOWED_STATUSES.has(status)) problems.push({ kind: 'status', reason: `HTTP ${status}` });
  for (const secret of secrets) {
    if (secret && text.includes(secret)) problems.push({ kind: 'unmasked', reason: `the answer contains a secret or the upstream address (${secret.slice(0, 4)}…)` });
  }
  let body: { data?: unknown; errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    problems.push({ kind: 'unmasked', reason: 'the answer is not JSON' });
    return problems;
  }
  if (body === null || typeof body !== 'object' || (!('data' in body) && !('errors' in body))) {
    problems.push({ kind: 'unmasked', reason: 'the answer has neither data nor errors' });
    return problems;
  }
  for (const error of body.errors ?? []) {
    const code = error.extensions?.code;
    const message = String(error.message ?? '');
    if (typeof code !== 'string') {
      problems.push({ kind: 'unmasked', reason: `an error without extensions.code: ${message.slice(0, 200)}` });
      continue;
    }
    if (code === 'INTERNAL_SERVER_ERROR' || message === 'Unexpected error.') {
      problems.push({ kind: 'internal', reason: `${code}: ${message.slice(0, 200)}` });
    } else if (!GATEWAY_CODES.has(code) && !PROTOCOL_CODES.has(code)) {
      problems.push({ kind: 'unmasked', reason: `an unknown code ${code}: ${message.slice(0, 200)}` });
    }
    if (STACK_FRAME.test(message)) problems.push({ kind: 'unmasked', reason: `a stack frame or source path in: ${message.slice(0, 300)}` });
  }
  return problems;
}

/** The codes of an answer (for the summary), or [] when it is not a GraphQL answer. */
function codesOf(text: string): string[] {
  try {
    const body = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: unknown } }> };
    return (body.errors ?? []).map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : '(none)'));
  } catch {
    return [];
  }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const { gw, schema, iterations, seed, budget, secrets, probeEvery = 100, timeoutMs = 15_000 } = options;
  const rng = createRng(seed);
  const started = Date.now();
  const summary: FuzzSummary = {
    seed,
    iterations: 0,
    durationMs: 0,
    statuses: {},
    codes: {},
    cases: {},
    maxUpstreamCalls: 0,
    maxTrailingCalls: 0,
    budget,
    findings: [],
    counts: { crash: 0, status: 0, unmasked: 0, internal: 0, budget: 0 },
  };
  const record = (finding: Finding) => {
    summary.counts[finding.kind] += 1;
    // Keep the first few of each kind: enough to replay, not a flood.
    if (summary.findings.filter((f) => f.kind === finding.kind).length < 20) summary.findings.push(finding);
  };

  // The start-up reconciliation must not be counted against the first case.
  await gw.app.reconcile();
  for (let i = 0; i < iterations; i += 1) {
    const fuzzCase = generateCase(schema, rng);
    // The whole JSON body (document and variables) when it is text, so a finding can be replayed with curl.
    const input = typeof fuzzCase.body === 'string' ? fuzzCase.body : excerpt(fuzzCase.body, 200);
    summary.cases[fuzzCase.kind] = (summary.cases[fuzzCase.kind] ?? 0) + 1;
    gw.sim.stats.reset();
    const reply = await post(gw.url, fuzzCase.body, fuzzCase.operation === 'mutation' ? 'operator' : 'admin', timeoutMs);
    const atResponse = gw.sim.stats.total();
    await quiesce(gw);
    const calls = gw.sim.stats.total();
    if (calls - atResponse > summary.maxTrailingCalls) {
      summary.maxTrailingCalls = calls - atResponse;
      summary.maxTrailingInput = excerpt(input, 300);
    }
    summary.iterations = i + 1;
    if (calls > summary.maxUpstreamCalls) {
      summary.maxUpstreamCalls = calls;
      summary.maxUpstreamInput = excerpt(input, 300);
    }
    if (calls > budget) record({ kind: 'budget', iteration: i, caseKind: fuzzCase.kind, reason: `${calls} upstream calls (budget ${budget}): ${JSON.stringify(gw.sim.stats.snapshot())}`, input: excerpt(input, 2000) });
    if ('error' in reply) {
      record({ kind: 'crash', iteration: i, caseKind: fuzzCase.kind, reason: reply.error, input: excerpt(input, 2000) });
      if (!(await probeAnswers(gw.url))) break;
      continue;
    }
    summary.statuses[reply.status] = (summary.statuses[reply.status] ?? 0) + 1;
    for (const code of codesOf(reply.text)) summary.codes[code] = (summary.codes[code] ?? 0) + 1;
    for (const problem of judge(reply.status, reply.text, secrets)) {
      record({ kind: problem.kind, iteration: i, caseKind: fuzzCase.kind, reason: problem.reason, status: reply.status, input: excerpt(input, 2000), answer: excerpt(reply.text, 600) });
    }
    if ((i + 1) % probeEvery === 0) {
      if (!(await probeAnswers(gw.url))) {
        record({ kind: 'crash', iteration: i, caseKind: fuzzCase.kind, reason: 'the probe was not answered after this case', input: excerpt(input, 2000) });
        break;
      }
      options.onProgress?.(i + 1, summary);
    }
  }
  if (!(await probeAnswers(gw.url))) record({ kind: 'crash', iteration: summary.iterations, caseKind: 'valid', reason: 'the probe was not answered at the end', input: '' });
  summary.durationMs = Date.now() - started;
  return summary;
}

export function formatSummary(summary: FuzzSummary): string {
  const lines = [
    `fuzz: seed ${summary.seed}, ${summary.iterations} iterations in ${(summary.durationMs / 1000).toFixed(1)} s`,
    `  cases:    ${JSON.stringify(summary.cases)}`,
    `  statuses: ${JSON.stringify(summary.statuses)}`,
    `  codes:    ${JSON.stringify(summary.codes)}`,
    `  max upstream calls in one operation: ${summary.maxUpstreamCalls} (budget ${summary.budget})${summary.maxUpstreamInput ? ` — ${summary.maxUpstreamInput}` : ''}`,
    `  most upstream calls after an operation's response: ${summary.maxTrailingCalls}${summary.maxTrailingInput ? ` — ${summary.maxTrailingInput}` : ''}`,
    `  crashes ${summary.counts.crash}, bad statuses ${summary.counts.status}, unmasked ${summary.counts.unmasked}, internal ${summary.counts.internal}, over budget ${summary.counts.budget}`,
  ];
  for (const f of summary.findings) {
    lines.push(`  [${f.kind}] #${f.iteration} (${f.caseKind}) ${f.reason}${f.status ? ` — HTTP ${f.status}` : ''}\n      input:  ${f.input}${f.answer ? `\n      answer: ${f.answer}` : ''}`);
  }
  return lines.join('\n');
}
