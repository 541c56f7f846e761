import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviews } from '../../../db/schema';
import { assignedBooking, userRow } from '../../test/fixtures';
import { startTestServer, type TestServer } from '../../test/harness';
import { createReviewRepo } from './review.repo';

// The SQL of publication (advisory lock, exactly-once UPDATE, the sweep's data-modifying CTE with SKIP
// LOCKED) on both drivers: the embedded PGlite runs it too.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ REVIEW_SWEEP_SECONDS: '3600' });
});
afterAll(() => server.close());
const svc = () => server.services;

async function completedJob() {
  const job = await assignedBooking(svc());
  const tech = { id: job.technician.user.id, role: 'technician' as const };
  for (const to of ['en_route', 'arrived', 'in_progress', 'completed'] as const)
    await svc().bookings.advance(job.booking.id, tech, to, { confirmFar: true });
  return { booking: job.booking, tech, cust: { id: job.customer.user.id, role: 'customer' as const } };
}

describe('publication', () => {
  it('by the rating, and by the sweep once the window has closed; aggregates follow the rows', async () => {
    const a = await completedJob();
    await svc().reviews.create(a.cust, { bookingId: a.booking.id, rating: 4, tags: ['on_time'] });
    await svc().reviews.rateCustomer(a.tech, { bookingId: a.booking.id, rating: 5 });
    expect(await userRow(svc(), a.tech.id)).toMatchObject({ ratingSum: 4, ratingCount: 1 });

    const b = await completedJob();
    const waiting = await svc().reviews.create(b.cust, { bookingId: b.booking.id, rating: 2, tags: [] });
    // (Counts are not asserted: other files share the database and may have due reviews of their own.)
    const publishedAt = async () =>
      (await svc().database.db.select().from(reviews).where(eq(reviews.id, waiting.id)))[0]!.publishedAt;
    await svc().reviews.publishDue();
    expect(await publishedAt()).toBeNull();
    await svc()
      .database.db.update(reviews)
      .set({ publishDueAt: sql`now() - interval '1 second'` })
      .where(eq(reviews.id, waiting.id));
    expect(await svc().reviews.publishDue()).toBeGreaterThanOrEqual(1);
    expect(await publishedAt()).not.toBeNull();
    await svc().reviews.publishDue();
    expect(await userRow(svc(), b.tech.id)).toMatchObject({ ratingSum: 2, ratingCount: 1 });

    const repo = createReviewRepo(svc().database.db);
    for (const t of [a.tech.id, b.tech.id]) {
      const row = await userRow(svc(), t);
      expect({ sum: row!.ratingSum, count: row!.ratingCount }).toEqual(await repo.recomputed(t));
    }
    const profile = await svc().search.profile(a.tech.id, null);
    expect(profile.topTags).toEqual([{ tag: 'on_time', count: 1 }]);
    expect(profile.jobsCompleted).toBe(1);
  });
});
