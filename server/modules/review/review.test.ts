import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, bookings, reviews } from '../../../db/schema';
import {
  assignedBooking,
  codeOf,
  customer,
  offset,
  serviceId,
  technician,
  until,
  userRow,
} from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail } from '../../test/harness';
import { bayesianScore } from './rating';
import { createReviewRepo } from './review.repo';
import { shortName } from './review.service';

let server: TestServer;
beforeAll(async () => {
  // A fast publication sweep, so a closed window is seen to publish by the timer itself.
  server = await startTestServer({ REVIEW_SWEEP_SECONDS: '0.2' });
});
afterAll(() => server.close());
const svc = () => server.services;
const db = () => server.database.db;

/** Every technician a test touched: their stored aggregates must equal a recomputation from the rows. */
const touched = new Set<string>();
afterEach(async () => {
  const repo = createReviewRepo(db());
  for (const id of touched) {
    const row = await userRow(svc(), id);
    expect({ sum: row!.ratingSum, count: row!.ratingCount }, `aggregates of ${id}`).toEqual(
      await repo.recomputed(id),
    );
  }
  touched.clear();
});

const steps = ['en_route', 'arrived', 'in_progress', 'completed'] as const;

/** A job done by a fresh technician for a fresh customer. */
async function completedJob() {
  const job = await assignedBooking(svc());
  const tech = { id: job.technician.user.id, role: 'technician' as const };
  for (const to of steps) await svc().bookings.advance(job.booking.id, tech, to, { confirmFar: true });
  touched.add(tech.id);
  return { ...job, tech, cust: { id: job.customer.user.id, role: 'customer' as const } };
}

/** Another job for the same technician, by a new customer next to them. */
async function anotherJobFor(tech: { id: string; role: 'technician' }, at: { lat: number; lng: number }) {
  const c = await customer(svc(), 'Bola Ade');
  const b = await svc().bookings.create(c.user, {
    serviceId: await serviceId(svc()),
    ...offset(at, 300),
    address: '12 Awolowo Road, Ikoyi',
    idempotencyKey: randomUUID(),
  });
  await until(async () => (await codeOf(svc().dispatch.accept(b.id, tech.id))) === 'OK');
  for (const to of steps) await svc().bookings.advance(b.id, tech, to, { confirmFar: true });
  return { booking: b, cust: { id: c.user.id, role: 'customer' as const }, token: c.token };
}

async function adminClient() {
  const email = uniqueEmail('admin');
  await svc().auth.ensureAdmin(email, 'admin password 1');
  const { token, user } = await httpClient(server).auth.signIn.mutate({
    email,
    password: 'admin password 1',
  });
  return { api: httpClient(server, token), user };
}

describe('review.create', () => {
  it('20 concurrent submissions for one booking store exactly one review', async () => {
    const job = await completedJob();
    const api = httpClient(server, job.customer.token);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        codeOf(
          api.review.create.mutate({ bookingId: job.booking.id, rating: 1 + (i % 5), comment: `#${i}` }),
        ),
      ),
    );
    expect(results.filter((r) => r === 'OK')).toHaveLength(1);
    expect(results.filter((r) => r === 'CONFLICT')).toHaveLength(19);
    const rows = await db().select().from(reviews).where(eq(reviews.bookingId, job.booking.id));
    expect(rows).toHaveLength(1);
  });

  it('only after completion, only within the window', async () => {
    const job = await assignedBooking(svc());
    touched.add(job.technician.user.id);
    const cust = job.customer.user;
    const tech = { id: job.technician.user.id, role: 'technician' as const };
    expect(await codeOf(svc().reviews.create(cust, { bookingId: job.booking.id, rating: 5, tags: [] }))).toBe(
      'CONFLICT',
    );
    for (const to of steps) await svc().bookings.advance(job.booking.id, tech, to, { confirmFar: true });
    // Completed 15 days ago: the 14-day window has closed, for both sides.
    await db()
      .update(bookings)
      .set({ completedAt: sql`now() - interval '15 days'` })
      .where(eq(bookings.id, job.booking.id));
    const late = svc().reviews.create(cust, { bookingId: job.booking.id, rating: 5, tags: [] });
    await expect(late).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'WINDOW_CLOSED' } });
    expect(await codeOf(svc().reviews.rateCustomer(tech, { bookingId: job.booking.id, rating: 4 }))).toBe(
      'CONFLICT',
    );
    const state = await svc().reviews.forBooking(cust, job.booking.id);
    expect(state).toMatchObject({ as: 'customer', canReview: false, review: null });

    // 13 days ago: still open.
    await db()
      .update(bookings)
      .set({ completedAt: sql`now() - interval '13 days'` })
      .where(eq(bookings.id, job.booking.id));
    const review = await svc().reviews.create(cust, {
      bookingId: job.booking.id,
      rating: 4,
      comment: 'Good job',
      tags: ['on_time'],
    });
    expect(review).toMatchObject({ rating: 4, comment: 'Good job', tags: ['on_time'], publishedAt: null });
    // It waits for the end of the window: 14 days after completion.
    const [b] = await db().select().from(bookings).where(eq(bookings.id, job.booking.id));
    expect(Date.parse(review.publishesAt)).toBe(b!.completedAt!.getTime() + 14 * 86_400_000);
  });

  it('strangers get NOT_FOUND; technicians and signed-out callers cannot review', async () => {
    const job = await completedJob();
    const stranger = await customer(svc(), 'Stranger');
    const otherTech = await technician(svc(), offset(job.spot, 5000));
    touched.add(otherTech.user.id);
    const asStranger = httpClient(server, stranger.token);
    const asOtherTech = httpClient(server, otherTech.token);
    const asTech = httpClient(server, job.technician.token);
    const input = { bookingId: job.booking.id, rating: 1 };
    expect(await codeOf(asStranger.review.create.mutate(input))).toBe('NOT_FOUND');
    expect(await codeOf(asStranger.review.create.mutate({ ...input, bookingId: randomUUID() }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(asStranger.review.forBooking.query({ bookingId: job.booking.id }))).toBe('NOT_FOUND');
    expect(await codeOf(asOtherTech.review.rateCustomer.mutate(input))).toBe('NOT_FOUND');
    expect(await codeOf(asTech.review.create.mutate(input))).toBe('FORBIDDEN');
    expect(await codeOf(httpClient(server).review.create.mutate(input))).toBe('UNAUTHORIZED');
    expect(await codeOf(asStranger.review.create.mutate({ ...input, rating: 6 }))).toBe('BAD_REQUEST');
    expect(await db().select().from(reviews).where(eq(reviews.bookingId, job.booking.id))).toHaveLength(0);

    // The review exists but is not published: the technician (and anyone else) cannot see it yet.
    const own = await httpClient(server, job.customer.token).review.create.mutate({ ...input, rating: 2 });
    expect(await codeOf(asTech.review.reply.mutate({ reviewId: own.id, text: 'Sorry' }))).toBe('NOT_FOUND');
    expect(await codeOf(asStranger.review.report.mutate({ reviewId: own.id, reason: 'fake' }))).toBe(
      'NOT_FOUND',
    );
  });
});

describe('double-blind publication', () => {
  it('the review waits until the technician rates the customer, then counts at once', async () => {
    const job = await completedJob();
    const before = await userRow(svc(), job.tech.id);
    const review = await svc().reviews.create(job.cust, {
      bookingId: job.booking.id,
      rating: 5,
      comment: 'Spotless shoes',
      tags: ['quality_work', 'on_time'],
    });
    expect(review.publishedAt).toBeNull();
    // The technician does not see it, nor does the public, nor does it count yet.
    const techState = await svc().reviews.forBooking(job.tech, job.booking.id);
    expect(techState).toMatchObject({ as: 'technician', canRate: true, review: null, customerRating: null });
    expect((await svc().reviews.list({ technicianId: job.tech.id })).items).toHaveLength(0);
    expect((await userRow(svc(), job.tech.id))!.ratingCount).toBe(before!.ratingCount);

    const rated = await svc().reviews.rateCustomer(job.tech, { bookingId: job.booking.id, rating: 3 });
    expect(rated).toMatchObject({ as: 'technician', canRate: false, customerRating: 3, canReply: true });
    expect(rated.as === 'technician' && rated.review?.id).toBe(review.id);
    const after = await userRow(svc(), job.tech.id);
    expect(after).toMatchObject({ ratingSum: before!.ratingSum + 5, ratingCount: before!.ratingCount + 1 });
    const list = await svc().reviews.list({ technicianId: job.tech.id });
    expect(list.items.map((r) => r.id)).toEqual([review.id]);
    expect(list.items[0]).toMatchObject({ rating: 5, author: 'Customer', tags: ['quality_work', 'on_time'] });
    expect(await codeOf(svc().reviews.rateCustomer(job.tech, { bookingId: job.booking.id, rating: 1 }))).toBe(
      'CONFLICT',
    );

    // The technician replies once.
    const replied = await svc().reviews.reply(job.tech, { reviewId: review.id, text: 'Thank you!' });
    expect(replied.reply?.text).toBe('Thank you!');
    expect(await codeOf(svc().reviews.reply(job.tech, { reviewId: review.id, text: 'Again' }))).toBe(
      'CONFLICT',
    );
    const stranger = await technician(svc(), offset(job.spot, 9000));
    const asStranger = { id: stranger.user.id, role: 'technician' as const };
    expect(await codeOf(svc().reviews.reply(asStranger, { reviewId: review.id, text: 'Hi' }))).toBe(
      'NOT_FOUND',
    );
  });

  it('a technician who rated first: the review is published as it is written', async () => {
    const job = await completedJob();
    await svc().reviews.rateCustomer(job.tech, { bookingId: job.booking.id, rating: 5 });
    const review = await svc().reviews.create(job.cust, { bookingId: job.booking.id, rating: 4, tags: [] });
    expect(review.publishedAt).not.toBeNull();
    expect(await userRow(svc(), job.tech.id)).toMatchObject({ ratingSum: 4, ratingCount: 1 });
  });

  it('a review and a rating at the same moment still publish (and count) once', async () => {
    for (let i = 0; i < 5; i++) {
      const job = await completedJob();
      await Promise.all([
        svc().reviews.create(job.cust, { bookingId: job.booking.id, rating: 3, tags: [] }),
        svc().reviews.rateCustomer(job.tech, { bookingId: job.booking.id, rating: 5 }),
      ]);
      const [row] = await db().select().from(reviews).where(eq(reviews.bookingId, job.booking.id));
      expect(row!.publishedAt).not.toBeNull();
      expect(await userRow(svc(), job.tech.id)).toMatchObject({ ratingSum: 3, ratingCount: 1 });
    }
  });

  it('when the window closes the sweep publishes a waiting review', async () => {
    const job = await completedJob();
    const review = await svc().reviews.create(job.cust, { bookingId: job.booking.id, rating: 2, tags: [] });
    await db()
      .update(reviews)
      .set({ publishDueAt: sql`now() - interval '1 second'` })
      .where(eq(reviews.id, review.id));
    // The server's own timer (REVIEW_SWEEP_SECONDS=0.2) publishes it.
    await until(async () => (await svc().reviews.list({ technicianId: job.tech.id })).items.length === 1);
    expect(await userRow(svc(), job.tech.id)).toMatchObject({ ratingSum: 2, ratingCount: 1 });
    // The window has closed for the technician too.
    expect(await svc().reviews.forBooking(job.tech, job.booking.id)).toMatchObject({
      as: 'technician',
      review: { id: review.id },
    });
  });
});

describe('list, report, hide', () => {
  it('pages newest first without duplicates; hiding takes a review out of the list and the average', async () => {
    const first = await completedJob();
    const jobs = [first.booking.id];
    const customers = [first.cust];
    for (let i = 0; i < 4; i++) {
      const j = await anotherJobFor(first.tech, first.spot);
      jobs.push(j.booking.id);
      customers.push(j.cust);
    }
    const ratings = [5, 4, 5, 3, 5];
    const ids: string[] = [];
    for (let i = 0; i < jobs.length; i++) {
      await svc().reviews.rateCustomer(first.tech, { bookingId: jobs[i]!, rating: 4 });
      ids.push(
        (await svc().reviews.create(customers[i]!, { bookingId: jobs[i]!, rating: ratings[i]!, tags: [] }))
          .id,
      );
    }
    expect(await userRow(svc(), first.tech.id)).toMatchObject({ ratingSum: 22, ratingCount: 5 });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await svc().reviews.list({ technicianId: first.tech.id, cursor, limit: 2 });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    // Someone reports one; the admin sees the report and hides it with a reason.
    const reporter = await customer(svc(), 'Reporter');
    const api = httpClient(server, reporter.token);
    await api.review.report.mutate({ reviewId: ids[3]!, reason: 'This is not true' });
    await api.review.report.mutate({ reviewId: ids[3]!, reason: 'Reported twice' });
    const admin = await adminClient();
    const reported = await admin.api.admin.reviews.reported.query();
    const mine = reported.items.find((r) => r.id === ids[3]);
    expect(mine?.reports).toHaveLength(1);
    expect(mine?.author.id).toBe(customers[3]!.id);

    expect(await codeOf(api.admin.reviews.hide.mutate({ reviewId: ids[3]!, reason: 'Abusive' }))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(admin.api.admin.reviews.hide.mutate({ reviewId: ids[3]!, reason: 'no' }))).toBe(
      'BAD_REQUEST',
    );
    const hidden = await admin.api.admin.reviews.hide.mutate({ reviewId: ids[3]!, reason: 'Not a real job' });
    expect(hidden.hidden).toMatchObject({ reason: 'Not a real job', by: admin.user.id });
    expect(
      await codeOf(admin.api.admin.reviews.hide.mutate({ reviewId: ids[3]!, reason: 'Again please' })),
    ).toBe('CONFLICT');
    expect(
      await codeOf(admin.api.admin.reviews.hide.mutate({ reviewId: randomUUID(), reason: 'None' })),
    ).toBe('NOT_FOUND');
    expect(await userRow(svc(), first.tech.id)).toMatchObject({ ratingSum: 19, ratingCount: 4 });
    const list = await httpClient(server).review.list.query({ technicianId: first.tech.id });
    expect(list.items.map((r) => r.id)).not.toContain(ids[3]);
    const audit = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subject, `review:${ids[3]}`), eq(auditLog.action, 'review.hide')));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: admin.user.id, detail: { reason: 'Not a real job' } });

    // The customer's private rating: admins only.
    expect(await admin.api.admin.reviews.customerRating.query({ customerId: customers[0]!.id })).toEqual({
      customerId: customers[0]!.id,
      average: 4,
      count: 1,
    });
    expect(await codeOf(api.admin.reviews.customerRating.query({ customerId: customers[0]!.id }))).toBe(
      'FORBIDDEN',
    );
  });

  it('a review hidden before its publication never counts', async () => {
    const job = await completedJob();
    const review = await svc().reviews.create(job.cust, { bookingId: job.booking.id, rating: 1, tags: [] });
    const admin = await adminClient();
    await admin.api.admin.reviews.hide.mutate({ reviewId: review.id, reason: 'Threatening language' });
    await svc().reviews.rateCustomer(job.tech, { bookingId: job.booking.id, rating: 5 });
    expect(await userRow(svc(), job.tech.id)).toMatchObject({ ratingSum: 0, ratingCount: 0 });
    expect((await svc().reviews.list({ technicianId: job.tech.id })).items).toHaveLength(0);
  });

  it('reviews of a technician who is not verified are NOT_FOUND to the public', async () => {
    const t = await technician(svc(), offset({ lat: 10, lng: 10 }, 10), { verified: false, online: false });
    expect(await codeOf(httpClient(server).review.list.query({ technicianId: t.user.id }))).toBe('NOT_FOUND');
    expect(await codeOf(httpClient(server).review.list.query({ technicianId: randomUUID() }))).toBe(
      'NOT_FOUND',
    );
    expect(
      (await httpClient(server, t.token).review.list.query({ technicianId: t.user.id })).items,
    ).toHaveLength(0);
  });
});

describe('ratings', () => {
  it('a Bayesian average: one 5-star review does not beat 200 reviews at 4.8', () => {
    expect(bayesianScore(5, 1)).toBeLessThan(bayesianScore(4.8 * 200, 200));
    expect(bayesianScore(0, 0)).toBe(4);
    expect(bayesianScore(3.5 * 100, 100)).toBeLessThan(bayesianScore(0, 0));
  });

  it('reviews show a first name and an initial only', () => {
    expect(shortName('Ada Okafor')).toBe('Ada O.');
    expect(shortName('  Mona  Ali Hassan ')).toBe('Mona H.');
    expect(shortName('Tunde')).toBe('Tunde');
    expect(shortName('منى حسن')).toBe('منى ح.');
  });
});
