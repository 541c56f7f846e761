import { expect as baseExpect, test } from '@playwright/test';
import { callApi, completedJob, contextsAt, onlineShoeShineTechnician, signUp, uniqueEmail } from './helpers';

// Many screens and two live streams per step: on a busy CI machine 10 s per check is not always enough.
const expect = baseExpect.configure({ timeout: 30_000 });

// Near Ikorodu, inside the Lagos market and away from the demo technicians, so our technician gets the job.
const spot = { latitude: 6.62 + Math.random() * 0.01, longitude: 3.5 + Math.random() * 0.01 };

test('a customer opens a dispute; an admin handles it end to end; the customer sees the outcome', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const { page: context, close } = contextsAt(browser, spot);
  try {
    // A verified technician online at the spot; a customer whose shoe shine they complete, paid in cash.
    const tech = await context(true);
    const admin = await context(false);
    const { serviceId } = await onlineShoeShineTechnician(tech, admin, {
      name: 'Femi Dispute',
      email: uniqueEmail('e2e-dsp-tech'),
      timeout: 30_000,
    });

    const customer = await context(true);
    await signUp(customer, { name: 'Bisi Complains', email: uniqueEmail('e2e-dsp-cust'), role: 'customer' });
    const booking = await completedJob<{ id: string; price: { total: { amount: number } } }>(customer, tech, {
      serviceId,
      spot,
      address: '12 Ikorodu Road, Ikorodu',
    });
    const total = booking.price.total.amount;
    await callApi(tech, 'POST', 'payment.confirmCash', { bookingId: booking.id, amount: total });

    // The customer reports a problem from the booking screen: a case opens.
    await customer.goto(`/bookings/${booking.id}`);
    await expect(customer.getByTestId('booking-status')).toHaveAttribute('data-status', 'completed');
    await customer.getByTestId('dispute-booking').click();
    const dialog = customer.getByTestId('dispute-dialog');
    await dialog.locator('textarea').fill('The left shoe was scratched during the shine.');
    await dialog.locator('button[type=submit]').click();
    await expect(customer.getByTestId('booking-status')).toHaveAttribute('data-status', 'disputed');
    const panel = customer.getByTestId('case-panel');
    await expect(panel).toHaveAttribute('data-status', 'open');

    // The admin finds it in the queue and opens the case: the evidence is there.
    await admin.goto('/home');
    await admin.getByTestId('admin-disputes-link').click();
    await expect(admin.getByTestId('admin-disputes')).toBeVisible();
    const row = admin.getByTestId('case-row').filter({ hasText: 'Bisi Complains' });
    await row.getByRole('link').click();
    const kase = admin.getByTestId('admin-case');
    await expect(kase).toHaveAttribute('data-status', 'open');
    await expect(kase).toContainText('The left shoe was scratched');
    await expect(kase.getByTestId('evidence-timeline')).toContainText('Completed');
    await expect(kase.getByTestId('evidence-chat')).toBeVisible();

    // Messages: the admin asks the customer, who answers on the booking screen (live through me.events).
    await kase.getByTestId('message-to-customer').click();
    await kase.getByTestId('admin-message').fill('Sorry to hear that. Is the scratch deep?');
    await kase.getByRole('button', { name: 'Send' }).click();
    await expect(kase.getByTestId('thread-customer')).toContainText('Is the scratch deep?');
    await expect(panel.getByTestId('case-thread')).toContainText('Is the scratch deep?');
    await panel.getByTestId('case-reply').fill('Yes, it shows on the toe.');
    await panel.getByRole('button', { name: 'Send' }).click();
    await expect(panel.getByTestId('case-thread')).toContainText('it shows on the toe');
    await admin.reload();
    await expect(kase.getByTestId('thread-customer')).toContainText('it shows on the toe');

    // The outcome: a partial refund of half, with a note to both sides.
    await kase.getByTestId('outcome-partial_refund').check();
    await kase.getByTestId('refund-amount').fill(String(Math.floor(total / 2) / 100));
    await kase.getByTestId('outcome-note').fill('Half refunded for the scratch.');
    await kase.getByTestId('resolve-case').click();
    await expect(kase).toHaveAttribute('data-status', 'resolved');
    await expect(kase.getByTestId('case-outcome')).toContainText('Partial refund');

    // The customer sees it without reloading.
    await expect(panel).toHaveAttribute('data-status', 'resolved');
    await expect(panel.getByTestId('case-outcome')).toContainText('Partial refund');
    await expect(panel.getByTestId('case-outcome')).toContainText('Half refunded for the scratch.');
    const paid = await callApi<{ refunded: { amount: number } | null }>(customer, 'GET', 'payment.get', {
      bookingId: booking.id,
    });
    expect(paid.refunded?.amount).toBe(Math.floor(total / 2));

    // Closed: the conversation ends, the outcome stays.
    await kase.getByTestId('close-case').click();
    await admin.getByTestId('confirm-dialog-yes').click();
    await expect(kase).toHaveAttribute('data-status', 'closed');
    await expect(panel).toHaveAttribute('data-status', 'closed');
    await expect(panel.getByTestId('case-reply')).toHaveCount(0);
    await expect(panel.getByTestId('case-outcome')).toContainText('Partial refund');
  } finally {
    await close();
  }
});
