import { skipToken } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { ServiceArea } from '../../../../server/contracts/area';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { TechnicianProfile } from '../../../../server/contracts/technician';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import type { LatLng } from '../../lib/geolocation';
import { trpc } from '../../lib/trpc';
import { useMarket } from '../catalog/useMarket';
import { MapView } from '../map/MapView';

type Draft =
  | { kind: 'zone'; market: string; zone: string }
  | { kind: 'drawn'; name: string; polygon: Array<[number, number]> };

const toDraft = (a: ServiceArea, market: string): Draft =>
  a.zone
    ? { kind: 'zone', market, zone: a.zone }
    : {
        kind: 'drawn',
        name: a.name,
        polygon: (a.polygon[0] ?? []).slice(0, -1).map(([lng, lat]) => [lng!, lat!]),
      };

/**
 * Where a technician works (issue 13 §2): named zones of their city, and areas drawn by tapping corners
 * on the map (undo, clear; big targets for a phone). No areas: jobs anywhere within the dispatch radius.
 */
export function AreasEditor({ user, profile }: { user: PublicUser; profile: TechnicianProfile }) {
  const { t, localized } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  // Their city is where they are (their last known position), not the language of the app.
  const { market: guessed, markets } = useMarket(user);
  const here = trpc.market.locate.useQuery(
    profile.location ? { lat: profile.location.lat, lng: profile.location.lng } : skipToken,
    { staleTime: 3_600_000 },
  );
  const market = (here.data && markets.find((m) => m.slug === here.data?.slug)) ?? guessed;
  const areas = trpc.technician.areas.useQuery();
  const zones = trpc.market.zones.useQuery(
    { market: market?.slug ?? '' },
    { enabled: !!market, staleTime: 3_600_000 },
  );
  const save = trpc.technician.setAreas.useMutation({
    onSuccess: (data) => {
      utils.technician.areas.setData(undefined, data);
      setCorners([]);
      setName('');
    },
  });
  const [corners, setCorners] = useState<LatLng[]>([]);
  const [name, setName] = useState('');

  if (!market || areas.isPending) {
    return (
      <section className="card" aria-busy="true">
        <Spinner />
      </section>
    );
  }
  const current = (areas.data ?? []).map((a) => toDraft(a, market.slug));
  const submit = (next: Draft[]) =>
    save.mutate({
      areas: next.map((d) =>
        d.kind === 'zone' ? { market: d.market, zone: d.zone } : { name: d.name, polygon: d.polygon },
      ),
    });
  const picked = new Set(current.flatMap((d) => (d.kind === 'zone' ? [d.zone] : [])));
  const drawn = (areas.data ?? []).filter((a) => !a.zone);
  const center = corners[0] ?? { lat: market.center[0], lng: market.center[1] };

  return (
    <section className="card areas-editor" aria-labelledby={`${id}-title`} data-testid="areas-editor">
      <h2 id={`${id}-title`}>{t('areas.title')}</h2>
      <p className="muted small">{current.length ? t('areas.hint') : t('areas.none')}</p>

      <fieldset className="zone-list">
        <legend>{t('areas.zones', { city: localized(market.name) })}</legend>
        {(zones.data ?? []).map((z) => (
          <label key={z.slug} className="zone-option">
            <input
              type="checkbox"
              checked={picked.has(z.slug)}
              disabled={save.isPending}
              data-testid={`zone-${z.slug}`}
              onChange={(e) =>
                submit(
                  e.target.checked
                    ? [...current, { kind: 'zone', market: market.slug, zone: z.slug }]
                    : current.filter((d) => !(d.kind === 'zone' && d.zone === z.slug)),
                )
              }
            />
            <span>{localized(z.name)}</span>
          </label>
        ))}
      </fieldset>

      {drawn.length > 0 && (
        <ul className="drawn-areas">
          {drawn.map((a) => (
            <li key={a.id}>
              <span>{a.name}</span>
              <button
                type="button"
                className="button button-ghost"
                disabled={save.isPending}
                onClick={() => submit(current.filter((d) => !(d.kind === 'drawn' && d.name === a.name)))}
              >
                {t('areas.delete')}
              </button>
            </li>
          ))}
        </ul>
      )}

      <h3 className="small-heading">{t('areas.draw')}</h3>
      <p className="muted small">{t('areas.drawHint')}</p>
      <MapView
        label={t('areas.mapLabel')}
        center={center}
        zoom={13}
        height={260}
        markers={corners.map((c, i) => ({
          id: `corner-${i}`,
          position: c,
          kind: 'area',
          label: String(i + 1),
          text: String(i + 1),
        }))}
        path={corners.length > 1 ? [...corners, corners[0]!] : corners}
        onPick={(p) => setCorners((cs) => (cs.length >= 50 ? cs : [...cs, p]))}
        pickCenterLabel={t('areas.addCorner')}
      />
      <div className="button-row">
        <button
          type="button"
          className="button button-secondary"
          disabled={!corners.length}
          onClick={() => setCorners((cs) => cs.slice(0, -1))}
        >
          {t('areas.undo')}
        </button>
        <button
          type="button"
          className="button button-ghost"
          disabled={!corners.length}
          onClick={() => setCorners([])}
        >
          {t('areas.clear')}
        </button>
      </div>
      <label className="field">
        <span>{t('areas.name')}</span>
        <input
          value={name}
          maxLength={80}
          onChange={(e) => setName(e.target.value)}
          data-testid="area-name"
        />
      </label>
      <button
        type="button"
        className="button"
        data-testid="area-save"
        disabled={corners.length < 3 || !name.trim() || save.isPending}
        onClick={() =>
          submit([
            ...current,
            { kind: 'drawn', name: name.trim(), polygon: corners.map((c) => [c.lng, c.lat]) },
          ])
        }
      >
        {save.isPending ? <Spinner small /> : null}
        {t('areas.save')}
      </button>
      {save.error && (
        <p className="form-error" role="alert">
          {t(problemKey(save.error))} {save.error.message}
        </p>
      )}
    </section>
  );
}
