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

/** Calls a tRPC procedure as the page's signed-in user (its session cookie), plain JSON. */
export async function callApi<T>(
  page: Page,
  method: 'GET' | 'POST',
  path: string,
  input?: unknown,
): Promise<T> {
  const base = new URL(page.url()).origin;
  const res =
    method === 'GET'
      ? await page.request.get(
          `${base}/trpc/${path}${input ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ''}`,
        )
      : await page.request.post(`${base}/trpc/${path}`, { data: input ?? {}, headers: { origin: base } });
  expect(res.ok(), `${path}: ${await res.text()}`).toBe(true);
  return (await res.json()).result.data as T;
}

/** A point `north` and `east` metres from `from` (small distances; good enough for tests). */
export function offsetBy(
  from: { latitude: number; longitude: number },
  north: number,
  east: number,
): { latitude: number; longitude: number } {
  const metresPerDegree = 111_320;
  return {
    latitude: from.latitude + north / metresPerDegree,
    longitude: from.longitude + east / (metresPerDegree * Math.cos((from.latitude * Math.PI) / 180)),
  };
}
