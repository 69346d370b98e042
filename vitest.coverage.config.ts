import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run coverage`: the whole suite with V8 coverage. The text summary goes to the terminal, html and json to
 * coverage/. The per-glob thresholds are the goal (branches ≥ 85 % for the event, callback and upstream HTTP
 * layers); a run under them exits non-zero.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      coverage: {
        provider: 'v8',
        include: ['src/**/*.ts'],
        reporter: ['text-summary', 'text', 'html', 'json', 'json-summary'],
        reportsDirectory: 'coverage',
        // The figures are printed (and the thresholds checked) even when a test fails: a red test is reported by
        // vitest on its own, and the run still exits non-zero.
        reportOnFailure: true,
        thresholds: {
          'src/events/**': { branches: 85 },
          'src/callbacks/**': { branches: 85 },
          'src/upstream/http.ts': { branches: 85 },
        },
      },
    },
  }),
);
