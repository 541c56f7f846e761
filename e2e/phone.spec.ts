import { expect, test } from '@playwright/test';
import { approveTechnician, callApi, signIn, signUp, smsCode, uniqueEmail } from './helpers';

// Issue 11 §3 on the phone: going online needs a verified number; the app says so and leads there and back.
const spot = { latitude: 7.38 + Math.random() * 0.01, longitude: 3.95 + Math.random() * 0.01 };

test('a technician without a verified phone verifies it by SMS, is approved, then goes online', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const techContext = await browser.newContext({ geolocation: spot, permissions: ['geolocation'] });
  const adminContext = await browser.newContext();
  try {
    const tech = await techContext.newPage();
    const email = uniqueEmail('phone-tech');
    await signUp(tech, { name: 'Ada Phone', email, role: 'technician', verifyPhone: false });
    // Verified means an approved application, and the application asks for a verified phone: the
    // technician verifies it on the phone screen (from the checklist's link), with the SMS's code.
    await tech.goto('/verify-phone?next=/home');
    await expect(tech.getByTestId('verify-phone-screen')).toBeVisible();
    const phone = `+23482${String(Date.now() % 1e8).padStart(8, '0')}`;
    await tech.getByTestId('phone-form').locator('input[name=phone]').fill(phone);
    await tech.getByTestId('phone-form').getByRole('button', { name: 'Send code' }).click();
    const codeForm = tech.getByTestId('code-form');
    await codeForm.locator('input[name=code]').fill(await smsCode(phone));
    await codeForm.getByRole('button', { name: 'Verify', exact: true }).click();

    // Back where they were; approved by an admin, they go online.
    // (Not /\/home$/: the phone screen's own URL, /verify-phone?next=/home, ends so too.)
    await expect(tech).toHaveURL(/:\d+\/home$/);
    await expect((await callApi<{ phone: string | null }>(tech, 'GET', 'auth.phoneStatus')).phone).toBe(
      phone,
    );
    const admin = await adminContext.newPage();
    await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
    await approveTechnician(tech, admin);
    await tech.reload();
    await tech.getByTestId('online-toggle').click();
    await expect(tech.getByTestId('online-state')).toHaveAttribute('data-online', 'true');
    await expect(tech.getByTestId('phone-needed')).toHaveCount(0);
  } finally {
    await techContext.close();
    await adminContext.close();
  }
});
