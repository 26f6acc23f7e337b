import { defineConfig } from 'vitest/config';

// The JSON report feeds .ci/run's closing "N passed, M failed" line.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Files run one at a time: several suites measure latency and memory (slow clients, 10k
    // connections) and must not share the two cores with another suite's load.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
