#!/usr/bin/env node
// Sums the vitest JSON reports written during `npm test` (MGW_TEST_REPORT_DIR) into one line,
// so the outcome of the whole run is readable at the end of a long log.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const totals = { files: 0, failedFiles: 0, passed: 0, failed: 0, skipped: 0 };
const failures = [];
for (const name of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  totals.files += report.numTotalTestSuites ? report.testResults.length : 0;
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  for (const file of report.testResults) {
    // A file whose setup failed has no failed test, only skipped ones: count the file.
    if (file.status === 'failed') {
      totals.failedFiles += 1;
      failures.push(`${file.name}: ${file.message || 'the file failed'}`.split('\n')[0]);
    }
    for (const test of file.assertionResults) {
      if (test.status === 'failed') failures.push(`${file.name}: ${test.fullName}`);
    }
  }
}
for (const failure of failures) console.log(`FAILED ${failure}`);
console.log(
  `Tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped (${totals.files} test files, ${totals.failedFiles} failed)`,
);
process.exitCode = totals.failed > 0 || totals.failedFiles > 0 ? 1 : 0;
