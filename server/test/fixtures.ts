import { TRPCClientError } from '@trpc/client';
import { and, eq } from 'drizzle-orm';
import { dispatchOffers, technicianOnboarding, technicianProfiles } from '../../db/schema';
import { DomainError } from '../lib/errors';
import type { Services } from '../services';
import { uniqueEmail } from './harness';

/** A random spot on the globe, so tests sharing one database never see each other's technicians. */
export function uniqueSpot(): { lat: number; lng: number } {
  return { lat: -50 + Math.random() * 100, lng: -170 + Math.random() * 340 };
}

/** A point `meters` north-east-ish of `p` (good enough for distances of a few km). */
export function offset(p: { lat: number; lng: number }, meters: number) {
  const d = meters / 111_320;
  return { lat: p.lat + d, lng: p.lng };
}

/** A random E.164 number (Nigerian mobile range), distinct per call in practice. */
export const uniquePhone = () => `+23480${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

export async function customer(services: Services, name = 'Customer') {
  return services.auth.signUp(
    { email: uniqueEmail('cust'), password: 'customer password', name, role: 'customer' },
    '127.0.0.1',
  );
}

/** A new admin account, signed in: `{ user, token }` like `customer()`. */
export async function admin(services: Services, name = 'Admin') {
  const email = uniqueEmail('admin');
  await services.auth.ensureAdmin(email, 'admin password 1', name);
  return services.auth.signIn({ email, password: 'admin password 1' }, '127.0.0.1');
}

export async function serviceId(services: Services, slug = 'shoe-shine') {
  const all = await services.catalog.services();
  const s = all.find((x) => x.slug === slug);
  if (!s) throw new Error(`no service ${slug}`);
  return s.id;
}

/**
 * Test-only: the technician's onboarding application is approved (the row admin.onboarding.decide
 * leaves on approval), without going through the checklist. `technicians.setVerification(…, 'verified')`
 * refuses technicians without one (issue 13 §4).
 */
export async function approvedApplication(services: Services, technicianId: string) {
  await services.database.db
    .insert(technicianOnboarding)
    .values({ technicianId, status: 'approved', decision: 'approve', decidedAt: new Date() })
    .onConflictDoUpdate({
      target: technicianOnboarding.technicianId,
      set: { status: 'approved', decision: 'approve', decidedAt: new Date() },
    });
}

/** Test-only: verified as an approval leaves them (approved application, then the verification). */
export async function verify(services: Services, technicianId: string) {
  await approvedApplication(services, technicianId);
  await services.technicians.setVerification(technicianId, 'verified', null);
}

/** A technician at `at`: verified, online and offering `slugs` unless told otherwise. */
export async function technician(
  services: Services,
  at: { lat: number; lng: number },
  opts: {
    slugs?: string[];
    verified?: boolean;
    online?: boolean;
    name?: string;
    listening?: boolean;
    /** A verified phone (needed to go online, issue 11 §3): yes unless told otherwise. */
    phone?: boolean;
  } = {},
) {
  const t = await services.auth.signUp(
    {
      email: uniqueEmail('tech'),
      password: 'technician password',
      name: opts.name ?? 'Tech',
      role: 'technician',
    },
    '127.0.0.1',
  );
  if (opts.phone !== false) await services.phone.markVerified(t.user.id, uniquePhone());
  if (opts.verified !== false) await verify(services, t.user.id);
  const ids = await Promise.all((opts.slugs ?? ['shoe-shine']).map((s) => serviceId(services, s)));
  await services.technicians.setServices(t.user.id, { services: ids.map((id) => ({ serviceId: id })) });
  if (opts.online !== false) await services.technicians.setOnline(t.user.id, { online: true, ...at });
  // As if their app had `technician.offers` open (dispatch offers jobs only to technicians it can reach).
  if (opts.listening !== false) await services.presence.listen(t.user.id, () => {});
  return t;
}

export async function userRow(services: Services, id: string) {
  const s = await services.database.db
    .select()
    .from(technicianProfiles)
    .where(eq(technicianProfiles.userId, id));
  return s[0];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns a truthy value (or throws after `ms`). */
export async function until<T>(fn: () => Promise<T | undefined | null | false>, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(25);
  }
}

/** The booking's open offer, once dispatch has made one (polls; throws after `ms`). */
export function openOfferOf(services: Services, bookingId: string, ms = 5_000) {
  return until(async () => {
    const [o] = await services.database.db
      .select()
      .from(dispatchOffers)
      .where(and(eq(dispatchOffers.bookingId, bookingId), eq(dispatchOffers.status, 'offered')));
    return o;
  }, ms);
}

/** A booking at a fresh spot, accepted by a technician 2 km away. */
export async function assignedBooking(
  services: Services,
  opts: { customer?: Awaited<ReturnType<typeof customer>> } = {},
) {
  const { randomUUID } = await import('node:crypto');
  const spot = uniqueSpot();
  const techAt = offset(spot, 2000);
  const t = await technician(services, techAt);
  const c = opts.customer ?? (await customer(services));
  const b = await services.bookings.create(c.user, {
    serviceId: await serviceId(services),
    ...spot,
    address: '7 Adeola Odeku Street, Victoria Island',
    idempotencyKey: randomUUID(),
  });
  await until(async () => {
    try {
      await services.dispatch.accept(b.id, t.user.id);
      return true;
    } catch {
      return false;
    }
  });
  return { booking: b, customer: c, technician: t, spot, techAt };
}

/** 'OK', or the code a call failed with: a DomainError's app code in-process, the tRPC code over the wire. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    if (e instanceof TRPCClientError) return (e.data as { code: string }).code;
    throw e;
  }
}

/**
 * The statements of every transaction `fn` runs through `services`' PostgreSQL client, as sent (one list
 * per transaction), each with its round trip: statements sent in the same turn of the event loop go out
 * in one write (postgres.js writes on `setImmediate`) before any answer is read, so they share one round
 * trip (issue 18 §2).
 */
export async function sentOf(
  services: { database: { db: unknown } },
  fn: () => Promise<unknown>,
): Promise<{ sql: string; round: number }[][]> {
  const session = (services.database.db as unknown as { session: { client: Record<string, unknown> } })
    .session;
  const client = session.client;
  const transactions: { sql: string; round: number }[][] = [];
  // The event loop's turn: moves on at the next check phase after a statement is sent.
  let turn = 0;
  let turning = false;
  const now = () => {
    if (!turning) {
      turning = true;
      setImmediate(() => {
        turn++;
        turning = false;
      });
    }
    return turn;
  };
  type Fn = (...args: unknown[]) => unknown;
  session.client = new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop !== 'begin') return value;
      return (...args: unknown[]) => {
        const body = args.pop() as Fn;
        const sent: { sql: string; round: number }[] = [];
        transactions.push(sent);
        let lastTurn = -1;
        let round = -1;
        const counted = (sql: object) =>
          new Proxy(sql, {
            get(s, p) {
              const v = Reflect.get(s, p, s);
              return p === 'unsafe'
                ? (q: string, ...rest: unknown[]) => {
                    // Recorded when postgres.js hands it to the connection (its `handler`), in the order sent.
                    const query = (v as Fn)(q, ...rest) as { handler: Fn };
                    const handler = query.handler;
                    query.handler = (...a: unknown[]) => {
                      const t = now();
                      if (t !== lastTurn) round++;
                      lastTurn = t;
                      sent.push({ sql: q, round });
                      return handler(...a);
                    };
                    return query;
                  }
                : v;
            },
          });
        return (value as Fn)(...args, (sql: object) => body(counted(sql)));
      };
    },
  });
  try {
    await fn();
  } finally {
    session.client = client;
  }
  return transactions;
}

/** The statements of every transaction `fn` runs, as sent (one list per transaction): see `sentOf`. */
export async function transactionsOf(
  services: { database: { db: unknown } },
  fn: () => Promise<unknown>,
): Promise<string[][]> {
  return (await sentOf(services, fn)).map((t) => t.map((s) => s.sql));
}
