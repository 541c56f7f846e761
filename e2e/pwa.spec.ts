import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { signUp, uniqueEmail } from './helpers';

test('the manifest is valid and its icons load', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel=manifest]').getAttribute('href');
  expect(href).toBeTruthy();
  const res = await request.get(href!);
  expect(res.headers()['content-type']).toContain('application/manifest+json');
  const m = await res.json();
  expect(m).toMatchObject({
    name: expect.any(String),
    short_name: expect.any(String),
    display: 'standalone',
  });
  expect(m.start_url).toBeTruthy();
  expect(m.theme_color).toMatch(/^#/);
  expect(m.background_color).toMatch(/^#/);
  const sizes = (m.icons as Array<{ src: string; sizes: string; purpose?: string; type: string }>).map(
    (i) => ({
      ...i,
      purpose: i.purpose ?? 'any',
    }),
  );
  expect(sizes.some((i) => i.sizes === '192x192' && i.purpose.includes('any'))).toBe(true);
  expect(sizes.some((i) => i.sizes === '512x512' && i.purpose.includes('any'))).toBe(true);
  expect(sizes.some((i) => i.purpose.includes('maskable'))).toBe(true);
  for (const icon of sizes) {
    const img = await request.get(new URL(icon.src, res.url()).toString());
    expect(img.status(), icon.src).toBe(200);
    expect(img.headers()['content-type']).toBe('image/png');
  }
});

test('a service worker controls the page and Chromium sees the app as installable', async ({
  baseURL,
  launchOptions,
}) => {
  // Chromium never offers installation in an incognito-like context, so this test uses a real profile.
  const profile = mkdtempSync(path.join(tmpdir(), 'fundi-profile-'));
  const context = await chromium.launchPersistentContext(profile, { ...launchOptions, baseURL });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);

    const cdp = await context.newCDPSession(page);
    const { url, errors } = await cdp.send('Page.getAppManifest');
    expect(url).toContain('manifest');
    expect(errors).toEqual([]);
    await expect
      .poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors, {
        timeout: 15_000,
      })
      .toEqual([]);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('with the network off, a reload still shows the app and says it is offline', async ({
  page,
  context,
}) => {
  await signUp(page, { name: 'Offline Olu', email: uniqueEmail('offline'), role: 'customer' });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('home-customer')).toBeVisible();
  await expect(page.getByTestId('home-customer')).toContainText('Offline Olu');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'offline');
  await context.setOffline(false);
});

test('the connection indicator goes live over the WebSocket', async ({ page }) => {
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto('/sign-in');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  expect(sockets.some((u) => u.endsWith('/trpc') || u.includes('/trpc?'))).toBe(true);
});
