import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 4173);
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The built PWA served by the real server (uWS + tRPC), in Debian's Chromium. `npm test` hands us a
 * fresh PostgreSQL database in E2E_DATABASE_URL; run alone, the server uses an embedded PGlite in a temp dir.
 */
const dbEnv: Record<string, string> = process.env.E2E_DATABASE_URL
  ? { DATABASE_URL: process.env.E2E_DATABASE_URL }
  : { DATABASE_URL: '', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'fundi-e2e-')) };

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : 'list',
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    viewport: { width: 360, height: 740 },
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    // server/main.ts behind the payment gateways' local stand-ins (see e2e/server.ts).
    command: 'node --import tsx e2e/server.ts',
    url: `http://localhost:${port}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      ...dbEnv,
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT: '1000',
      HEARTBEAT_MS: '1000',
      // Specs book around Ibadan, away from the demo technicians of Lagos: those pins count as Lagos.
      MARKET_FALLBACK: 'lagos',
      // Journeys book and cancel several times a minute on purpose.
      BOOKING_CREATE_LIMIT: '1000',
      BOOKING_CANCEL_LIMIT: '1000',
      // The server shares two cores with the Chromium workers: its event loop's delay is theirs too.
      SHED_LOOP_DELAY_MS: '0',
      SHED_CREATE_LATENCY_MS: '0',
      // The integrator's local webhook endpoint in client-sdk.spec.ts (exactly this address, never 127.0.0.1).
      WEBHOOK_ALLOW_ADDRESSES: '127.0.0.2',
    },
  },
});
