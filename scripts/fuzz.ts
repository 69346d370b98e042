/**
 * The long fuzz run: `npm run fuzz -- --iterations 20000 --seed 42`. Starts a simulator and a gateway in front of it
 * (API keys, auth on, default limits), sends schema-generated, mutated and random-byte operations one at a time over
 * HTTP, and prints a summary: iterations, statuses, codes, the most upstream calls one operation made, and every kind
 * of failure (test/fuzz/run.ts defines them). Exits 1 if any failure was found.
 */
import { parseArgs } from 'node:util';
import { schema } from '../src/schema.ts';
import { createDisposer } from '../test/utils/disposer.ts';
import { KEYS, startGateway } from '../test/utils/gateway.ts';
import { formatSummary, runFuzz } from '../test/fuzz/run.ts';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '5000' },
    seed: { type: 'string' },
    // Lower than the default (100) so that generated operations reach it; --budget 100 runs the production value.
    budget: { type: 'string', default: '10' },
  },
});
const iterations = Number(values.iterations);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const budget = Number(values.budget);
if (!Number.isInteger(iterations) || iterations <= 0 || !Number.isInteger(seed) || !Number.isInteger(budget) || budget <= 0) {
  console.error('usage: npm run fuzz -- [--iterations N] [--seed S] [--budget MAX_UPSTREAM_CALLS_PER_OPERATION]');
  process.exit(2);
}

const CALLBACK_SECRET = 'fuzz-callback-secret-0123456789';
const disposer = createDisposer();
let failed = true;
try {
  const gw = await startGateway(disposer, { env: { CALLBACK_SECRET, MAX_UPSTREAM_CALLS_PER_OPERATION: String(budget), LOG_LEVEL: 'silent' } });
  const sim = gw.sim.credentials;
  console.log(`fuzz: seed ${seed}, ${iterations} iterations against ${gw.url} (replay with --seed ${seed})`);
  const summary = await runFuzz({
    gw,
    schema,
    iterations,
    seed,
    budget,
    secrets: [sim.accessKey, sim.aicallToken, CALLBACK_SECRET, ...Object.values(KEYS), new URL(gw.sim.url).host],
    probeEvery: 250,
    onProgress: (done, s) => {
      if (done % 1000 === 0) console.log(`  ${done}/${iterations} — max upstream calls ${s.maxUpstreamCalls}, failures ${JSON.stringify(s.counts)}`);
    },
  });
  console.log(formatSummary(summary));
  failed = Object.values(summary.counts).some((n) => n > 0);
} finally {
  await disposer.dispose();
}
process.exit(failed ? 1 : 0);
