import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { technicianProfiles } from '../../../db/schema';
import {
  customer,
  offset,
  openOfferOf,
  serviceId,
  sleep,
  technician,
  uniqueSpot,
  until,
  userRow,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, wsClient } from '../../test/harness';
import { startPushServiceStandin } from '../../test/standins/push-service';

/*
 * Issue 11: offers to a locked phone (PUSH_REACHABLE_MS), and how they rank against technicians whose app
 * is open. A short presence timeout (1 s), so a technician whose app closed is away (not proposed from
 * memory) within a second, as they are a minute after the last fix in production.
 */
let server: TestServer;
let push: Awaited<ReturnType<typeof startPushServiceStandin>>;
const svc = () => server.services;

beforeAll(async () => {
  push = await startPushServiceStandin();
  server = await startTestServer(
    {
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'fundi-push-reach-')),
      WEB_PUSH_ALLOWED_ORIGINS: push.url,
      PRESENCE_TIMEOUT_SECONDS: '1',
      OFFER_WINDOW_SECONDS: '30',
      DISPATCH_SEARCH_WINDOW_SECONDS: '60',
      NOTIFY_BATCH_MS: '20',
    },
    { isolated: true },
  );
}, 60_000);
afterAll(async () => {
  await server?.close();
  await push?.close();
});

/** The app open: a WebSocket with `technician.offers` (present and listening while it lasts). */
async function appOpen(t: { token: string; user: { id: string } }) {
  const app = wsClient(server, t.token);
  const sub = app.client.technician.offers.subscribe(undefined, {});
  await until(async () => (await userRow(svc(), t.user.id))?.listeningAt);
  return () => {
    sub.unsubscribe();
    app.close();
  };
}

/** A technician whose app was open, with a push subscription, whose phone then locked (away after 1 s). */
async function lockedWithPush(at: { lat: number; lng: number }) {
  const t = await technician(svc(), at, { listening: false });
  const s = push.subscribe();
  await httpClient(server, t.token).notification.pushSubscribe.mutate({ endpoint: s.endpoint, keys: s.keys });
  (await appOpen(t))();
  await until(async () => !svc().presence.isPresent(t.user.id) && (await userRow(svc(), t.user.id))?.heardAt);
  return { ...t, device: s };
}

async function book(spot: { lat: number; lng: number }) {
  const c = await customer(svc());
  return svc().bookings.create(c.user, {
    serviceId: await serviceId(svc()),
    ...spot,
    address: '5 Ranking Road',
    idempotencyKey: randomUUID(),
  });
}

describe('offers to technicians reachable only by push', () => {
  it('a push-only technician clearly nearer (over 1 km) than the nearest open app is offered first, and pushed', async () => {
    const spot = uniqueSpot();
    const live = await technician(svc(), offset(spot, 2_500), { listening: false });
    const closeLive = await appOpen(live);
    const locked = await lockedWithPush(offset(spot, 200));
    expect(svc().presence.isPresent(live.user.id)).toBe(true);
    const b = await book(spot);
    expect((await openOfferOf(svc(), b.id)).technicianId).toBe(locked.user.id);
    await until(async () => push.received.find((r) => r.subscription === locked.device.id));
    closeLive();
  });

  it('at similar distances the technician whose app is open goes first; the push-only one is next', async () => {
    const spot = uniqueSpot();
    const live = await technician(svc(), offset(spot, 600), { listening: false });
    const closeLive = await appOpen(live);
    const locked = await lockedWithPush(offset(spot, 200));
    const b = await book(spot);
    expect((await openOfferOf(svc(), b.id)).technicianId).toBe(live.user.id);
    await svc().dispatch.decline(b.id, live.user.id);
    const next = await until(async () => {
      const o = await openOfferOf(svc(), b.id);
      return o.technicianId === locked.user.id ? o : undefined;
    });
    expect(next.technicianId).toBe(locked.user.id);
    closeLive();
  });

  it('heard from longer ago than PUSH_REACHABLE_MS (10 min): not offered; within it: offered', async () => {
    const spot = uniqueSpot();
    const locked = await lockedWithPush(offset(spot, 300));
    await sleep(600); // a couple of presence beats (250 ms here): nothing of theirs is left to write
    const setHeard = (minutesAgo: number) =>
      svc()
        .database.db.update(technicianProfiles)
        .set({ heardAt: sql`now() - make_interval(mins => ${minutesAgo})` })
        .where(eq(technicianProfiles.userId, locked.user.id));
    await setHeard(11);
    const b = await book(spot);
    await sleep(1_500);
    expect(await openOfferOf(svc(), b.id, 300).catch(() => null)).toBeNull();

    await setHeard(9);
    svc().dispatch.onTechnicianAvailable(locked.user.id);
    expect((await openOfferOf(svc(), b.id, 10_000)).technicianId).toBe(locked.user.id);
  });

  it('without a push subscription a closed app is not offered jobs, however near', async () => {
    const spot = uniqueSpot();
    const ghost = await technician(svc(), offset(spot, 100), { listening: false });
    (await appOpen(ghost))();
    await until(async () => !svc().presence.isPresent(ghost.user.id));
    const b = await book(spot);
    await sleep(1_500);
    expect(await openOfferOf(svc(), b.id, 500).catch(() => null)).toBeNull();
  });
});
