import { randomUUID } from 'node:crypto';
import { type BrowserContext, expect as baseExpect, type Page, test } from '@playwright/test';
import sharp from 'sharp';
import { callApi, PASSWORD, signIn, signUp, smsCode, uniqueEmail, uniquePhone } from './helpers';

const photo = (w: number, h: number, background: string) =>
  sharp({ create: { width: w, height: h, channels: 3, background } })
    .jpeg()
    .toBuffer();

/**
 * Drags a Leaflet marker (a corner handle) by (dx, dy) pixels with the mouse. The handle is scrolled into
 * view first: mouse events outside the viewport reach nothing (the page grows once an area is saved, and
 * the map's lower corners then sit below a 740 px screen).
 */
async function drag(page: Page, testId: string, dx: number, dy: number) {
  const handle = page.getByTestId(testId);
  await handle.scrollIntoViewIfNeeded();
  const box = (await handle.boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 });
  await page.mouse.move(x + dx, y + dy, { steps: 4 });
  await page.mouse.up();
}

type Area = { polygon: number[][][] };

// A long journey of page loads (sign-ups, reloads, a second browser for the admin) on a 2-core machine
// that CI shares with the server and PostgreSQL: each step gets more than the default 10 s.
const expect = baseExpect.configure({ timeout: 30_000 });

test('a new technician completes onboarding on a phone, an admin approves, and jobs come only from inside the area', async ({
  browser,
}) => {
  test.setTimeout(600_000);
  const contexts: BrowserContext[] = [];
  const open = async (opts: Parameters<typeof browser.newContext>[0] = {}) => {
    const c = await browser.newContext(opts);
    contexts.push(c);
    return { context: c, page: await c.newPage() };
  };
  try {
    const email = uniqueEmail('e2e-onboard');
    const { context: techContext, page: tech } = await open({ permissions: ['geolocation'] });
    await signUp(tech, { name: 'Ngozi Onboarding', email, role: 'technician', verifyPhone: false });

    // The unverified technician's home shows the checklist; it opens at 1 of 7 (certificates: none needed).
    await expect(tech.getByTestId('onboarding-card')).toBeVisible();
    await tech.getByTestId('onboarding-open').click();
    await expect(tech.getByTestId('onboarding')).toBeVisible();
    await expect(tech.getByTestId('onboarding-progress').first()).toHaveAttribute('data-done', '1');
    await expect(tech.getByTestId('onboarding-submit')).toBeDisabled();

    // The phone, verified on the checklist with the code the SMS brought.
    const phoneItem = tech.getByTestId('onboarding-item-phone');
    await expect(phoneItem).toHaveAttribute('data-done', 'false');
    const phone = uniquePhone();
    await phoneItem.locator('input[name=phone]').fill(phone);
    await phoneItem.getByTestId('phone-form').locator('[type=submit]').click();
    await phoneItem.locator('input[name=code]').fill(await smsCode(phone));
    await phoneItem.getByTestId('code-form').locator('[type=submit]').first().click();
    await expect(phoneItem).toHaveAttribute('data-done', 'true');
    await expect(phoneItem.getByTestId('phone-verified')).toContainText(phone);

    // Profile photo and both sides of the ID, through the upload path.
    await tech
      .getByTestId('technician-photo')
      .locator('input[type=file]')
      .setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: await photo(600, 600, '#8a5a44') });
    await expect(tech.getByTestId('onboarding-item-photo')).toHaveAttribute('data-done', 'true');
    await tech.getByTestId('id-front-file').setInputFiles({
      name: 'front.jpg',
      mimeType: 'image/jpeg',
      buffer: await photo(1200, 760, '#3b6ea5'),
    });
    await expect(tech.getByTestId('id-front')).toHaveAttribute('data-uploaded', 'yes');
    await tech
      .getByTestId('id-back-file')
      .setInputFiles({ name: 'back.jpg', mimeType: 'image/jpeg', buffer: await photo(1200, 760, '#a53b6e') });
    await expect(tech.getByTestId('id-back')).toHaveAttribute('data-uploaded', 'yes');
    await tech.getByTestId('id-number').fill('A12 345 6789');
    const nextYear = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);
    await tech.getByTestId('id-expires').fill(nextYear);
    await tech.getByTestId('id-save').click();
    await expect(tech.getByTestId('onboarding-item-national_id')).toHaveAttribute('data-done', 'true');

    // Services: shoe shine at the list price.
    const services = tech.getByTestId('services-editor');
    await services.getByTestId('offer-service-shoe-shine').check();
    await services.getByTestId('save-services').click();
    await expect(tech.getByTestId('onboarding-item-services')).toHaveAttribute('data-done', 'true');

    // An area drawn by tapping four corners, then edited: a corner dragged, one added on an edge and
    // deleted again.
    const areas = tech.getByTestId('areas-editor');
    const map = areas.locator('.poly-map');
    await map.scrollIntoViewIfNeeded();
    const box = (await map.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    // Clear of the zoom buttons in the map's top-left corner.
    for (const [dx, dy] of [
      [-50, -60],
      [90, -80],
      [90, 80],
      [-90, 80],
    ] as const) {
      await tech.mouse.click(cx + dx, cy + dy);
    }
    await expect(areas.getByTestId('corner-4')).toBeVisible();
    await drag(tech, 'corner-1', -20, -15);
    await areas.getByTestId('midpoint-1').click();
    await expect(areas.getByTestId('corner-5')).toBeVisible();
    await areas.getByTestId('corner-delete').click();
    await expect(areas.getByTestId('corner-5')).toHaveCount(0);
    await areas.getByTestId('area-name').fill('Home turf');
    await areas.getByTestId('area-save').click();
    await expect(tech.getByTestId('onboarding-item-areas')).toHaveAttribute('data-done', 'true');

    // Edited again after saving: the corner moves, the area keeps its name.
    const [before] = await callApi<Area[]>(tech, 'GET', 'technician.areas');
    await areas.getByTestId('area-edit-Home turf').click();
    await expect(areas.getByTestId('areas-mode')).toContainText('Home turf');
    await drag(tech, 'corner-3', 15, 10);
    await areas.getByTestId('area-save').click();
    await expect(areas.getByTestId('areas-mode')).not.toContainText('Home turf');
    const [after] = await callApi<Area[]>(tech, 'GET', 'technician.areas');
    expect(after!.polygon[0]).toHaveLength(5);
    // One corner moved, the other three stayed (the stored ring may start at another corner).
    const key = (p: number[]) => p.join(',');
    const was = new Set(before!.polygon[0]!.slice(0, -1).map(key));
    expect(after!.polygon[0]!.slice(0, -1).filter((p) => !was.has(key(p)))).toHaveLength(1);

    // Working hours: set on their own screen (technician.setHours); every day, all day here.
    await callApi(tech, 'POST', 'technician.setHours', {
      timeZone: 'Africa/Lagos',
      ranges: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
    });
    await tech.reload();
    await expect(tech.getByTestId('onboarding-progress').first()).toHaveAttribute('data-done', '7');
    await tech.getByTestId('onboarding-submit').click();
    await expect(tech.getByTestId('onboarding-status')).toHaveAttribute('data-status', 'submitted');

    // An admin reviews: the queue, the documents in the zoomable viewer, the ID number, then approves.
    const { page: admin } = await open();
    await signIn(admin, 'admin@demo.fundi.app', 'fundi-demo-2026');
    await admin.getByTestId('admin-onboarding-link').click();
    const item = admin.getByTestId('queue-item').filter({ hasText: email });
    await item.getByRole('link').click();
    await expect(admin.getByTestId('review-id-number')).toHaveText('A123456789');
    await admin.getByTestId('review-id-front').getByRole('button').click();
    const viewer = admin.getByTestId('doc-viewer');
    await expect(viewer).toBeVisible();
    await viewer.getByTestId('doc-zoom-in').click();
    await expect(viewer.locator('img')).toHaveAttribute('data-zoom', '1.5');
    await admin.keyboard.press('Escape');
    await expect(viewer).toHaveCount(0);
    await admin.getByTestId('decision-approve').check();
    await admin.getByTestId('decision-confirm').click();
    await expect(admin.getByTestId('review-applicant')).toHaveAttribute('data-status', 'approved');

    // Verified: the technician goes online in the middle of their area.
    const ring = after!.polygon[0]!.slice(0, -1);
    const mid = {
      latitude: ring.reduce((a, p) => a + p[1]!, 0) / ring.length,
      longitude: ring.reduce((a, p) => a + p[0]!, 0) / ring.length,
    };
    await techContext.setGeolocation(mid);
    await tech.goto('/home');
    await expect(tech.getByTestId('verification')).toHaveAttribute('data-verification', 'verified');
    await expect(tech.getByTestId('onboarding-card')).toHaveCount(0);
    await tech.getByTestId('online-toggle').click();
    await expect(tech.getByTestId('online-state')).toHaveAttribute('data-online', 'true');

    // A job 5 km north (outside the area) is never offered to them; one inside it is.
    // The customer books through the API (the booking screens have their own journeys): one browser
    // fewer to load on a busy machine.
    const { context: customerContext } = await open();
    const base = new URL(tech.url()).origin;
    const customer = { url: () => base, request: customerContext.request };
    await callApi(customer, 'POST', 'auth.signUp', {
      name: 'Ada Outside',
      email: uniqueEmail('e2e-cust'),
      password: PASSWORD,
      role: 'customer',
    });
    const shine = (
      await callApi<Array<{ id: string; slug: string }>>(customer, 'GET', 'catalog.services')
    ).find((s) => s.slug === 'shoe-shine')!;
    const book = (lat: number, lng: number, address: string) =>
      callApi<{ id: string }>(customer, 'POST', 'booking.create', {
        serviceId: shine.id,
        lat,
        lng,
        address,
        idempotencyKey: randomUUID(),
      });
    // Both are open at once: were the outside job (nearer to them than to anyone else) offered, its card
    // would come first. The first card is the inside job: accepted, it is the one assigned to them.
    const outside = await book(mid.latitude + 0.045, mid.longitude, '1 Outside Road, Lagos');
    const inside = await book(mid.latitude, mid.longitude, '2 Inside Street, Lagos');
    const offer = tech.getByTestId('offer-card');
    await expect(offer).toHaveCount(1);
    await offer.getByTestId('accept-offer').click();
    await expect(tech.getByTestId('active-job')).toHaveAttribute('data-status', 'assigned');
    type Job = { id: string; status: string; technician: { name: string } | null };
    const insideNow = await callApi<Job>(customer, 'GET', 'booking.get', { id: inside.id });
    expect(insideNow).toMatchObject({ status: 'assigned', technician: { name: 'Ngozi Onboarding' } });
    await expect(offer).toHaveCount(0);
    const outsideNow = await callApi<Job>(customer, 'GET', 'booking.get', { id: outside.id });
    expect(outsideNow.technician?.name).not.toBe('Ngozi Onboarding');
    await callApi(customer, 'POST', 'booking.cancel', { id: outside.id, reason: 'Changed my mind' });

    // The area is deleted from the home screen's editor: none left.
    const homeAreas = tech.getByTestId('areas-editor');
    await homeAreas.getByTestId('area-delete-Home turf').click();
    await expect(homeAreas.getByTestId('area-delete-Home turf')).toHaveCount(0);
    expect(await callApi<Area[]>(tech, 'GET', 'technician.areas')).toEqual([]);
  } finally {
    for (const c of contexts) await c.close();
  }
});
