import { and, eq, inArray } from 'drizzle-orm';
import { log } from '../../server/lib/log';
import type { Services } from '../../server/services';
import {
  bookings,
  services as serviceTable,
  technicianOnboarding,
  technicianProfiles,
  technicianServices,
  users,
} from '../schema';
import { seedCatalog } from './catalog';

/** Demo accounts for `npm start` (idempotent). Passwords are public: never enable SEED_DEMO in production. */
export const DEMO_PASSWORD = 'fundi-demo-2026';
export const DEMO_ADMIN = { email: 'admin@demo.fundi.app', password: DEMO_PASSWORD };

export const demoAccounts = [
  { email: 'ada@demo.fundi.app', name: 'Ada Okafor', role: 'customer' as const, phone: '+2348031234567' },
  {
    email: 'mona@demo.fundi.app',
    name: 'Mona Hassan',
    role: 'customer' as const,
    phone: '+201001234567',
    locale: 'ar' as const,
    timeZone: 'Africa/Cairo',
  },
  {
    email: 'tunde@demo.fundi.app',
    name: 'Tunde Bakare',
    role: 'technician' as const,
    phone: '+2348051234567',
  },
];

/** Verified technicians, online around the market's centre, so a demo booking finds someone. */
const demoTechnicians: Record<
  'lagos' | 'cairo',
  Array<{ email: string; name: string; at: [number, number]; services: string[] }>
> = {
  lagos: [
    {
      email: 'tunde@demo.fundi.app',
      name: 'Tunde Bakare',
      at: [6.5095, 3.3711],
      services: ['shoe-shine', 'shoe-repair', 'leak-repair', 'drain-unblocking'],
    },
    {
      email: 'kemi@demo.fundi.app',
      name: 'Kemi Adeyemi',
      at: [6.4541, 3.4205],
      services: ['home-cleaning', 'deep-cleaning', 'shoe-shine'],
    },
    {
      email: 'musa@demo.fundi.app',
      name: 'Musa Ibrahim',
      at: [6.6018, 3.3515],
      services: ['ac-service', 'ac-gas-refill', 'fridge-repair', 'washing-machine-repair'],
    },
    {
      email: 'chinedu@demo.fundi.app',
      name: 'Chinedu Eze',
      at: [6.5244, 3.3792],
      services: ['socket-switch-repair', 'wiring-fault', 'screen-replacement', 'battery-replacement'],
    },
    {
      email: 'bisi@demo.fundi.app',
      name: 'Bisi Lawal',
      at: [6.4698, 3.5852],
      services: ['furniture-assembly', 'door-lock-repair', 'leak-repair', 'plumbing-hourly'],
    },
  ],
  cairo: [
    {
      email: 'tunde@demo.fundi.app',
      name: 'Tunde Bakare',
      at: [30.0444, 31.2357],
      services: ['shoe-shine', 'leak-repair'],
    },
    {
      email: 'omar@demo.fundi.app',
      name: 'Omar Farouk',
      at: [30.0626, 31.2497],
      services: ['ac-service', 'ac-gas-refill', 'fridge-repair'],
    },
    {
      email: 'salma@demo.fundi.app',
      name: 'Salma Adel',
      at: [30.0131, 31.2089],
      services: ['home-cleaning', 'deep-cleaning', 'shoe-shine'],
    },
  ],
};

/** Demo accounts, and verified technicians in each of `markets` (both by default: Lagos and Cairo). */
/** A demo technician's phone: a number per account, in the market's country code. */
function demoPhone(market: string, email: string): string {
  let h = 0;
  for (const c of email) h = (h * 31 + c.charCodeAt(0)) % 1e8;
  return `${market === 'cairo' ? '+2010' : '+23480'}${String(h).padStart(8, '0')}`;
}

export async function seedDemo(
  services: Services,
  markets: Array<'lagos' | 'cairo'> = ['lagos', 'cairo'],
): Promise<{ created: string[] }> {
  const { db } = services.database;
  await seedCatalog(db);
  const created: string[] = [];
  const register = async (a: Parameters<Services['auth']['register']>[0]) => {
    try {
      await services.auth.register(a);
      created.push(a.email);
    } catch (e) {
      if (!(e instanceof Error && 'code' in e && e.code === 'EMAIL_TAKEN')) throw e;
    }
  };
  for (const a of demoAccounts) await register({ ...a, password: DEMO_PASSWORD });
  for (const [market, t] of markets.flatMap((m) => demoTechnicians[m].map((x) => [m, x] as const))) {
    await register({ email: t.email, name: t.name, role: 'technician', password: DEMO_PASSWORD });
    const [user] = await db.select().from(users).where(eq(users.email, t.email));
    // A verified phone, without which technicians cannot go online (issue 11 §3).
    await services.phone.markVerified(user!.id, demoPhone(market, user!.email));
    const [profile] = await db
      .select()
      .from(technicianProfiles)
      .where(eq(technicianProfiles.userId, user!.id));
    if (profile?.verification !== 'pending' || profile.online) continue; // already set up once
    // Demo data: an approved application stands for a review that never happened (verified means approved).
    await db
      .insert(technicianOnboarding)
      .values({ technicianId: user!.id, status: 'approved', decision: 'approve', decidedAt: new Date() })
      .onConflictDoNothing();
    await db
      .update(technicianProfiles)
      .set({
        verification: 'verified',
        online: true,
        bio: 'Demo technician',
        location: { lat: t.at[0], lng: t.at[1] },
        locationAccuracy: 20,
        locationAt: new Date(),
      })
      .where(eq(technicianProfiles.userId, user!.id));
    const offered = await db
      .select({ id: serviceTable.id })
      .from(serviceTable)
      .where(and(eq(serviceTable.market, market), inArray(serviceTable.slug, t.services)));
    await db
      .insert(technicianServices)
      .values(offered.map((s) => ({ technicianId: user!.id, serviceId: s.id })))
      .onConflictDoNothing();
  }
  if ((await services.auth.ensureAdmin(DEMO_ADMIN.email, DEMO_ADMIN.password, 'Fundi Admin')).created) {
    created.push(DEMO_ADMIN.email);
  }
  if (markets.includes('lagos')) await seedDemoJobs(services);
  return { created };
}

/**
 * Finished, paid jobs (issue 10), so receipts and the earnings screen are not empty: Ada books Tunde twice
 * in Lagos and pays in cash (no gateway keys are needed for that), once with an approved extra and a tip.
 * Everything goes through the services the apps call: booking, dispatch's offer and accept, the
 * technician's steps, extras, the cash confirmation (which posts the ledger journals). Once: skipped when
 * Ada has any booking.
 */
async function seedDemoJobs(services: Services) {
  const { db } = services.database;
  const byEmail = async (email: string) => (await db.select().from(users).where(eq(users.email, email)))[0];
  const ada = await byEmail('ada@demo.fundi.app');
  const tunde = await byEmail('tunde@demo.fundi.app');
  if (!ada || !tunde) return;
  const [booked] = await db
    .select({ id: bookings.id })
    .from(bookings)
    .where(eq(bookings.customerId, ada.id))
    .limit(1);
  if (booked) return;
  const [shine] = await db
    .select({ id: serviceTable.id })
    .from(serviceTable)
    .where(and(eq(serviceTable.market, 'lagos'), eq(serviceTable.slug, 'shoe-shine')));
  if (!shine) return;

  const home = demoTechnicians.lagos.find((t) => t.email === tunde.email)!.at;
  const jobs = [
    { address: '14 Herbert Macaulay Way, Yaba', extra: null, tip: 0 },
    {
      address: '3 Akin Adesola Street, Victoria Island',
      extra: { label: 'Suede brush', amount: 800_00 },
      tip: 200_00,
    },
  ];
  // Tunde's app, as if open: online where he works and listening for offers (dispatch offers jobs only to
  // technicians it can reach). Closed again at the end, so after a start he counts as away like the others.
  await services.technicians.setOnline(tunde.id, { online: true, lat: home[0], lng: home[1] });
  const stopListening = await services.presence.listen(tunde.id, () => {});
  try {
    for (const [i, job] of jobs.entries()) {
      const b = await services.bookings.create(ada, {
        serviceId: shine.id,
        lat: home[0] + 0.004 * (i + 1),
        lng: home[1] + 0.003,
        address: job.address,
        idempotencyKey: `demo-job-${i + 1}`,
      });
      if (!(await acceptWhenOffered(services, b.id, tunde.id))) {
        await services.bookings.cancel(b.id, ada, 'Demo setup: no offer reached the demo technician');
        log.warn('demo jobs skipped: dispatch made no offer to the demo technician');
        return;
      }
      for (const to of ['en_route', 'arrived', 'in_progress'] as const)
        await services.bookings.advance(b.id, tunde, to, { confirmFar: true });
      if (job.extra) {
        const extra = await services.extras.add(tunde, { id: b.id, ...job.extra });
        await services.extras.respond(ada, { id: b.id, extraId: extra.id, approve: true });
      }
      await services.bookings.advance(b.id, tunde, 'completed');
      const bill = await services.payments.get(b.id, tunde);
      await services.payments.confirmCash(tunde, { bookingId: b.id, amount: bill.due!.amount + job.tip });
    }
  } finally {
    stopListening();
  }
}

/** Dispatch offers a new booking within moments; the technician accepts it (false if no offer came). */
async function acceptWhenOffered(services: Services, bookingId: string, technicianId: string) {
  for (let tries = 0; tries < 100; tries++) {
    try {
      await services.dispatch.accept(bookingId, technicianId);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return false;
}
