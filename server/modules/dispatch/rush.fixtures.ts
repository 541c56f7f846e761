import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import { dispatchOffers } from '../../../db/schema';
import { customer, serviceId } from '../../test/fixtures';
import { startTestServer, type TestServer } from '../../test/harness';

/**
 * A server on a database of the file's own, with sweeps slowed to a minute: whatever a dispatch test sees
 * happens because of the event, not a sweep. Registers its own beforeAll/afterAll.
 */
export function rushServer() {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(
      { DISPATCH_SWEEP_MS: '60000', OFFER_WINDOW_SECONDS: '30', DISPATCH_SEARCH_WINDOW_SECONDS: '300' },
      { isolated: true },
    );
  });
  afterAll(() => server.close());
  const svc = () => server.services;

  /** A new customer books the first service at `at`. */
  async function book(at: { lat: number; lng: number }) {
    const c = await customer(svc());
    return svc().bookings.create(c.user, {
      serviceId: await serviceId(svc()),
      ...at,
      address: '8 Rush Hour Road, Yaba',
      idempotencyKey: randomUUID(),
    });
  }

  const openOffersOf = (technicianId: string) =>
    svc()
      .database.db.select()
      .from(dispatchOffers)
      .where(and(eq(dispatchOffers.technicianId, technicianId), eq(dispatchOffers.status, 'offered')));

  return { svc, book, openOffersOf };
}
