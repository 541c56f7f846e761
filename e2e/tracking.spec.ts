import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import {
  acceptOffer,
  approveTechnician,
  callApi,
  offsetBy,
  onlineShoeShineTechnician,
  requestShoeShine,
  signIn,
  signUp,
  uniqueEmail,
} from './helpers';

// Ilorin: far from the demo technicians around Lagos and from the job-loop spec's Ibadan technician, so
// ours is the only one dispatch can find. The customer is here; the technician starts ~900 m north.
const home = { latitude: 8.4966 + Math.random() * 0.01, longitude: 4.5421 + Math.random() * 0.01 };
const START_METERS = 900;
/** 6 steps of 125 m every 3.5 s: ~130 km/h, under the server's 200 km/h plausibility limit. */
const STEPS = 6;
const STEP_METERS = 125;
const STEP_EVERY_MS = 3_500;
const OFFLINE_STEPS = new Set([3, 4]);

async function readNumber(page: Page, testId: string, attribute: string): Promise<number> {
  const value = await page.getByTestId(testId).getAttribute(attribute);
  expect(value, `${testId} ${attribute}`).not.toBeNull();
  return Number(value);
}

/** Makes the page believe it went to the background (as when the technician switches apps), or back. */
async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate((hide) => {
    if (hide) {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    } else {
      // Own properties shadow the prototype's getters: removing them restores the real values.
      Reflect.deleteProperty(document, 'visibilityState');
      Reflect.deleteProperty(document, 'hidden');
    }
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test('the customer watches the technician approach on a live map, which goes away once the job starts', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const contexts: BrowserContext[] = [];
  const open = async (geolocation?: { latitude: number; longitude: number }) => {
    const c = await browser.newContext(geolocation ? { geolocation, permissions: ['geolocation'] } : {});
    contexts.push(c);
    return c.newPage();
  };
  try {
    // A technician signs up, offers shoe shine, is verified by an admin and goes online.
    const tech = await open(offsetBy(home, START_METERS, 0));
    // Fixes go over the tRPC WebSocket, never as HTTP requests.
    const fixesOverHttp: string[] = [];
    let fixesOverWebSocket = 0;
    tech.on('request', (request) => {
      if (request.url().includes('tracking.update')) fixesOverHttp.push(request.url());
    });
    tech.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        if (String(payload).includes('"tracking.update"')) fixesOverWebSocket++;
      }),
    );
    const admin = await open();
    await onlineShoeShineTechnician(tech, admin, {
      name: 'Bola Tracker',
      email: uniqueEmail('e2e-track-tech'),
    });

    // Online: the phone shares its location, and the technician can stop and resume that at will.
    const indicator = tech.getByTestId('sharing-indicator');
    await expect(indicator).toHaveAttribute('data-sharing', 'true');
    await expect(tech.getByTestId('sharing-accuracy')).toBeVisible();
    await expect(tech.getByTestId('sharing-last-sent')).toBeVisible();
    await tech.getByTestId('stop-sharing').click();
    await expect(indicator).toHaveAttribute('data-sharing', 'false');
    await tech.getByTestId('resume-sharing').click();
    await expect(indicator).toHaveAttribute('data-sharing', 'true');

    // The admin's live map shows online technicians (streamed); clustered when zoomed out, so the check is
    // on the map's text list beside it.
    await expect(admin.getByTestId('ops-list').getByText('Bola Tracker')).toBeVisible({ timeout: 15_000 });

    // The customer books at home; before booking, the map shows available technicians as counts.
    const customer = await open(home);
    await signUp(customer, { name: 'Kemi Watcher', email: uniqueEmail('e2e-track-cust'), role: 'customer' });
    const status = await requestShoeShine(customer, '7 Unity Road, Ilorin', () =>
      expect(customer.getByTestId('nearby-cell').first()).toBeVisible(),
    );

    await acceptOffer(tech);
    await expect(status).toHaveAttribute('data-status', 'assigned');

    // The customer's live map: the technician's marker, ETA and distance.
    await expect(customer.getByTestId('live-map')).toBeVisible();
    await expect(customer.getByTestId('technician-marker')).toBeVisible();
    await expect(customer.getByTestId('eta')).toHaveAttribute('data-eta-seconds', /^\d+$/);
    const firstEta = await readNumber(customer, 'eta', 'data-eta-seconds');
    const firstMeters = await readNumber(customer, 'distance', 'data-meters');
    expect(firstMeters).toBeGreaterThan(START_METERS - 100);

    // The technician drives towards the customer. Two of the fixes are taken without a connection:
    // they wait on the phone and go (in order) when it returns.
    for (let step = 1; step <= STEPS; step++) {
      if (step === Math.min(...OFFLINE_STEPS)) await tech.context().setOffline(true);
      await tech.context().setGeolocation(offsetBy(home, START_METERS - step * STEP_METERS, 0));
      await tech.waitForTimeout(STEP_EVERY_MS);
      if (step === Math.max(...OFFLINE_STEPS)) {
        await expect(tech.getByTestId('sharing-queued')).toBeVisible();
        await tech.context().setOffline(false);
        await expect(tech.getByTestId('sharing-queued')).toHaveCount(0, { timeout: 15_000 });
      }
    }
    const finalMeters = START_METERS - STEPS * STEP_METERS;
    await expect
      .poll(() => readNumber(customer, 'distance', 'data-meters'), { timeout: 10_000 })
      .toBeLessThan(finalMeters + 50);
    const lastEta = await readNumber(customer, 'eta', 'data-eta-seconds');
    const lastMeters = await readNumber(customer, 'distance', 'data-meters');
    expect(lastEta).toBeLessThan(firstEta);
    expect(lastMeters).toBeLessThan(firstMeters);
    await expect(customer.getByTestId('technician-marker')).toBeVisible();
    await expect(customer.getByTestId('last-seen')).toHaveCount(0);

    // Sent to the background, the technician's phone says plainly that tracking is paused.
    await setHidden(tech, true);
    await expect(tech.getByTestId('tracking-paused')).toBeVisible();
    await setHidden(tech, false);
    await expect(tech.getByTestId('tracking-paused')).toHaveCount(0);

    // On the way, arrived (the map stays), then the job starts and the live map goes away.
    const job = tech.getByTestId('active-job');
    await job.getByTestId('advance-job').click();
    await expect(status).toHaveAttribute('data-status', 'en_route');
    await job.getByTestId('advance-job').click();
    await expect(status).toHaveAttribute('data-status', 'arrived');
    await expect(customer.getByTestId('live-map')).toBeVisible();
    await job.getByTestId('advance-job').click();
    await expect(status).toHaveAttribute('data-status', 'in_progress');
    await expect(customer.getByTestId('live-map')).toHaveCount(0);
    expect(fixesOverHttp).toEqual([]);
    expect(fixesOverWebSocket).toBeGreaterThan(3);
  } finally {
    for (const c of contexts) await c.close();
  }
});

test('fixes taken without a connection survive a reload and reach the server, in order, when it returns', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // Abeokuta, away from the other specs' technicians.
  const spot = { latitude: 7.1475 + Math.random() * 0.01, longitude: 3.3619 + Math.random() * 0.01 };
  const techContext = await browser.newContext({ geolocation: spot, permissions: ['geolocation'] });
  const adminContext = await browser.newContext();
  try {
    const tech = await techContext.newPage();
    const techEmail = uniqueEmail('e2e-outbox-tech');
    await signUp(tech, { name: 'Outbox Olu', email: techEmail, role: 'technician' });
    const admin = await adminContext.newPage();
    await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
    await approveTechnician(tech, admin);

    // The app shell must come from the service worker for an offline reload.
    await tech.evaluate(() => navigator.serviceWorker.ready);
    await tech.reload();
    await expect.poll(() => tech.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
    await tech.getByTestId('online-toggle').click();
    await expect(tech.getByTestId('sharing-indicator')).toHaveAttribute('data-sharing', 'true');
    await expect(tech.getByTestId('sharing-last-sent')).toBeVisible();

    // Two moves in a dead zone, 3.5 s apart (fixes go at most every ~3 s): kept on the phone.
    await tech.waitForTimeout(3_000);
    await techContext.setOffline(true);
    for (let step = 1; step <= 2; step++) {
      await techContext.setGeolocation(offsetBy(spot, step * 100, 0));
      await tech.waitForTimeout(3_500);
    }
    await expect(tech.getByTestId('sharing-queued')).toHaveAttribute('data-count', '2');

    // The app is closed and opened again, still without a connection: the fixes are still there.
    await tech.reload();
    await expect(tech.getByTestId('home-technician')).toBeVisible();
    const stored = () =>
      tech.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const open = indexedDB.open('fundi-tracking');
            open.onsuccess = () => {
              const db = open.result;
              const count = db.transaction('fixes').objectStore('fixes').count();
              count.onsuccess = () => {
                resolve(count.result);
                db.close();
              };
            };
          }),
      );
    expect(await stored()).toBe(2);

    // Back online: sent (oldest first), and the server's position for the technician is the newest fix.
    await techContext.setOffline(false);
    await expect.poll(stored, { timeout: 30_000 }).toBe(0);
    const last = offsetBy(spot, 200, 0);
    await expect
      .poll(async () => {
        const page = await callApi<{ items: Array<{ email: string; location: { lat: number } | null }> }>(
          admin,
          'GET',
          'admin.technicians.list',
          { verification: 'verified' },
        );
        const lat = page.items.find((item) => item.email === techEmail)?.location?.lat ?? 0;
        return Math.abs(lat - last.latitude) < 1e-5;
      })
      .toBe(true);
  } finally {
    await techContext.close();
    await adminContext.close();
  }
});

test('map tiles already seen come from the service worker (also offline), and their cache stays bounded', async ({
  page,
  context,
}) => {
  // A 1×1 PNG stands in for the tile server (the real one is not reachable from tests).
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
    'base64',
  );
  const tiles = 'https://tile.openstreetmap.org/**';
  let served = 0;
  const tileServer = () =>
    context.route(tiles, (route) => {
      served++;
      return route.fulfill({
        status: 200,
        contentType: 'image/png',
        headers: { 'access-control-allow-origin': '*', date: new Date().toUTCString() },
        body: png,
      });
    });
  await tileServer();
  await page.goto('/');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);

  // As Leaflet asks for them (crossOrigin: CORS requests).
  const fetchTiles = (urls: string[]) =>
    page.evaluate(
      (list) =>
        Promise.all(
          list.map((url) =>
            fetch(url, { mode: 'cors' }).then(
              (r) => r.status,
              () => 0,
            ),
          ),
        ),
      urls,
    );
  const tile = (z: number, x: number, y: number) => `https://tile.openstreetmap.org/${z}/${x}/${y}.png`;
  const cachedTiles = () =>
    page.evaluate(async () => (await (await caches.open('fundi-tiles-v2')).keys()).map((r) => r.url));

  expect(await fetchTiles([tile(15, 16_000, 15_800)])).toEqual([200]);
  await expect.poll(cachedTiles).toContain(tile(15, 16_000, 15_800));
  expect(await fetchTiles([tile(15, 16_000, 15_800)])).toEqual([200]);
  expect(served).toBe(1); // cache first: the second time never reached the network

  // No network (a route would still answer offline, so the tile server goes too).
  await context.unroute(tiles);
  await context.setOffline(true);
  expect(await fetchTiles([tile(15, 16_000, 15_800), tile(15, 16_001, 15_800)])).toEqual([200, 0]);
  await context.setOffline(false);
  await tileServer();

  // Bounded: past 300 tiles the least recently used go.
  const many = Array.from({ length: 310 }, (_, i) => tile(16, 32_000, 31_000 + i));
  for (let i = 0; i < many.length; i += 50) await fetchTiles(many.slice(i, i + 50));
  await expect.poll(async () => (await cachedTiles()).length).toBe(300);
  expect(await cachedTiles()).toContain(many[many.length - 1]);
});
