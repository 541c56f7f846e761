import { randomUUID } from 'node:crypto';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { callApi, signIn, signUp, uniqueEmail } from './helpers';

/*
 * Issue 14 §6 in the browser: the admin opens Analytics from the home screen and every chart draws.
 * "Draws" is read from the pixels: each uPlot canvas has ink (axes, grid), and the charts fed by the
 * bookings this spec makes have pixels of their series' colour; the heatmap's canvas has its cell.
 */

// Several engineers' builds and tests share this machine: a cold admin context can take a while to load.
test.describe.configure({ timeout: 180_000 });

// Ikeja, inside the Lagos market.
const spot = { lat: 6.6018 + Math.random() * 0.01, lng: 3.3515 + Math.random() * 0.01 };

/** Pixels of a canvas: how many are not transparent, and how many are close to `rgb`. */
async function ink(canvas: Locator, rgb?: [number, number, number]) {
  return canvas.evaluate((el, target) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    let matching = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 0) painted++;
      if (
        target &&
        data[i + 3]! > 100 &&
        Math.abs(data[i]! - target[0]) < 40 &&
        Math.abs(data[i + 1]! - target[1]) < 40 &&
        Math.abs(data[i + 2]! - target[2]) < 40
      )
        matching++;
    }
    return { painted, matching, width: c.width, height: c.height };
  }, rgb ?? null);
}

async function makeBookings(page: Page, n: number) {
  await signUp(page, { name: 'Analytics Customer', email: uniqueEmail('an-cust'), role: 'customer' });
  const services = await callApi<Array<{ id: string; slug: string }>>(page, 'GET', 'catalog.services');
  const shine = services.find((s) => s.slug === 'shoe-shine')!;
  for (let i = 0; i < n; i++)
    await callApi(page, 'POST', 'booking.create', {
      serviceId: shine.id,
      lat: spot.lat + i * 0.0001,
      lng: spot.lng,
      address: `${12 + i} Allen Avenue, Ikeja`,
      idempotencyKey: randomUUID(),
    });
}

test('the admin opens Analytics and every chart draws (English and Arabic)', async ({ browser }) => {
  const customer = await (await browser.newContext()).newPage();
  await makeBookings(customer, 3);

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
  await expect(admin.getByTestId('home-admin')).toBeVisible({ timeout: 30_000 });
  await admin.getByTestId('admin-analytics-link').click();
  await expect(admin).toHaveURL(/\/admin\/analytics$/);
  await expect(admin.getByTestId('analytics-dashboard')).toBeVisible({ timeout: 20_000 });
  await admin.getByTestId('analytics-market').selectOption('lagos');

  // At least the bookings just made, in words as well as in the chart.
  const perHour = admin.getByTestId('analytics-per-hour');
  await expect(perHour.getByTestId('analytics-per-hour-summary')).toContainText(/[1-9]\d* bookings/);

  const charts = admin.locator('[data-testid=analytics-dashboard] .an-chart canvas');
  await expect(charts.first()).toBeVisible();
  const n = await charts.count();
  expect(n).toBeGreaterThanOrEqual(6);
  for (let i = 0; i < n; i++) {
    const { painted, width } = await ink(charts.nth(i));
    expect(width).toBeGreaterThan(200);
    expect(painted, `chart ${i} has no ink`).toBeGreaterThan(500);
  }
  // Series colours: the bookings line (brand green, #0e7c66) and the fulfilment bars.
  const brand: [number, number, number] = [14, 124, 102];
  expect((await ink(perHour.locator('canvas').first(), brand)).matching).toBeGreaterThan(20);
  const fulfil = admin.getByTestId('analytics-fulfilment');
  expect((await ink(fulfil.locator('canvas').first(), brand)).matching).toBeGreaterThan(50);
  // The heatmap's canvas (Leaflet's canvas renderer) has the cells of those bookings.
  const heat = admin.locator('[data-testid=analytics-heatmap] canvas');
  await expect(heat).toHaveCount(1, { timeout: 15_000 });
  expect((await ink(heat)).painted).toBeGreaterThan(20);

  // Every card has its text summary for screen readers; the canvases themselves are hidden from them.
  for (const id of ['per-hour', 'fulfilment', 'tta', 'offers', 'money', 'supply', 'ratings', 'heat'])
    await expect(admin.getByTestId(`analytics-${id}-summary`)).not.toBeEmpty();
  await expect(admin.locator('.an-chart').first()).toHaveAttribute('aria-hidden', 'true');

  // In Arabic: right to left, Arabic-Indic digits, the charts still drawn.
  // (The choice is saved on the demo admin's account: switched back at the end.)
  await admin.getByTestId('lang-switch').click();
  await expect(admin.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(admin.getByTestId('analytics-dashboard')).toBeVisible({ timeout: 20_000 });
  await admin.getByTestId('analytics-market').selectOption('lagos');
  await expect(admin.getByTestId('analytics-per-hour-summary')).toContainText(/[٠-٩]/);
  const arCharts = admin.locator('[data-testid=analytics-dashboard] .an-chart canvas');
  for (let i = 0; i < (await arCharts.count()); i++)
    expect((await ink(arCharts.nth(i))).painted).toBeGreaterThan(500);
  // Nothing is wider than the 360 px screen.
  const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await admin.getByTestId('lang-switch').click();
  await expect(admin.locator('html')).toHaveAttribute('dir', 'ltr');
  expect(overflow).toBeLessThanOrEqual(0);
});

test('the admin live map shows the demand heatmap under the markers (English and Arabic)', async ({
  browser,
}, testInfo) => {
  // The demand of the last 7 days: the demo's own bookings in Lagos (seeded when the server starts), and
  // those the spec before this one made when run together.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
  await expect(admin.getByTestId('home-admin')).toBeVisible({ timeout: 30_000 });
  const map = admin.getByTestId('ops-map');
  await expect(map).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  // Off by default: no demand pane drawn.
  const toggle = admin.getByTestId('live-demand-toggle');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(map.locator('.leaflet-fundi-demand-pane canvas')).toHaveCount(0);

  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  // The cells of the bookings just made (and the demo's), in words and on the map's own canvas pane,
  // which sits under the markers' pane.
  await expect(admin.getByTestId('live-demand-summary')).toContainText(/[1-9]\d* requests/, {
    timeout: 20_000,
  });
  await expect(map).toHaveAttribute('data-demand-cells', /^[1-9]\d*$/);
  const canvas = map.locator('.leaflet-fundi-demand-pane canvas');
  await expect(canvas).toHaveCount(1);
  // Switched on, the map shows the nearest market's demand: every square of it in view.
  await expect(map).toHaveAttribute('data-demand-in-view', /^[1-9]\d*$/);
  await expect.poll(async () => (await ink(canvas)).painted, { timeout: 10_000 }).toBeGreaterThan(20);
  const z = await map.evaluate((el) => ({
    demand: Number(getComputedStyle(el.querySelector('.leaflet-fundi-demand-pane')!).zIndex),
    markers: Number(getComputedStyle(el.querySelector('.leaflet-marker-pane')!).zIndex),
  }));
  expect(z.demand).toBeLessThan(z.markers);
  await admin.getByTestId('admin-live-map').scrollIntoViewIfNeeded();
  await admin.screenshot({ path: testInfo.outputPath('live-demand-en.png'), fullPage: true });

  // Arabic: the key and the summary in Arabic with Arabic-Indic digits; nothing wider than 360 px.
  await admin.getByTestId('lang-switch').click();
  await expect(admin.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(admin.getByTestId('live-demand-summary')).toContainText(/[٠-٩]/, { timeout: 20_000 });
  await expect.poll(async () => (await ink(canvas)).painted, { timeout: 10_000 }).toBeGreaterThan(20);
  await admin.getByTestId('admin-live-map').scrollIntoViewIfNeeded();
  await admin.screenshot({ path: testInfo.outputPath('live-demand-ar.png'), fullPage: true });
  const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await admin.getByTestId('lang-switch').click();
  await expect(admin.locator('html')).toHaveAttribute('dir', 'ltr');
  expect(overflow).toBeLessThanOrEqual(0);

  // Off again: the layer is gone.
  await toggle.click();
  await expect(canvas).toHaveCount(0);
});

test('a customer is sent home from /admin/analytics', async ({ page }) => {
  await signUp(page, { name: 'Curious Customer', email: uniqueEmail('an-curious'), role: 'customer' });
  await page.goto('/admin/analytics');
  await expect(page.getByTestId('home-customer')).toBeVisible();
});
