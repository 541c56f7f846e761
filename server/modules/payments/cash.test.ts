import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, notifications, payments } from '../../../db/schema';
import { admin, assignedBooking, codeOf, customer } from '../../test/fixtures';
import { httpClient } from '../../test/harness';
import { arriveAndStart, completedBooking, serverWithGateways } from './payments.fixtures';
import { createPaymentsService } from './payments.service';

describe('cash, extras, cancellation fees, unpaid bookings, earnings and payouts', () => {
  // The ledger is checked to balance after this block's tests.
  const rig = serverWithGateways();

  const adminClient = async () => httpClient(rig.server, (await admin(rig.server.services)).token);

  it('extras: added by the technician while working, billed only when the customer approved them; a cash job makes the commission the technician’s debt', async () => {
    const a = await assignedBooking(rig.server.services);
    const asCustomer = httpClient(rig.server, a.customer.token);
    const asTech = httpClient(rig.server, a.technician.token);
    const id = a.booking.id;
    // Not before arriving.
    expect(await codeOf(asTech.booking.addExtra.mutate({ id, label: 'Polish', amount: 20_000 }))).toBe(
      'CONFLICT',
    );
    await arriveAndStart(rig.server.services, a);
    const polish = await asTech.booking.addExtra.mutate({ id, label: 'Polish', amount: 20_000 });
    const laces = await asTech.booking.addExtra.mutate({ id, label: 'Laces', amount: 5_000 });
    await asTech.booking.addExtra.mutate({ id, label: 'Never answered', amount: 7_000 });
    expect(polish).toMatchObject({ status: 'pending', amount: { amount: 20_000, currency: 'NGN' } });
    // Only the assigned technician adds, only the customer answers; strangers see nothing.
    const stranger = httpClient(rig.server, (await customer(rig.server.services)).token);
    expect(await codeOf(asCustomer.booking.addExtra.mutate({ id, label: 'x', amount: 1 }))).toBe('FORBIDDEN');
    expect(
      await codeOf(stranger.booking.respondExtra.mutate({ id, extraId: polish.id, approve: true })),
    ).toBe('NOT_FOUND');
    expect(await codeOf(asTech.booking.respondExtra.mutate({ id, extraId: polish.id, approve: true }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await asCustomer.booking.respondExtra.mutate({ id, extraId: polish.id, approve: true }),
    ).toMatchObject({ status: 'approved' });
    // The same answer again is a retry; the opposite one a conflict.
    expect(
      await asCustomer.booking.respondExtra.mutate({ id, extraId: polish.id, approve: true }),
    ).toMatchObject({ status: 'approved' });
    expect(
      await codeOf(asCustomer.booking.respondExtra.mutate({ id, extraId: polish.id, approve: false })),
    ).toBe('CONFLICT');
    await asCustomer.booking.respondExtra.mutate({ id, extraId: laces.id, approve: false });
    // The live screen lists extras waiting for an answer.
    expect((await asCustomer.payment.get.query({ bookingId: id })).extras.map((e) => e.status)).toEqual([
      'approved',
      'rejected',
      'pending',
    ]);

    await rig.server.services.bookings.advance(id, a.technician.user, 'completed');
    expect(await codeOf(asTech.booking.addExtra.mutate({ id, label: 'late', amount: 1 }))).toBe('CONFLICT');

    const bill = await asCustomer.payment.get.query({ bookingId: id });
    const quote = a.booking.price.total.amount;
    expect(bill.due).toEqual({ amount: quote + 20_000, currency: 'NGN' });
    expect(bill.items.map((i) => [i.kind, i.amount.amount])).toEqual([
      ['service', quote],
      ['extra', 20_000],
    ]);

    // Cash: at least the amount due; above it is a tip. Only the assigned technician confirms.
    expect(await codeOf(asTech.payment.confirmCash.mutate({ bookingId: id, amount: quote }))).toBe(
      'BAD_REQUEST',
    );
    expect(
      await codeOf(asCustomer.payment.confirmCash.mutate({ bookingId: id, amount: quote + 20_000 })),
    ).toBe('FORBIDDEN');
    const paid = await asTech.payment.confirmCash.mutate({ bookingId: id, amount: quote + 20_500 });
    expect(paid).toMatchObject({ status: 'paid', method: 'cash', tip: { amount: 500 } });
    // A retry of the same confirmation is harmless.
    await asTech.payment.confirmCash.mutate({ bookingId: id, amount: quote + 20_500 });
    // The customer's receipt (issue 11 §2), written once with the payment.
    const receipts = await rig.server.database.db
      .select({ data: notifications.data })
      .from(notifications)
      .where(and(eq(notifications.userId, a.customer.user.id), eq(notifications.kind, 'receipt')));
    expect(receipts.map((r) => r.data)).toEqual([
      expect.objectContaining({
        bookingId: id,
        amount: quote + 20_500,
        currency: 'NGN',
        serviceEn: 'Shoe shine',
      }),
    ]);
    expect(
      await rig.server.database.db.select().from(payments).where(eq(payments.bookingId, id)),
    ).toHaveLength(1);

    const s = await asTech.earnings.summary.query();
    const share = a.booking.price.technicianEarnings.amount;
    const commission = a.booking.price.commission.amount;
    expect(s).toEqual({
      currency: 'NGN',
      earned: share + 20_000,
      tips: 500,
      commission,
      cashCollected: quote + 20_500,
      paidOut: 0,
      balance: -commission,
    });
    const entries = await asTech.earnings.entries.query({});
    expect(entries.items.map((e) => e.line).sort()).toEqual(['cash', 'earnings', 'tip']);
    expect(await codeOf(asCustomer.earnings.summary.query())).toBe('FORBIDDEN');
    // Nobody owes a payout to a technician who owes the platform.
    const admin = await adminClient();
    const list = await admin.admin.payouts.list.query();
    expect(list.find((p) => p.technician.id === a.technician.user.id)).toBeUndefined();
    const receipt = await asCustomer.payment.receipt.query({ bookingId: id });
    expect(receipt).toMatchObject({ method: 'cash', total: { amount: quote + 20_500 } });
  });

  it('a cancellation after the technician set off costs the market fee, mostly theirs; free within the grace period', async () => {
    const a = await assignedBooking(rig.server.services);
    await rig.server.services.bookings.advance(a.booking.id, a.technician.user, 'en_route');
    const [row] = await rig.server.database.db
      .select()
      .from((await import('../../../db/schema')).bookings)
      .where(eq((await import('../../../db/schema')).bookings.id, a.booking.id));
    const soon = await rig.server.services.payments.cancellationFee(row!, new Date());
    expect(soon.fee).toBe(0);
    const later = new Date(row!.assignedAt!.getTime() + 10 * 60_000);
    expect(await rig.server.services.payments.cancellationFee(row!, later)).toMatchObject({
      fee: 100_000,
      technicianShare: 80_000,
      commission: 20_000,
      currency: 'NGN',
    });
    // The hook the booking service runs inside its cancel transaction, with the row as it was.
    await rig.server.database.db.transaction((tx) =>
      rig.server.services.payments.onCancelled(tx, row!, 'customer', later),
    );
    await rig.server.services.bookings.cancel(a.booking.id, a.customer.user, 'changed my mind');
    const asCustomer = httpClient(rig.server, a.customer.token);
    const bill = await asCustomer.payment.get.query({ bookingId: a.booking.id });
    expect(bill).toMatchObject({ status: 'unpaid', due: { amount: 100_000, currency: 'NGN' } });
    expect(bill.items.map((i) => i.kind)).toEqual(['cancellation_fee']);
    const c = await asCustomer.payment.checkout.mutate({
      bookingId: a.booking.id,
      method: 'paystack',
      idempotencyKey: randomUUID(),
    });
    const [p] = await rig.server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    await rig.gw.paystack.pay(p!.reference);
    expect((await asCustomer.payment.get.query({ bookingId: a.booking.id })).status).toBe('paid');
    const s = await httpClient(rig.server, a.technician.token).earnings.summary.query();
    expect(s).toMatchObject({ earned: 80_000, balance: 80_000, commission: 20_000 });
  });

  it('an unpaid completed booking older than the grace period blocks booking again until it is paid', async () => {
    const a = await completedBooking(rig.server.services);
    await rig.server.services.payments.assertCanBook(a.customer.user.id); // within the grace period
    const tomorrow = createPaymentsService({
      db: rig.server.database.db,
      ledger: rig.server.services.ledger,
      providers: {},
      market: 'lagos',
      markets: rig.server.services.markets,
      publicUrl: () => rig.server.url,
      now: () => new Date(Date.now() + 25 * 3600_000),
    });
    const err = await tomorrow.assertCanBook(a.customer.user.id).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'UNPAID_BOOKING', bookingId: a.booking.id },
    });
    await httpClient(rig.server, a.technician.token).payment.confirmCash.mutate({
      bookingId: a.booking.id,
      amount: a.booking.price.total.amount,
    });
    await tomorrow.assertCanBook(a.customer.user.id);
  });

  it('payouts: the weekly statement owes each technician their balance; marking it paid settles it once', async () => {
    const a = await completedBooking(rig.server.services);
    const asCustomer = httpClient(rig.server, a.customer.token);
    const c = await asCustomer.payment.checkout.mutate({
      bookingId: a.booking.id,
      method: 'stripe',
      tip: 1_000,
      idempotencyKey: randomUUID(),
    });
    const [p] = await rig.server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    await rig.gw.stripe.pay(p!.providerRef!);
    expect((await asCustomer.payment.get.query({ bookingId: a.booking.id })).status).toBe('paid');
    const owed = a.booking.price.technicianEarnings.amount + 1_000;
    const admin = await adminClient();
    const mine = (await admin.admin.payouts.list.query()).find(
      (x) => x.technician.id === a.technician.user.id,
    );
    expect(mine).toMatchObject({ status: 'pending', amount: { amount: owed, currency: 'NGN' } });
    // Listing again does not make a second one.
    const again = (await admin.admin.payouts.list.query()).filter(
      (x) => x.technician.id === a.technician.user.id,
    );
    expect(again).toHaveLength(1);
    const paid = await admin.admin.payouts.markPaid.mutate({ payoutId: mine!.id, reference: 'TRF-0001' });
    expect(paid).toMatchObject({ status: 'paid', reference: 'TRF-0001' });
    await admin.admin.payouts.markPaid.mutate({ payoutId: mine!.id, reference: 'TRF-0001' });
    // Audited once (the repeat with the same reference changed nothing, so it wrote no second row).
    const trail = await rig.server.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'payout.markPaid'), eq(auditLog.subject, `payout:${mine!.id}`)));
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({
      before: { status: 'pending' },
      after: { status: 'paid', reference: 'TRF-0001' },
      detail: { technicianId: a.technician.user.id, amount: owed, currency: 'NGN' },
    });
    expect(trail[0]!.actorId).toBeTruthy();
    expect(
      await codeOf(admin.admin.payouts.markPaid.mutate({ payoutId: mine!.id, reference: 'TRF-0002' })),
    ).toBe('CONFLICT');
    const s = await httpClient(rig.server, a.technician.token).earnings.summary.query();
    expect(s).toMatchObject({ paidOut: owed, balance: 0 });
    expect(await codeOf(asCustomer.admin.payouts.list.query())).toBe('FORBIDDEN');
  });
});
