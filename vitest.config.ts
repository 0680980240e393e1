import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The soak tests run on their own: npm run test:soak (vitest.soak.config.ts); so does the
    // install test: npm run test:install (vitest.install.config.ts).
    exclude: ['test/bench/**', 'test/soak/**', 'test/install/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real servers and real SQLite files; two cores is all there is.
    pool: 'forks',
    // A throwaway PostgreSQL cluster on a loopback port for the PostgreSQL store's tests.
    globalSetup: ['test/support/postgres-global-setup.ts'],
  },
});
