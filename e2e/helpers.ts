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
  // A fresh context's first run of the app (the shell, the service worker's precache, the home's chunk):
  // generous, for a loaded machine.
  await expect(page.getByTestId(`home-${opts.role}`)).toBeVisible({ timeout: 30_000 });
  // Technicians go online only with a verified phone (issue 11 §3): verified here, as the PWA would.
  if (opts.role === 'technician') await verifyPhone(page);
}

let phoneSeq = 0;
/** Requests a code for a fresh number, reads it from the SMS stand-in (e2e/server.ts), verifies it. */
export async function verifyPhone(page: Page): Promise<string> {
  const phone = `+23481${String((Date.now() % 1e6) * 100 + (++phoneSeq % 100)).padStart(8, '0')}`;
  await callApi(page, 'POST', 'auth.requestPhoneCode', { phone });
  const port = Number(process.env.E2E_PORT ?? 4173) + 20000;
  let code: string | undefined;
  for (let i = 0; i < 50 && !code; i++) {
    const inbox = (await (await fetch(`http://127.0.0.1:${port}/inbox`)).json()) as Array<{
      to: string;
      text: string;
    }>;
    code = /\b(\d{6})\b/.exec(inbox.filter((m) => m.to === phone).at(-1)?.text ?? '')?.[1];
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  expect(code, 'SMS code').toBeTruthy();
  await callApi(page, 'POST', 'auth.verifyPhone', { phone, code });
  return phone;
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

/**
 * The technician on `tech` signs up and offers shoe shine, the demo admin (signed in on `admin`)
 * verifies them from the queue, and they go online from the phone (geolocation granted on `tech`).
 */
export async function onlineShoeShineTechnician(
  tech: Page,
  admin: Page,
  opts: { name: string; email: string },
) {
  await signUp(tech, { ...opts, role: 'technician' });
  const services = await callApi<Array<{ id: string; slug: string }>>(tech, 'GET', 'catalog.services');
  const shine = services.find((s) => s.slug === 'shoe-shine')!;
  await callApi(tech, 'POST', 'technician.setServices', { services: [{ serviceId: shine.id }] });

  await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
  const row = admin.locator(`[data-testid=tech-row][data-email="${opts.email}"]`);
  await row.getByTestId('verify-tech').click();
  await expect(row).toContainText(/verified/i);

  await tech.reload();
  await tech.getByTestId('online-toggle').click();
  await expect(tech.getByTestId('online-state')).toHaveAttribute('data-online', 'true');
}

/**
 * The customer asks for a shoe shine at their own (granted) location and sends the request;
 * `beforeAddress` runs once the location is in (the map before booking). Returns the status badge.
 */
export async function requestShoeShine(
  customer: Page,
  address: string,
  beforeAddress: () => Promise<void> = async () => {},
) {
  await customer.getByTestId('book-service').click();
  await customer.getByTestId('category-shoes').click();
  await customer.getByTestId('service-shoe-shine').click();
  await customer.getByTestId('use-my-location').click();
  await beforeAddress();
  await customer.locator('input[name=address]').fill(address);
  await expect(customer.getByTestId('quote')).toBeVisible();
  await customer.getByTestId('request-booking').click();
  const status = customer.getByTestId('booking-status');
  await expect(status).toHaveAttribute('data-status', /searching|assigned/);
  return status;
}

/** The offer reaches the technician, who accepts it: their active job is `assigned`. */
export async function acceptOffer(tech: Page) {
  const offer = tech.getByTestId('offer-card');
  await expect(offer).toBeVisible({ timeout: 20_000 });
  await offer.getByTestId('accept-offer').click();
  const job = tech.getByTestId('active-job');
  await expect(job).toHaveAttribute('data-status', 'assigned');
  return job;
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
