import { Component, lazy, type ReactNode, Suspense } from 'react';
import { useT } from '../../i18n/I18nProvider';
import type { MapProps } from './types';

export type { MapMarker, MapProps } from './types';

// Leaflet (~40 kB gzip) and its CSS load only when a screen shows a map.
const LeafletMap = lazy(() => import('./LeafletMap'));

function MapPlaceholder({ height, failed }: { height: number; failed?: boolean }) {
  const t = useT();
  return (
    <div className="map map-placeholder" style={{ blockSize: height }} role="status">
      {failed ? t('map.failed') : t('map.loading')}
    </div>
  );
}

/** A failed map chunk (flaky network) must not take the whole screen down: the form works without it. */
class MapBoundary extends Component<{ height: number; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    return this.state.failed ? <MapPlaceholder height={this.props.height} failed /> : this.props.children;
  }
}

export function MapView(props: MapProps) {
  const height = props.height ?? 240;
  return (
    <MapBoundary height={height}>
      <Suspense fallback={<MapPlaceholder height={height} />}>
        <LeafletMap {...props} />
      </Suspense>
    </MapBoundary>
  );
}
