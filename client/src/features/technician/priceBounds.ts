import type { Money } from '../../../../server/contracts/catalog';
import type { MessageKey } from '../../i18n/en';

type Bounds = { minPrice: Money | null; maxPrice: Money | null };
type Worded = { key: MessageKey; vars: { min?: string; max?: string } };

/** The allowed range of a technician's own price, worded ("Allowed: ₦6,000 – ₦36,000"), or null without bounds. */
export function boundsHint(b: Bounds, money: (m: Money) => string): Worded | null {
  if (b.minPrice && b.maxPrice)
    return { key: 'technician.services.range', vars: { min: money(b.minPrice), max: money(b.maxPrice) } };
  if (b.minPrice) return { key: 'technician.services.rangeMin', vars: { min: money(b.minPrice) } };
  if (b.maxPrice) return { key: 'technician.services.rangeMax', vars: { max: money(b.maxPrice) } };
  return null;
}

/** Why `minor` is refused by the service's bounds (the specific message), or null when it is allowed. */
export function boundsProblem(minor: number, b: Bounds, money: (m: Money) => string): Worded | null {
  const low = b.minPrice !== null && minor < b.minPrice.amount;
  const high = b.maxPrice !== null && minor > b.maxPrice.amount;
  if (!low && !high) return null;
  if (b.minPrice && b.maxPrice)
    return {
      key: 'technician.services.outOfRange',
      vars: { min: money(b.minPrice), max: money(b.maxPrice) },
    };
  if (low && b.minPrice) return { key: 'technician.services.tooLow', vars: { min: money(b.minPrice) } };
  return { key: 'technician.services.tooHigh', vars: { max: money(b.maxPrice!) } };
}

/**
 * The bounds named by a server refusal (`details` of VALIDATION with reason PRICE_OUT_OF_BOUNDS): the
 * service and its bounds, for the field's own message. Null for any other error.
 */
export function refusedBounds(
  details: Record<string, unknown> | undefined,
): (Bounds & { serviceId: string }) | null {
  if (details?.reason !== 'PRICE_OUT_OF_BOUNDS' || typeof details.serviceId !== 'string') return null;
  const currency = String(details.currency ?? '');
  const money = (v: unknown) => (typeof v === 'number' ? { amount: v, currency } : null);
  return {
    serviceId: details.serviceId,
    minPrice: money(details.minPrice),
    maxPrice: money(details.maxPrice),
  };
}

/** The message for a price refused by these bounds, whichever side it broke (the server does not say). */
export function boundsRefusal(b: Bounds, money: (m: Money) => string): Worded | null {
  if (b.minPrice && b.maxPrice)
    return {
      key: 'technician.services.outOfRange',
      vars: { min: money(b.minPrice), max: money(b.maxPrice) },
    };
  if (b.minPrice) return { key: 'technician.services.tooLow', vars: { min: money(b.minPrice) } };
  if (b.maxPrice) return { key: 'technician.services.tooHigh', vars: { max: money(b.maxPrice) } };
  return null;
}
