import { randomUUID } from 'node:crypto';
import { createTRPCUntypedClient, httpBatchLink } from '@trpc/client';
import { and, desc, eq, like, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { queryRows } from '../../../db/client';
import {
  auditLog,
  bookings,
  customerRatings,
  disputeMessages,
  disputes,
  notificationPreferences,
  notifications,
  organizations,
  orgMembers,
  payouts,
  phoneCodes,
  phoneVerifications,
  pushSubscriptions,
  reviewReports,
  reviews,
  sessions,
  signInEvents,
  technicianAreas,
  technicianOnboarding,
  technicianServices,
  technicianTimeOff,
  trackingBreadcrumbs,
  uploads,
  userErasures,
  users,
} from '../../../db/schema';
import { notificationKinds } from '../../contracts/notification';
import { approvedApplication, codeOf, technician, uniquePhone, uniqueSpot } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail } from '../../test/harness';
import { type AppRouter, appRouter } from '../../trpc/root';
import { auditRequest } from '../audit/audit.context';
import { completedBooking } from '../payments/payments.fixtures';
import { jpegWithGps, upload } from '../upload/upload.fixtures';

let server: TestServer;
let admin: { id: string; token: string };
const svc = () => server.services;
const db = () => server.database.db;

beforeAll(async () => {
  server = await startTestServer({ RISK_THRESHOLDS: 'failedSignIns=3,rapidBookings=3,newAddressAfter=1' });
  const email = uniqueEmail('admin');
  const password = 'console admin password 2026';
  await svc().auth.ensureAdmin(email, password, 'Console Admin');
  const a = await svc().auth.signIn({ email, password }, '127.0.0.1');
  admin = { id: a.user.id, token: a.token };
});
afterAll(() => server.close());

const asAdmin = () => httpClient(server, admin.token);
const auditRows = (action: string, subject: string) =>
  db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.subject, subject)));

/** A customer with a password the test knows, so it can try signing in again. */
async function person(role: 'customer' | 'technician' = 'customer') {
  const email = uniqueEmail(role);
  const password = `${role} password for console`;
  const issued = await svc().auth.signUp({ email, password, name: `Console ${role}`, role }, '127.0.0.1');
  return { ...issued, email, password };
}

/** A service of the test's own in Lagos (tests share the seeded catalogue: never change that one). */
async function ownService(basePrice = 500_000) {
  const client = asAdmin();
  const cat = await client.admin.catalog.categories.create.mutate({
    slug: `cat-${randomUUID().slice(0, 8)}`,
    nameEn: 'Test category',
    nameAr: 'فئة اختبار',
    icon: 'wrench',
    sortOrder: 0,
  });
  const service = await client.admin.catalog.services.create.mutate({
    categoryId: cat.id,
    market: 'lagos',
    slug: `svc-${randomUUID().slice(0, 8)}`,
    nameEn: 'Gate repair',
    nameAr: 'إصلاح البوابة',
    basePrice,
    durationMinutes: 60,
    emergencySurchargePct: 50,
    requiredCertificates: ['welding'],
  });
  return { category: cat, service };
}

describe('access: every admin procedure refuses non-admins', () => {
  // Walked from the router itself, so a procedure added under `admin` later is covered without editing
  // this list. The role check runs before input parsing, so an empty input is enough to be refused.
  const procedures = Object.entries(
    (appRouter._def as unknown as { procedures: Record<string, { _def: { type: string } }> }).procedures,
  )
    .filter(([path]) => path.startsWith('admin.'))
    .map(([path, p]) => [path, p._def.type] as const);

  it('finds the admin procedures (the walk is not vacuous)', () => {
    expect(procedures.length).toBeGreaterThan(40);
    const paths = procedures.map(([p]) => p);
    for (const known of [
      'admin.users.ban',
      'admin.payouts.markPaid',
      'admin.bookings.reassign',
      'admin.audit.list',
    ])
      expect(paths).toContain(known);
  });

  it.each(procedures)(
    '%s (%s): FORBIDDEN for customers and technicians, UNAUTHORIZED signed out',
    async (path, type) => {
      const c = await person('customer');
      const t = await person('technician');
      const untyped = (token?: string) =>
        createTRPCUntypedClient<AppRouter>({
          links: [
            httpBatchLink({
              url: `${server.url}/trpc`,
              headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
            }),
          ],
        });
      const call = (token?: string) =>
        codeOf(type === 'query' ? untyped(token).query(path, {}) : untyped(token).mutation(path, {}));
      expect(type === 'query' || type === 'mutation').toBe(true);
      expect(await call(c.token)).toBe('FORBIDDEN');
      expect(await call(t.token)).toBe('FORBIDDEN');
      expect(await call()).toBe('UNAUTHORIZED');
    },
  );
});

describe('audit trail', () => {
  it('rows cannot be updated, deleted or truncated, even with direct SQL from the app’s role', async () => {
    const row = await svc()
      .database.db.insert(auditLog)
      .values({ action: 'test.probe', subject: 'test:1' })
      .returning();
    const sqlClient = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });
    try {
      const id = row[0]!.id;
      await expect(sqlClient`update audit_log set action = 'forged' where id = ${id}`).rejects.toMatchObject({
        code: '42501',
      });
      await expect(sqlClient`delete from audit_log where id = ${id}`).rejects.toMatchObject({
        code: '42501',
      });
      await expect(sqlClient`truncate audit_log`).rejects.toMatchObject({ code: '42501' });
      const [still] = await sqlClient`select action from audit_log where id = ${id}`;
      expect(still?.action).toBe('test.probe');
    } finally {
      await sqlClient.end();
    }
  });

  it('the existing admin action (verification) writes its row in the same transaction, with the caller’s IP', async () => {
    const t = await person('technician');
    await approvedApplication(server.services, t.user.id);
    await asAdmin().admin.technicians.setVerification.mutate({
      technicianId: t.user.id,
      status: 'verified',
      note: 'documents checked',
    });
    const [row] = await auditRows('technician.setVerification', `user:${t.user.id}`);
    expect(row).toMatchObject({
      actorId: admin.id,
      before: { verification: 'pending' },
      after: { verification: 'verified' },
      reason: 'documents checked',
      ip: '127.0.0.1',
    });
  });

  it('once no admin request runs, the audit storage is off again (on Node 20 it costs every promise)', async () => {
    const a = await person();
    await asAdmin().admin.users.suspend.mutate({ id: a.user.id, reason: 'storage test' });
    const [row] = await auditRows('user.suspend', `user:${a.user.id}`);
    expect(row).toMatchObject({ ip: '127.0.0.1' });
    // `enabled` is Node's own flag: true from the first run() until disable().
    expect((auditRequest as unknown as { enabled: boolean }).enabled).toBe(false);
  });

  it('a refund writes its audit row (reason, amounts, the caller’s IP) with the reservation', async () => {
    const a = await completedBooking(svc());
    const due = (await httpClient(server, a.customer.token).payment.get.query({ bookingId: a.booking.id }))
      .due!.amount;
    await httpClient(server, a.technician.token).payment.confirmCash.mutate({
      bookingId: a.booking.id,
      amount: due,
    });
    const paid = await httpClient(server, a.customer.token).payment.get.query({ bookingId: a.booking.id });
    await asAdmin().admin.payments.refund.mutate({
      paymentId: paid.paymentId!,
      amount: 100,
      reason: 'late arrival',
    });
    const [row] = await auditRows('payment.refund', `payment:${paid.paymentId}`);
    expect(row).toMatchObject({
      actorId: admin.id,
      reason: 'late arrival',
      before: { refunded: 0 },
      after: { refunded: 100 },
      ip: '127.0.0.1',
    });
  });

  it('admin.audit.list filters by action prefix, subject, actor and time, newest first, with a cursor', async () => {
    const c = await person();
    const client = asAdmin();
    await client.admin.users.suspend.mutate({ id: c.user.id, reason: 'list test' });
    await client.admin.users.unban.mutate({ id: c.user.id });
    const subject = `user:${c.user.id}`;
    const all = await client.admin.audit.list.query({ subject, action: 'user.' });
    expect(all.items.map((i) => i.action)).toEqual(['user.unban', 'user.suspend']);
    expect(all.items[1]).toMatchObject({
      actor: { id: admin.id },
      reason: 'list test',
      before: { status: 'active' },
      after: { status: 'suspended', until: null },
      ip: '127.0.0.1',
    });
    const byActor = await client.admin.audit.list.query({
      actorId: admin.id,
      subject,
      action: 'user.suspend',
    });
    expect(byActor.items).toHaveLength(1);
    const future = await client.admin.audit.list.query({
      subject,
      from: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(future.items).toHaveLength(0);
    // Paging: the cursor of a one-row page leads to the rest.
    const total = await client.admin.audit.list.query({});
    if (total.nextCursor) {
      const next = await client.admin.audit.list.query({ cursor: total.nextCursor });
      expect(next.items[0]!.id).toBeLessThan(total.items.at(-1)!.id);
    }
    expect(await codeOf(client.admin.audit.list.query({ cursor: 'nope' }))).toBe('BAD_REQUEST');
  });
});

describe('user.view audit rows', () => {
  async function anotherAdmin() {
    const email = uniqueEmail('admin');
    const password = 'another console admin 2026';
    await svc().auth.ensureAdmin(email, password, 'Second Admin');
    const a = await svc().auth.signIn({ email, password }, '127.0.0.1');
    return { id: a.user.id, api: httpClient(server, a.token) };
  }
  const views = (actorId: string, userId: string) =>
    db()
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.action, 'user.view'),
          eq(auditLog.subject, `user:${userId}`),
          eq(auditLog.actorId, actorId),
        ),
      );
  /** A `user.view` row written `minutesAgo` (inserting is all the append-only trail allows). */
  const pastView = (actorId: string, userId: string, minutesAgo: number) =>
    queryRows(
      db(),
      sql`INSERT INTO audit_log (actor_id, action, subject, at)
          VALUES (${actorId}, 'user.view', ${`user:${userId}`}, now() - make_interval(mins => ${minutesAgo}::int))`,
    );

  it('one row per admin per user per ten minutes, however often the page refetches', async () => {
    const c = await person();
    const one = await anotherAdmin();
    const two = await anotherAdmin();
    // Refetches, some of them at once.
    await Promise.all([1, 2, 3, 4].map(() => one.api.admin.users.get.query({ id: c.user.id })));
    await one.api.admin.users.get.query({ id: c.user.id });
    expect(await views(one.id, c.user.id)).toHaveLength(1);
    // Another admin's reading is theirs.
    await two.api.admin.users.get.query({ id: c.user.id });
    expect(await views(two.id, c.user.id)).toHaveLength(1);
    // Another user's file is another reading.
    const d = await person();
    await one.api.admin.users.get.query({ id: d.user.id });
    expect(await views(one.id, d.user.id)).toHaveLength(1);
  });

  it('a reading 9 minutes ago still counts; one 11 minutes ago does not', async () => {
    const c = await person();
    const recent = await anotherAdmin();
    const old = await anotherAdmin();
    await pastView(recent.id, c.user.id, 9);
    await pastView(old.id, c.user.id, 11);
    await recent.api.admin.users.get.query({ id: c.user.id });
    await old.api.admin.users.get.query({ id: c.user.id });
    await old.api.admin.users.get.query({ id: c.user.id });
    expect(await views(recent.id, c.user.id)).toHaveLength(1);
    expect(await views(old.id, c.user.id)).toHaveLength(2);
  });
});

describe('suspensions and bans', () => {
  it('a ban closes the user’s open WebSocket within a second and refuses their token and new sign-ins', async () => {
    const c = await person();
    const socket = new WebSocket(server.wsUrl.replace('/trpc', '/trpc?connectionParams=1'));
    const closed = new Promise<{ code: number; at: number }>((resolve) =>
      socket.on('close', (code) => resolve({ code, at: Date.now() })),
    );
    await new Promise((r) => socket.on('open', r));
    socket.send(JSON.stringify({ method: 'connectionParams', data: { token: c.token } }));
    socket.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me', input: null } }));
    const reply = await new Promise<string>((r) => socket.once('message', (m) => r(String(m))));
    expect(reply).toContain(c.user.id);

    const started = Date.now();
    const detail = await asAdmin().admin.users.ban.mutate({ id: c.user.id, reason: 'fraudulent bookings' });
    const { code, at } = await closed;
    expect(code).toBe(4401);
    expect(at - started).toBeLessThan(1_000);
    expect(detail.status).toBe('banned');

    expect(await httpClient(server, c.token).auth.me.query()).toBeNull();
    expect(await codeOf(httpClient(server, c.token).booking.list.query({}))).toBe('UNAUTHORIZED');
    const signIn = httpClient(server).auth.signIn.mutate({ email: c.email, password: c.password });
    expect(await codeOf(signIn)).toBe('FORBIDDEN');
    await signIn.catch((e) =>
      expect(e.data).toMatchObject({ appCode: 'ACCOUNT_RESTRICTED', details: { kind: 'ban' } }),
    );
    // A wrong password still says only that: the ban is nobody else's business.
    expect(
      await codeOf(
        httpClient(server).auth.signIn.mutate({ email: c.email, password: 'not the password at all' }),
      ),
    ).toBe('UNAUTHORIZED');

    const [row] = await auditRows('user.ban', `user:${c.user.id}`);
    expect(row).toMatchObject({
      actorId: admin.id,
      reason: 'fraudulent bookings',
      after: { status: 'banned' },
    });

    await asAdmin().admin.users.unban.mutate({ id: c.user.id });
    expect(
      await codeOf(httpClient(server).auth.signIn.mutate({ email: c.email, password: c.password })),
    ).toBe('OK');
    expect(await auditRows('user.unban', `user:${c.user.id}`)).toHaveLength(1);
  });

  it('a suspension with an end date lifts by itself; a date in the past is refused', async () => {
    const c = await person();
    const client = asAdmin();
    expect(
      await codeOf(
        client.admin.users.suspend.mutate({
          id: c.user.id,
          reason: 'x',
          until: new Date(Date.now() - 1000).toISOString(),
        }),
      ),
    ).toBe('BAD_REQUEST');
    const until = new Date(Date.now() + 1500).toISOString();
    const d = await client.admin.users.suspend.mutate({ id: c.user.id, reason: 'cool off', until });
    expect(d.restriction).toMatchObject({ kind: 'suspend', reason: 'cool off', until });
    expect(await codeOf(svc().auth.signIn({ email: c.email, password: c.password }, '10.0.0.1'))).toBe(
      'ACCOUNT_RESTRICTED',
    );
    await new Promise((r) => setTimeout(r, 1600));
    expect(await codeOf(svc().auth.signIn({ email: c.email, password: c.password }, '10.0.0.1'))).toBe('OK');
    expect((await client.admin.users.get.query({ id: c.user.id })).status).toBe('active');
  });

  it('race: sign-ins racing a ban leave no usable session behind', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await person();
      const attempts = Array.from({ length: 12 }, () =>
        svc()
          .auth.signIn({ email: c.email, password: c.password }, '127.0.0.1')
          .then(
            (r) => r.token,
            (e) => e.code as string,
          ),
      );
      const ban = asAdmin().admin.users.ban.mutate({ id: c.user.id, reason: `race ${round}` });
      const results = await Promise.all([...attempts, ban]);
      const tokens = results
        .slice(0, -1)
        .filter((r): r is string => typeof r === 'string' && r.length === 32);
      for (const r of results.slice(0, -1))
        if (!tokens.includes(r as string)) expect(r).toBe('ACCOUNT_RESTRICTED');
      const left = await db().select().from(sessions).where(eq(sessions.userId, c.user.id));
      expect(left).toHaveLength(0);
      for (const token of [c.token, ...tokens]) expect(await svc().sessions.validate(token)).toBeNull();
    }
  });

  it('a suspended technician goes offline but keeps their history; admins cannot be suspended', async () => {
    const t = await technician(svc(), uniqueSpot());
    await asAdmin().admin.users.suspend.mutate({ id: t.user.id, reason: 'documents expired' });
    const d = await asAdmin().admin.users.get.query({ id: t.user.id });
    expect(d).toMatchObject({
      status: 'suspended',
      role: 'technician',
      technician: { verification: 'verified' },
    });
    const me = await svc().technicians.me(t.user.id);
    expect(me.online).toBe(false);
    expect(await codeOf(asAdmin().admin.users.ban.mutate({ id: admin.id, reason: 'x' }))).toBe('CONFLICT');
  });
});

describe('users: search, file and risk flags', () => {
  it('search finds by name, e-mail or phone part and filters by role and status', async () => {
    const c = await person();
    const client = asAdmin();
    const byEmail = await client.admin.users.search.query({ q: c.email.slice(0, 20) });
    expect(byEmail.items.map((u) => u.id)).toContain(c.user.id);
    const asTech = await client.admin.users.search.query({ q: c.email, role: 'technician' });
    expect(asTech.items).toHaveLength(0);
    await client.admin.users.suspend.mutate({ id: c.user.id, reason: 'search test' });
    const suspended = await client.admin.users.search.query({ q: c.email, status: 'suspended' });
    expect(suspended.items.map((u) => u.status)).toEqual(['suspended']);
    expect((await client.admin.users.search.query({ q: c.email, status: 'active' })).items).toHaveLength(0);
    // `%` and `_` are literal characters, not wildcards.
    expect((await client.admin.users.search.query({ q: '%%%' })).items).toHaveLength(0);
  });

  it('search pages through users created within one millisecond without skipping or repeating any', async () => {
    const c = await person();
    const tag = `samems${randomUUID().slice(0, 8)}`;
    // 35 copies of one account (a page is 30), created 1 µs apart inside one millisecond.
    await queryRows(
      db(),
      sql`INSERT INTO users
          SELECT (jsonb_populate_record(NULL::users, to_jsonb(u) || jsonb_build_object(
            'id', gen_random_uuid(), 'email', ${tag} || n || '@example.com', 'name', ${tag} || ' ' || n,
            'phone', NULL, 'created_at', '2030-01-02T03:04:05.678Z'::timestamptz + make_interval(secs => n / 1000000.0)))).*
          FROM users u, generate_series(1, 35) n WHERE u.id = ${c.user.id}`,
    );
    const expected = await db()
      .select({ id: users.id })
      .from(users)
      .where(like(users.name, `${tag}%`))
      .orderBy(desc(users.createdAt), desc(users.id));
    expect(expected).toHaveLength(35);
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await asAdmin().admin.users.search.query({ q: tag, cursor });
      ids.push(...page.items.map((u) => u.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(ids).toEqual(expected.map((u) => u.id));
  });

  it('the technicians list (oldest first) pages through sign-ups of one millisecond without repeats', async () => {
    const c = await person();
    const tag = `samemstech${randomUUID().slice(0, 8)}`;
    // 55 technicians (a page is 50) created 1 µs apart inside one millisecond, after everyone else.
    await queryRows(
      db(),
      sql`WITH copies AS (
            INSERT INTO users
            SELECT (jsonb_populate_record(NULL::users, to_jsonb(u) || jsonb_build_object(
              'id', gen_random_uuid(), 'email', ${tag} || n || '@example.com', 'name', ${tag} || ' ' || n,
              'role', 'technician', 'phone', NULL,
              'created_at', '2032-05-06T07:08:09.321Z'::timestamptz + make_interval(secs => n / 1000000.0)))).*
            FROM users u, generate_series(1, 55) n WHERE u.id = ${c.user.id}
            RETURNING id)
          INSERT INTO technician_profiles (user_id) SELECT id FROM copies`,
    );
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await asAdmin().admin.technicians.list.query({ cursor });
      ids.push(...page.items.map((t) => t.userId));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const expected = await queryRows<{ id: string }>(
      db(),
      sql`SELECT u.id FROM technician_profiles tp JOIN users u ON u.id = tp.user_id ORDER BY u.created_at, u.id`,
    );
    expect(ids).toEqual(expected.map((r) => r.id));
  });

  it('flags failed sign-ins, rapid bookings, cancellations, a new network and a location jump, with reasons', async () => {
    const c = await person();
    for (let i = 0; i < 3; i++)
      await codeOf(svc().auth.signIn({ email: c.email, password: 'wrong password entirely' }, '127.0.0.1'));
    await svc().auth.signIn({ email: c.email, password: c.password }, '10.1.1.1');
    await svc().auth.signIn({ email: c.email, password: c.password }, '192.168.7.9');
    const spot = uniqueSpot();
    const created = [];
    for (let i = 0; i < 3; i++)
      created.push(
        await svc().bookings.create(c.user, {
          serviceId: (await svc().catalog.services()).find((s) => s.slug === 'shoe-shine')!.id,
          ...spot,
          address: '1 Marina Road',
          idempotencyKey: randomUUID(),
        }),
      );
    for (const b of created) await svc().bookings.cancel(b.id, c.user, 'changed my mind');

    const d = await asAdmin().admin.users.get.query({ id: c.user.id });
    const signals = Object.fromEntries(d.flags.map((f) => [f.signal, f.facts]));
    expect(signals.failed_sign_ins).toMatchObject({ count: 3, threshold: 3 });
    expect(signals.rapid_bookings).toMatchObject({ count: 3 });
    expect(signals.many_cancellations).toMatchObject({ count: 3 });
    expect(signals.new_address).toMatchObject({ ip: '192.168.7.9' });
    expect(d.bookings).toHaveLength(3);
    // A flag blocks nothing: the customer still signs in and books.
    expect(await codeOf(svc().auth.signIn({ email: c.email, password: c.password }, '192.168.7.9'))).toBe(
      'OK',
    );
    expect(await auditRows('user.view', `user:${c.user.id}`)).toHaveLength(1);
    const events = await db().select().from(signInEvents).where(eq(signInEvents.userId, c.user.id));
    expect(events.filter((e) => !e.ok)).toHaveLength(3);

    // A technician's fixes 50 km apart two minutes apart: 1500 km/h.
    const t = await technician(svc(), uniqueSpot());
    const b = created[0]!;
    const now = Date.now();
    await db()
      .insert(trackingBreadcrumbs)
      .values([
        {
          bookingId: b.id,
          technicianId: t.user.id,
          location: { lat: 6.45, lng: 3.4 },
          recordedAt: new Date(now - 120_000),
        },
        {
          bookingId: b.id,
          technicianId: t.user.id,
          location: { lat: 6.9, lng: 3.4 },
          recordedAt: new Date(now),
        },
      ]);
    const td = await asAdmin().admin.users.get.query({ id: t.user.id });
    const jump = td.flags.find((f) => f.signal === 'location_jump');
    expect(jump?.facts.kmh).toBeGreaterThan(1000);
  });
});

describe('data rights', () => {
  it('export holds the user’s own data and nobody else’s', async () => {
    const a = await person();
    const b = await person();
    const spot = uniqueSpot();
    const serviceId = (await svc().catalog.services()).find((s) => s.slug === 'shoe-shine')!.id;
    const mk = (u: typeof a, address: string) =>
      svc().bookings.create(u.user, { serviceId, ...spot, address, idempotencyKey: randomUUID() });
    const ba = await mk(a, '12 Awolowo Road');
    const bb = await mk(b, '99 Secret Close');
    const archive = await asAdmin().admin.users.export.mutate({ id: a.user.id });
    const text = JSON.stringify(archive);
    expect(archive.user).toMatchObject({ id: a.user.id, email: a.email });
    expect(text).not.toContain('passwordHash');
    expect(archive.bookings.map((x) => x.id)).toEqual([ba.id]);
    expect(text).toContain('12 Awolowo Road');
    expect(text).not.toContain(bb.id);
    expect(text).not.toContain(b.email);
    expect(text).not.toContain('99 Secret Close');
    expect(await auditRows('user.export', `user:${a.user.id}`)).toHaveLength(1);
  });

  it('delete anonymises the person, keeps the booking and its prices, purges trails and ends sign-in', async () => {
    const c = await person();
    const t = await technician(svc(), uniqueSpot());
    const spot = uniqueSpot();
    const serviceId = (await svc().catalog.services()).find((s) => s.slug === 'shoe-shine')!.id;
    const b = await svc().bookings.create(c.user, {
      serviceId,
      ...spot,
      address: '4 Private Lane, flat 2',
      addressDetails: 'blue gate',
      idempotencyKey: randomUUID(),
    });
    await db()
      .insert(trackingBreadcrumbs)
      .values({ bookingId: b.id, technicianId: t.user.id, location: spot, recordedAt: new Date() });

    const out = await asAdmin().admin.users.delete.mutate({
      id: c.user.id,
      reason: 'customer request by e-mail',
    });
    expect(out.status).toBe('deleted');
    await asAdmin().admin.users.delete.mutate({ id: t.user.id, reason: 'technician request' });

    const [u] = await db().select().from(users).where(eq(users.id, c.user.id));
    expect(u).toMatchObject({ name: 'Deleted user', phone: null });
    expect(u!.email).not.toBe(c.email);
    const [kept] = await db().select().from(bookings).where(eq(bookings.id, b.id));
    expect(kept).toMatchObject({
      id: b.id,
      customerId: c.user.id,
      priceTotal: b.price.total.amount,
      address: '[erased]',
    });
    expect(kept!.addressDetails).toBeNull();
    expect(
      await db().select().from(trackingBreadcrumbs).where(eq(trackingBreadcrumbs.technicianId, t.user.id)),
    ).toHaveLength(0);
    expect(await db().select().from(userErasures).where(eq(userErasures.userId, c.user.id))).toHaveLength(1);
    expect(await svc().sessions.validate(c.token)).toBeNull();
    expect(await codeOf(svc().auth.signIn({ email: c.email, password: c.password }, '127.0.0.1'))).toBe(
      'INVALID_CREDENTIALS',
    );
    expect((await asAdmin().admin.users.get.query({ id: c.user.id })).status).toBe('deleted');
    const [row] = await auditRows('user.delete', `user:${c.user.id}`);
    expect(row).toMatchObject({ reason: 'customer request by e-mail', after: { status: 'deleted' } });
    expect(JSON.stringify(row)).not.toContain(c.email);
    expect(await codeOf(asAdmin().admin.users.delete.mutate({ id: c.user.id, reason: 'again' }))).toBe(
      'CONFLICT',
    );
  });
});

describe('data rights: the later tables', () => {
  it('export and delete cover cases, notifications, push, phone, onboarding and its files, organisations, ratings, site contacts, trails, a technician’s services, hours, areas, languages, payouts and review replies', async () => {
    const a = await completedBooking(svc());
    const cust = a.customer.user;
    const tech = a.technician.user;
    const asCustomer = httpClient(server, a.customer.token);
    const asTech = httpClient(server, a.technician.token);
    // The booking's on-site contact, its route trail, a rating of the customer by the technician.
    await db()
      .update(bookings)
      .set({ siteContactName: 'Gatekeeper Musa', siteContactPhone: '+2348011112222' })
      .where(eq(bookings.id, a.booking.id));
    await db()
      .insert(trackingBreadcrumbs)
      .values({ bookingId: a.booking.id, technicianId: tech.id, location: a.spot, recordedAt: new Date() });
    await asTech.review.rateCustomer.mutate({ bookingId: a.booking.id, rating: 2 });
    // The customer's review (published at once: the technician rated first), the technician's reply to
    // it, and the customer's report of it.
    const review = await asCustomer.review.create.mutate({ bookingId: a.booking.id, rating: 3 });
    await asTech.review.reply.mutate({ reviewId: review.id, text: 'My private reply about this customer' });
    await asCustomer.review.report.mutate({ reviewId: review.id, reason: 'My private reason to report' });
    // The technician's own price, hours, a drawn area with a name of theirs, languages, a payout.
    await db()
      .update(technicianServices)
      .set({ price: 77_700 })
      .where(eq(technicianServices.technicianId, tech.id));
    await asTech.technician.setHours.mutate({ ranges: [{ weekday: 2, start: '08:00', end: '17:00' }] });
    // Drawn inside Lagos (Yaba), where areas must be.
    const yaba = { lat: 6.51, lng: 3.378 };
    const d = 0.004;
    await asTech.technician.setAreas.mutate({
      areas: [
        {
          name: 'Round my house on Herbert Macaulay',
          polygon: [
            [yaba.lng - d, yaba.lat - d],
            [yaba.lng + d, yaba.lat - d],
            [yaba.lng + d, yaba.lat + d],
            [yaba.lng - d, yaba.lat + d],
          ],
        },
      ],
    });
    await asTech.technician.setLanguages.mutate({ languages: ['yo', 'en'] });
    await db()
      .insert(payouts)
      .values({ technicianId: tech.id, currency: 'NGN', amount: 123_400, periodStart: new Date() });
    // A case with a message of theirs and the admin's, decided (both notified).
    const opened = await asCustomer.dispute.open.mutate({
      bookingId: a.booking.id,
      reason: 'poor_quality',
      details: 'My private account of what went wrong here.',
    });
    await asCustomer.dispute.message.mutate({ id: opened.id, body: 'My private follow-up' });
    await asAdmin().admin.disputes.message.mutate({
      id: opened.id,
      to: 'customer',
      body: 'Admin asks a question',
    });
    await asAdmin().admin.disputes.resolve.mutate({
      id: opened.id,
      outcome: 'no_action',
      note: 'Looked fine',
    });
    // Push (switched off for every event first: the worker would push to this made-up endpoint, fail and
    // drop it), phone, an organisation.
    await db()
      .insert(notificationPreferences)
      .values(notificationKinds.map((kind) => ({ userId: cust.id, kind, channel: 'push', enabled: false })));
    await db()
      .insert(pushSubscriptions)
      .values({
        userId: cust.id,
        endpoint: `https://push.example.test/${randomUUID()}`,
        p256dh: 'browser-key',
        auth: 'browser-secret',
      });
    const phone = uniquePhone();
    await db()
      .insert(phoneCodes)
      .values({
        userId: cust.id,
        phone,
        codeHash: 'hmac-of-code',
        expiresAt: new Date(Date.now() + 600_000),
      });
    await svc().phone.markVerified(cust.id, phone);
    const principal = await person();
    const [org] = await db()
      .insert(organizations)
      .values({ name: 'Acme Facilities', principalUserId: principal.user.id })
      .returning();
    await db().insert(orgMembers).values({ orgId: org!.id, userId: cust.id, role: 'member' });
    // The technician's ID document (a stored file) and number.
    const sent = await upload(server, asTech, 'id_document', 'image/jpeg', await jpegWithGps(800, 600));
    const idUpload = sent.body.uploadId!;
    await asTech.onboarding.setIdDocument.mutate({ frontUploadId: idUpload, idNumber: 'A1234567' });
    await svc().schedule.addTimeOff(tech.id, {
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      reason: 'Family wedding',
    });
    const [stored] = await db().select().from(uploads).where(eq(uploads.id, idUpload));
    const fileKey = stored!.storageKey!;
    expect(await svc().uploads.store.get(fileKey)).not.toBeNull();

    // Export: all of it, the customer's side only; no secrets (code hash, browser keys, the ID number).
    const mine = await asAdmin().admin.users.export.mutate({ id: cust.id });
    expect(mine.bookings[0]).toMatchObject({ siteContactName: 'Gatekeeper Musa' });
    expect(mine.disputes).toEqual([
      expect.objectContaining({
        id: opened.id,
        openedByThem: true,
        details: 'My private account of what went wrong here.',
      }),
    ]);
    expect(mine.disputeMessages.map((m) => m.body)).toEqual([
      'My private follow-up',
      'Admin asks a question',
    ]);
    expect(mine.notifications.map((n) => n.kind)).toContain('dispute_outcome');
    expect(mine.pushSubscriptions).toHaveLength(1);
    expect(mine.notificationPreferences).toHaveLength(notificationKinds.length);
    expect(mine.phoneVerification).toMatchObject({ phone });
    expect(mine.phoneCodes).toEqual([expect.objectContaining({ phone })]);
    expect(mine.organisations).toEqual([
      expect.objectContaining({ name: 'Acme Facilities', role: 'member' }),
    ]);
    expect(mine.ratingsReceivedAsCustomer).toEqual([expect.objectContaining({ rating: 2 })]);
    const mineText = JSON.stringify(mine);
    for (const secret of ['hmac-of-code', 'browser-secret', 'browser-key'])
      expect(mineText).not.toContain(secret);
    const theirs = await asAdmin().admin.users.export.mutate({ id: tech.id });
    expect(theirs.onboarding).toMatchObject({ idFrontUploadId: idUpload, idNumberOnFile: true });
    expect(theirs.timeOff).toEqual([expect.objectContaining({ reason: 'Family wedding' })]);
    expect(theirs.technicianServices).toEqual([
      expect.objectContaining({ serviceId: a.booking.service.id, ownPrice: 77_700 }),
    ]);
    expect(theirs.workingHours).toMatchObject({
      ranges: [{ weekday: 2, startMinute: 480, endMinute: 1020 }],
    });
    expect(theirs.serviceAreas).toEqual([
      expect.objectContaining({
        name: 'Round my house on Herbert Macaulay',
        zone: null,
        area: expect.objectContaining({ type: 'Polygon' }),
      }),
    ]);
    expect(theirs.languages).toEqual(['en', 'yo']);
    expect(theirs.payouts).toEqual([expect.objectContaining({ amount: 123_400, status: 'pending' })]);
    expect(theirs.reviewsReceived).toEqual([
      expect.objectContaining({ reply: 'My private reply about this customer' }),
    ]);
    expect(mine.reportsFiled).toEqual([expect.objectContaining({ reason: 'My private reason to report' })]);
    expect(JSON.stringify(theirs)).not.toContain('A1234567');
    expect(JSON.stringify(theirs)).not.toContain('"v1.');
    // The customer's case text is theirs: the technician's archive has the case, not its details.
    expect(theirs.disputes).toEqual([
      expect.objectContaining({ id: opened.id, openedByThem: false, details: null }),
    ]);
    expect(theirs.disputeMessages).toEqual([]);

    // Delete the customer: the technician stays, but the trail of the customer's booking goes too.
    await asAdmin().admin.users.delete.mutate({ id: cust.id, reason: 'customer request' });
    expect(
      await db().select().from(trackingBreadcrumbs).where(eq(trackingBreadcrumbs.bookingId, a.booking.id)),
    ).toEqual([]);
    const [kept] = await db().select().from(bookings).where(eq(bookings.id, a.booking.id));
    expect(kept).toMatchObject({ siteContactName: null, siteContactPhone: null, status: 'disputed' });
    const [kase] = await db().select().from(disputes).where(eq(disputes.id, opened.id));
    expect(kase).toMatchObject({ details: '[erased]', outcome: 'no_action' });
    const msgs = await db().select().from(disputeMessages).where(eq(disputeMessages.disputeId, opened.id));
    expect(msgs.map((m) => m.body).sort()).toEqual(['Admin asks a question', '[deleted]']);
    // Their report of the review stays (the admins acted on it); the reason they wrote does not.
    expect(
      (await db().select().from(reviewReports).where(eq(reviewReports.reporterId, cust.id))).map(
        (r) => r.reason,
      ),
    ).toEqual(['[erased]']);
    for (const [table, col] of [
      [notifications, notifications.userId],
      [pushSubscriptions, pushSubscriptions.userId],
      [notificationPreferences, notificationPreferences.userId],
      [phoneCodes, phoneCodes.userId],
      [phoneVerifications, phoneVerifications.userId],
      [orgMembers, orgMembers.userId],
      [customerRatings, customerRatings.customerId],
    ] as const)
      expect(await db().select().from(table).where(eq(col, cust.id))).toEqual([]);
    // The technician's notifications are theirs: kept.
    expect(
      (await db().select().from(notifications).where(eq(notifications.userId, tech.id))).length,
    ).toBeGreaterThan(0);

    // Delete the technician: the application (with the encrypted number), the upload row and the file go.
    await asAdmin().admin.users.delete.mutate({ id: tech.id, reason: 'technician request' });
    expect(
      await db().select().from(technicianOnboarding).where(eq(technicianOnboarding.technicianId, tech.id)),
    ).toEqual([]);
    expect(await db().select().from(uploads).where(eq(uploads.ownerId, tech.id))).toEqual([]);
    expect(
      await db().select().from(technicianTimeOff).where(eq(technicianTimeOff.technicianId, tech.id)),
    ).toEqual([]);
    expect(await svc().uploads.store.get(fileKey)).toBeNull();
    // Their reply to the review is cleared (the review stays); their areas, names and polygons, go.
    const [reviewed] = await db().select().from(reviews).where(eq(reviews.id, review.id));
    expect(reviewed).toMatchObject({ rating: 3, reply: null, repliedAt: null });
    expect(
      await db().select().from(technicianAreas).where(eq(technicianAreas.technicianId, tech.id)),
    ).toEqual([]);
  });
});

describe('catalogue', () => {
  it('a price change reaches new quotes at once but never a stored booking’s breakdown', async () => {
    const { service } = await ownService(500_000);
    const c = await person();
    const spot = uniqueSpot();
    const quote1 = await httpClient(server, c.token).booking.quote.query({ serviceId: service.id, ...spot });
    expect(quote1.price.base.amount).toBe(500_000);
    const booking = await svc().bookings.create(c.user, {
      serviceId: service.id,
      ...spot,
      address: '3 Catalogue Street',
      idempotencyKey: randomUUID(),
    });
    expect(booking.price.base.amount).toBe(500_000);

    const updated = await asAdmin().admin.catalog.services.update.mutate({
      id: service.id,
      basePrice: 800_000,
      emergencySurchargePct: 100,
    });
    expect(updated.basePrice.amount).toBe(800_000);
    // No waiting for the 30 s cache: the change was announced.
    const quote2 = await httpClient(server, c.token).booking.quote.query({ serviceId: service.id, ...spot });
    expect(quote2.price.base.amount).toBe(800_000);
    const emergency = await httpClient(server, c.token).booking.quote.query({
      serviceId: service.id,
      ...spot,
      emergency: true,
    });
    expect(emergency.price.total.amount).toBeGreaterThanOrEqual(1_600_000);

    const again = await httpClient(server, c.token).booking.get.query({ id: booking.id });
    expect(again.price).toEqual(booking.price);
    const [row] = await auditRows('catalog.service.update', `service:${service.id}`);
    expect(row).toMatchObject({
      actorId: admin.id,
      before: { basePrice: 500_000, emergencySurchargePct: 50 },
      after: { basePrice: 800_000, emergencySurchargePct: 100 },
    });
  });

  it('CRUD with audit rows; bounds checked; services deactivate; only empty categories delete', async () => {
    const client = asAdmin();
    const { category, service } = await ownService();
    expect(service).toMatchObject({ requiredCertificates: ['welding'], minPrice: null, active: true });
    expect(await auditRows('catalog.category.create', `category:${category.id}`)).toHaveLength(1);
    expect(await auditRows('catalog.service.create', `service:${service.id}`)).toHaveLength(1);

    expect(
      await codeOf(
        client.admin.catalog.services.update.mutate({ id: service.id, minPrice: 900, maxPrice: 100 }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        client.admin.catalog.categories.create.mutate({
          slug: category.slug,
          nameEn: 'Dup',
          nameAr: 'مكرر',
          icon: 'tools',
          sortOrder: 0,
        }),
      ),
    ).toBe('CONFLICT');
    // Emoji are not icons.
    expect(
      await codeOf(
        client.admin.catalog.categories.update.mutate({ id: category.id, icon: '🔧' as unknown as 'tools' }),
      ),
    ).toBe('BAD_REQUEST');
    const renamed = await client.admin.catalog.categories.update.mutate({
      id: category.id,
      nameAr: 'فئة معدلة',
      icon: 'key',
    });
    expect(renamed).toMatchObject({ name: { ar: 'فئة معدلة' }, icon: 'key' });
    expect(await auditRows('catalog.category.update', `category:${category.id}`)).toHaveLength(1);

    expect(await codeOf(client.admin.catalog.categories.delete.mutate({ id: category.id }))).toBe('CONFLICT');
    const off = await client.admin.catalog.services.delete.mutate({ id: service.id });
    expect(off.active).toBe(false);
    expect(await auditRows('catalog.service.delete', `service:${service.id}`)).toHaveLength(1);
    const c = await person();
    expect(
      await codeOf(
        httpClient(server, c.token).booking.quote.query({ serviceId: service.id, ...uniqueSpot() }),
      ),
    ).toBe('NOT_FOUND');

    const list = await client.admin.catalog.list.query({ market: 'lagos' });
    expect(list.services.find((s) => s.id === service.id)?.active).toBe(false);
    expect(list.categories.find((x) => x.id === category.id)?.services).toBe(1);

    const empty = await client.admin.catalog.categories.create.mutate({
      slug: `empty-${randomUUID().slice(0, 8)}`,
      nameEn: 'Empty',
      nameAr: 'فارغة',
      icon: 'leaf',
      sortOrder: 1,
    });
    await client.admin.catalog.categories.delete.mutate({ id: empty.id });
    expect(await auditRows('catalog.category.delete', `category:${empty.id}`)).toHaveLength(1);
  });

  it('categories have English and Arabic descriptions; a partial update leaves the other fields alone', async () => {
    const client = asAdmin();
    const cat = await client.admin.catalog.categories.create.mutate({
      slug: `desc-${randomUUID().slice(0, 8)}`,
      nameEn: 'Gardens',
      nameAr: 'حدائق',
      descriptionEn: 'Lawns, hedges and trees',
      descriptionAr: 'المروج والأسوار النباتية والأشجار',
      icon: 'leaf',
      sortOrder: 7,
    });
    expect(cat).toMatchObject({
      description: { en: 'Lawns, hedges and trees', ar: 'المروج والأسوار النباتية والأشجار' },
      sortOrder: 7,
    });
    const renamed = await client.admin.catalog.categories.update.mutate({
      id: cat.id,
      nameEn: 'Garden care',
    });
    // Absent fields keep their values (no default resets sortOrder or the descriptions).
    expect(renamed).toMatchObject({
      name: { en: 'Garden care' },
      sortOrder: 7,
      description: { en: 'Lawns, hedges and trees' },
    });
    const [audit] = await auditRows('catalog.category.update', `category:${cat.id}`);
    expect(audit).toMatchObject({ before: { nameEn: 'Gardens' }, after: { nameEn: 'Garden care' } });
    expect(Object.keys(audit!.after!)).toEqual(['nameEn']);

    // The same for services: changing the price does not reactivate, reorder or clear anything.
    const { service } = await ownService();
    await client.admin.catalog.services.update.mutate({ id: service.id, active: false, sortOrder: 3 });
    const repriced = await client.admin.catalog.services.update.mutate({
      id: service.id,
      basePrice: 600_000,
    });
    expect(repriced).toMatchObject({
      active: false,
      sortOrder: 3,
      emergencySurchargePct: 50,
      requiredCertificates: ['welding'],
    });
  });

  it('a category is shown in a market only when it has an active service there', async () => {
    const client = asAdmin();
    const { category, service } = await ownService();
    const shown = async (market: string) =>
      (await httpClient(server).catalog.categories.query({ market })).some((c) => c.id === category.id);
    expect(await shown('lagos')).toBe(true);
    expect(await shown('cairo')).toBe(false);
    // Without a market: every category (the admin's and older clients' view).
    expect((await httpClient(server).catalog.categories.query()).some((c) => c.id === category.id)).toBe(
      true,
    );
    const lagos = await client.admin.catalog.list.query({ market: 'lagos' });
    expect(lagos.categories.find((c) => c.id === category.id)).toMatchObject({
      services: 1,
      activeInMarket: 1,
    });
    // Its only service deactivated: gone from Lagos too.
    await client.admin.catalog.services.delete.mutate({ id: service.id });
    expect(await shown('lagos')).toBe(false);
    const after = await client.admin.catalog.list.query({ market: 'lagos' });
    expect(after.categories.find((c) => c.id === category.id)).toMatchObject({
      services: 1,
      activeInMarket: 0,
    });
  });

  it('the seeded categories carry SVG icon keys, not emoji', async () => {
    const cats = await svc().catalog.categories();
    expect(cats.length).toBeGreaterThan(0);
    for (const c of cats) expect(c.icon).toMatch(/^[a-z-]+$/);
  });
});
