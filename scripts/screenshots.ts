// Renders the manifest's store-style screenshots from the built app served by the real server:
//   npm run build && node --import tsx scripts/screenshots.ts
// → client/public/screenshots/{narrow,wide}.png (committed; re-run when the home screen changes a lot).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startDemoServer } from './demo-server';

const port = Number(process.env.SCREENSHOT_PORT ?? 4196);
const outDir = fileURLToPath(new URL('../client/public/screenshots/', import.meta.url));

const server = await startDemoServer(port);

try {
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const shots = [
    { name: 'narrow', viewport: { width: 360, height: 640 }, deviceScaleFactor: 2 },
    { name: 'wide', viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 },
  ];
  for (const shot of shots) {
    const context = await browser.newContext({
      viewport: shot.viewport,
      deviceScaleFactor: shot.deviceScaleFactor,
    });
    const page = await context.newPage();
    await page.goto(`${server.base}/sign-in`);
    const form = page.getByTestId('sign-in-form');
    await form.locator('input[name=email]').fill('ada@demo.fundi.app');
    await form.locator('input[name=password]').fill('fundi-demo-2026');
    await form.locator('[type=submit]').click();
    await page.getByTestId('home-customer').waitFor();
    await page.waitForTimeout(1_000);
    await page.screenshot({ path: path.join(outDir, `${shot.name}.png`) });
    await context.close();
    console.log(`screenshots/${shot.name}.png`);
  }
  await browser.close();
} finally {
  server.stop();
}
