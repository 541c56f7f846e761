import { expect, test } from '@playwright/test';
import { callApi, signUp, uniqueEmail } from './helpers';

test('opened without a network, the bookings list shows the saved bookings, marked as saved data', async ({
  page,
  context,
}) => {
  await signUp(page, { name: 'Saved Sade', email: uniqueEmail('offline-cache'), role: 'customer' });
  const services = await callApi<Array<{ id: string; slug: string }>>(page, 'GET', 'catalog.services');
  const shine = services.find((s) => s.slug === 'shoe-shine')!;
  const booking = await callApi<{ id: string }>(page, 'POST', 'booking.create', {
    serviceId: shine.id,
    lat: 7.38,
    lng: 3.95,
    address: '12 Saved Street, Ibadan',
    idempotencyKey: `e2e-offline-${Date.now()}`,
  });

  // A service worker controls the page (the shell loads offline) and the list is seen once online.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.goto('/bookings');
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  const item = page.getByTestId('booking-item').filter({ hasText: '12 Saved Street' });
  await expect(item).toBeVisible();
  await expect(item).toHaveAttribute('href', `/bookings/${booking.id}`);
  // Saves are debounced (1 s): give the write time to land.
  await page.waitForTimeout(1_500);

  await context.setOffline(true);
  try {
    await page.reload();
    await expect(page.getByTestId('bookings')).toBeVisible();
    await expect(page.getByTestId('booking-item').filter({ hasText: '12 Saved Street' })).toBeVisible();
    await expect(page.getByTestId('saved-data-notice')).toContainText(/showing saved data from/i);

    // The booking itself opens from the saved copy too.
    await page.getByTestId('booking-item').filter({ hasText: '12 Saved Street' }).click();
    await expect(page.getByTestId('booking-status')).toContainText('12 Saved Street');
  } finally {
    await context.setOffline(false);
  }

  // Back online, fresh answers replace the saved ones and the notice goes away.
  await page.reload();
  await expect(page.getByTestId('booking-status')).toBeVisible();
  await expect(page.getByTestId('saved-data-notice')).toHaveCount(0);
});

test('signing out forgets the saved data', async ({ page }) => {
  await signUp(page, { name: 'Leaving Lola', email: uniqueEmail('offline-signout'), role: 'customer' });
  await page.goto('/bookings');
  await expect(page.getByTestId('bookings')).toBeVisible();
  await page.waitForTimeout(1_500);
  await page.goto('/home');
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('sign-in-form')).toBeVisible();
  await page.waitForTimeout(500);
  const saved = await page.evaluate(
    () =>
      new Promise<unknown>((resolve) => {
        const open = indexedDB.open('fundi-query-cache', 1);
        open.onsuccess = () => {
          const get = open.result.transaction('cache').objectStore('cache').get('queries');
          get.onsuccess = () => resolve(get.result ?? null);
        };
      }),
  );
  expect(saved).toBeNull();
});

test('the first screen loads only its own language; the other one is fetched on switching, offline too', async ({
  page,
  context,
}) => {
  const loaded = (locale: 'en' | 'ar') =>
    page.evaluate(
      (name) =>
        performance
          .getEntriesByType('resource')
          .some((entry) => new RegExp(`/assets/${name}-[\\w-]+\\.js$`).test(entry.name)),
      locale,
    );
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(await loaded('en')).toBe(true);
  expect(await loaded('ar')).toBe(false);

  // Once the service worker has precached the app (both dictionaries), switching works without a network.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  expect(await loaded('ar')).toBe(false);
  await context.setOffline(true);
  try {
    await page.getByTestId('lang-switch').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    // The Arabic dictionary is in use: the switch's hidden label is Arabic, and it offers English.
    await expect(page.getByTestId('lang-switch')).toHaveText('اللغة: English');
    expect(await loaded('ar')).toBe(true);
  } finally {
    await context.setOffline(false);
  }
});
