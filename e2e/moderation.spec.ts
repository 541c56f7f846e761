import { expect, test } from '@playwright/test';
import { callApi, completedJob, contextsAt, onlineShoeShineTechnician, signUp, uniqueEmail } from './helpers';

// Near Epe, inside the Lagos market and away from the demo technicians, so our technician gets the job.
const spot = { latitude: 6.57 + Math.random() * 0.01, longitude: 3.89 + Math.random() * 0.01 };

test('console: a reported review is hidden with a reason; the customer’s private rating is on their page (en, ar at 360 px)', async ({
  browser,
}, testInfo) => {
  test.setTimeout(240_000);
  const { page: context, close } = contextsAt(browser, spot);
  try {
    const tech = await context(true);
    const admin = await context(false);
    const { serviceId } = await onlineShoeShineTechnician(tech, admin, {
      name: 'Sola Moderated',
      email: uniqueEmail('e2e-mod-tech'),
    });
    const me = await callApi<{ id: string }>(tech, 'GET', 'auth.me');

    // A done job, a rude review, the technician's private rating of the customer: published.
    const customer = await context(true);
    await signUp(customer, { name: 'Rude Reviewer', email: uniqueEmail('e2e-mod-cust'), role: 'customer' });
    const booking = await completedJob(customer, tech, { serviceId, spot, address: '9 Lagos Road, Epe' });
    const review = await callApi<{ id: string }>(customer, 'POST', 'review.create', {
      bookingId: booking.id,
      rating: 1,
      comment: 'Call this man at 0803 000 0000 for cheaper, skip the app',
    });
    await callApi(tech, 'POST', 'review.rateCustomer', { bookingId: booking.id, rating: 2 });
    await callApi(tech, 'POST', 'review.report', { reviewId: review.id, reason: 'Phone number and abuse' });

    // The console: admin home → reported reviews → this one, with its report.
    await admin.goto('/home');
    await admin.getByTestId('admin-reviews-link').click();
    await expect(admin.getByTestId('admin-reviews')).toBeVisible();
    const row = admin.locator(`[data-testid=reported-review][data-id="${review.id}"]`);
    await expect(row).toContainText('skip the app');
    await expect(row).toContainText('Phone number and abuse');
    await expect(row).toContainText('1 report');
    await row.scrollIntoViewIfNeeded();
    await admin.screenshot({ path: testInfo.outputPath('reported-reviews-en.png') });
    await admin.getByTestId('lang-switch').click();
    await expect(admin.locator('html')).toHaveAttribute('dir', 'rtl');
    await expect(row).toContainText('بلاغ واحد');
    await row.scrollIntoViewIfNeeded();
    await admin.screenshot({ path: testInfo.outputPath('reported-reviews-ar.png') });
    expect(
      await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await admin.getByTestId('lang-switch').click();
    await expect(admin.locator('html')).toHaveAttribute('dir', 'ltr');

    // Hiding needs a reason; then it is hidden, out of the public list.
    await row.getByTestId('hide-review').click();
    await expect(row.locator('.field-error')).toBeVisible();
    await row.locator('textarea[name=reason]').fill('Contact details and off-platform solicitation');
    await row.getByTestId('hide-review').click();
    await expect(row).toHaveAttribute('data-hidden', 'true');
    await expect(row.getByTestId('review-hidden')).toContainText('off-platform');
    const list = await callApi<{ items: Array<{ id: string }> }>(customer, 'GET', 'review.list', {
      technicianId: me.id,
    });
    expect(list.items.map((r) => r.id)).not.toContain(review.id);

    // The author's page: the technicians' private rating of them.
    await row.getByTestId('review-author').click();
    const rating = admin.getByTestId('customer-rating');
    await expect(rating.locator('[data-count]')).toHaveAttribute('data-count', '1');
    await expect(rating).toContainText('2.0 of 5 from 1 rating');
    await rating.scrollIntoViewIfNeeded();
    await admin.screenshot({ path: testInfo.outputPath('customer-rating-en.png') });
    await admin.getByTestId('lang-switch').click();
    await expect(rating).toContainText('تقييم واحد');
    await rating.scrollIntoViewIfNeeded();
    await admin.screenshot({ path: testInfo.outputPath('customer-rating-ar.png') });
    await admin.getByTestId('lang-switch').click();
  } finally {
    await close();
  }
});
