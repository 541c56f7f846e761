import { type BrowserContext, expect, test } from '@playwright/test';
import {
  acceptOffer,
  approveTechnician,
  callApi,
  requestShoeShine,
  signIn,
  signUp,
  uniqueEmail,
} from './helpers';

// Inside the Lagos market, north-east of the demo technicians and away from the other specs' spots.
const spot = { latitude: 6.58 + Math.random() * 0.03, longitude: 3.62 + Math.random() * 0.03 };

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
    await acceptOffer(tech);
    await expect(card.locator('[data-status]')).toHaveAttribute('data-status', 'assigned');
  } finally {
    for (const c of contexts) await c.close();
  }
});
