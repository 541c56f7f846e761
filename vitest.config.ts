import { configDefaults, defineConfig } from 'vitest/config';

/** Pure tests (no database, no server): `*.unit.test.ts` anywhere on the server side. */
const unitTests = ['server/**/*.unit.test.ts', 'db/**/*.unit.test.ts'];

/**
 * Four projects: the pure server tests (no PostgreSQL, no uWS), everything else against a real
 * PostgreSQL + PostGIS, the core tests (files named *.core.test.ts) once more against the embedded PGlite
 * driver, and the client's data layer in happy-dom with fake-indexeddb.
 */
export default defineConfig({
  // One @tanstack/query-core for the app and the persister, as in the bundle (see vite.config.ts).
  resolve: { dedupe: ['@tanstack/query-core'] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: unitTests,
          environment: 'node',
          // No globalSetup (no database is created); the setup file makes a connection or a uWS app fail.
          setupFiles: ['server/test/unit-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['server/**/*.test.ts', 'db/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...unitTests],
          // FUNDI_TX_GUARD: a statement on the pool from inside a transaction fails the test (db/client.ts).
          env: { TEST_DRIVER: 'postgres', FUNDI_TX_GUARD: '1' },
          setupFiles: ['server/test/tx-guard-setup.ts'],
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
      {
        extends: true,
        test: {
          name: 'client',
          include: ['client/**/*.test.ts'],
          environment: 'happy-dom',
          // Bundled like the app, so the dedupe above applies to the persister's query-core too.
          server: { deps: { inline: [/@tanstack\/(react-)?query-persist-client/] } },
          setupFiles: ['client/test/setup.ts'],
          // Dates are written in the device's time zone: fix it so expected strings hold anywhere.
          env: { TZ: 'UTC' },
          testTimeout: 10_000,
        },
      },
    ],
  },
});
