// Shared vitest layout for every package: `unit` runs pure tests (*.test.ts) with no
// external process; `integration` runs *.itest.ts against real binaries started by the
// harness in test/, serially (one suite at a time on a 2-core machine), with long timeouts.
// Integration suites live in test/ (module boundaries keep services from importing the harness),
// so only that package has an `integration` script.
import { basename } from 'node:path';

/** @returns {import('vitest/config').TestProjectInlineConfiguration[]} */
export function microgatewayProjects() {
  return [
    { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'], passWithNoTests: false } },
    {
      extends: true,
      test: {
        name: 'integration',
        include: ['src/**/*.itest.ts'],
        testTimeout: 120_000,
        hookTimeout: 600_000,
        fileParallelism: false,
        passWithNoTests: true,
      },
    },
  ];
}

/**
 * The console reporter, plus a JSON report per run when MGW_TEST_REPORT_DIR is set: `npm test`
 * sums those reports into its final "N passed, N failed" line (scripts/summarize-tests.mjs).
 * @param {string} packageDir
 */
export function microgatewayReporters(packageDir) {
  const dir = process.env.MGW_TEST_REPORT_DIR;
  if (!dir) return ['default'];
  const file = `${dir}/${basename(packageDir)}-${process.pid}-${Date.now()}.json`;
  return ['default', ['json', { outputFile: file }]];
}
