import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookings } from '../../../db/schema';
import { assignedBooking, codeOf, customer } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';

/** payment.cancellationQuote: the cancel dialog's fee, the same the cancel transaction then charges. */
describe('payment.cancellationQuote', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  /** As if the technician had been assigned `minutes` ago (the grace period runs from assignment). */
  const assignedAgo = (id: string, minutes: number) =>
    server.database.db
      .update(bookings)
      .set({ assignedAt: new Date(Date.now() - minutes * 60_000) })
      .where(eq(bookings.id, id));

  it('is null while cancelling is free, states the fee once the technician set off after the grace period, and the cancel charges exactly that', async () => {
    const a = await assignedBooking(server.services);
    const id = a.booking.id;
    const asCustomer = httpClient(server, a.customer.token);
    const asTech = httpClient(server, a.technician.token);

    // Assigned, not on the way: free.
    expect(await asCustomer.payment.cancellationQuote.query({ bookingId: id })).toBeNull();
    await server.services.bookings.advance(id, a.technician.user, 'en_route');
    // On the way, within the grace period: still free.
    expect(await asCustomer.payment.cancellationQuote.query({ bookingId: id })).toBeNull();

    await assignedAgo(id, 10);
    const quote = await asCustomer.payment.cancellationQuote.query({ bookingId: id });
    // Lagos: a fixed ₦1,000, 80 % of it the technician's.
    expect(quote).toEqual({
      fee: { amount: 100_000, currency: 'NGN' },
      technicianShare: { amount: 80_000, currency: 'NGN' },
    });
    // Only the customer's own cancellation is charged: the technician is quoted nothing.
    expect(await asTech.payment.cancellationQuote.query({ bookingId: id })).toBeNull();
    // Strangers learn nothing about the booking.
    const stranger = httpClient(server, (await customer(server.services)).token);
    expect(await codeOf(stranger.payment.cancellationQuote.query({ bookingId: id }))).toBe('NOT_FOUND');

    await asCustomer.booking.cancel.mutate({ id, reason: 'changed my mind' });
    const bill = await asCustomer.payment.get.query({ bookingId: id });
    expect(bill.due).toEqual(quote!.fee);
    expect(bill.items.map((i) => i.kind)).toEqual(['cancellation_fee']);
    // Cancelled: nothing more to quote.
    expect(await asCustomer.payment.cancellationQuote.query({ bookingId: id })).toBeNull();
  });
});
