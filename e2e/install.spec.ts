import { expect, test } from '@playwright/test';

test('when the browser offers installation, an Install app button shows and opens the prompt', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('install-app')).toHaveCount(0);
  await page.evaluate(() => {
    const event = new Event('beforeinstallprompt', { cancelable: true }) as Event & {
      prompt: () => Promise<void>;
      userChoice: Promise<{ outcome: string }>;
    };
    (window as unknown as { prompted: number }).prompted = 0;
    event.prompt = async () => {
      (window as unknown as { prompted: number }).prompted++;
    };
    event.userChoice = Promise.resolve({ outcome: 'accepted' });
    window.dispatchEvent(event);
  });
  const button = page.getByTestId('install-app');
  await expect(button).toBeVisible();
  await expect(button).toHaveText('Install app');
  await button.click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { prompted: number }).prompted)).toBe(1);
  // An offer is good once.
  await expect(button).toHaveCount(0);
});

test('the manifest offers shortcuts and narrow and wide screenshots', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel=manifest]').getAttribute('href');
  const manifest = await (await request.get(href!)).json();
  expect(manifest.shortcuts.map((s: { url: string }) => s.url)).toEqual(['/book', '/home']);
  const shots = manifest.screenshots as Array<{ src: string; sizes: string; form_factor: string }>;
  expect(shots.map((s) => [s.form_factor, s.sizes])).toEqual([
    ['narrow', '720x1280'],
    ['wide', '1280x720'],
  ]);
  for (const shot of shots) {
    const res = await request.get(shot.src);
    expect(res.status(), shot.src).toBe(200);
    expect(res.headers()['content-type']).toBe('image/png');
  }
});

test.describe('on iOS Safari', () => {
  test.use({
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  });
  test('a short Add to Home Screen hint shows instead', async ({ page }) => {
    await page.addInitScript(() => Object.defineProperty(navigator, 'standalone', { value: false }));
    await page.goto('/');
    await expect(page.getByTestId('ios-install-hint')).toContainText('Add to Home Screen');
    await expect(page.getByTestId('install-app')).toHaveCount(0);
  });
});
