import type { ApiKeyScope } from '../../contracts/developer';
import { DomainError } from '../../lib/errors';

/**
 * What an API key may call: each procedure path and the scope it needs (`null`: any valid key). The one
 * table: a procedure missing here is refused to every key (FORBIDDEN), so a new procedure is closed to keys
 * until someone decides otherwise. Keys act as their organisation's principal (a customer account), so the
 * procedures' own rules (a customer reads only their bookings: NOT_FOUND) still apply on top.
 */
export const keyScopes: Readonly<Record<string, ApiKeyScope | null>> = {
  'catalog.categories': null,
  'catalog.services': null,
  'market.list': null,
  'market.locate': null,
  'market.zones': null,
  'booking.quote': 'bookings:read',
  'booking.get': 'bookings:read',
  'booking.history': 'bookings:read',
  'booking.list': 'bookings:read',
  'booking.events': 'bookings:read',
  'booking.create': 'bookings:write',
  'booking.cancel': 'bookings:write',
  'booking.respondExtra': 'bookings:write',
  'payment.get': 'bookings:read',
  'payment.methods': 'bookings:read',
  // Organisation billing: a key pays for its organisation's bookings (the organisation is the payer).
  'payment.checkout': 'bookings:write',
  'payment.verify': 'bookings:write',
  'payment.receipt': 'bookings:read',
  'payment.cancellationQuote': 'bookings:read',
  'tracking.watch': 'tracking:read',
  'tracking.trail': 'tracking:read',
  'webhook.create': 'webhooks:manage',
  'webhook.list': 'webhooks:manage',
  'webhook.delete': 'webhooks:manage',
  'webhook.test': 'webhooks:manage',
  'webhook.deliveries': 'webhooks:manage',
  'webhook.replay': 'webhooks:manage',
};

/** Throws FORBIDDEN when a key-authenticated call reaches a procedure its scopes do not cover. */
export function assertKeyMayCall(key: { scopes: ReadonlySet<ApiKeyScope> } | null | undefined, path: string) {
  if (!key) return;
  if (!Object.hasOwn(keyScopes, path))
    throw new DomainError('FORBIDDEN_ROLE', 'API keys cannot call this procedure.', { path });
  const scope = keyScopes[path];
  if (scope && !key.scopes.has(scope))
    throw new DomainError('FORBIDDEN_ROLE', `This API key lacks the ${scope} scope.`, { scope });
}
