// A Lighthouse report (mobile emulation) of the built app served by the real server. Builds nothing (run
// `npm run build` first) and fails nothing: it prints the scores.
//   npm run lighthouse [-- /sign-in]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const port = Number(process.env.LIGHTHOUSE_PORT ?? 4197);
const base = `http://127.0.0.1:${port}`;
const target = `${base}${process.argv[2] ?? '/'}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'fundi-lighthouse-'));

async function waitForServer(server: ChildProcess): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (server.exitCode !== null) throw new Error('the server exited');
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // Not up yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the server did not start');
}

const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  env: {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: '',
    DATA_DIR: dataDir,
    SEED_DEMO: 'true',
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});

let chrome: chromeLauncher.LaunchedChrome | undefined;
try {
  await waitForServer(server);
  chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
  });
  const result = await lighthouse(target, {
    port: chrome.port,
    output: 'json',
    logLevel: 'error',
    formFactor: 'mobile',
    screenEmulation: { mobile: true, width: 412, height: 823, deviceScaleFactor: 1.75, disabled: false },
    onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
  });
  if (!result) throw new Error('Lighthouse returned nothing');
  const { categories, audits } = result.lhr;
  console.log(`Lighthouse (mobile) ${target}`);
  for (const category of Object.values(categories)) {
    console.log(
      `  ${category.title.padEnd(16)} ${category.score === null ? 'n/a' : Math.round(category.score * 100)}`,
    );
  }
  // PWA-ish checks (Lighthouse dropped its PWA category): what the installable app relies on.
  for (const id of [
    'first-contentful-paint',
    'largest-contentful-paint',
    'total-blocking-time',
    'cumulative-layout-shift',
    'viewport',
    'themed-omnibox',
    'maskable-icon',
    'installable-manifest',
    'service-worker',
  ]) {
    const audit = audits[id];
    if (!audit) continue;
    const value = audit.displayValue ? ` (${audit.displayValue})` : '';
    console.log(
      `  - ${audit.title}: ${audit.score === null ? 'n/a' : Math.round(audit.score * 100)}${value}`,
    );
  }
  // Lighthouse 12+ has no PWA category: check the installability basics ourselves.
  const manifest = await fetch(`${base}/manifest.webmanifest`);
  const worker = await fetch(`${base}/sw.js`);
  const m = manifest.ok
    ? ((await manifest.json()) as { icons?: unknown[]; shortcuts?: unknown[]; screenshots?: unknown[] })
    : null;
  console.log(
    `  PWA: manifest ${manifest.ok ? 'ok' : manifest.status} (icons ${m?.icons?.length ?? 0}, shortcuts ${m?.shortcuts?.length ?? 0}, screenshots ${m?.screenshots?.length ?? 0}), service worker ${worker.ok ? 'ok' : worker.status}`,
  );
} catch (error) {
  console.error('lighthouse report failed:', error);
} finally {
  await chrome?.kill();
  server.kill();
  rmSync(dataDir, { recursive: true, force: true });
}
