import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant of functions/domain (npm run mutate): the domain's unit
 * tests only. No global setup: they need no DynamoDB Local, and starting one per run would only slow
 * every mutant down.
 */
export default defineConfig({
  test: {
    include: ['test/unit/domain/**/*.test.ts'],
    testTimeout: 10_000,
  },
});
