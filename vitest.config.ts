import { defineConfig } from 'vitest/config';

/**
 * Two projects over one suite: everything against a real PostgreSQL + PostGIS, and the core tests
 * (files named *.core.test.ts) once more against the embedded PGlite driver.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['server/**/*.test.ts', 'db/**/*.test.ts'],
          env: { TEST_DRIVER: 'postgres' },
          globalSetup: ['server/test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: ['server/**/*.core.test.ts', 'db/**/*.core.test.ts'],
          env: { TEST_DRIVER: 'pglite' },
          globalSetup: ['server/test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
