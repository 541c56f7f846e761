import './technician.css';
import { type FormEvent, useId, useMemo, useState } from 'react';
import type { PublicUser } from '../../../../server/contracts/auth';
import type { TechnicianProfile } from '../../../../server/contracts/technician';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey, toApiProblem } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { usePriceLabel } from '../catalog/ServicePrice';
import { useCategories, useServices } from '../catalog/useCatalog';
import { CatalogIcon } from '../console/icons';
import { boundsHint, boundsProblem, boundsRefusal, refusedBounds } from './priceBounds';
import { useTechnicianMarket } from './useTechnicianMarket';

type Selection = Record<string, { price: string }>;

/** Accepts "5000", "5,000", "5000.50" and Arabic-Indic digits; returns minor units, or null when invalid. */
export function parsePrice(input: string): number | null {
  const latin = input
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/\u066b/g, '.')
    .replace(/[\s,\u066c]/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(latin)) return null;
  const minor = Math.round(Number.parseFloat(latin) * 100);
  return minor > 0 && minor <= 100_000_000 ? minor : null;
}

function initialSelection(profile: TechnicianProfile): Selection {
  const selection: Selection = {};
  for (const offered of profile.services) {
    selection[offered.serviceId] = { price: offered.price ? String(offered.price.amount / 100) : '' };
  }
  return selection;
}

/**
 * Which services this technician offers, optionally at their own price: those of the city they work in
 * (a Cairo technician sees Cairo's price list in EGP), with a switch when Fundi works in several.
 */
export function ServicesEditor({ profile, user }: { profile: TechnicianProfile; user: PublicUser }) {
  const { t, localized, formatNumber, formatMoney } = useI18n();
  const id = useId();
  const priceLabel = usePriceLabel();
  const { market, markets, choose, query: marketsQuery } = useTechnicianMarket(user, profile);
  // '' waits for the city to be known.
  const categories = useCategories(market?.slug ?? '');
  const services = useServices(market?.slug ?? '');
  const utils = trpc.useUtils();
  const [selection, setSelection] = useState<Selection>(() => initialSelection(profile));
  const [saved, setSaved] = useState<Selection>(() => initialSelection(profile));
  /** Service id → the message under its price field. */
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  // Kept here (not only in the DOM): a city switch shows the skeleton while the other list loads.
  const [open, setOpen] = useState(() => profile.services.length === 0);
  const setServices = trpc.technician.setServices.useMutation({
    onSuccess: (updated) => {
      utils.technician.me.setData(undefined, updated);
      const next = initialSelection(updated);
      setSelection(next);
      setSaved(next);
    },
    onError: (error) => {
      // A price the server refused for its bounds: said under that very field.
      const refused = refusedBounds(toApiProblem(error).details);
      const problem = refused && boundsRefusal(refused, formatMoney);
      if (refused && problem) setInvalid({ [refused.serviceId]: t(problem.key, problem.vars) });
    },
  });

  const list = useMemo(() => services.data ?? [], [services.data]);
  const dirty = JSON.stringify(selection) !== JSON.stringify(saved);
  // Chosen in another city (before a switch): saving this city's list replaces them.
  const elsewhere = services.data ? Object.keys(selection).filter((s) => !list.some((x) => x.id === s)) : [];

  const toggle = (serviceId: string, checked: boolean) => {
    setServices.reset();
    setSelection((current) => {
      const next = { ...current };
      if (checked) next[serviceId] = { price: '' };
      else delete next[serviceId];
      return next;
    });
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const bad: Record<string, string> = {};
    const payload = Object.entries(selection)
      .filter(([serviceId]) => list.some((s) => s.id === serviceId))
      .map(([serviceId, { price }]) => {
        if (price.trim() === '') return { serviceId };
        const minor = parsePrice(price);
        const service = list.find((s) => s.id === serviceId);
        const outside = minor !== null && service ? boundsProblem(minor, service, formatMoney) : null;
        if (minor === null) bad[serviceId] = t('technician.services.badPrice');
        else if (outside) bad[serviceId] = t(outside.key, outside.vars);
        return { serviceId, price: minor ?? undefined };
      });
    setInvalid(bad);
    const first = Object.keys(bad)[0];
    if (first) {
      document.getElementById(`${id}-price-${first}`)?.focus();
      return;
    }
    setServices.mutate({ services: payload });
  };

  const loadError = marketsQuery.error ?? categories.error ?? services.error;
  if (!loadError && (categories.isPending || services.isPending)) {
    return (
      <section className="card" aria-labelledby="services-title" aria-busy="true">
        <h2 id="services-title">{t('technician.services.title')}</h2>
        <div className="skeleton-group" role="status">
          <span className="skeleton" />
          <span className="skeleton" />
          <span className="skeleton" />
          <span className="visually-hidden">{t('app.loading')}</span>
        </div>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="services-title" data-testid="services-editor">
      {/* Long on a phone: folded once set up, open for a new technician who has chosen nothing yet. */}
      <details
        className="services-details"
        open={open}
        onToggle={(event) => setOpen(event.currentTarget.open)}
      >
        <summary>
          <h2 id="services-title">{t('technician.services.title')}</h2>
          <span className="muted small">
            {t('technician.services.count', { count: formatNumber(Object.keys(saved).length) })}
          </span>
        </summary>
        <p className="muted">{t('technician.services.body')}</p>
        {markets.length > 1 && market && (
          <label className="market-switch">
            <span>{t('market.label')}</span>
            <select
              value={market.slug}
              data-testid="services-market"
              onChange={(e) => {
                setServices.reset();
                setInvalid({});
                choose(e.target.value);
              }}
            >
              {markets.map((m) => (
                <option key={m.slug} value={m.slug}>
                  {localized(m.name)}
                </option>
              ))}
            </select>
          </label>
        )}
        {loadError ? (
          <p className="form-error" role="alert">
            {t(problemKey(loadError))}
          </p>
        ) : (
          <form className="form" noValidate onSubmit={submit}>
            {(categories.data ?? []).map((category) => {
              const inCategory = list.filter((s) => s.categoryId === category.id);
              if (inCategory.length === 0) return null;
              return (
                <fieldset key={category.id} className="service-group">
                  <legend>
                    <CatalogIcon name={category.icon} /> {localized(category.name)}
                  </legend>
                  {inCategory.map((service) => {
                    const chosen = selection[service.id];
                    const checkboxId = `${id}-service-${service.id}`;
                    const priceId = `${id}-price-${service.id}`;
                    const problem = invalid[service.id];
                    const isInvalid = problem !== undefined;
                    const range = boundsHint(service, formatMoney);
                    return (
                      <div key={service.id} className="service-choice">
                        <div className="check">
                          <input
                            type="checkbox"
                            id={checkboxId}
                            data-testid={`offer-service-${service.slug}`}
                            checked={Boolean(chosen)}
                            onChange={(event) => toggle(service.id, event.target.checked)}
                          />
                          <label htmlFor={checkboxId}>
                            <span className="choice-label">{localized(service.name)}</span>
                            <span className="choice-hint">
                              {t('technician.services.standard', {
                                price: priceLabel(service.basePrice, service.priceUnit),
                              })}
                            </span>
                          </label>
                        </div>
                        {chosen && (
                          <div className="field price-field">
                            <label htmlFor={priceId}>
                              {t('technician.services.yourPrice', { currency: service.basePrice.currency })}
                            </label>
                            <input
                              id={priceId}
                              type="text"
                              inputMode="decimal"
                              dir="ltr"
                              autoComplete="off"
                              placeholder={String(service.basePrice.amount / 100)}
                              value={chosen.price}
                              aria-invalid={isInvalid ? true : undefined}
                              aria-describedby={
                                [isInvalid && `${priceId}-error`, range && `${priceId}-range`]
                                  .filter(Boolean)
                                  .join(' ') || undefined
                              }
                              onChange={(event) => {
                                const price = event.target.value;
                                setInvalid(({ [service.id]: _, ...rest }) => rest);
                                setSelection((current) => ({ ...current, [service.id]: { price } }));
                              }}
                            />
                            {range && (
                              <p className="field-hint" id={`${priceId}-range`} data-testid="price-range">
                                {t(range.key, range.vars)}
                              </p>
                            )}
                            {isInvalid && (
                              <p className="field-error" id={`${priceId}-error`} data-testid="price-error">
                                {problem}
                              </p>
                            )}
                          </div>
                        )}
                      </div>
                    );
                  })}
                </fieldset>
              );
            })}
            {elsewhere.length > 0 && market && (
              <p className="muted small" data-testid="services-elsewhere">
                {t('technician.services.elsewhere', {
                  count: formatNumber(elsewhere.length),
                  city: localized(market.name),
                })}
              </p>
            )}
            {setServices.error && (
              <p className="form-error" role="alert">
                {t(problemKey(setServices.error))}
              </p>
            )}
            <div className="save-row">
              <button
                type="submit"
                className="button button-primary"
                data-testid="save-services"
                disabled={setServices.isPending || !dirty}
              >
                {setServices.isPending && <Spinner small />}
                {setServices.isPending ? t('common.saving') : t('technician.services.save')}
              </button>
              <p className="muted small" role="status">
                {setServices.isSuccess && !dirty
                  ? t('common.saved')
                  : dirty
                    ? t('technician.services.unsaved')
                    : ''}
              </p>
            </div>
          </form>
        )}
      </details>
    </section>
  );
}
