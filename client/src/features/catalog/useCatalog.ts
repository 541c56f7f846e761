import type { PublicUser } from '../../../../server/contracts/auth';
import type { Category, Service } from '../../../../server/contracts/catalog';
import { trpc } from '../../lib/trpc';

// The catalog changes rarely: keep it for a while, and across screens.
const CATALOG_STALE_MS = 10 * 60_000;

/**
 * The categories, or with a market those shown there (an active service in that market); `''` waits
 * for the market to be known.
 */
export function useCategories(market?: string) {
  return trpc.catalog.categories.useQuery(market ? { market } : undefined, {
    staleTime: CATALOG_STALE_MS,
    enabled: market !== '',
  });
}

/** A market's every service once (the catalog is small), filtered per category on the client. */
export function useServices(market?: string) {
  return trpc.catalog.services.useQuery(market ? { market } : undefined, {
    staleTime: CATALOG_STALE_MS,
    enabled: market !== '',
  });
}

export type { Category, Service };

/**
 * The same service is priced per market (Lagos in NGN, Cairo in EGP). Should the catalog list a slug more
 * than once, keep the one in the user's currency so each service appears (and is testable) once.
 */
export function oneServicePerSlug(
  services: Service[],
  user: Pick<PublicUser, 'timeZone' | 'locale'>,
): Service[] {
  const preferred = user.timeZone === 'Africa/Cairo' || user.locale === 'ar' ? 'EGP' : 'NGN';
  const bySlug = new Map<string, Service>();
  for (const service of services) {
    const current = bySlug.get(service.slug);
    if (!current || (current.basePrice.currency !== preferred && service.basePrice.currency === preferred)) {
      bySlug.set(service.slug, service);
    }
  }
  return services.filter((service) => bySlug.get(service.slug) === service);
}
