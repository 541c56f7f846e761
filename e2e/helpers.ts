import { randomUUID } from 'node:crypto';
import { type Browser, type BrowserContext, expect, type Page } from '@playwright/test';
import sharp from 'sharp';

let seq = 0;
export const uniqueEmail = (tag: string) => `${tag}.${Date.now()}.${++seq}@e2e.fundi.app`;
export const PASSWORD = 'e2e password 123';

export async function signUp(
  page: Page,
  /** `verifyPhone: false`: a technician left to verify their phone themselves (the onboarding checklist). */
  opts: { name: string; email: string; role: 'customer' | 'technician'; verifyPhone?: boolean },
) {
  await page.goto('/sign-up');
  const form = page.getByTestId('sign-up-form');
  await form.locator('input[name=name]').fill(opts.name);
  await form.locator('input[name=email]').fill(opts.email);
  await form.locator('input[name=password]').fill(PASSWORD);
  await form.locator(`input[type=radio][value=${opts.role}]`).check();
  await form.locator('[type=submit]').click();
  // The first home screen loads its lazy chunks while the service worker precaches: on a busy 2-core
  // machine that alone took over 10 s.
  await expect(page.getByTestId(`home-${opts.role}`)).toBeVisible({ timeout: 30_000 });
  // Technicians go online only with a verified phone (issue 11 §3): verified here, as the PWA would.
  if (opts.role === 'technician' && opts.verifyPhone !== false) await verifyPhone(page);
}

let phoneSeq = 0;
/** A number no other account of this run has (Nigerian mobile format). */
export const uniquePhone = () =>
  `+23481${String((Date.now() % 1e6) * 100 + (++phoneSeq % 100)).padStart(8, '0')}`;

/** Requests a code for a fresh number, reads it from the SMS stand-in (e2e/server.ts), verifies it. */
export async function verifyPhone(page: Page): Promise<string> {
  const phone = uniquePhone();
  await callApi(page, 'POST', 'auth.requestPhoneCode', { phone });
  await callApi(page, 'POST', 'auth.verifyPhone', { phone, code: await smsCode(phone) });
  return phone;
}

/** The newest 6-digit code the SMS stand-in (e2e/server.ts) received for `phone`. */
export async function smsCode(phone: string): Promise<string> {
  const port = Number(process.env.E2E_PORT ?? 4173) + 20000;
  let code: string | undefined;
  for (let i = 0; i < 150 && !code; i++) {
    const inbox = (await (await fetch(`http://127.0.0.1:${port}/inbox`)).json()) as Array<{
      to: string;
      text: string;
    }>;
    code = /\b(\d{6})\b/.exec(inbox.filter((m) => m.to === phone).at(-1)?.text ?? '')?.[1];
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  expect(code, 'SMS code').toBeTruthy();
  return code!;
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

/** Uploads bytes as the page's user (upload.create, then the PUT the PWA makes); the upload's id. */
async function uploadAs(page: Page, kind: string, bytes: Buffer): Promise<string> {
  const base = new URL(page.url()).origin;
  const slot = await callApi<{ url: string; uploadId: string }>(page, 'POST', 'upload.create', {
    kind,
    contentType: 'image/jpeg',
    size: bytes.length,
  });
  const res = await page.request.put(new URL(slot.url, base).toString(), {
    data: bytes,
    headers: { 'content-type': 'image/jpeg', origin: base },
  });
  expect(res.status(), `upload ${kind}: ${await res.text()}`).toBe(201);
  return slot.uploadId;
}

/**
 * A technician (signed up with a verified phone, on `tech`) completes their onboarding checklist through
 * its API (a service, photo, ID front and back with number and expiry, a zone, working hours) and
 * submits it for review; their user id.
 */
export async function submitApplication(tech: Page): Promise<string> {
  const jpeg = () =>
    sharp({ create: { width: 64, height: 64, channels: 3, background: '#2a7f62' } })
      .jpeg()
      .toBuffer();
  const me = await callApi<{ id: string }>(tech, 'GET', 'auth.me');
  // The checklist asks for a service: shoe shine, unless they offer some already.
  const profile = await callApi<{ services: unknown[] }>(tech, 'GET', 'technician.me');
  if (profile.services.length === 0) {
    const list = await callApi<Array<{ id: string; slug: string }>>(tech, 'GET', 'catalog.services');
    const shine = list.find((s) => s.slug === 'shoe-shine')!;
    await callApi(tech, 'POST', 'technician.setServices', { services: [{ serviceId: shine.id }] });
  }
  await callApi(tech, 'POST', 'technician.setPhoto', {
    uploadId: await uploadAs(tech, 'profile_photo', await jpeg()),
  });
  await callApi(tech, 'POST', 'onboarding.setIdDocument', {
    frontUploadId: await uploadAs(tech, 'id_document', await jpeg()),
    backUploadId: await uploadAs(tech, 'id_document', await jpeg()),
    idNumber: `E2E${String(Date.now()).slice(-9)}`,
    expiresOn: new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10),
  });
  await callApi(tech, 'POST', 'technician.setAreas', { areas: [{ market: 'lagos', zone: 'yaba' }] });
  await callApi(tech, 'POST', 'technician.setHours', {
    ranges: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
  });
  await callApi(tech, 'POST', 'onboarding.submit');
  return me.id;
}

/**
 * A technician (signed up with a verified phone, on `tech`) is approved the way
 * the product approves anyone: their application submitted (submitApplication) and approved by the demo
 * admin (signed in on `admin`) with admin.onboarding.decide, which verifies them. Afterwards their areas
 * and hours are cleared (serving anywhere, at any time, as the specs' spots outside the markets need); an
 * approved technician may edit both.
 */
export async function approveTechnician(tech: Page, admin: Page) {
  const technicianId = await submitApplication(tech);
  await callApi(admin, 'POST', 'admin.onboarding.decide', {
    technicianId,
    decision: 'approve',
    reasonCode: 'approved',
  });
  await callApi(tech, 'POST', 'technician.setAreas', { areas: [] });
  await callApi(tech, 'POST', 'technician.setHours', { ranges: [], clear: true });
}

/** Where a spec's people stand: a spot the browser reports as the device's location (when granted). */
export type Spot = { latitude: number; longitude: number };

/**
 * A spec's browser contexts, one page each: `page(true)` stands at `spot` with the location (and any
 * `permissions`) granted, `page(false)` has no location. `close()` (in the spec's `finally`) closes every
 * context opened.
 */
export function contextsAt(browser: Browser, spot: Spot, permissions: string[] = []) {
  const contexts: BrowserContext[] = [];
  return {
    page: async (geo: boolean) => {
      const c = await browser.newContext(
        geo ? { geolocation: spot, permissions: ['geolocation', ...permissions] } : {},
      );
      contexts.push(c);
      return c.newPage();
    },
    close: async () => {
      for (const c of contexts) await c.close();
    },
  };
}

/**
 * The technician on `tech` signs up and offers shoe shine, the demo admin (signed in on `admin`)
 * approves their application (approveTechnician), and they go online from the phone (geolocation
 * granted on `tech`). `timeout`: of the checks on the way (a spec with slow screens raises it).
 * Returns the shoe shine's service id.
 */
export async function onlineShoeShineTechnician(
  tech: Page,
  admin: Page,
  opts: { name: string; email: string; timeout?: number },
) {
  const { timeout, ...account } = opts;
  await signUp(tech, { ...account, role: 'technician' });
  const services = await callApi<Array<{ id: string; slug: string }>>(tech, 'GET', 'catalog.services');
  const shine = services.find((s) => s.slug === 'shoe-shine')!;
  await callApi(tech, 'POST', 'technician.setServices', { services: [{ serviceId: shine.id }] });

  await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
  await expect(admin.getByTestId('home-admin')).toBeVisible({ timeout });
  await approveTechnician(tech, admin);

  await tech.reload();
  await tech.getByTestId('online-toggle').click();
  await expect(tech.getByTestId('online-state')).toHaveAttribute('data-online', 'true', { timeout });
  return { serviceId: shine.id };
}

/**
 * A job done through the API: the customer books `serviceId` at `spot`, the technician (online there)
 * accepts the offer on their screen and moves the job on to completed. Returns the booking as created.
 */
export async function completedJob<B extends { id: string } = { id: string }>(
  customer: Page,
  tech: Page,
  job: { serviceId: string; spot: Spot; address: string },
): Promise<B> {
  const booking = await callApi<B>(customer, 'POST', 'booking.create', {
    serviceId: job.serviceId,
    lat: job.spot.latitude,
    lng: job.spot.longitude,
    address: job.address,
    idempotencyKey: randomUUID(),
  });
  await acceptOffer(tech);
  for (const to of ['en_route', 'arrived', 'in_progress', 'completed'])
    await callApi(tech, 'POST', 'booking.advance', { id: booking.id, to, confirmFar: true });
  return booking;
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

/**
 * Calls a tRPC procedure as the page's signed-in user (its session cookie), plain JSON. Also takes a
 * context's `request` with the app's origin as `url`: a user who needs no screen of their own.
 */
export async function callApi<T>(
  page: Pick<Page, 'url' | 'request'>,
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
