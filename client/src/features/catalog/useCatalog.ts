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
