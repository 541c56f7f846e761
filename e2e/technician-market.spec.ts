import { expect as baseExpect, type CDPSession, type Page, test } from '@playwright/test';
import { callApi, signUp, uniqueEmail } from './helpers';

// Sign-up and the onboarding screen's lazy chunks on a busy 2-core machine: more than the default 10 s.
const expect = baseExpect.configure({ timeout: 30_000 });

type Area = { name: string; polygon: number[][][] };
type Service = { id: string; slug: string; market: string; basePrice: { amount: number; currency: string } };
type Profile = { services: Array<{ serviceId: string; price: { amount: number; currency: string } | null }> };

/** The centre of an element on the screen (scrolled into view first). */
async function centreOf(page: Page, testId: string) {
  const handle = page.getByTestId(testId);
  await handle.scrollIntoViewIfNeeded();
  const box = (await handle.boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A finger on `testId`, moved by (dx, dy) pixels in steps, then lifted: real touch events (CDP). */
async function touchDrag(page: Page, cdp: CDPSession, testId: string, dx: number, dy: number) {
  const { x, y } = await centreOf(page, testId);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
  for (let step = 1; step <= 8; step++) {
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove',
      touchPoints: [{ x: x + (dx * step) / 8, y: y + (dy * step) / 8 }],
    });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

test('a Cairo technician in Arabic offers Cairo’s services, priced in EGP', async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ locale: 'ar-EG', timezoneId: 'Africa/Cairo' });
  try {
    const page = await context.newPage();
    await signUp(page, { name: 'منى الفني', email: uniqueEmail('e2e-cairo-tech'), role: 'technician' });
    await page.goto('/onboarding');
    await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
    const editor = page.getByTestId('services-editor');
    // The city is Cairo (time zone and language: no position yet), and the list is Cairo's.
    await expect(editor.getByTestId('services-market')).toHaveValue('cairo');
    const cairo = await callApi<Service[]>(page, 'GET', 'catalog.services', { market: 'cairo' });
    const shine = cairo.find((s) => s.slug === 'shoe-shine')!;
    expect(shine.basePrice.currency).toBe('EGP');
    await editor.getByTestId('offer-service-shoe-shine').check();
    const choice = editor
      .locator('.service-choice')
      .filter({ has: page.getByTestId('offer-service-shoe-shine') });
    await expect(choice.locator('label').last()).toContainText('EGP');
    // The standard price in Arabic-Indic digits, as an Egyptian keyboard types it.
    const pounds = String(shine.basePrice.amount / 100).replace(/\d/g, (d) =>
      String.fromCharCode(0x0660 + Number(d)),
    );
    await choice.locator('input[inputmode=decimal]').fill(pounds);
    await editor.getByTestId('save-services').click();
    await expect(editor.locator('.save-row [role=status]')).toHaveText('تم الحفظ.');
    const me = await callApi<Profile>(page, 'GET', 'technician.me');
    expect(me.services).toEqual([
      { serviceId: shine.id, price: { amount: shine.basePrice.amount, currency: 'EGP' } },
    ]);

    // Switched to Lagos: Lagos's list in NGN; saving there replaces the Cairo choice.
    await editor.getByTestId('services-market').selectOption('lagos');
    await expect(editor.getByTestId('services-elsewhere')).toBeVisible();
    const lagos = await callApi<Service[]>(page, 'GET', 'catalog.services', { market: 'lagos' });
    const repair = lagos.find((s) => s.slug === 'shoe-repair')!;
    await editor.getByTestId('offer-service-shoe-repair').check();
    await editor.getByTestId('save-services').click();
    await expect(editor.getByTestId('services-elsewhere')).toHaveCount(0);
    expect((await callApi<Profile>(page, 'GET', 'technician.me')).services).toEqual([
      { serviceId: repair.id, price: null },
    ]);
  } finally {
    await context.close();
  }
});

test('service areas are drawn, edited and deleted with a finger on a 360 px phone', async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({
    hasTouch: true,
    isMobile: true,
    viewport: { width: 360, height: 740 },
    locale: 'en-NG',
    timezoneId: 'Africa/Lagos',
  });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await signUp(page, { name: 'Tunde Touch', email: uniqueEmail('e2e-touch'), role: 'technician' });
    await page.goto('/onboarding');
    const areas = page.getByTestId('areas-editor');
    const map = areas.locator('.poly-map');
    await map.scrollIntoViewIfNeeded();
    const box = (await map.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;

    // Four corners tapped (clear of the zoom buttons in the top-left corner).
    for (const [dx, dy] of [
      [-50, -60],
      [90, -80],
      [90, 80],
      [-90, 80],
    ] as const) {
      await page.touchscreen.tap(cx + dx, cy + dy);
    }
    await expect(areas.getByTestId('corner-4')).toBeVisible();
    await expect(areas.getByTestId('corner-5')).toHaveCount(0);
    await areas.getByTestId('area-name').fill('Thumb drawn');
    await areas.getByTestId('area-save').tap();
    await expect(areas.getByTestId('area-edit-Thumb drawn')).toBeVisible();
    const [drawn] = await callApi<Area[]>(page, 'GET', 'technician.areas');
    expect(drawn!.polygon[0]).toHaveLength(5);

    // Edited with a finger: corner 1 dragged up and left, a corner added on the edge after it.
    await areas.getByTestId('area-edit-Thumb drawn').tap();
    await expect(areas.getByTestId('areas-mode')).toContainText('Thumb drawn');
    await expect(areas.getByTestId('corner-4')).toBeVisible();
    const before = await centreOf(page, 'corner-1');
    await touchDrag(page, cdp, 'corner-1', -30, -25);
    // The handle followed the finger and stayed where it was lifted.
    await expect
      .poll(async () => {
        const after = await centreOf(page, 'corner-1');
        return Math.round(after.x - before.x) <= -20 && Math.round(after.y - before.y) <= -15;
      })
      .toBe(true);
    const mid = await centreOf(page, 'midpoint-1');
    await page.touchscreen.tap(mid.x, mid.y);
    await expect(areas.getByTestId('corner-5')).toBeVisible();
    await areas.getByTestId('area-save').tap();
    await expect(areas.getByTestId('areas-mode')).not.toContainText('Thumb drawn');

    // Saved: five corners; three of the drawn ones unchanged, the first one moved north-west, and a new
    // one between it and the second.
    const [edited] = await callApi<Area[]>(page, 'GET', 'technician.areas');
    expect(edited!.name).toBe('Thumb drawn');
    expect(edited!.polygon[0]).toHaveLength(6);
    const key = (p: number[]) => p.join(',');
    const was = drawn!.polygon[0]!.slice(0, -1);
    const now = edited!.polygon[0]!.slice(0, -1);
    const kept = was.filter((p) => now.some((q) => key(q) === key(p)));
    expect(kept).toHaveLength(3);
    const [gone] = was.filter((p) => !kept.includes(p));
    const added = now.filter((p) => !was.some((q) => key(q) === key(p)));
    expect(added).toHaveLength(2);
    // [lng, lat]: one new corner is west and north of the one that moved.
    expect(added.some(([lng, lat]) => lng! < gone![0]! && lat! > gone![1]!)).toBe(true);

    // Deleted with a tap: no areas left.
    await areas.getByTestId('area-delete-Thumb drawn').tap();
    await expect(areas.getByTestId('area-delete-Thumb drawn')).toHaveCount(0);
    expect(await callApi<Area[]>(page, 'GET', 'technician.areas')).toEqual([]);
  } finally {
    await context.close();
  }
});
