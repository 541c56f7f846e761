import AxeBuilder from '@axe-core/playwright';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { signIn, signUp, uniqueEmail } from './helpers';

type Found = { screen: string; id: string; impact: string; help: string; targets: string[] };

async function setLocale(page: Page, locale: 'en' | 'ar') {
  if ((await page.locator('html').getAttribute('lang')) !== locale) {
    await page.getByTestId('lang-switch').click();
    await expect(page.locator('html')).toHaveAttribute('lang', locale);
  }
}

async function scan(page: Page, screen: string, found: Found[]) {
  // Let lazy screens and their data settle.
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(300);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  // The scan really ran over the screen's content.
  expect(results.passes.length, screen).toBeGreaterThan(10);
  if (process.env.A11Y_VERBOSE)
    console.log(
      screen,
      results.passes.length,
      results.violations.map((v) => `${v.id}:${v.impact}`),
    );
  for (const v of results.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    found.push({
      screen,
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    });
  }
}

async function fresh(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

for (const locale of ['en', 'ar'] as const) {
  test(`no serious or critical accessibility violations on the main screens (${locale})`, async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const found: Found[] = [];

    // Signed out.
    {
      const { context, page } = await fresh(browser);
      await page.goto('/');
      await setLocale(page, locale);
      await scan(page, 'landing', found);
      await page.goto('/sign-in');
      await scan(page, 'sign-in', found);
      await page.goto('/sign-up');
      await scan(page, 'sign-up', found);
      await context.close();
    }

    // A customer (signed up in this language, so the account's language is it too).
    {
      const { context, page } = await fresh(browser);
      await page.goto('/sign-up');
      await setLocale(page, locale);
      await signUp(page, { name: 'Aisha Access', email: uniqueEmail(`a11y-${locale}`), role: 'customer' });
      await scan(page, 'customer home', found);
      await page.goto('/book?category=shoes&service=shoe-shine');
      await expect(page.locator('input[name=address]')).toBeVisible();
      await scan(page, 'booking form', found);
      await page.goto('/bookings');
      await expect(page.getByTestId('bookings')).toBeVisible();
      await scan(page, 'bookings list', found);
      await context.close();
    }

    // A technician.
    {
      const { context, page } = await fresh(browser);
      await page.goto('/sign-up');
      await setLocale(page, locale);
      await signUp(page, {
        name: 'Tayo Access',
        email: uniqueEmail(`a11y-tech-${locale}`),
        role: 'technician',
      });
      await scan(page, 'technician home', found);
      await context.close();
    }

    // The demo admin: the language is switched back afterwards (the choice is saved on the account).
    {
      const { context, page } = await fresh(browser);
      await signIn(page, 'admin@demo.fundi.app', 'fundi-demo-2026');
      await expect(page.getByTestId('home-admin')).toBeVisible();
      await setLocale(page, locale);
      await scan(page, 'admin home', found);
      await setLocale(page, 'en');
      await context.close();
    }

    expect(found, JSON.stringify(found, null, 2)).toEqual([]);
  });
}
