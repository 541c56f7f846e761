import { expect, type Page } from '@playwright/test';

let seq = 0;
export const uniqueEmail = (tag: string) => `${tag}.${Date.now()}.${++seq}@e2e.fundi.app`;
export const PASSWORD = 'e2e password 123';

export async function signUp(
  page: Page,
  opts: { name: string; email: string; role: 'customer' | 'technician' },
) {
  await page.goto('/sign-up');
  const form = page.getByTestId('sign-up-form');
  await form.locator('input[name=name]').fill(opts.name);
  await form.locator('input[name=email]').fill(opts.email);
  await form.locator('input[name=password]').fill(PASSWORD);
  await form.locator(`input[type=radio][value=${opts.role}]`).check();
  await form.locator('[type=submit]').click();
  await expect(page.getByTestId(`home-${opts.role}`)).toBeVisible();
}

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/sign-in');
  const form = page.getByTestId('sign-in-form');
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=password]').fill(password);
  await form.locator('[type=submit]').click();
}

export async function signOut(page: Page) {
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('sign-in-form')).toBeVisible();
}
