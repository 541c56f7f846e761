import { describe, expect, it } from 'vitest';
import { offset, technician, uniqueSpot, until } from '../../test/fixtures';
import { rushServer } from './rush.fixtures';

/**
 * Issue 18 §2: a technician freed when nothing waits costs no query (one node knows every round). A
 * database of this file's own, so that no other file's waiting bookings are around; sweeps a minute away.
 */
const { svc, book, openOffersOf } = rushServer();

/** Books near `t`, has them accept and work the job to `completed`; `before` runs once they are busy. */
async function workJob(
  t: Awaited<ReturnType<typeof technician>>,
  spot: { lat: number; lng: number },
  before?: () => Promise<void>,
) {
  const job = await book(spot);
  await until(async () => (await openOffersOf(t.user.id)).some((o) => o.bookingId === job.id));
  await svc().dispatch.accept(job.id, t.user.id);
  await before?.();
  for (const to of ['en_route', 'arrived', 'in_progress', 'completed'] as const)
    await svc().bookings.advance(job.id, t.user, to, { confirmFar: true });
}

describe('a freed technician and the bookings waiting near them', () => {
  it('nothing waiting: finishing a job looks nothing up; a booking waiting: it is looked up and offered at once', async () => {
    const spot = uniqueSpot();
    const t = await technician(svc(), spot);
    // The startup sweep has run (its rounds tell dispatch what waits): nothing does.
    const start = svc().dispatch.freedStats();
    await workJob(t, spot);
    await new Promise((r) => setTimeout(r, 300));
    const after = svc().dispatch.freedStats();
    expect(after.lookups).toBe(start.lookups);
    expect(after.skipped).toBeGreaterThan(start.skipped);

    // Now one waits (nobody free when it was booked): the next finish looks it up and offers it.
    let waiting: { id: string } | undefined;
    await workJob(t, spot, async () => {
      waiting = await book(offset(spot, 200));
      await new Promise((r) => setTimeout(r, 300));
      expect(await openOffersOf(t.user.id)).toHaveLength(0);
    });
    const next = await until(async () =>
      (await openOffersOf(t.user.id)).find((o) => o.bookingId === waiting!.id),
    );
    expect(next.bookingId).toBe(waiting!.id);
    expect(svc().dispatch.freedStats().lookups).toBeGreaterThan(after.lookups);
  });
});
