import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { startDemoServer } from './demo-server';

const port = Number(process.env.LIGHTHOUSE_PORT ?? 4197);
const server = await startDemoServer(port);
const target = `${server.base}${process.argv[2] ?? '/'}`;

let chrome: chromeLauncher.LaunchedChrome | undefined;
try {
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
  const manifest = await fetch(`${server.base}/manifest.webmanifest`);
  const worker = await fetch(`${server.base}/sw.js`);
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
  server.stop();
}
