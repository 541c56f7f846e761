import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import {
  approveTechnician,
  callApi,
  completedJob,
  contextsAt,
  PASSWORD,
  signIn,
  signUp,
  uniqueEmail,
} from './helpers';

// Near Epe, inside the Lagos market and away from the demo technicians, so our technician gets the job.
const spot = { latitude: 6.56 + Math.random() * 0.01, longitude: 3.87 + Math.random() * 0.01 };
const surname = `Adeyemi${randomUUID()
  .replace(/[^a-f]/g, '')
  .slice(0, 6)}`;

test('languages on the profile; stars and words on the booking; Book asks a visitor to sign up and comes back to that technician', async ({
  browser,
}, testInfo) => {
  test.setTimeout(240_000);
  const { page: context, close } = contextsAt(browser, spot);
  try {
    // A verified technician, online at the spot, with their own price for shoe shine.
    const tech = await context(true);
    const admin = await context(false);
    const name = `Tunde ${surname}`;
    await signUp(tech, { name, email: uniqueEmail('e2e-choice-tech'), role: 'technician' });
    const catalog = await callApi<
      Array<{ id: string; slug: string; basePrice: { amount: number }; maxPrice: { amount: number } | null }>
    >(tech, 'GET', 'catalog.services');
    const shine = catalog.find((s) => s.slug === 'shoe-shine')!;
    const own = Math.min(shine.basePrice.amount * 2, shine.maxPrice?.amount ?? Number.POSITIVE_INFINITY);
    await callApi(tech, 'POST', 'technician.setServices', {
      services: [{ serviceId: shine.id, price: own }],
    });
    const me = await callApi<{ id: string }>(tech, 'GET', 'auth.me');
    await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
    await expect(admin.getByTestId('home-admin')).toBeVisible();
    await approveTechnician(tech, admin);
    await tech.reload();

    // They say which languages they speak, from their profile card.
    await tech.getByTestId('edit-profile').click();
    await tech.getByLabel('Yoruba').check();
    await tech.getByLabel('English').check();
    await tech.getByTestId('save-profile').scrollIntoViewIfNeeded();
    await tech.screenshot({ path: testInfo.outputPath('languages-editor-en.png'), fullPage: true });
    await tech.getByTestId('save-profile').click();
    await expect(tech.getByTestId('own-languages')).toContainText('English and Yoruba');
    await tech.getByTestId('online-toggle').click();
    await expect(tech.getByTestId('online-state')).toHaveAttribute('data-online', 'true');

    // A first customer's job is done and reviewed (set up through the API); the review is published.
    const first = await context(true);
    await signUp(first, { name: 'Bisi First', email: uniqueEmail('e2e-choice-c1'), role: 'customer' });
    const booking = await completedJob(first, tech, {
      serviceId: shine.id,
      spot,
      address: '4 Lagos Road, Epe',
    });
    await callApi(first, 'POST', 'review.create', {
      bookingId: booking.id,
      rating: 4,
      comment: 'Careful work, polished both pairs while I waited.',
    });
    await callApi(tech, 'POST', 'review.rateCustomer', { bookingId: booking.id, rating: 5 });

    // The customer's booking screen: the technician's card carries stars, count, words and the profile.
    await first.goto(`/bookings/${booking.id}`);
    const card = first.getByTestId('assigned-technician');
    await expect(card.getByTestId('stars')).toHaveAttribute('data-count', '1');
    await expect(card.getByTestId('stars')).toContainText('1 review');
    await expect(card.getByTestId('latest-review')).toContainText('polished both pairs');
    await expect(card.getByTestId('technician-profile-link')).toHaveAttribute(
      'href',
      `/technicians/${me.id}`,
    );
    await first.screenshot({ path: testInfo.outputPath('booking-technician-card-en.png'), fullPage: true });

    // A visitor opens the profile (languages shown) and taps Book: sign UP, with a way to sign in instead.
    const visitor = await context(true);
    await visitor.goto(`/technicians/${me.id}`);
    await expect(visitor.getByTestId('profile-languages')).toHaveText('English and Yoruba');
    await visitor.getByTestId('profile-book').first().click();
    await expect(visitor.getByTestId('sign-up-form')).toBeVisible({ timeout: 30_000 });
    const signUpUrl = new URL(visitor.url());
    expect(signUpUrl.pathname).toBe('/sign-up');
    const next = signUpUrl.searchParams.get('next')!;
    expect(next).toContain(`technician=${me.id}`);
    await expect(visitor.locator('.form-switch a')).toHaveAttribute(
      'href',
      `/sign-in?next=${encodeURIComponent(next)}`,
    );
    const form = visitor.getByTestId('sign-up-form');
    await form.locator('input[name=name]').fill('Ngozi Visitor');
    await form.locator('input[name=email]').fill(uniqueEmail('e2e-choice-c2'));
    await form.locator('input[name=password]').fill(PASSWORD);
    await form.locator('input[type=radio][value=customer]').check();
    await form.locator('[type=submit]').click();

    // Back on the booking form of that very technician: their stars and words, and a quote at their price.
    await expect(visitor.getByTestId('booking-form')).toBeVisible({ timeout: 30_000 });
    expect(new URL(visitor.url()).pathname + new URL(visitor.url()).search).toBe(next);
    await expect(visitor.getByTestId('chosen-technician')).toContainText(name);
    const trust = visitor.getByTestId('trust-summary');
    await expect(trust.getByTestId('stars')).toHaveAttribute('data-count', '1');
    await expect(trust.getByTestId('latest-review')).toContainText('Careful work');
    await visitor.getByTestId('use-my-location').click();
    await expect(visitor.getByTestId('quote-for')).toContainText(name);
    await expect(visitor.getByTestId('quote-total')).toHaveAttribute('data-amount', String(own));
    await visitor.screenshot({ path: testInfo.outputPath('chosen-booking-form-en.png'), fullPage: true });

    // ?next= never leaves the site.
    const stranger = await context(false);
    await stranger.goto(`/sign-in?next=${encodeURIComponent('//evil.example/book')}`);
    await stranger.getByTestId('sign-in-form').locator('input[name=email]').fill('admin@demo.fundi.app');
    await stranger.getByTestId('sign-in-form').locator('input[name=password]').fill('fundi-demo-2026');
    await stranger.getByTestId('sign-in-form').locator('[type=submit]').click();
    await expect(stranger.getByTestId('home-admin')).toBeVisible({ timeout: 30_000 });
    expect(new URL(stranger.url()).origin).toBe(new URL(visitor.url()).origin);
  } finally {
    await close();
  }
});
