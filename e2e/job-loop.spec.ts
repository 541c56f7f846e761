import { expect, test } from '@playwright/test';
import {
  acceptOffer,
  contextsAt,
  onlineShoeShineTechnician,
  requestShoeShine,
  signUp,
  uniqueEmail,
} from './helpers';

// Ibadan, far from the demo technicians seeded around Lagos, so our technician is the nearest.
const spot = { latitude: 7.3775 + Math.random() * 0.01, longitude: 3.947 + Math.random() * 0.01 };

test('a customer books, a technician accepts, and both screens follow the job to completed', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const { page: context, close } = contextsAt(browser, spot);
  try {
    // A technician signs up, offers shoe shine, is verified by an admin and goes online.
    const tech = await context(true);
    const admin = await context(false);
    await onlineShoeShineTechnician(tech, admin, {
      name: 'Segun Technician',
      email: uniqueEmail('e2e-tech'),
    });

    // The customer books a shoe shine at the same spot.
    const customer = await context(true);
    await signUp(customer, { name: 'Funmi Customer', email: uniqueEmail('e2e-cust'), role: 'customer' });
    const status = await requestShoeShine(customer, '4 Ring Road, Ibadan');

    // The offer reaches the technician, who accepts it.
    const job = await acceptOffer(tech);
    await expect(job).toContainText('4 Ring Road');
    await expect(status).toHaveAttribute('data-status', 'assigned');
    await expect(status).toContainText('Segun Technician');

    // Each step on the technician's phone shows up live on the customer's, without reloading.
    for (const next of ['en_route', 'arrived', 'in_progress', 'completed']) {
      await tech.getByTestId('advance-job').click();
      await expect(status).toHaveAttribute('data-status', next);
    }
  } finally {
    await close();
  }
});
