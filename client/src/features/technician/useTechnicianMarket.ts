import { skipToken } from '@tanstack/react-query';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { TechnicianProfile } from '../../../../server/contracts/technician';
import { trpc } from '../../lib/trpc';
import { useMarket } from '../catalog/useMarket';

/**
 * The city a technician works in (issue 13: a Cairo technician offers Cairo's services in EGP and draws
 * areas in Cairo): the city they chose on this device; else the one containing their last known position;
 * else the guess from their time zone and language (useMarket). `choose` switches city.
 */
export function useTechnicianMarket(
  user: Pick<PublicUser, 'timeZone' | 'locale'>,
  profile: Pick<TechnicianProfile, 'location'>,
) {
  const { market: guessed, markets, chosen, choose, query } = useMarket(user);
  const here = trpc.market.locate.useQuery(
    !chosen && profile.location ? { lat: profile.location.lat, lng: profile.location.lng } : skipToken,
    { staleTime: 3_600_000 },
  );
  const located = here.data ? markets.find((m) => m.slug === here.data?.slug) : undefined;
  const market = (chosen ? guessed : located) ?? guessed;
  return { market, markets, choose, query };
}
