// @ts-check
/**
 * Mutation testing of the core modules (docs/mutation-testing.md): `npm run mutate`.
 *
 * Runs the tests of vitest.stryker.config.ts in-process with Stryker's vitest runner, one worker by default (the
 * machines have two cores; `npm run mutate -- --concurrency 2` on an idle one). The tests run on SQLite only: the
 * PostgreSQL and Redis variants of the store and callback tests are skipped unless MUTATE_WITH_SERVICES=1 keeps
 * DATABASE_URL and REDIS_URL (the workers inherit this process's environment).
 */
if (process.env.MUTATE_WITH_SERVICES !== '1') {
  delete process.env.DATABASE_URL;
  delete process.env.REDIS_URL;
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/upstream/sip/session.ts',
    'src/domain/task-upload.ts',
    'src/store/idempotency.ts',
    'src/callbacks/ingest.ts',
    'src/callbacks/parse.ts',
    'src/store/events.ts',
    'src/events/feed.ts',
    'src/events/subscribe.ts',
    'src/events/resume-point.ts',
    'src/auth.ts',
    'src/auth-before-input.ts',
  ],
  // Each mutant runs only the tests that reached it in the dry run.
  coverageAnalysis: 'perTest',
  // Static mutants: code reached only while modules load or in beforeAll hooks (starting a gateway builds the schema
  // and the auth plugin's wrappers there), never inside a test. Stryker would run every test for each of them (about
  // 240, over two hours on two cores), so they are reported as Ignored and left out of the score; code that a test
  // also reaches inside it() ("hybrid" mutants) is still tested, with the tests that reach it.
  ignoreStatic: true,
  concurrency: 1,
  // The tests do real I/O (HTTP servers on 127.0.0.1, SQLite files): allow twice the dry run's time plus 30 s before
  // a mutant counts as a time-out (and its test runner is restarted). A test left waiting by a mutant fails sooner,
  // at vitest.stryker.config.ts's 5 s test timeout, which counts as killed and keeps the runner.
  timeoutFactor: 2,
  timeoutMS: 30_000,
  // Files the sandbox does not need.
  ignorePatterns: ['dist', 'bench', 'deploy', 'coverage', 'reports', 'scratch', 'data', 'test/browser'],
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incrementalFile: 'reports/stryker-incremental.json',
  thresholds: { high: 90, low: 80, break: null },
};

export default config;
