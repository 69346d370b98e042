import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships index.mjs (vite's pick) and index.js (Node's pick for externalised packages such as Pothos);
    // two copies break `instanceof` checks, so everything uses the one Node loads.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Prints what this run covers (PostgreSQL, Redis, chromium, HAProxy) and fails it when TEST_REQUIRE names a
    // backend that is missing.
    // Then builds the wallboard page the route and browser tests serve.
    globalSetup: ['test/setup/backends.ts', 'test/setup/wallboard.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests each start their own simulator on port 0, so files can run side by side.
    pool: 'forks',
    // Files and the tests inside them run in a random order, so a test that leans on another's leftovers fails. Vitest
    // prints the seed ("Running tests with seed …"); `npm test -- --sequence.seed=<seed>` replays that order.
    sequence: { shuffle: { files: true, tests: true } },
  },
});
