import { defineConfig } from 'vitest/config';

// End-to-end tests generate load or run many processes: one file at a time, so they
// do not starve each other of the machine's cores and turn timing into flakiness.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
