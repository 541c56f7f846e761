import { type BrowserContext, expect, test, type WebSocketRoute } from '@playwright/test';
import {
  acceptOffer,
  offsetBy,
  onlineShoeShineTechnician,
  requestShoeShine,
  signUp,
  uniqueEmail,
} from './helpers';

// Abeokuta: away from the demo technicians around Lagos and from the other specs' technicians
// (Ibadan, Ilorin), so ours is the only one dispatch can find here.
const home = { latitude: 7.1475 + Math.random() * 0.01, longitude: 3.3619 + Math.random() * 0.01 };

test('the technician is told "away" while the live connection is cut, "online" again once it returns, and when fixes are rejected', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const contexts: BrowserContext[] = [];
  try {
    const techContext = await browser.newContext({ geolocation: home, permissions: ['geolocation'] });
    contexts.push(techContext);
    // Every socket to /trpc goes through here, so the test can cut it. While cut, a new socket hangs in
    // "connecting" (Playwright waits for the handler before it opens anything), as on a dead network.
    let reconnect: () => void = () => {};
    let gate = Promise.resolve();
    const sockets = new Set<{ page: WebSocketRoute; server: WebSocketRoute }>();
    await techContext.routeWebSocket(/\/trpc$/, async (page) => {
      await gate;
      const server = page.connectToServer();
      const pair = { page, server };
      sockets.add(pair);
      page.onClose(() => sockets.delete(pair));
    });
    const tech = await techContext.newPage();
    const adminContext = await browser.newContext();
    contexts.push(adminContext);
    await onlineShoeShineTechnician(tech, await adminContext.newPage(), {
      name: 'Ayo Present',
      email: uniqueEmail('e2e-presence-tech'),
    });
    const state = tech.getByTestId('online-state');
    await expect(state).toHaveAttribute('data-away', 'false');
    await expect(tech.getByTestId('online-away')).toHaveCount(0);

    // The socket drops and won't come back: "away", not "online".
    gate = new Promise((resolve) => {
      reconnect = resolve;
    });
    for (const { page, server } of [...sockets]) {
      await server.close();
      await page.close({ code: 4000, reason: 'cut by the test' });
    }
    await expect(tech.getByTestId('online-away')).toBeVisible();
    await expect(state).toHaveAttribute('data-away', 'true');
    await expect(state).toHaveAttribute('data-online', 'true');

    // The connection returns: back to "online" without touching anything.
    reconnect();
    await expect(tech.getByTestId('online-away')).toHaveCount(0, { timeout: 20_000 });
    await expect(state).toHaveAttribute('data-away', 'false');

    // The same when the phone loses its network altogether.
    await techContext.setOffline(true);
    await expect(tech.getByTestId('online-away')).toBeVisible();
    await techContext.setOffline(false);
    await expect(tech.getByTestId('online-away')).toHaveCount(0, { timeout: 20_000 });

    // A position 50 km away seconds later is refused as implausible: the phone says so instead of "sent".
    await expect(tech.getByTestId('sharing-last-sent')).toBeVisible();
    await techContext.setGeolocation(offsetBy(home, 50_000, 0));
    const reason = tech.getByTestId('sharing-rejected-reason');
    await expect(reason).toHaveAttribute('data-reason', 'implausible_speed', { timeout: 15_000 });
    await expect(tech.getByTestId('sharing-rejected')).toBeVisible();
    await expect(tech.getByTestId('sharing-last-sent')).toHaveCount(0);

    // Back where it was: the next fix is accepted and the warning goes.
    await techContext.setGeolocation(offsetBy(home, 30, 0));
    await expect(reason).toHaveCount(0, { timeout: 15_000 });
    await expect(tech.getByTestId('sharing-last-sent')).toBeVisible();
  } finally {
    for (const c of contexts) await c.close();
  }
});

test('"I\'ve arrived" far from the job asks first, then goes through when confirmed', async ({ browser }) => {
  test.setTimeout(180_000);
  const contexts: BrowserContext[] = [];
  const open = async (geolocation?: { latitude: number; longitude: number }) => {
    const c = await browser.newContext(geolocation ? { geolocation, permissions: ['geolocation'] } : {});
    contexts.push(c);
    return c.newPage();
  };
  try {
    const spot = offsetBy(home, 0, 3_000); // clear of the first test's technician
    const tech = await open(offsetBy(spot, 1_500, 0));
    await onlineShoeShineTechnician(tech, await open(), {
      name: 'Ayo Early',
      email: uniqueEmail('e2e-arrive-tech'),
    });
    const customer = await open(spot);
    await signUp(customer, {
      name: 'Kunle Waiting',
      email: uniqueEmail('e2e-arrive-cust'),
      role: 'customer',
    });
    const status = await requestShoeShine(customer, '3 Lafenwa Road, Abeokuta');
    const job = await acceptOffer(tech);
    await job.getByTestId('advance-job').click();
    await expect(status).toHaveAttribute('data-status', 'en_route');

    // 1.5 km away: the app asks instead of failing, and "Back" leaves the job as it was.
    await job.getByTestId('advance-job').click();
    const dialog = tech.getByTestId('arrival-far-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(/1[.,]5\s?km/);
    await dialog.getByTestId('confirm-dialog-no').click();
    await expect(dialog).toBeHidden();
    await expect(job).toHaveAttribute('data-status', 'en_route');

    await job.getByTestId('advance-job').click();
    await dialog.getByTestId('confirm-dialog-yes').click();
    await expect(dialog).toBeHidden();
    await expect(job).toHaveAttribute('data-status', 'arrived');
    await expect(status).toHaveAttribute('data-status', 'arrived');
  } finally {
    for (const c of contexts) await c.close();
  }
});
