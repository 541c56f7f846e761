import { Component, lazy, type ReactNode, Suspense } from 'react';
import { useT } from '../../i18n/I18nProvider';
import type { PolygonMapProps } from './PolygonMap';
import './onboarding.css';

export type { PolygonEdit, PolygonMapProps, Shape } from './PolygonMap';

const PolygonMap = lazy(() => import('./PolygonMap'));

function Placeholder({ height, failed }: { height: number; failed?: boolean }) {
  const t = useT();
  return (
    <div className="map map-placeholder" style={{ blockSize: height }} role="status">
      {failed ? t('map.failed') : t('map.loading')}
    </div>
  );
}

class Boundary extends Component<{ height: number; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }
  override render(): ReactNode {
    return this.state.failed ? <Placeholder height={this.props.height} failed /> : this.props.children;
  }
}

/** Polygons on a map (service areas), optionally one of them editable corner by corner; lazy-loaded. */
export function PolygonMapView(props: PolygonMapProps) {
  const height = props.height ?? 280;
  return (
    <Boundary height={height}>
      <Suspense fallback={<Placeholder height={height} />}>
        <PolygonMap {...props} />
      </Suspense>
    </Boundary>
  );
}
