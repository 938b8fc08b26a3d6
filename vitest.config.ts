import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Lab-backed suites create network namespaces; keep files from racing for the same names.
    pool: 'forks',
    // Runs started by tests keep no record in the user's home; record tests turn it on in a temp dir.
    env: { PHILOTE_RECORD: '0' },
  },
});
