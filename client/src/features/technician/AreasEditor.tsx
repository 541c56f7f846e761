import './technician.css';
import { useId, useState } from 'react';
import type { ServiceArea } from '../../../../server/contracts/area';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { TechnicianProfile } from '../../../../server/contracts/technician';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { toApiProblem } from '../../lib/apiErrors';
import type { LatLng } from '../../lib/geolocation';
import { trpc } from '../../lib/trpc';
import { PolygonMapView, type Shape } from '../onboarding/PolygonMapView';
import { areaProblemKey } from './areaProblem';
import { useTechnicianMarket } from './useTechnicianMarket';

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

const ringOf = (a: ServiceArea): LatLng[] =>
  (a.polygon[0] ?? []).slice(0, -1).map(([lng, lat]) => ({ lat: lat!, lng: lng! }));

/**
 * Where a technician works (issue 13 §2): named zones of their city, and areas drawn by tapping corners
 * on the map. A drawn area is edited corner by corner: drag a corner, tap it to select and delete it, tap
 * the "+" on an edge to add one (44 px handles for a phone). No areas: jobs anywhere within the dispatch
 * radius.
 */
export function AreasEditor({ user, profile }: { user: PublicUser; profile: TechnicianProfile }) {
  const { t, localized } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  // Their city: the one they chose, else where they are (their last known position), else a guess.
  const { market } = useTechnicianMarket(user, profile);
  const areas = trpc.technician.areas.useQuery();
  const zones = trpc.market.zones.useQuery(
    { market: market?.slug ?? '' },
    { enabled: !!market, staleTime: 3_600_000 },
  );
  const save = trpc.technician.setAreas.useMutation({
    onSuccess: (data) => {
      utils.technician.areas.setData(undefined, data);
      void utils.onboarding.status.invalidate();
      setCorners([]);
      setName('');
      setEditing(null);
      setSelected(null);
    },
  });
  const [corners, setCorners] = useState<LatLng[]>([]);
  const [name, setName] = useState('');
  /** The drawn area being edited (its id), or null while drawing a new one. */
  const [editing, setEditing] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);

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
  const others: Shape[] = (areas.data ?? [])
    .filter((a) => a.id !== editing)
    .map((a) => ({ id: a.id, ring: ringOf(a), label: localized(a.localName) }));
  const startEdit = (a: ServiceArea) => {
    setEditing(a.id);
    setCorners(ringOf(a));
    setName(a.name);
    setSelected(null);
  };
  const stopEdit = () => {
    setEditing(null);
    setCorners([]);
    setName('');
    setSelected(null);
  };
  const polygonOf = (ring: LatLng[]): Array<[number, number]> => ring.map((c) => [c.lng, c.lat]);
  const saveDrawn = () => {
    const list = areas.data ?? [];
    if (editing) {
      submit(
        list.map((a) =>
          a.id === editing
            ? { kind: 'drawn', name: name.trim(), polygon: polygonOf(corners) }
            : toDraft(a, market.slug),
        ),
      );
    } else {
      submit([...current, { kind: 'drawn', name: name.trim(), polygon: polygonOf(corners) }]);
    }
  };

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
              <span className="poly-toolbar">
                <button
                  type="button"
                  className="button button-secondary"
                  disabled={save.isPending || editing === a.id}
                  data-testid={`area-edit-${a.name}`}
                  onClick={() => startEdit(a)}
                >
                  {t('areas.edit')}
                </button>
                <button
                  type="button"
                  className="button button-ghost"
                  disabled={save.isPending}
                  data-testid={`area-delete-${a.name}`}
                  // By id: two drawn areas may share a name.
                  onClick={() =>
                    submit(
                      (areas.data ?? []).filter((x) => x.id !== a.id).map((x) => toDraft(x, market.slug)),
                    )
                  }
                >
                  {t('areas.delete')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}

      <h3 className="small-heading" data-testid="areas-mode">
        {editing ? t('areas.editing', { name }) : t('areas.draw')}
      </h3>
      <p className="muted small">
        {editing || corners.length >= 3 ? t('areas.editHint') : t('areas.drawHint')}
      </p>
      <PolygonMapView
        key={editing ?? 'new'}
        label={t('areas.mapLabel')}
        center={center}
        zoom={13}
        height={280}
        fit={editing !== null}
        shapes={others}
        addCenterLabel={t('areas.addCorner')}
        edit={{
          ring: corners,
          selected,
          onChange: (ring, select) => {
            setCorners(ring);
            setSelected(select ?? null);
          },
          onSelect: setSelected,
          onAdd: (p) => setCorners((cs) => (cs.length >= 50 ? cs : [...cs, p])),
          cornerLabel: (n) => t('areas.corner', { n }),
          midpointLabel: (a, b) => t('areas.midpoint', { a, b }),
        }}
      />
      <div className="poly-toolbar">
        {selected !== null && corners[selected] ? (
          <button
            type="button"
            className="button button-danger"
            data-testid="corner-delete"
            onClick={() => {
              setCorners((cs) => cs.filter((_, i) => i !== selected));
              setSelected(null);
            }}
          >
            {t('areas.deleteCorner', { n: selected + 1 })}
          </button>
        ) : (
          corners.length >= 3 && <span className="muted small">{t('areas.noCorner')}</span>
        )}
        <button
          type="button"
          className="button button-secondary"
          disabled={!corners.length}
          onClick={() => {
            setCorners((cs) => cs.slice(0, -1));
            setSelected(null);
          }}
        >
          {t('areas.undo')}
        </button>
        {editing ? (
          <button type="button" className="button button-ghost" onClick={stopEdit}>
            {t('areas.cancelEdit')}
          </button>
        ) : (
          <button
            type="button"
            className="button button-ghost"
            disabled={!corners.length}
            onClick={() => {
              setCorners([]);
              setSelected(null);
            }}
          >
            {t('areas.clear')}
          </button>
        )}
      </div>
      {corners.length > 0 && corners.length < 3 && (
        <p className="muted small" role="status">
          {t('areas.minCorners')}
        </p>
      )}
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
        onClick={saveDrawn}
      >
        {save.isPending ? <Spinner small /> : null}
        {editing ? t('areas.saveEdit') : t('areas.save')}
      </button>
      {save.error && (
        <p className="form-error" role="alert">
          {t(areaProblemKey(toApiProblem(save.error)))}
        </p>
      )}
    </section>
  );
}
