import { defineConfig } from 'vitest/config';

// The soak tests (npm run test:soak): minutes of load against the spawned CLI. Not in `npm test`.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One load at a time: two cores are all there is, and each test measures the proxy.
    fileParallelism: false,
  },
});
