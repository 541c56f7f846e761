import { expect, type Page, test } from '@playwright/test';
import {
  acceptOffer,
  callApi,
  contextsAt,
  onlineShoeShineTechnician,
  requestShoeShine,
  type Spot,
  signUp,
  uniqueEmail,
} from './helpers';

// Far from the demo technicians seeded around Lagos, so our technician is the nearest; each test in its own
// town (over 30 km apart, past the 10 km dispatch radius, and away from the other specs' towns), so a booking
// one test leaves searching (when it fails) is never offered to the next test's technician.
const near = (latitude: number, longitude: number): Spot => ({
  latitude: latitude + Math.random() * 0.01,
  longitude: longitude + Math.random() * 0.01,
});
const oyo = near(7.85, 3.93);
const ogbomosho = near(8.13, 4.24);
const iseyin = near(7.97, 3.6);

/**
 * Hands a push message to the page's service worker through CDP (what the push service does on a real phone)
 * until it shows a notification, and returns what it shows. On a loaded CI machine CDP's one delivery can
 * reach a worker still starting and be lost; a push service retries too. The offer's tag makes a second
 * delivery replace the first notification, so there is still exactly one.
 */
async function pushUntilShown(page: Page, payload: unknown) {
  const cdp = await page.context().newCDPSession(page);
  const registrationId = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
      const r = e.registrations.find((x) => !x.isDeleted);
      if (r) resolve(r.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  const origin = new URL(page.url()).origin;
  const regId = await registrationId;
  let deliveredAt = 0;
  const deliver = async () => {
    deliveredAt = Date.now();
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin,
      registrationId: regId,
      data: JSON.stringify(payload),
    });
  };
  await deliver();
  let shown: Array<{ title: string; url: string }> = [];
  await expect
    .poll(
      async () => {
        shown = await page.evaluate(async () => {
          const reg = await navigator.serviceWorker.ready;
          return (await reg.getNotifications()).map((n) => ({
            title: n.title,
            url: (n.data as { url: string }).url,
          }));
        });
        if (shown.length === 0 && Date.now() - deliveredAt > 3_000) await deliver();
        return shown.length;
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThan(0);
  return shown;
}

test('the customer’s notification badge updates live when the technician accepts; the service worker shows a pushed offer', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const { page: context, close } = contextsAt(browser, oyo, ['notifications']);
  try {
    const tech = await context(true);
    const admin = await context(false);
    await onlineShoeShineTechnician(tech, admin, { name: 'Bisi Notify', email: uniqueEmail('e2e-ntech') });

    const customer = await context(true);
    await signUp(customer, { name: 'Kunle Notify', email: uniqueEmail('e2e-ncust'), role: 'customer' });
    await expect(customer.getByTestId('notification-bell')).toBeVisible();
    await expect(customer.getByTestId('notification-badge')).toHaveCount(0);
    await requestShoeShine(customer, '9 Ring Road, Oyo');

    // The offer is in the technician's feed too; the push service cannot be reached from here, so the
    // service worker gets the server's push payload through CDP (ServiceWorker.deliverPushMessage).
    const offerCard = tech.getByTestId('offer-card');
    await expect(offerCard).toBeVisible({ timeout: 20_000 });
    const feed = await tech.evaluate(async () => {
      const r = await fetch('/trpc/notification.list');
      return (await r.json()).result.data as {
        items: Array<{ kind: string; title: string; body: string; url: string }>;
      };
    });
    const offer = feed.items.find((n) => n.kind === 'offer');
    expect(offer?.url).toMatch(/^\/home\?offer=\d+#offers$/);
    expect(await pushUntilShown(tech, { ...offer, tag: 'offer-e2e', urgent: true })).toEqual([
      { title: 'New job offer', url: offer!.url },
    ]);
    // A tap opens the notification's URL (the service worker's notificationclick navigates there): the
    // home screen, whose offer card is this offer. Not reloaded here: a reload ends the offers subscription,
    // and dispatch moves an offer on when its technician's subscription ends.
    expect(new URL(offer!.url, tech.url()).pathname).toBe(new URL(tech.url()).pathname);
    await expect(tech.getByTestId('offer-card')).toBeVisible();

    await acceptOffer(tech);
    // The customer's badge counts the assignment, live (no reload).
    await expect(customer.getByTestId('notification-badge')).toBeVisible({ timeout: 15_000 });
    await customer.getByTestId('notification-bell').click();
    await expect(customer.getByTestId('notification-item').first()).toContainText('Technician assigned');
  } finally {
    await close();
  }
});

test('an offer’s link (/home?offer=…) scrolls to and highlights its card; an unknown or closed offer says so', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const { page: context, close } = contextsAt(browser, ogbomosho);
  try {
    const tech = await context(true);
    const admin = await context(false);
    await onlineShoeShineTechnician(tech, admin, { name: 'Ade Link', email: uniqueEmail('e2e-ltech') });

    // No such offer (expired long ago, or never this technician's): a short notice, no card.
    await tech.goto('/home?offer=987654321#offers');
    await expect(tech.getByTestId('offers')).toContainText('no longer available', { timeout: 15_000 });
    await expect(tech.getByTestId('offer-card')).toHaveCount(0);

    const customer = await context(true);
    await signUp(customer, { name: 'Tola Link', email: uniqueEmail('e2e-lcust'), role: 'customer' });
    await requestShoeShine(customer, '11 Station Road, Ogbomosho');
    const card = tech.getByTestId('offer-card');
    await expect(card).toBeVisible({ timeout: 20_000 });
    await expect(card).not.toHaveAttribute('data-focused', 'true');
    const offerId = await card.getAttribute('data-offer-id');
    // The notification's URL, opened in the running app (the page scrolled away first).
    await tech.evaluate((id) => {
      window.scrollTo(0, document.body.scrollHeight);
      history.pushState(null, '', `/home?offer=${id}#offers`);
      dispatchEvent(new PopStateEvent('popstate'));
    }, offerId);
    await expect(card).toHaveAttribute('data-focused', 'true');
    await expect(card).toBeFocused();
    await expect(card).toBeInViewport();
    await card.getByTestId('accept-offer').click();
    await expect(tech.getByTestId('active-job')).toHaveAttribute('data-status', 'assigned');
    await expect.poll(() => new URL(tech.url()).search).toBe('');
  } finally {
    await close();
  }
});

test('the technician’s app is closed (phone locked): the offer arrives by push, the tap opens its highlighted card, they accept', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const pushService = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4173) + 20001}`;
  const { page: context, close } = contextsAt(browser, iseyin, ['notifications']);
  try {
    const tech = await context(true);
    const admin = await context(false);
    await onlineShoeShineTechnician(tech, admin, { name: 'Yemi Locked', email: uniqueEmail('e2e-ptech') });
    // This phone's push subscription: the push-service stand-in (e2e/server.ts) plays the browser's one.
    const device = (await (await fetch(`${pushService}/subscribe`)).json()) as {
      id: string;
      endpoint: string;
      keys: { p256dh: string; auth: string };
    };
    await callApi(tech, 'POST', 'notification.pushSubscribe', {
      endpoint: device.endpoint,
      keys: device.keys,
    });
    await tech.evaluate(async () => Boolean(await navigator.serviceWorker.ready));

    // The phone locks: the app's page is gone (no script, no socket, no offers subscription). The tab stays
    // on a file of the app's origin, as a browser keeps a tab the service worker can later navigate.
    await tech.goto('/icons/icon-192.png');

    const customer = await context(true);
    await signUp(customer, { name: 'Funmi Locked', email: uniqueEmail('e2e-pcust'), role: 'customer' });
    await requestShoeShine(customer, '15 Market Road, Iseyin');

    // The server offers the job to the locked phone and pushes it: VAPID-signed, encrypted, high urgency.
    type Pushed = { subscription: string; urgency?: string; payload: { kind: string; url: string } };
    let pushed: Pushed | undefined;
    await expect
      .poll(
        async () => {
          const inbox = (await (await fetch(`${pushService}/inbox`)).json()) as Pushed[];
          pushed = inbox.find((m) => m.subscription === device.id && m.payload.kind === 'offer');
          return Boolean(pushed);
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(pushed!.urgency).toBe('high');
    expect(pushed!.payload.url).toMatch(/^\/home\?offer=\d+#offers$/);

    // The push service hands it to the service worker (CDP: what the browser does on a real phone).
    expect(await pushUntilShown(tech, pushed!.payload)).toEqual([
      { title: 'New job offer', url: pushed!.payload.url },
    ]);

    // The tap: `notificationclick` in the service worker, which takes the app's tab to the offer.
    const sw = tech.context().serviceWorkers()[0] ?? (await tech.context().waitForEvent('serviceworker'));
    await sw.evaluate(async () => {
      const scope = self as unknown as {
        registration: ServiceWorkerRegistration;
        dispatchEvent(e: Event): boolean;
        NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
      };
      const [notification] = await scope.registration.getNotifications();
      scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification: notification! }));
    });
    await expect
      .poll(() => new URL(tech.url()).pathname + new URL(tech.url()).search, { timeout: 15_000 })
      .toBe(pushed!.payload.url.replace('#offers', ''));
    const card = tech.getByTestId('offer-card');
    await expect(card).toHaveAttribute('data-focused', 'true', { timeout: 20_000 });
    await expect(card).toBeInViewport();
    await card.getByTestId('accept-offer').click();
    await expect(tech.getByTestId('active-job')).toHaveAttribute('data-status', 'assigned');
    await expect(customer.getByTestId('booking-status')).toHaveAttribute('data-status', 'assigned', {
      timeout: 15_000,
    });
  } finally {
    await close();
  }
});
