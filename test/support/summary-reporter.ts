import type { Reporter, TestCase, TestModule, TestRunEndReason, TestSuite } from 'vitest/node';
import type { SerializedError } from 'vitest';

/**
 * Ends the run with one plain line, "Tests: N passed, N failed, N skipped", which CI reads to
 * tell a run that tested nothing from one that passed (vitest's own summary is decorated).
 * Every way a run can fail counts: a failed test, a test that never ran because a hook of its
 * file or suite failed (vitest reports those as skipped), a file that failed to load, and an
 * error outside any test (the global setup refusing a machine without redis-server or Chromium).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError> = [],
    reason?: TestRunEndReason,
  ): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      const tests = [...module.children.allTests()];
      for (const test of tests) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed' || notRunBecauseAHookFailed(test)) counts.failed += 1;
        else counts.skipped += 1;
      }
      // A file that failed to load, or whose hooks failed with no test under them, still fails.
      if (module.state() === 'failed' && !tests.some((test) => test.result().state === 'failed' || notRunBecauseAHookFailed(test)))
        counts.failed += 1;
    }
    counts.failed += unhandledErrors.length;
    // The run failed, and no test, file or error above says why: it failed before any file ran
    // (the global setup refused the machine).
    if (reason === 'failed' && counts.failed === 0) counts.failed = 1;
    process.stdout.write(`\nTests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}

/** Skipped, though not marked skip or todo, inside a suite or file whose beforeAll failed. */
function notRunBecauseAHookFailed(test: TestCase): boolean {
  if (test.result().state !== 'skipped' || test.options.mode === 'skip' || test.options.mode === 'todo') return false;
  for (let parent: TestSuite | TestModule = test.parent; ; parent = parent.parent) {
    if (parent.state() === 'failed') return true;
    if (parent.type === 'module') return false;
  }
}
