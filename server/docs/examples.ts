/**
 * A sample input per public procedure, for the reference's TypeScript and curl examples. A test
 * (reference.test.ts) checks each against the procedure's input schema, so they cannot drift.
 */
const bookingId = '6f1c2a9e-3b4d-4e8f-9a1b-2c3d4e5f6a7b';
const serviceId = '0b8e7c6d-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const webhookId = '9d8c7b6a-5f4e-4d3c-8b2a-190817263544';

export const exampleInputs: Record<string, unknown> = {
  'catalog.categories': undefined,
  'catalog.services': { market: 'lagos' },
  'market.list': undefined,
  'market.locate': { lat: 6.4541, lng: 3.3947 },
  'market.zones': { market: 'lagos' },
  'booking.quote': { serviceId, lat: 6.4541, lng: 3.3947 },
  'booking.create': {
    serviceId,
    lat: 6.4541,
    lng: 3.3947,
    address: '12 Marina Road, Lagos Island',
    notes: 'Kitchen sink leaks under the cabinet.',
    siteContact: { name: 'Front desk', phone: '+2348031234567' },
    idempotencyKey: 'order-4711-plumbing',
  },
  'booking.get': { id: bookingId },
  'booking.history': { id: bookingId },
  'booking.list': { status: 'assigned', limit: 20 },
  'booking.events': { id: bookingId },
  'booking.cancel': { id: bookingId, reason: 'The tenant fixed it.' },
  'booking.respondExtra': { id: bookingId, extraId: '3e2d1c0b-9a8f-4e7d-8c6b-5a4938271605', approve: true },
  'payment.get': { bookingId },
  'payment.methods': { bookingId },
  'payment.checkout': { bookingId, method: 'paystack', idempotencyKey: 'order-4711-payment' },
  'payment.verify': { bookingId },
  'payment.receipt': { bookingId },
  'payment.cancellationQuote': { bookingId },
  'tracking.watch': { bookingId },
  'tracking.trail': { bookingId },
  'webhook.create': {
    url: 'https://example.com/fundi/webhooks',
    events: ['booking.status_changed', 'booking.completed'],
  },
  'webhook.list': undefined,
  'webhook.delete': { id: webhookId },
  'webhook.test': { id: webhookId },
  'webhook.deliveries': { id: webhookId },
  'webhook.replay': { deliveryId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d' },
};
