import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-line-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PGlite holds a few hundred MB per open database; two workers fit the 2-core machines.
    maxWorkers: 2,
  },
});
