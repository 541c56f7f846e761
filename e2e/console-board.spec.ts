import { randomUUID } from 'node:crypto';
import { type BrowserContext, expect as baseExpect, test } from '@playwright/test';
import { callApi, signIn, signUp, uniqueEmail } from './helpers';

const expect = baseExpect.configure({ timeout: 30_000 });
const spot = { latitude: 6.63 + Math.random() * 0.01, longitude: 3.52 + Math.random() * 0.01 };
const shots = process.env.E2E_SHOTS_DIR;

test('the bookings board filters by customer and technician, keeps its filters in the URL; the audit trail reads in words', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const contexts: BrowserContext[] = [];
  try {
    const open = async (locale = 'en-GB') => {
      const c = await browser.newContext({ locale });
      contexts.push(c);
      return c.newPage();
    };
    const tag = randomUUID().slice(0, 6);
    const customer = await open();
    await signUp(customer, {
      name: `Board Customer ${tag}`,
      email: uniqueEmail('e2e-board-c'),
      role: 'customer',
    });
    const me = await callApi<{ id: string }>(customer, 'GET', 'auth.me');
    const services = await callApi<Array<{ id: string; slug: string }>>(customer, 'GET', 'catalog.services');
    const shine = services.find((s) => s.slug === 'shoe-shine')!;
    const booking = await callApi<{ id: string }>(customer, 'POST', 'booking.create', {
      serviceId: shine.id,
      lat: spot.latitude,
      lng: spot.longitude,
      address: '3 Board Street',
      idempotencyKey: randomUUID(),
    });
    const tech = await open();
    await signUp(tech, {
      name: `Board Tech ${tag}`,
      email: uniqueEmail('e2e-board-t'),
      role: 'technician',
      verifyPhone: false,
    });

    const admin = await open();
    await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
    await expect(admin.getByTestId('home-admin')).toBeVisible();
    await callApi(admin, 'POST', 'admin.bookings.cancel', { id: booking.id, reason: 'Customer called in' });

    // From the customer's page to the board, filtered to them; the filter survives a reload.
    await admin.goto(`/admin/users/${me.id}`);
    await expect(admin.getByTestId('user-cases')).toBeVisible();
    await admin.getByTestId('user-board-link').click();
    await expect(admin).toHaveURL(new RegExp(`/admin/bookings\\?customer=${me.id}$`));
    const rows = admin.getByTestId('board-rows');
    await expect(rows.locator('li')).toHaveCount(1);
    await expect(rows).toContainText(`Board Customer ${tag}`);
    await admin.reload();
    await expect(admin.getByTestId('board-customer')).toContainText(`Board Customer ${tag}`);
    await expect(rows.locator('li')).toHaveCount(1);
    await admin.getByTestId('board-status').selectOption('cancelled');
    await expect(admin).toHaveURL(new RegExp(`status=cancelled&customer=${me.id}`));
    await expect(rows.locator('li')).toHaveCount(1);

    // The technician picker: typed, chosen, in the URL; none of theirs, so nothing matches both.
    await admin.getByTestId('board-technician-q').fill(`Board Tech ${tag}`);
    await admin.getByTestId('board-technician-option').first().click();
    await expect(admin).toHaveURL(/technician=[0-9a-f-]{36}/);
    await expect(admin.getByTestId('board-technician')).toContainText(`Board Tech ${tag}`);
    await expect(rows).toHaveCount(0);
    if (shots) await admin.screenshot({ path: `${shots}/board-en.png`, fullPage: true });
    await admin.getByTestId('board-technician-clear').click();
    await expect(admin).not.toHaveURL(/technician=/);
    await expect(rows.locator('li')).toHaveCount(1);

    // The audit trail: the cancel's reason and its before/after in words.
    await admin.goto('/admin/audit');
    await admin.getByTestId('audit-subject').fill(`booking:${booking.id}`);
    await admin.getByTestId('audit-filter').click();
    const entry = admin.locator('[data-action="booking.cancel"]');
    await expect(entry.getByTestId('audit-reason')).toContainText('Customer called in');
    await expect(entry.getByTestId('audit-changes')).toContainText('Cancelled');
    if (shots) await admin.screenshot({ path: `${shots}/audit-en.png`, fullPage: true });

    if (shots) {
      // The same screens in Arabic, at 360 px.
      const ar = await open('ar-EG');
      await signIn(ar, 'admin@demo.fundi.app', 'fundi-demo-2026');
      await expect(ar.getByTestId('home-admin')).toBeVisible();
      await ar.getByTestId('lang-switch').click();
      await expect(ar.locator('html')).toHaveAttribute('dir', 'rtl');
      await ar.goto(`/admin/bookings?customer=${me.id}`);
      await expect(ar.getByTestId('board-rows').locator('li')).toHaveCount(1);
      await ar.getByTestId('board-technician-q').fill(`Board Tech ${tag}`);
      await expect(ar.getByTestId('board-technician-option').first()).toBeVisible();
      await ar.screenshot({ path: `${shots}/board-ar.png`, fullPage: true });
      await ar.goto('/admin/audit');
      await ar.getByTestId('audit-subject').fill(`booking:${booking.id}`);
      await ar.getByTestId('audit-filter').click();
      await expect(ar.locator('[data-action="booking.cancel"]').getByTestId('audit-changes')).toBeVisible();
      await ar.screenshot({ path: `${shots}/audit-ar.png`, fullPage: true });
      await ar.goto(`/admin/users/${me.id}`);
      await expect(ar.getByTestId('user-cases')).toBeVisible();
      await ar.getByTestId('user-cases').scrollIntoViewIfNeeded();
      await ar.screenshot({ path: `${shots}/user-ar.png`, fullPage: true });
      // The reassign picker (asked of the server) and the catalogue's category form with descriptions.
      const waiting = await callApi<{ id: string }>(customer, 'POST', 'booking.create', {
        serviceId: shine.id,
        lat: spot.latitude,
        lng: spot.longitude,
        address: '4 Board Street',
        idempotencyKey: randomUUID(),
      });
      await ar.goto(`/admin/bookings/${waiting.id}`);
      await expect(ar.getByTestId('reassign-choice')).toBeVisible();
      await ar.getByTestId('reassign-choice').scrollIntoViewIfNeeded();
      await ar.screenshot({ path: `${shots}/reassign-ar.png` });
      await ar.goto('/admin/catalog');
      await ar.getByTestId('new-category').click();
      await ar.getByTestId('category-form').scrollIntoViewIfNeeded();
      await ar.screenshot({ path: `${shots}/catalog-ar.png` });
      await callApi(admin, 'POST', 'admin.bookings.cancel', { id: waiting.id, reason: 'Screenshot done' });
      // The choice is saved on the demo admin's account: switched back.
      await ar.getByTestId('lang-switch').click();
      await expect(ar.locator('html')).toHaveAttribute('dir', 'ltr');
    }
  } finally {
    for (const c of contexts) await c.close();
  }
});
