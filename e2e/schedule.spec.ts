import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { acceptOffer, approveTechnician, callApi, signUp, uniqueEmail } from './helpers';

// Issue 12 §5 (and the §6 journey): working hours on the phone; a chosen technician booked on a free slot.

// Near Ikorodu, inside the Lagos market and away from the demo technicians and the other specs' spots.
const spot = { latitude: 6.61 + Math.random() * 0.01, longitude: 3.5 + Math.random() * 0.01 };
const surname = `Bello${Math.random().toString(36).slice(2, 8)}`;

/** A datetime-local value, `days` from now at `hh:mm` on the device's clock. */
function localInput(days: number, hh: number, mm = 0) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  d.setHours(hh, mm, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hh)}:${pad(mm)}`;
}

async function verifiedTechnician(tech: Page, admin: Page, name: string) {
  await signUp(tech, { name, email: uniqueEmail('e2e-sched-tech'), role: 'technician' });
  const catalog = await callApi<Array<{ id: string; slug: string }>>(tech, 'GET', 'catalog.services');
  const shine = catalog.find((s) => s.slug === 'shoe-shine')!;
  await callApi(tech, 'POST', 'technician.setServices', { services: [{ serviceId: shine.id }] });
  const me = await callApi<{ id: string }>(tech, 'GET', 'auth.me');
  // The demo admin approves them through the API (the admin console's queue has its own specs): the
  // console and its live map are not rendered for nothing while this journey runs.
  await admin.goto('/healthz');
  await callApi(admin, 'POST', 'auth.signIn', {
    email: 'admin@demo.fundi.app',
    password: 'fundi-demo-2026',
  });
  await approveTechnician(tech, admin);
  return { id: me.id, shine };
}

test('a technician sets working hours and time off on the phone', async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  try {
    const tech = await context.newPage();
    await signUp(tech, { name: 'Hours Okafor', email: uniqueEmail('e2e-hours'), role: 'technician' });
    await tech.getByTestId('hours-link').click();
    const screen = tech.getByTestId('hours-screen');
    await expect(screen).toBeVisible();
    await expect(screen.getByTestId('hours-state')).toHaveAttribute('data-set', 'false');

    // Monday: 09:00–17:00, then a second range 14:00–18:00 (merged on save); Saturday 10:00–14:00.
    const monday = screen.getByTestId('hours-day-1');
    await monday.getByTestId('hours-add').click();
    await monday.getByTestId('hours-add').click();
    const saturday = screen.getByTestId('hours-day-6');
    await saturday.getByTestId('hours-add').click();
    await saturday.getByTestId('hours-start').fill('10:00');
    await saturday.getByTestId('hours-end').fill('14:00');
    // The targets are thumb-sized at 360 px.
    const add = await saturday.getByTestId('hours-add').boundingBox();
    expect(add!.height).toBeGreaterThanOrEqual(44);
    await screen.getByTestId('hours-save').click();
    await expect(screen.getByTestId('hours-saved')).toBeVisible();
    await expect(screen.getByTestId('hours-state')).toHaveAttribute('data-set', 'true');
    await expect(screen.getByTestId('hours-day-1').getByTestId('hours-end')).toHaveValue('18:00');
    const hours = await callApi<{ set: boolean; timeZone: string; ranges: unknown[] }>(
      tech,
      'GET',
      'technician.hours',
    );
    expect(hours).toEqual({
      set: true,
      timeZone: 'Africa/Lagos',
      ranges: [
        { weekday: 1, start: '09:00', end: '18:00' },
        { weekday: 6, start: '10:00', end: '14:00' },
      ],
    });

    // Time off tomorrow afternoon, then removed again.
    const off = tech.getByTestId('time-off');
    await off.getByTestId('time-off-from').fill(localInput(1, 13));
    await off.getByTestId('time-off-to').fill(localInput(1, 18));
    await off.getByTestId('time-off-add').click();
    await expect(off.getByTestId('time-off-item')).toHaveCount(1);
    await off.getByTestId('time-off-item').getByRole('button').click();
    await expect(off.getByTestId('time-off-item')).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test('search → profile → book that technician on a free slot → complete → review → the profile shows it', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const contexts: BrowserContext[] = [];
  const page = async (geo: boolean) => {
    const c = await browser.newContext(geo ? { geolocation: spot, permissions: ['geolocation'] } : {});
    contexts.push(c);
    return c.newPage();
  };
  try {
    const tech = await page(true);
    const admin = await page(false);
    const name = `Sade ${surname}`;
    const { id: technicianId } = await verifiedTechnician(tech, admin, name);
    // At work every day, all day: whatever the hour the test runs, there are slots this week.
    await callApi(tech, 'POST', 'technician.setHours', {
      ranges: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
    });
    await tech.reload();
    await tech.getByTestId('online-toggle').click();
    await expect(tech.getByTestId('online-state')).toHaveAttribute('data-online', 'true');

    // The customer finds them by name near here and opens the profile.
    const customer = await page(true);
    await signUp(customer, { name: 'Ifeoma Slot', email: uniqueEmail('e2e-sched-cust'), role: 'customer' });
    await customer.goto('/search');
    await customer.getByTestId('search-use-location').click();
    await customer.getByTestId('search-input').fill(surname.toLowerCase());
    await customer.getByTestId('search-submit').click();
    const result = customer.getByTestId('search-result');
    await expect(result).toHaveCount(1);
    await result.click();
    const profile = customer.getByTestId('technician-profile');
    await expect(profile.getByRole('heading', { level: 1 })).toHaveText(name);

    // Book that technician, for later: the form offers their free slots only.
    await profile.getByTestId('profile-service').getByRole('link', { name: 'Book' }).click();
    const form = customer.getByTestId('booking-form');
    await expect(form.getByTestId('chosen-technician')).toContainText(name);
    await form.getByTestId('use-my-location').click();
    await form.locator('input[name=address]').fill('4 Ayangburen Road, Ikorodu');
    // The radio by its name (a click on the label's text lands on the label's full-card overlay instead).
    const later = form.getByRole('radio', { name: 'Schedule for later' });
    await later.check();
    await expect(later).toBeChecked();
    const picker = form.getByTestId('slot-picker');
    await expect(picker).toContainText(name);
    const slots = picker.getByTestId('slot');
    await expect(slots.first()).toBeAttached();
    const chosenStart = await slots.nth(1).getAttribute('value');
    await picker.locator('label').nth(1).click();
    await expect(slots.nth(1)).toBeChecked();
    const serviceId = (
      await callApi<Array<{ id: string; slug: string }>>(customer, 'GET', 'catalog.services')
    ).find((s) => s.slug === 'shoe-shine')!.id;
    await form.getByTestId('request-booking').click();
    const status = customer.getByTestId('booking-status');

    // A chosen technician's slot is offered to them at once, for the usual offer window (30 s): they
    // confirm it on their phone while the customer's booking screen opens, as it happens for real.
    const [bookingId] = await Promise.all([
      (async () => {
        // The booking screen is a lazy chunk: generous on a loaded machine.
        await expect(status).toHaveAttribute('data-status', /searching|assigned/, { timeout: 30_000 });
        const id = new URL(customer.url()).pathname.split('/').pop()!;
        const booked = await callApi<{ scheduledFor: string; chosenTechnicianId: string }>(
          customer,
          'GET',
          'booking.get',
          { id },
        );
        expect(booked.scheduledFor).toBe(chosenStart);
        expect(booked.chosenTechnicianId).toBe(technicianId);

        // The slot is held (before and after they confirm): it is no longer offered to anyone else.
        const again = await callApi<{ slots: Array<{ start: string }> }>(
          customer,
          'GET',
          'availability.slots',
          {
            technicianId,
            serviceId,
            lat: spot.latitude,
            lng: spot.longitude,
            from: new Date().toISOString(),
            to: new Date(Date.now() + 7 * 24 * 3600_000).toISOString(),
          },
        );
        expect(again.slots.length).toBeGreaterThan(0);
        expect(again.slots.map((s) => s.start)).not.toContain(chosenStart);
        return id;
      })(),
      acceptOffer(tech),
    ]);

    // Then they do the job.
    for (const to of ['en_route', 'arrived', 'in_progress', 'completed']) {
      const step = await callApi<{ status: string }>(tech, 'POST', 'booking.advance', {
        id: bookingId,
        to,
        confirmFar: true,
      });
      expect(step.status).toBe(to);
    }

    // The customer's booking screen follows the job live to its end (no reload) and asks for a review;
    // then the technician rates the customer (double-blind): the profile shows it.
    await expect(status).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
    const card = customer.getByTestId('review-card');
    await card.getByTestId('review-rating-input').locator('label').nth(3).click();
    await card.locator('textarea[name=comment]').fill('Came exactly at the time I picked.');
    await card.getByTestId('submit-review').click();
    await expect(card.getByTestId('own-review')).toBeVisible();
    await callApi(tech, 'POST', 'review.rateCustomer', { bookingId, rating: 5 });
    // The shareable URL, opened afresh (a cold start of the app: generous on a loaded machine).
    await customer.goto(`/technicians/${technicianId}`);
    const shown = customer.getByTestId('technician-profile');
    await expect(shown.getByTestId('stars').first()).toHaveAttribute('data-count', '1', { timeout: 30_000 });
    const review = shown.getByTestId('review-item');
    await expect(review).toHaveAttribute('data-rating', '4');
    await expect(review).toContainText('Came exactly at the time I picked.');
  } finally {
    for (const c of contexts) await c.close();
  }
});
