import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { callApi, signUp, uniqueEmail } from './helpers';

const spot = { latitude: 7.39 + Math.random() * 0.01, longitude: 3.96 + Math.random() * 0.01 };

/**
 * A new customer, with the app under the service worker's control and the catalog seen once online,
 * books a shoe shine at `address` without a connection: it waits in the outbox (returned).
 */
async function bookOffline(context: BrowserContext, page: Page, name: string, address: string) {
  await signUp(page, { name, email: uniqueEmail('outbox'), role: 'customer' });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  await page.getByTestId('book-service').click();
  await page.getByTestId('category-shoes').click();
  await page.getByTestId('service-shoe-shine').click();
  await expect(page.locator('input[name=address]')).toBeVisible();
  await page.waitForTimeout(1_500);

  await context.setOffline(true);
  await page.getByTestId('use-my-location').click();
  await page.locator('input[name=address]').fill(address);
  await page.getByTestId('request-booking').click();
  const item = page.getByTestId('outbox-item').filter({ hasText: /shoe shine/i });
  await expect(item).toHaveAttribute('data-state', 'pending');
  return item;
}

test('a booking made offline waits in the outbox across a restart and is created exactly once when back online', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ geolocation: spot, permissions: ['geolocation'] });
  try {
    let page = await context.newPage();
    const item = await bookOffline(context, page, 'Queued Kemi', '9 Outbox Lane, Ibadan');
    await expect(item).toContainText('Waiting for connection');

    // The app is closed and opened again, still offline: the booking is still waiting.
    await page.close();
    page = await context.newPage();
    await page.goto('/bookings');
    await expect(page.getByTestId('outbox-item')).toHaveAttribute('data-state', 'pending');

    // Back online, it is sent, once.
    await context.setOffline(false);
    await expect(page.getByTestId('outbox-item')).toHaveAttribute('data-state', 'confirmed', {
      timeout: 15_000,
    });
    await expect(page.getByTestId('booking-item').filter({ hasText: '9 Outbox Lane' })).toHaveCount(1);
    const list = await callApi<{ items: Array<{ location: { address: string } }> }>(
      page,
      'GET',
      'booking.list',
      {
        limit: 50,
      },
    );
    expect(list.items.filter((b) => b.location.address === '9 Outbox Lane, Ibadan')).toHaveLength(1);

    // A reload replays nothing twice.
    await page.reload();
    await page.waitForTimeout(1_000);
    const again = await callApi<{ items: unknown[] }>(page, 'GET', 'booking.list', { limit: 50 });
    expect(again.items).toHaveLength(1);
  } finally {
    await context.close();
  }
});

test('a queued action the server refuses shows the server’s reason', async ({ page }) => {
  await signUp(page, { name: 'Refused Remi', email: uniqueEmail('outbox-fail'), role: 'customer' });
  const me = await callApi<{ id: string }>(page, 'GET', 'auth.me');
  // A cancel queued offline for a booking that isn't this customer's (here: one that doesn't exist).
  await page.evaluate(
    (userId) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('fundi-outbox', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('actions', { keyPath: 'id' });
        open.onsuccess = () => {
          const tx = open.result.transaction('actions', 'readwrite');
          tx.objectStore('actions').put({
            id: crypto.randomUUID(),
            userId,
            seq: Date.now() * 1000,
            createdAt: Date.now(),
            state: 'pending',
            kind: 'cancel',
            label: 'Shoe shine',
            bookingId: '00000000-0000-4000-8000-000000000000',
            input: { id: '00000000-0000-4000-8000-000000000000', reason: 'changed my mind' },
          });
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    me.id,
  );
  await page.goto('/bookings');
  const item = page.getByTestId('outbox-item');
  await expect(item).toHaveAttribute('data-state', 'failed');
  await expect(item).toContainText(/Not sent: .+/);
  await expect(item).not.toContainText('Waiting for connection');
  await item.getByTestId('outbox-dismiss').click();
  await expect(page.getByTestId('outbox-item')).toHaveCount(0);
});

test('Background Sync: the service worker wakes open pages to replay their outbox', async ({ page }) => {
  await signUp(page, { name: 'Synced Sade', email: uniqueEmail('bgsync'), role: 'customer' });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  await page.evaluate(() => {
    const w = window as unknown as { replays: number };
    w.replays = 0;
    navigator.serviceWorker.addEventListener('message', (e) => {
      if ((e.data as { type?: string } | null)?.type === 'REPLAY_OUTBOX') w.replays++;
    });
  });
  // What the browser does when connectivity returns: fire the 'sync' event our outbox registered.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  const registrationId = await new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const r = registrations.find((x) => !x.isDeleted);
      if (r) resolve(r.registrationId);
    });
  });
  await cdp.send('ServiceWorker.dispatchSyncEvent', {
    origin: new URL(page.url()).origin,
    registrationId,
    tag: 'fundi-outbox',
    lastChance: false,
  });
  await expect.poll(() => page.evaluate(() => (window as unknown as { replays: number }).replays)).toBe(1);
});

test('Background Sync with no page open: the service worker sends the queued booking itself', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ geolocation: spot, permissions: ['geolocation'] });
  try {
    // Booked without a connection, then the app is closed.
    const page = await context.newPage();
    await bookOffline(context, page, 'Closed Chioma', '4 Closed App Close, Ibadan');
    await page.close();

    // The connection returns and the browser fires the outbox's sync event (driven here over CDP, from
    // a blank tab that is not a page of the app). No page of the app is open.
    const blank = await context.newPage();
    const cdp = await context.newCDPSession(blank);
    await cdp.send('ServiceWorker.enable');
    const registrationId = await new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const r = registrations.find((x) => !x.isDeleted);
        if (r) resolve(r.registrationId);
      });
    });
    await context.setOffline(false);
    const origin = new URL(test.info().project.use.baseURL ?? 'http://127.0.0.1').origin;
    await cdp.send('ServiceWorker.dispatchSyncEvent', {
      origin,
      registrationId,
      tag: 'fundi-outbox',
      lastChance: false,
    });
    const made = async () => {
      const response = await context.request.get(
        `/trpc/booking.list?input=${encodeURIComponent(JSON.stringify({ limit: 50 }))}`,
      );
      const body = (await response.json()) as {
        result: { data: { items: Array<{ location: { address: string } }> } };
      };
      return body.result.data.items.filter((b) => b.location.address === '4 Closed App Close, Ibadan').length;
    };
    await expect.poll(made, { timeout: 15_000 }).toBe(1);

    // Opened again, the app shows it as sent, and nothing is sent twice.
    const again = await context.newPage();
    await again.goto('/bookings');
    await expect(again.getByTestId('outbox-item')).toHaveAttribute('data-state', 'confirmed');
    await again.waitForTimeout(1_000);
    expect(await made()).toBe(1);
  } finally {
    await context.close();
  }
});
