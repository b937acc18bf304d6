// Prints the closing line CI reads ("N passed, N failed"); vitest's own summary has no such line.
//
// "failed" counts failed tests and also what fails a run outside any test, so the line can never
// read "0 failed" for a run that failed: a suite or file whose hook (beforeAll/afterAll) threw or
// that could not be collected counts once, as does every unhandled error (an exception or a
// rejection that escaped a test).
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
}

export function summarize(
  testModules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<unknown>,
  reason: TestRunEndReason,
): RunSummary {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const mod of testModules) {
    for (const test of mod.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') passed++;
      else if (state === 'failed') failed++;
      else skipped++;
    }
    // errors() holds what failed outside the tests: collection, and the suite's own hooks.
    if (mod.errors().length > 0) failed++;
    for (const suite of mod.children.allSuites()) if (suite.errors().length > 0) failed++;
  }
  failed += unhandledErrors.length;
  // Whatever else ends a run unsuccessfully (no test files, an interrupted run) is one failure.
  if (reason !== 'passed' && failed === 0) failed = 1;
  return { passed, failed, skipped };
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason: TestRunEndReason): void {
    const { passed, failed, skipped } = summarize(testModules, unhandledErrors, reason);
    console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  }
}
