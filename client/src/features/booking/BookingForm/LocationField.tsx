import { keepPreviousData } from '@tanstack/react-query';
import { type RefObject, useId, useMemo, useState } from 'react';
import { Spinner } from '../../../components/Spinner';
import { useI18n } from '../../../i18n/I18nProvider';
import { currentPosition, type GeoProblem, type LatLng, toGeoProblem } from '../../../lib/geolocation';
import { trpc } from '../../../lib/trpc';
import { type MapMarker, MapView } from '../../map/MapView';
import { roundCoarse } from './fields';

/**
 * Where: a map to drop the pin on (or the device's location), with the available technicians around it
 * (counts only, no identities) before there is a pin.
 */
export function LocationField({
  serviceId,
  pin,
  startCenter,
  onPick,
  locateRef,
  error,
  errorLinked,
}: {
  serviceId: string;
  pin: LatLng | null;
  startCenter: LatLng;
  onPick: (position: LatLng) => void;
  /** The "use my location" button, focused when the location is missing. */
  locateRef: RefObject<HTMLButtonElement | null>;
  error: string | undefined;
  /** The button names the error (a check of our own failed, not the server's). */
  errorLinked: boolean;
}) {
  const { t, formatNumber } = useI18n();
  const id = useId();
  const [recenter, setRecenter] = useState(0);
  const [locating, setLocating] = useState(false);
  const [geoProblem, setGeoProblem] = useState<GeoProblem | null>(null);

  // Available technicians around the pin (or the city, before there is one): counts only, no identities.
  const around = pin ?? startCenter;
  const nearby = trpc.tracking.nearby.useQuery(
    { lat: roundCoarse(around.lat), lng: roundCoarse(around.lng), serviceId },
    { placeholderData: keepPreviousData, staleTime: 30_000, refetchInterval: 30_000, retry: false },
  );

  const locate = async () => {
    setLocating(true);
    setGeoProblem(null);
    try {
      const position = await currentPosition();
      onPick({ lat: position.coords.latitude, lng: position.coords.longitude });
      setRecenter((n) => n + 1);
    } catch (problem) {
      setGeoProblem(toGeoProblem(problem));
    } finally {
      setLocating(false);
    }
  };

  const cells = nearby.data?.cells;
  const markers = useMemo<MapMarker[]>(() => {
    const list: MapMarker[] = (cells ?? []).map((cell) => ({
      id: `cell:${cell.lat},${cell.lng}`,
      position: { lat: cell.lat, lng: cell.lng },
      kind: 'cell',
      text: formatNumber(cell.count),
      label: t('nearby.label', { count: formatNumber(cell.count) }),
      testId: 'nearby-cell',
    }));
    if (pin) list.push({ id: 'pin', position: pin, kind: 'job', label: t('book.map.pin'), editable: true });
    return list;
  }, [pin, cells, t, formatNumber]);

  return (
    <fieldset className="field" aria-describedby={`${id}-map-hint`}>
      <legend>{t('book.where')}</legend>
      <p id={`${id}-map-hint`} className="field-hint">
        {pin ? t('book.map.hintPlaced') : t('book.map.hint')}
      </p>
      <MapView
        label={t('book.map.label')}
        center={pin ?? startCenter}
        zoom={pin ? 16 : 12}
        markers={markers}
        onPick={onPick}
        pickCenterLabel={t('book.map.pickCenter')}
        recenterKey={recenter}
      />
      {!pin && nearby.data && (
        <p className="muted small" data-testid="nearby-count" data-count={nearby.data.count}>
          {nearby.data.count > 0
            ? t('nearby.count', { count: formatNumber(nearby.data.count) })
            : t('nearby.none')}
        </p>
      )}
      <button
        ref={locateRef}
        type="button"
        className="button button-secondary"
        data-testid="use-my-location"
        onClick={() => void locate()}
        disabled={locating}
        aria-describedby={errorLinked ? `${id}-location-error` : undefined}
      >
        {locating && <Spinner small />}
        {locating ? t('book.locating') : t('book.useMyLocation')}
      </button>
      {geoProblem && (
        <p className="field-error" role="alert">
          {t(`geo.${geoProblem}`)}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-location-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
