import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookingInvoices } from '../../../db/schema';
import { admin, codeOf, customer } from '../../test/fixtures';
import { httpClient } from '../../test/harness';
import { createLedgerRepo } from '../ledger/ledger.repo';
import { accounts } from '../ledger/ledger.service';
import { completedBooking, serverWithGateways } from './payments.fixtures';

// Issue 10 §4: a cash refund becomes account credit, and that credit is used on the next booking, once.
describe('account credit from cash refunds', () => {
  // The ledger is checked to balance after this block's tests.
  const rig = serverWithGateways();

  const adminClient = async () => httpClient(rig.server, (await admin(rig.server.services)).token);

  it('is shown on the next bill, lowers what the technician collects, and two bookings cannot spend it twice', async () => {
    const asAdmin = await adminClient();
    const c = await customer(rig.server.services);
    const asCustomer = httpClient(rig.server, c.token);

    // A cash job, paid, then partly refunded by an admin: the refund is credit, not money out.
    const first = await completedBooking(rig.server.services, { customer: c });
    const firstDue = (await asCustomer.payment.get.query({ bookingId: first.booking.id })).due!.amount;
    await httpClient(rig.server, first.technician.token).payment.confirmCash.mutate({
      bookingId: first.booking.id,
      amount: firstDue,
    });
    const paid = await asCustomer.payment.get.query({ bookingId: first.booking.id });
    const credit = Math.floor(firstDue / 4);
    await asAdmin.admin.payments.refund.mutate({
      paymentId: paid.paymentId!,
      amount: credit,
      reason: 'late',
    });

    // Two more jobs of the same customer: each bill shows the credit while it is unspent.
    const [second, third] = await Promise.all([
      completedBooking(rig.server.services, { customer: c }),
      completedBooking(rig.server.services, { customer: c }),
    ]);
    const bills = await Promise.all(
      [second, third].map((b) => asCustomer.payment.get.query({ bookingId: b.booking.id })),
    );
    const totals = await Promise.all(
      [second, third].map(async (b) => {
        const [inv] = await rig.server.database.db
          .select({ total: bookingInvoices.total })
          .from(bookingInvoices)
          .where(eq(bookingInvoices.bookingId, b.booking.id));
        return inv!.total;
      }),
    );
    for (const [i, bill] of bills.entries()) {
      expect(bill.due!.amount).toBe(totals[i]! - credit);
      expect(bill.items.find((x) => x.kind === 'credit')?.amount.amount).toBe(-credit);
    }

    // Both technicians collect the reduced amount at the same moment: the credit is spent once.
    const outcomes = await Promise.all(
      [second, third].map((b, i) =>
        codeOf(
          httpClient(rig.server, b.technician.token).payment.confirmCash.mutate({
            bookingId: b.booking.id,
            amount: totals[i]! - credit,
          }),
        ),
      ),
    );
    expect([...outcomes].sort()).toEqual(['BAD_REQUEST', 'OK']);
    const states = await Promise.all(
      [second, third].map((b) => asCustomer.payment.get.query({ bookingId: b.booking.id })),
    );
    const winner = outcomes.indexOf('OK');
    const loser = 1 - winner;
    expect(states[winner]!.status).toBe('paid');
    expect(states[loser]!.status).toBe('unpaid');
    expect(states[winner]!.items.find((x) => x.kind === 'credit')?.amount.amount).toBe(-credit);
    // The other bill is back to its full amount, with no credit line.
    expect(states[loser]!.due!.amount).toBe(totals[loser]!);
    expect(states[loser]!.items.some((x) => x.kind === 'credit')).toBe(false);

    // The receipt shows the credit applied; the customer now owes exactly the unpaid bill.
    const receipt = await asCustomer.payment.receipt.query({
      bookingId: [second, third][winner]!.booking.id,
    });
    expect(receipt.items.find((x) => x.kind === 'credit')?.amount.amount).toBe(-credit);
    expect(receipt.total.amount).toBe(totals[winner]! - credit);
    const owed = await createLedgerRepo(rig.server.database.db).balance(accounts.customer(c.user.id), 'NGN');
    expect(Number(owed)).toBe(totals[loser]!);
  });
});
