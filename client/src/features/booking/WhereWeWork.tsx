import { useMemo } from 'react';
import type { Market } from '../../../../server/contracts/market';
import { useI18n } from '../../i18n/I18nProvider';
import type { LatLng } from '../../lib/geolocation';
import { PolygonMapView } from '../onboarding/PolygonMapView';
import { marketShapes } from './marketShapes';

/**
 * A pin outside every market: where Fundi works, named (from `market.list`, in the user's language) and
 * outlined on a small map. The outlines are vector layers: they are drawn even when the tiles fail.
 */
export function WhereWeWork({ markets, pin }: { markets: readonly Market[]; pin?: LatLng | undefined }) {
  const { t, localized, locale } = useI18n();
  const shapes = useMemo(() => marketShapes(markets, (m) => localized(m.name)), [markets, localized]);
  if (markets.length === 0) return null;
  const first = markets[0]!;
  return (
    <div className="where-we-work" data-testid="where-we-work">
      <p className="small">
        {t('market.weWorkIn', {
          cities: new Intl.ListFormat(locale, { type: 'conjunction' }).format(
            markets.map((m) => localized(m.name)),
          ),
        })}
      </p>
      <PolygonMapView
        label={t('market.mapLabel')}
        center={{ lat: first.center[0], lng: first.center[1] }}
        zoom={4}
        height={200}
        shapes={shapes}
        fit
        permanentLabels
        marker={pin}
      />
    </div>
  );
}
