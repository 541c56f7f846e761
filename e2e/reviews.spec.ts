import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { acceptOffer, callApi, contextsAt, onlineShoeShineTechnician, signUp, uniqueEmail } from './helpers';

// Near Epe, inside the Lagos market and far from the demo technicians, so our technician gets the job.
const spot = { latitude: 6.55 + Math.random() * 0.01, longitude: 3.85 + Math.random() * 0.01 };
// A surname nobody else in this database has, to search for.
const surname = `Okon${randomUUID()
  .replace(/[^a-f]/g, '')
  .slice(0, 6)}`;

test('search → profile → a completed job → review → the profile shows it', async ({ browser }) => {
  test.setTimeout(180_000);
  const { page: context, close } = contextsAt(browser, spot);
  try {
    // A verified technician, online at the spot.
    const tech = await context(true);
    const admin = await context(false);
    const name = `Kunle ${surname}`;
    const { serviceId } = await onlineShoeShineTechnician(tech, admin, {
      name,
      email: uniqueEmail('e2e-rev-tech'),
    });

    // A visitor (not signed up) finds them near their position, by name, and opens the profile.
    const visitor = await context(true);
    await visitor.goto('/search');
    await expect(visitor.getByTestId('search-screen')).toBeVisible();
    await visitor.getByTestId('search-use-location').click();
    await visitor.getByTestId('search-input').fill(surname.toLowerCase());
    await visitor.getByTestId('search-submit').click();
    const result = visitor.getByTestId('search-result');
    await expect(result).toHaveCount(1);
    await expect(result).toContainText(name);
    await expect(result.getByTestId('stars')).toHaveText('New');
    const technicianId = await result.getAttribute('data-id');
    await result.click();
    const profile = visitor.getByTestId('technician-profile');
    await expect(profile.getByRole('heading', { level: 1 })).toHaveText(name);
    await expect(profile.getByTestId('verified-badge')).toBeVisible();
    await expect(profile.getByTestId('profile-service')).toContainText('Shoe shine');
    await expect(profile.getByTestId('review-list')).toHaveCount(0);
    expect(new URL(visitor.url()).pathname).toBe(`/technicians/${technicianId}`);

    // They sign up; a job with that technician is done (set up through the API).
    await signUp(visitor, { name: 'Ngozi Review', email: uniqueEmail('e2e-rev-cust'), role: 'customer' });
    const booking = await callApi<{ id: string }>(visitor, 'POST', 'booking.create', {
      serviceId,
      lat: spot.latitude,
      lng: spot.longitude,
      address: '3 Lagos Road, Epe',
      idempotencyKey: randomUUID(),
    });
    await acceptOffer(tech);
    for (const to of ['en_route', 'arrived', 'in_progress', 'completed']) {
      const step = await callApi<{ status: string }>(tech, 'POST', 'booking.advance', {
        id: booking.id,
        to,
        confirmFar: true,
      });
      expect(step.status).toBe(to);
    }
    const done = await callApi<{ status: string }>(visitor, 'GET', 'booking.get', { id: booking.id });
    expect(done.status).toBe('completed');

    // The completed booking asks for a review: stars, a tag, a comment.
    await visitor.goto(`/bookings/${booking.id}`);
    await expect(visitor.getByTestId('booking-status')).toHaveAttribute('data-status', 'completed');
    const card = visitor.getByTestId('review-card');
    await card.getByTestId('submit-review').click();
    await expect(card.getByRole('alert')).toBeVisible(); // no stars chosen yet
    await card.getByTestId('review-rating-input').locator('label').nth(4).click();
    await card.getByTestId('review-tag-on_time').click();
    await card.locator('textarea[name=comment]').fill('Shoes shining like mirrors. Thank you!');
    await card.getByTestId('submit-review').click();
    // Double-blind: not published until the technician has rated the customer (or the window closes).
    await expect(card.getByTestId('own-review')).toHaveAttribute('data-published', 'false');
    await visitor.goto(`/technicians/${technicianId}`);
    await expect(visitor.getByTestId('technician-profile').getByTestId('stars').first()).toHaveText('New');

    await callApi(tech, 'POST', 'review.rateCustomer', { bookingId: booking.id, rating: 5 });

    // The profile shows it: the rating, the count, the review itself.
    await visitor.reload();
    const shown = visitor.getByTestId('technician-profile');
    await expect(shown.getByTestId('stars').first()).toHaveAttribute('data-count', '1');
    await expect(shown.getByTestId('stars').first()).toContainText('5.0');
    await expect(shown.getByTestId('stars').first()).toContainText('1 review');
    const review = shown.getByTestId('review-item');
    await expect(review).toHaveCount(1);
    await expect(review).toHaveAttribute('data-rating', '5');
    await expect(review).toContainText('Shoes shining like mirrors');
    await expect(review).toContainText('On time');
    await expect(review).toContainText('Ngozi R.');
    await expect(shown.getByTestId('jobs-completed')).toHaveText('1 job');
  } finally {
    await close();
  }
});
