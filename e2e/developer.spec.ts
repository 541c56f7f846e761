import { expect, test } from '@playwright/test';
import { signUp, uniqueEmail } from './helpers';

/**
 * Issue 17: a business customer makes an organisation, creates an API key in the PWA (the secret is shown
 * once), and that key works for an HTTP call an integrator's program would make; revoked, it stops.
 */
test('an organisation member creates a key in the PWA and it works for an HTTP call', async ({
  page,
  request,
  baseURL,
}) => {
  // Sign-up (argon2id) and the first load dominate on a busy machine.
  test.slow();
  await signUp(page, { name: 'Facilities Desk', email: uniqueEmail('org'), role: 'customer' });
  await page.getByTestId('developer-link').click();
  await expect(page.getByTestId('developer')).toBeVisible();

  await page.getByTestId('org-name').fill('Lekki Towers Management');
  await page.getByTestId('org-create').click();
  await expect(page.getByTestId('developer-org')).toContainText('Lekki Towers Management');

  await page.getByTestId('key-name').fill('Maintenance system');
  // Read-only key: untick "create and cancel bookings".
  await page.getByRole('checkbox', { name: /Create and cancel bookings/ }).uncheck();
  // An optional expiry day: the key works to the end of that day (local time).
  const nextYear = new Date().getFullYear() + 1;
  await page.getByTestId('key-expires').fill(`${nextYear}-06-30`);
  await page.getByTestId('key-create').click();
  const secret = (await page.getByTestId('key-secret-value').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^fk_live_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId('key-item')).toHaveCount(1);
  await expect(page.getByTestId('key-item')).toContainText(secret.slice(0, 12));
  await expect(page.getByTestId('key-mode')).toHaveText('Live');
  await expect(page.getByTestId('key-expiry')).toContainText(`Expires`);
  await expect(page.getByTestId('key-expiry')).toContainText(String(nextYear));
  // The webhook form offers every event, the payment ones too.
  for (const name of [/Payment succeeded/, /Payment refunded/, /Booking completed/])
    await expect(page.getByRole('checkbox', { name })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('developer-en.png'), fullPage: true });
  // In Arabic: the mode and the expiry in words of the language.
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  await expect(page.getByTestId('key-mode')).toHaveText('مباشر');
  await expect(page.getByTestId('key-expiry')).toContainText('ينتهي في');
  await page.screenshot({ path: test.info().outputPath('developer-ar.png'), fullPage: true });
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  // The integrator's program: plain HTTP with the bearer key.
  const ok = await request.get(`${baseURL}/trpc/booking.list`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  expect(ok.status()).toBe(200);
  expect(ok.headers()['ratelimit-limit']).toBeTruthy();
  expect((await ok.json()).result.data.items).toEqual([]);
  const refused = await request.post(`${baseURL}/trpc/booking.cancel`, {
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    data: { id: '00000000-0000-4000-8000-000000000000', reason: 'x' },
  });
  expect(refused.status()).toBe(403);

  // Usage shows in the list; revoking (with confirmation) stops the key at once.
  await page.getByRole('button', { name: 'I have saved it' }).click();
  await page.reload();
  await expect(page.getByTestId('key-item')).toContainText('Requests: 2');
  await page.getByRole('button', { name: /Revoke Maintenance system/ }).click();
  await page.getByTestId('confirm-dialog-yes').click();
  await expect(page.getByTestId('key-item')).toHaveAttribute('data-revoked', 'true');
  const after = await request.get(`${baseURL}/trpc/booking.list`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  expect(after.status()).toBe(401);
});
