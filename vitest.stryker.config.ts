import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The tests Stryker runs (stryker.config.mjs, `npm run mutate`; docs/mutation-testing.md): only those that exercise
 * the mutated core modules, so a run fits in about an hour on two shared cores. The base config (its `graphql` alias,
 * timeouts, global setup) is kept; `include` is replaced, not merged (vitest's mergeConfig would concatenate the
 * lists and run every test). Stryker's vitest runner runs these in-process (pool "threads", one worker) whatever is
 * set here. Left out: tests that spawn a gateway in a child process (a child never sees the active mutant), and broad
 * or slow files whose part in these modules the files below already cover (big-upload, tasks, mutation-conventions,
 * task-events, ai-call-outcomes).
 */
export const mutationTests = [
  // SIP session
  'test/integration/sip-client.test.ts',
  'test/integration/sip-session-stale-token.test.ts',
  'test/unit/sip-boundary.test.ts',
  // uploads and idempotency
  'test/integration/task-upload.test.ts',
  'test/store/idempotency.test.ts',
  'test/integration/idempotency-release.test.ts',
  // callbacks and the event store
  'test/unit/callback-parse.test.ts',
  'test/unit/callback-json-limits.test.ts',
  'test/integration/callbacks.test.ts',
  'test/integration/callback-json-limits.test.ts',
  'test/integration/callback-route-failures.test.ts',
  'test/unit/callback-ingest-failures.test.ts',
  'test/unit/ingest-retry.test.ts',
  'test/store/events.test.ts',
  // event feed and replay
  'test/unit/event-feed-failures.test.ts',
  'test/unit/event-feed-burst.test.ts',
  'test/unit/event-background-failures.test.ts',
  'test/unit/event-stream-failures.test.ts',
  'test/unit/replay-live-seam.test.ts',
  'test/integration/resume-point.test.ts',
  'test/integration/live.test.ts',
  // auth
  'test/integration/input-errors.test.ts',
  'test/integration/mutation-roles.test.ts',
  'test/integration/http-hardening.test.ts',
  // tests written to kill surviving mutants
  'test/mutation/**/*.test.ts',
];

/**
 * Fast files first (unit, then store, then integration tests), test/mutation/ last. Stryker stops a mutant's run at
 * its first failing test, so a mutant is usually killed in milliseconds instead of after a gateway start. And with
 * test/mutation/ last, a mutant whose killer is a test/mutation/ test is one that every other test reaching it let
 * survive: a report tells what those tests add (docs/mutation-testing.md).
 */
const RANK = ['/test/unit/', '/test/store/', '/test/integration/', '/test/mutation/'];
class FastFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = RANK.findIndex((dir) => file.moduleId.includes(dir));
      return at === -1 ? RANK.length - 2 : at;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: mutationTests,
    // Same order every run: a mutant's result must not depend on a shuffle seed.
    sequence: { ...base.test?.sequence, shuffle: false, sequencer: FastFilesFirst },
    // Keep modules loaded between test files and mutant runs: each run would otherwise import graphql, Pothos and the
    // app again (seconds per file). Mutants are switched on at run time, so cached modules are fine.
    isolate: false,
    // A mutant that loses an event makes a test wait for it: fail such a test after 5 s (every test here takes well
    // under one), rather than after the suite's 20 s; Stryker's own timeout (stryker.config.mjs) stays for mutants
    // that block the event loop. Starting a gateway in a hook keeps 15 s.
    testTimeout: 5_000,
    hookTimeout: 15_000,
  },
});
