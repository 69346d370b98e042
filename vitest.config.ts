import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships index.mjs (vite's pick) and index.js (Node's pick for externalised packages such as Pothos);
    // two copies break `instanceof` checks, so everything uses the one Node loads.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests each start their own simulator on port 0, so files can run side by side.
    pool: 'forks',
  },
});
