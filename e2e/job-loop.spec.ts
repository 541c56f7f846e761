import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { signIn, signUp, uniqueEmail } from './helpers';

// Ibadan, far from the demo technicians seeded around Lagos, so our technician is the nearest.
const spot = { latitude: 7.3775 + Math.random() * 0.01, longitude: 3.947 + Math.random() * 0.01 };

async function trpc<T>(page: Page, method: 'GET' | 'POST', path: string, input?: unknown): Promise<T> {
  const base = new URL(page.url()).origin;
  const res =
    method === 'GET'
      ? await page.request.get(
          `${base}/trpc/${path}${input ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ''}`,
        )
      : await page.request.post(`${base}/trpc/${path}`, { data: input ?? {}, headers: { origin: base } });
  expect(res.ok(), `${path}: ${await res.text()}`).toBe(true);
  return (await res.json()).result.data as T;
}

test('a customer books, a technician accepts, and both screens follow the job to completed', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const contexts: BrowserContext[] = [];
  const context = async (geo: boolean) => {
    const c = await browser.newContext(geo ? { geolocation: spot, permissions: ['geolocation'] } : {});
    contexts.push(c);
    return c.newPage();
  };
  try {
    // A technician signs up and offers shoe shine.
    const tech = await context(true);
    const techEmail = uniqueEmail('e2e-tech');
    await signUp(tech, { name: 'Segun Technician', email: techEmail, role: 'technician' });
    const services = await trpc<Array<{ id: string; slug: string }>>(tech, 'GET', 'catalog.services');
    const shine = services.find((s) => s.slug === 'shoe-shine')!;
    await trpc(tech, 'POST', 'technician.setServices', { services: [{ serviceId: shine.id }] });

    // An admin verifies them from the queue.
    const admin = await context(false);
    await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
    const row = admin.locator(`[data-testid=tech-row][data-email="${techEmail}"]`);
    await row.getByTestId('verify-tech').click();
    await expect(row).toContainText(/verified/i);

    // The technician goes online from the phone (geolocation granted).
    await tech.reload();
    await tech.getByTestId('online-toggle').click();
    await expect(tech.getByTestId('online-state')).toHaveAttribute('data-online', 'true');

    // The customer books a shoe shine at the same spot.
    const customer = await context(true);
    await signUp(customer, { name: 'Funmi Customer', email: uniqueEmail('e2e-cust'), role: 'customer' });
    await customer.getByTestId('book-service').click();
    await customer.getByTestId('category-shoes').click();
    await customer.getByTestId('service-shoe-shine').click();
    await customer.getByTestId('use-my-location').click();
    await customer.locator('input[name=address]').fill('4 Ring Road, Ibadan');
    await expect(customer.getByTestId('quote')).toBeVisible();
    await customer.getByTestId('request-booking').click();
    const status = customer.getByTestId('booking-status');
    await expect(status).toHaveAttribute('data-status', /searching|assigned/);

    // The offer reaches the technician, who accepts it.
    const offer = tech.getByTestId('offer-card');
    await expect(offer).toBeVisible({ timeout: 20_000 });
    await offer.getByTestId('accept-offer').click();
    const job = tech.getByTestId('active-job');
    await expect(job).toHaveAttribute('data-status', 'assigned');
    await expect(job).toContainText('4 Ring Road');
    await expect(status).toHaveAttribute('data-status', 'assigned');
    await expect(status).toContainText('Segun Technician');

    // Each step on the technician's phone shows up live on the customer's, without reloading.
    for (const next of ['en_route', 'arrived', 'in_progress', 'completed']) {
      await tech.getByTestId('advance-job').click();
      await expect(status).toHaveAttribute('data-status', next);
    }
  } finally {
    for (const c of contexts) await c.close();
  }
});
