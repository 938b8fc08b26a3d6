import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Lab-backed suites create network namespaces (named uniquely per run) and most wait on
    // processes, sshd and ansible-playbook rather than the CPU: two files at a time on 2 cores
    // (vitest's default would be one, i.e. a serial run of ~20 minutes).
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    // Runs started by tests keep no record in the user's home; record tests turn it on in a temp dir.
    env: { PHILOTE_RECORD: '0' },
  },
});
