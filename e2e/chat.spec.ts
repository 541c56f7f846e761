import AxeBuilder from '@axe-core/playwright';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { acceptOffer, onlineShoeShineTechnician, requestShoeShine, signUp, uniqueEmail } from './helpers';

// Inside the Lagos market, towards Lekki–Epe: some 30 km from the demo technicians and the other specs' spots.
const spot = { latitude: 6.5 + Math.random() * 0.08, longitude: 3.8 + Math.random() * 0.08 };

const messages = (page: Page) => page.getByTestId('chat').getByTestId('chat-message');

async function write(page: Page, text: string) {
  const input = page.getByTestId('chat-input');
  await input.fill(text);
  await input.press('Enter');
  await expect(input).toHaveValue('');
}

test('the customer and the technician chat on the booking screen: live, with receipts, offline, and masked after the job', async ({
  browser,
}) => {
  test.setTimeout(240_000); // a long journey; generous for a busy CI machine
  const contexts: BrowserContext[] = [];
  const context = async (geo: boolean) => {
    const c = await browser.newContext(geo ? { geolocation: spot, permissions: ['geolocation'] } : {});
    contexts.push(c);
    return { context: c, page: await c.newPage() };
  };
  try {
    const { page: tech } = await context(true);
    const { page: admin } = await context(false);
    await onlineShoeShineTechnician(tech, admin, {
      name: 'Bayo Technician',
      email: uniqueEmail('chat-tech'),
    });
    const { context: customerContext, page: customer } = await context(true);
    await signUp(customer, { name: 'Kemi Customer', email: uniqueEmail('chat-cust'), role: 'customer' });
    await requestShoeShine(customer, '5 Chat Close, Ibadan');
    await acceptOffer(tech);

    // Both open the booking screen: the conversation is there, empty.
    const bookingPath = new URL(customer.url()).pathname;
    await tech.goto(bookingPath);
    for (const page of [customer, tech]) {
      await expect(page.getByTestId('chat')).toBeVisible();
      await expect(page.getByTestId('chat-log')).toContainText('No messages yet');
    }
    await expect(customer.getByTestId('chat')).toContainText('Chat with Bayo Technician');
    await expect(tech.getByTestId('chat')).toContainText('Chat with Kemi Customer');

    // The customer writes; the technician sees it live; the customer's ticks go to "read".
    await write(customer, 'Hello! My number is 0803 123 4567, the gate is blue.');
    await expect(messages(tech)).toHaveCount(1);
    await expect(messages(tech).first()).toContainText('0803 123 4567');
    // Read means seen: the technician looks at it. (On a 360×740 phone their conversation starts below
    // the status panel and the case panel's "Report customer": the newest message is under the fold
    // until they scroll, and stays "delivered" until then.)
    await messages(tech).first().scrollIntoViewIfNeeded();
    await expect(messages(customer).first()).toHaveAttribute('data-state', 'read');

    // A quick reply back.
    await tech.getByTestId('chat-quick').filter({ hasText: 'I’m outside' }).click();
    await expect(messages(customer).last()).toContainText('I’m outside');
    await expect(messages(tech).last()).toHaveAttribute('data-state', 'read');

    // Text stays text: no HTML, no clickable links.
    await write(customer, '<b>bold?</b> see https://example.com');
    await expect(messages(tech).last()).toContainText('<b>bold?</b> see https://example.com');
    await expect(tech.getByTestId('chat-log').locator('a, b')).toHaveCount(0);

    // The customer hides the conversation: a new message shows as unread until it is opened again.
    await customer.getByTestId('chat').getByRole('button', { name: 'Hide messages' }).click();
    await tech.getByTestId('chat-quick').filter({ hasText: '5 minutes away' }).click();
    await expect(customer.getByTestId('chat-unread')).toContainText('1');
    await expect(messages(tech).last()).toHaveAttribute('data-state', 'delivered');
    await customer.getByTestId('chat').getByRole('button', { name: 'Show messages' }).click();
    await expect(customer.getByTestId('chat-unread')).toHaveCount(0);
    await expect(messages(tech).last()).toHaveAttribute('data-state', 'read');

    // Offline, a message waits (pending), then goes out once when the connection returns.
    await customerContext.setOffline(true);
    await write(customer, 'Written in the lift, no signal');
    await expect(messages(customer).last()).toHaveAttribute('data-state', 'pending');
    await customer.waitForTimeout(1_000);
    await expect(messages(tech).filter({ hasText: 'Written in the lift' })).toHaveCount(0);
    await customerContext.setOffline(false);
    await expect(messages(tech).filter({ hasText: 'Written in the lift' })).toHaveCount(1, {
      timeout: 20_000,
    });
    await expect(messages(customer).last()).toHaveAttribute('data-state', /sent|delivered|read/);
    await expect(messages(customer).filter({ hasText: 'Written in the lift' })).toHaveCount(1);

    const scan = await new AxeBuilder({ page: customer })
      .include('[data-testid=chat]')
      .withTags(['wcag2a', 'wcag2aa'])
      .analyze();
    expect(scan.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

    // The job runs to the end: the phone number is masked for both, and the chat stays open a while.
    await tech.goto('/home');
    for (const next of ['en_route', 'arrived', 'in_progress', 'completed']) {
      await tech.getByTestId('advance-job').click();
      await expect(customer.getByTestId('booking-status')).toHaveAttribute('data-status', next);
    }
    const first = messages(customer).first();
    await expect(first).toContainText('My number is •••');
    await expect(first).toContainText('Contact details hidden');
    await expect(first).not.toContainText('0803');
    await tech.goto(bookingPath);
    await expect(messages(tech).first()).toContainText('My number is •••');
    await expect(tech.getByTestId('chat-input')).toBeVisible();
    await expect(tech.getByTestId('chat')).toContainText('You can write until');
  } finally {
    for (const c of contexts) await c.close();
  }
});
