import { expect, test } from '@playwright/test';
import { signIn, signOut, signUp, uniqueEmail } from './helpers';

for (const role of ['customer', 'technician'] as const) {
  test(`a ${role} signs up, signs out and signs back in`, async ({ page }) => {
    const email = uniqueEmail(role);
    const name = role === 'customer' ? 'Ngozi Eze' : 'Emeka Obi';
    await signUp(page, { name, email, role });
    await expect(page.getByTestId(`home-${role}`)).toContainText(name);

    await signOut(page);
    await signIn(page, email.toUpperCase());
    await expect(page.getByTestId(`home-${role}`)).toContainText(name);

    // The session survives a reload (HttpOnly cookie; the page never sees the token).
    await page.reload();
    await expect(page.getByTestId(`home-${role}`)).toBeVisible();
    expect(await page.evaluate(() => document.cookie)).not.toContain('fundi_session');
  });
}

test('a wrong password shows an error and keeps what was typed', async ({ page }) => {
  await signIn(page, 'ada@demo.fundi.app', 'not the password');
  await expect(page.getByTestId('form-error')).toBeVisible();
  await expect(page.getByTestId('sign-in-form').locator('input[name=email]')).toHaveValue(
    'ada@demo.fundi.app',
  );
});

test('bad sign-up input shows field errors next to the fields', async ({ page }) => {
  await page.goto('/sign-up');
  const form = page.getByTestId('sign-up-form');
  await form.locator('input[name=name]').fill('Short Password');
  await form.locator('input[name=email]').fill(uniqueEmail('short'));
  await form.locator('input[name=password]').fill('short');
  await form.locator('[type=submit]').click();
  await expect(form.locator('input[name=password][aria-invalid=true]')).toBeVisible();
  await expect(page.getByTestId('home-customer')).toHaveCount(0);
});

test('the demo admin gets the admin home', async ({ page }) => {
  await signIn(page, 'admin@demo.fundi.app', 'fundi-demo-2026');
  await expect(page.getByTestId('home-admin')).toBeVisible();
});

test('Arabic switches the layout to right-to-left', async ({ page }) => {
  await page.goto('/sign-in');
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  const english = await page.getByTestId('sign-in-form').locator('[type=submit]').textContent();
  const lang = page.getByTestId('lang-switch');
  if ((await lang.evaluate((el) => el.tagName)) === 'SELECT') await lang.selectOption('ar');
  else await lang.click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  const arabic = await page.getByTestId('sign-in-form').locator('[type=submit]').textContent();
  expect(arabic).not.toBe(english);
  expect(arabic).toMatch(/[\u0600-\u06FF]/);

  // The server's error arrives as a code and is shown in Arabic, not the server's English message.
  const form = page.getByTestId('sign-in-form');
  await form.locator('input[name=email]').fill('ada@demo.fundi.app');
  await form.locator('input[name=password]').fill('not the password');
  await form.locator('[type=submit]').click();
  await expect(page.getByTestId('form-error')).toContainText('البريد الإلكتروني أو كلمة المرور غير صحيحة');
  await expect(page.getByTestId('form-error')).not.toContainText('incorrect');
});
