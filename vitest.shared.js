// Shared vitest layout for every package: `unit` runs pure tests (*.test.ts) with no
// external process; `integration` runs *.itest.ts against real binaries started by the
// harness in test/, serially (one suite at a time on a 2-core machine), with long timeouts.
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
