import { expect, test } from '@playwright/test';
import { PASSWORD, signUp, uniqueEmail } from './helpers';

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

test('an owner manages the organisation’s members, and sees the bookings its keys make', async ({
  page,
  request,
  baseURL,
}) => {
  test.slow();
  // The colleague: a customer account of their own (made over the API: no screen needed).
  const colleague = uniqueEmail('colleague');
  const made = await request.post(`${baseURL}/trpc/auth.signUp`, {
    headers: { origin: baseURL! },
    data: { email: colleague, password: PASSWORD, name: 'Ngozi Integrator', role: 'customer' },
  });
  expect(made.ok(), await made.text()).toBe(true);

  await signUp(page, { name: 'Property Owner', email: uniqueEmail('owner'), role: 'customer' });
  await page.goto('/developer');
  await page.getByTestId('org-name').fill('Banana Island Estates');
  await page.getByTestId('org-create').click();
  await expect(page.getByTestId('member-item')).toHaveCount(1);
  await expect(page.getByTestId('org-bookings')).toContainText('No bookings yet.');

  // A booking the organisation's key makes shows in the panel, with its status and on-site contact.
  await page.getByTestId('key-name').fill('Estate system');
  await page.getByTestId('key-create').click();
  const secret = (await page.getByTestId('key-secret-value').textContent())?.trim() ?? '';
  const auth = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
  const services = await request.get(
    `${baseURL}/trpc/catalog.services?input=${encodeURIComponent(JSON.stringify({ market: 'lagos' }))}`,
    { headers: auth },
  );
  const [service] = (await services.json()).result.data as Array<{ id: string }>;
  const booked = await request.post(`${baseURL}/trpc/booking.create`, {
    headers: auth,
    data: {
      serviceId: service!.id,
      lat: 6.4281,
      lng: 3.4219,
      address: '12 Admiralty Way, Lekki Phase 1',
      siteContact: { name: 'Gatehouse', phone: '+2348031234567' },
      idempotencyKey: `e2e-${Date.now()}`,
    },
  });
  expect(booked.ok(), await booked.text()).toBe(true);
  await page.reload();
  const item = page.getByTestId('org-booking');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('12 Admiralty Way');
  await expect(item.getByTestId('org-booking-status')).not.toBeEmpty();
  await item.getByText('Details').click();
  await expect(item).toContainText('Gatehouse');

  // An e-mail without an account is refused in words; the colleague's is added as a developer.
  await page.getByTestId('member-email').fill(uniqueEmail('nobody'));
  await page.getByTestId('member-add').click();
  await expect(page.getByTestId('members')).toContainText('There is no Fundi customer account');
  await page.getByTestId('member-email').fill(colleague);
  await page.getByTestId('member-new-role').selectOption('developer');
  await page.getByTestId('member-add').click();
  const added = page.getByTestId('member-item').filter({ hasText: 'Ngozi Integrator' });
  await expect(added).toHaveAttribute('data-role', 'developer');

  // The only owner cannot step down; the colleague's role changes; then they are removed.
  const me = page.getByTestId('member-item').filter({ hasText: 'Property Owner' });
  await me.getByTestId('member-role').selectOption('member');
  await expect(page.getByTestId('members')).toContainText('The organisation needs an owner');
  await expect(me).toHaveAttribute('data-role', 'owner');
  await added.getByTestId('member-role').selectOption('member');
  await expect(added).toHaveAttribute('data-role', 'member');
  await page.getByRole('button', { name: 'Remove Ngozi Integrator' }).click();
  await page.getByTestId('confirm-dialog-yes').click();
  await expect(page.getByTestId('member-item')).toHaveCount(1);
});
