import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startGateway, type TestGateway } from '../utils/gateway.ts';
import { createRng, generateCase, generateOperation } from './generate.ts';
import { formatSummary, runFuzz } from './run.ts';

/**
 * The bounded fuzz run of `npm test`: FUZZ_ITERATIONS (default 300) schema-generated, mutated and random-byte
 * operations against one gateway over HTTP, one at a time. 0 crashes, 0 unexpected statuses, 0 unmasked errors,
 * 0 internal errors and no operation over the upstream budget (test/fuzz/run.ts says what each means).
 * FUZZ_SEED replays a run; the seed is printed with every failure. The long run: `npm run fuzz -- --iterations 20000`.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 300);
const CALLBACK_SECRET = 'fuzz-callback-secret-0123456789';
/** Lower than the default (100) so that generated operations reach it: the budget is exercised, not just respected. */
const BUDGET = 10;

describe('grammar-based fuzzing over HTTP', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(disposer, { env: { CALLBACK_SECRET, MAX_UPSTREAM_CALLS_PER_OPERATION: String(BUDGET) } });
  });
  afterAll(() => disposer.dispose());

  it('generates the same cases from the same seed, and valid documents that parse', () => {
    const a = createRng(7);
    const b = createRng(7);
    for (let i = 0; i < 50; i += 1) expect(generateCase(schema, a)).toEqual(generateCase(schema, b));
    const rng = createRng(11);
    for (let i = 0; i < 50; i += 1) expect(generateOperation(schema, rng).query).toMatch(/^(query|mutation)?[^{]*\{/);
  });

  it(`survives ${ITERATIONS} operations (seed ${SEED}): no crash, no unmasked error, no operation over the budget`, { timeout: 120_000 }, async () => {
    const sim = gw.sim.credentials;
    const summary = await runFuzz({
      gw,
      schema,
      iterations: ITERATIONS,
      seed: SEED,
      budget: BUDGET,
      secrets: [sim.accessKey, sim.aicallToken, CALLBACK_SECRET, ...Object.values(KEYS), new URL(gw.sim.url).host],
    });
    const report = formatSummary(summary);
    expect(summary.iterations, report).toBe(ITERATIONS);
    expect(summary.counts, `seed ${SEED} (replay with FUZZ_SEED=${SEED})\n${report}`).toEqual({ crash: 0, status: 0, unmasked: 0, internal: 0, budget: 0 });
    expect(summary.maxUpstreamCalls).toBeLessThanOrEqual(BUDGET);
  });
});
