import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import {
  acceptOffer,
  approveTechnician,
  callApi,
  requestShoeShine,
  signIn,
  signUp,
  submitApplication,
  uniqueEmail,
} from './helpers';

// Inside the Lagos market, north-east of the demo technicians and away from the other specs' spots.
const spot = { latitude: 6.58 + Math.random() * 0.03, longitude: 3.62 + Math.random() * 0.03 };

/** Marks the page's document: the mark survives in-app navigation, not a reload. */
const markDocument = (p: Page) => p.evaluate(() => Object.assign(window, { __live: true }));
const stillSameDocument = (p: Page) => p.evaluate(() => (window as { __live?: boolean }).__live === true);

test('screens follow changes without a reload: the verification banner, the customer’s home card', async ({
  browser,
}) => {
  test.setTimeout(240_000); // three browsers on one busy machine
  const contexts: BrowserContext[] = [];
  const page = async (geo: boolean) => {
    const c = await browser.newContext(geo ? { geolocation: spot, permissions: ['geolocation'] } : {});
    contexts.push(c);
    return c.newPage();
  };
  try {
    // A new technician waits for verification on their home screen.
    const tech = await page(true);
    const email = uniqueEmail('live-tech');
    await signUp(tech, { name: 'Live Tayo', email, role: 'technician' });
    const services = await callApi<Array<{ id: string; slug: string }>>(tech, 'GET', 'catalog.services');
    const shine = services.find((s) => s.slug === 'shoe-shine')!;
    await callApi(tech, 'POST', 'technician.setServices', { services: [{ serviceId: shine.id }] });
    const banner = tech.getByTestId('verification');
    await expect(banner).toHaveAttribute('data-verification', 'pending');

    // An admin approves their application (which verifies them): the technician's banner changes by itself.
    const admin = await page(false);
    await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
    // The technicians card does not verify anyone: it links to the application's review.
    const me = await callApi<{ id: string }>(tech, 'GET', 'auth.me');
    const row = admin.locator(`[data-testid=tech-row][data-email="${email}"]`);
    await expect(row.getByTestId('review-tech')).toHaveAttribute('href', `/admin/onboarding/${me.id}`);
    await expect(row.getByTestId('verify-tech')).toHaveCount(0);
    await approveTechnician(tech, admin);
    await expect(banner).toHaveAttribute('data-verification', 'verified');
    await tech.getByTestId('online-toggle').click();
    await expect(tech.getByTestId('online-state')).toHaveAttribute('data-online', 'true');

    // A customer books, then waits on their home screen: the card follows the booking.
    const customer = await page(true);
    await signUp(customer, { name: 'Live Lola', email: uniqueEmail('live-cust'), role: 'customer' });
    await requestShoeShine(customer, '8 Live Street, Ikorodu');
    await customer.locator('header a.brand').click(); // in the app, no reload
    await expect(customer.getByTestId('home-customer')).toBeVisible();
    const card = customer.getByTestId('booking-item').filter({ hasText: '8 Live Street' });
    await expect(card.locator('[data-status]')).toHaveAttribute('data-status', /searching|assigned/);
    await markDocument(customer);
    await acceptOffer(tech);
    await expect(card.locator('[data-status]')).toHaveAttribute('data-status', 'assigned');

    // The technician hands the job back: the customer's card returns to searching by itself.
    await tech.getByTestId('cancel-job').click();
    const dialog = tech.getByTestId('cancel-job-dialog');
    await dialog.locator('textarea[name=reason]').fill('Flat tyre');
    await dialog.getByTestId('confirm-reason').click();
    await expect(dialog).toBeHidden(); // handed back: the job left the technician's screen
    await expect(card.locator('[data-status]')).toHaveAttribute('data-status', 'searching');
    expect(await stillSameDocument(customer)).toBe(true);
  } finally {
    for (const c of contexts) await c.close();
  }
});

test('the admin’s technician list and review queue follow a new applicant without a reload', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const contexts: BrowserContext[] = [];
  const page = async () => {
    const c = await browser.newContext();
    contexts.push(c);
    return c.newPage();
  };
  try {
    // The admin's home lists pending technicians.
    const admin = await page();
    await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
    await expect(admin.getByTestId('technicians-admin')).toBeVisible({ timeout: 30_000 });
    await expect(admin.getByTestId('filter-pending')).toHaveAttribute('aria-pressed', 'true');
    await markDocument(admin);

    // A technician signs up: their row appears on the admin's home by itself.
    const tech = await page();
    const email = uniqueEmail('live-applicant');
    await signUp(tech, { name: 'Live Applicant', email, role: 'technician' });
    const row = admin.locator(`[data-testid=tech-row][data-email="${email}"]`);
    await expect(row).toBeVisible();

    // The review queue, opened in the app: the application appears once submitted…
    await admin.getByTestId('open-review-queue').click();
    await expect(admin.getByTestId('onboarding-queue')).toBeVisible();
    await expect(admin.getByTestId('queue-status')).toHaveValue('submitted');
    const item = admin.getByTestId('queue-item').filter({ hasText: email });
    await expect(admin.getByTestId('onboarding-queue').locator('.loading')).toHaveCount(0);
    await expect(item).toHaveCount(0);
    const technicianId = await submitApplication(tech);
    await expect(item).toBeVisible();

    // …and leaves it once an admin (here through the API, as another admin would) has decided it.
    await callApi(admin, 'POST', 'admin.onboarding.decide', {
      technicianId,
      decision: 'approve',
      reasonCode: 'approved',
    });
    await expect(item).toHaveCount(0);
    expect(await stillSameDocument(admin)).toBe(true);
  } finally {
    for (const c of contexts) await c.close();
  }
});
