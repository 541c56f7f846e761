import { expect, test } from '@playwright/test';
import { callApi, signIn, signUp, smsCode, uniqueEmail } from './helpers';

// Issue 11 §3 on the phone: going online needs a verified number; the app says so and leads there and back.
const spot = { latitude: 7.38 + Math.random() * 0.01, longitude: 3.95 + Math.random() * 0.01 };

test('a verified technician without a verified phone is sent to verify it by SMS, then goes online', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const techContext = await browser.newContext({ geolocation: spot, permissions: ['geolocation'] });
  const adminContext = await browser.newContext();
  try {
    const tech = await techContext.newPage();
    const email = uniqueEmail('phone-tech');
    await signUp(tech, { name: 'Ada Phone', email, role: 'technician', verifyPhone: false });
    const services = await callApi<Array<{ id: string; slug: string }>>(tech, 'GET', 'catalog.services');
    const shine = services.find((s) => s.slug === 'shoe-shine')!;
    await callApi(tech, 'POST', 'technician.setServices', { services: [{ serviceId: shine.id }] });
    const admin = await adminContext.newPage();
    await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
    const row = admin.locator(`[data-testid=tech-row][data-email="${email}"]`);
    await row.getByTestId('verify-tech').click();
    await expect(row).toContainText(/verified/i);

    await tech.reload();
    await tech.getByTestId('online-toggle').click();
    const needed = tech.getByTestId('phone-needed');
    await expect(needed).toContainText('Verify your phone number before going online');
    await expect(tech.getByTestId('online-state')).toHaveAttribute('data-online', 'false');
    await needed.getByRole('link', { name: 'Verify phone' }).click();

    await expect(tech.getByTestId('verify-phone-screen')).toBeVisible();
    const phone = `+23482${String(Date.now() % 1e8).padStart(8, '0')}`;
    await tech.getByTestId('phone-form').locator('input[name=phone]').fill(phone);
    await tech.getByTestId('phone-form').getByRole('button', { name: 'Send code' }).click();
    const codeForm = tech.getByTestId('code-form');
    await codeForm.locator('input[name=code]').fill(await smsCode(phone));
    await codeForm.getByRole('button', { name: 'Verify', exact: true }).click();

    // Back where they were, and now they can go online.
    await expect(tech).toHaveURL(/\/home$/);
    await expect((await callApi<{ phone: string | null }>(tech, 'GET', 'auth.phoneStatus')).phone).toBe(
      phone,
    );
    await tech.getByTestId('online-toggle').click();
    await expect(tech.getByTestId('online-state')).toHaveAttribute('data-online', 'true');
    await expect(tech.getByTestId('phone-needed')).toHaveCount(0);
  } finally {
    await techContext.close();
    await adminContext.close();
  }
});
