import { defineConfig } from 'vitest/config';

// The install test (npm run test:install): packs mockdrift, installs the tarball into an empty
// project and runs it from there. Not in `npm test`: installing compiles better-sqlite3.
export default defineConfig({
  test: {
    include: ['test/install/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
