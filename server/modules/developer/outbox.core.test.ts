import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookPayload } from '../../contracts/developer';
import { customer, serviceId, uniqueSpot } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';
import { startWebhookReceiver } from '../../test/standins/webhook-receiver';

/**
 * The outbox on both drivers (PostgreSQL and the embedded PGlite): booking changes write their events in
 * their own transaction, and workers claiming at the same time (FOR UPDATE SKIP LOCKED) never send one
 * delivery twice.
 */
let server: TestServer;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  server = await startTestServer(
    { WEBHOOK_WORKER: 'false', WEBHOOK_ALLOW_ADDRESSES: '127.0.0.2' },
    { dispatch: false },
  );
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

describe('webhook outbox', () => {
  it('concurrent workers deliver each event once, signed, with its event id', async () => {
    const owner = await customer(server.services, 'Owner');
    const person = httpClient(server, owner.token);
    await person.org.create.mutate({ name: 'Outbox Ltd' });
    const { secret } = await person.apiKey.create.mutate({
      name: 'k',
      scopes: ['bookings:write', 'webhooks:manage'],
    });
    const api = httpClient(server, secret);
    await api.webhook.create.mutate({ url: receiver.url, events: ['booking.created', 'booking.cancelled'] });
    const sid = await serviceId(server.services);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const b = await api.booking.create.mutate({
        serviceId: sid,
        ...uniqueSpot(),
        address: '4 Tahrir Square, Downtown',
        siteContact: { name: 'Mariam (reception)', phone: '+201001234567' },
        idempotencyKey: randomUUID(),
      });
      ids.push(b.id);
    }
    await api.booking.cancel.mutate({ id: ids[0]!, reason: 'no longer needed' });
    expect(receiver.received).toHaveLength(0);

    const { webhooks } = server.services.developer;
    const counts = await Promise.all([webhooks.tick(), webhooks.tick(), webhooks.tick()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(await webhooks.tick()).toBe(0);
    expect(receiver.received).toHaveLength(4);
    const deliveryIds = new Set(receiver.received.map((r) => r.headers['fundi-delivery-id']));
    expect(deliveryIds.size).toBe(4);
    const types = receiver.received.map((r) => (JSON.parse(r.body) as WebhookPayload).type).sort();
    expect(types).toEqual(['booking.cancelled', 'booking.created', 'booking.created', 'booking.created']);
    for (const r of receiver.received) {
      expect(r.headers['fundi-event-id']).toBe((JSON.parse(r.body) as WebhookPayload).id);
      expect(String(r.headers['fundi-signature'])).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    }
  });
});
