import { defineConfig } from 'vitest/config';

// Unit and contract tests: fast, pure or small real sockets; run in parallel.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/contract/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
