import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookings, organizations, payments } from '../../../db/schema';
import { codeOf, customer, offset, serviceId, technician, uniqueSpot, until } from '../../test/fixtures';
import { httpClient } from '../../test/harness';
import { arriveAndStart, serverWithGateways } from '../payments/payments.fixtures';

/** Organisation billing (issue 17 §1): the organisation pays its bookings, through its keys. */
describe('organisation billing', () => {
  const rig = serverWithGateways();

  /** An organisation with a paying key and a read-only key, and a booking of its made and completed. */
  async function orgJob() {
    const s = rig.server;
    const owner = await customer(s.services, 'Owner');
    const person = httpClient(s, owner.token);
    const org = await person.org.create.mutate({ name: `Billing ${randomUUID().slice(0, 6)}` });
    const write = await person.apiKey.create.mutate({
      name: 'pays',
      scopes: ['bookings:read', 'bookings:write'],
    });
    const read = await person.apiKey.create.mutate({ name: 'reads', scopes: ['bookings:read'] });
    const api = httpClient(s, write.secret);
    const spot = uniqueSpot();
    const t = await technician(s.services, offset(spot, 2000));
    const booking = await api.booking.create.mutate({
      serviceId: await serviceId(s.services),
      ...spot,
      address: '3 Bishop Aboyade Cole Street, Victoria Island',
      siteContact: { name: 'Facilities desk', phone: '+2348031234567' },
      idempotencyKey: randomUUID(),
    });
    await until(async () => {
      try {
        await s.services.dispatch.accept(booking.id, t.user.id);
        return true;
      } catch {
        return false;
      }
    });
    await arriveAndStart(s.services, { booking, technician: t } as Parameters<typeof arriveAndStart>[1]);
    await s.services.bookings.advance(booking.id, t.user, 'completed');
    const [row] = await s.database.db.select().from(organizations).where(eq(organizations.id, org.id));
    return { api, readOnly: httpClient(s, read.secret), booking, principalId: row!.principalUserId };
  }

  it('a bookings:write key pays online for its organisation’s booking; the organisation is the payer', async () => {
    const j = await orgJob();
    const methods = await j.readOnly.payment.methods.query({ bookingId: j.booking.id });
    expect(methods.methods.map((m) => m.method)).toContain('paystack');
    const pay = { bookingId: j.booking.id, method: 'paystack' as const, idempotencyKey: randomUUID() };
    // bookings:read does not pay.
    expect(await codeOf(j.readOnly.payment.checkout.mutate(pay))).toBe('FORBIDDEN');
    expect(await codeOf(j.readOnly.payment.verify.mutate({ bookingId: j.booking.id }))).toBe('FORBIDDEN');

    const c = await j.api.payment.checkout.mutate(pay);
    expect(c.status).toBe('pending');
    expect(c.redirectUrl).toMatch(new RegExp(`^${rig.gw.paystack.url}/checkout/`));
    const [p] = await rig.server.database.db.select().from(payments).where(eq(payments.id, c.paymentId));
    expect(p!.customerId).toBe(j.principalId);

    await rig.gw.paystack.pay(p!.reference);
    const paid = await until(async () => {
      const v = await j.api.payment.verify.mutate({ bookingId: j.booking.id });
      return v.status === 'paid' ? v : null;
    });
    expect(paid.paymentId).toBe(c.paymentId);
    expect((await j.readOnly.payment.receipt.query({ bookingId: j.booking.id })).bookingId).toBe(
      j.booking.id,
    );
  });

  it('another organisation’s key cannot pay or verify it (NOT_FOUND); a sandbox booking is never paid online', async () => {
    const j = await orgJob();
    const other = await orgJob();
    const pay = { bookingId: j.booking.id, method: 'paystack' as const, idempotencyKey: randomUUID() };
    expect(await codeOf(other.api.payment.checkout.mutate(pay))).toBe('NOT_FOUND');
    expect(await codeOf(other.api.payment.verify.mutate({ bookingId: j.booking.id }))).toBe('NOT_FOUND');

    // A test-mode booking (sandbox): no real gateway is ever asked.
    await rig.server.database.db.update(bookings).set({ sandbox: true }).where(eq(bookings.id, j.booking.id));
    expect(await codeOf(j.api.payment.checkout.mutate(pay))).toBe('BAD_REQUEST');
    expect(
      await rig.server.database.db.select().from(payments).where(eq(payments.bookingId, j.booking.id)),
    ).toEqual([]);
  });
});
