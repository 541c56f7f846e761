import './BookingForm/bookingForm.css';
import type { Quote } from '../../../../server/contracts/booking';
import type { PriceUnit } from '../../../../server/contracts/catalog';
import type { Market } from '../../../../server/contracts/market';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey, toApiProblem } from '../../lib/apiErrors';
import type { LatLng } from '../../lib/geolocation';
import { SurchargeRows } from './PriceLines';
import { WhereWeWork } from './WhereWeWork';

type QuotePanelProps = {
  hasPin: boolean;
  scheduleMissing: boolean;
  quote: Quote | undefined;
  fetching: boolean;
  error: unknown;
  onRetry: () => void;
  priceUnit: PriceUnit;
  durationMinutes?: number;
  /** Every market (`market.list`): outlined on a small map when the pin is outside all of them. */
  markets?: readonly Market[];
  /** The job's pin (marked on that map). */
  pin?: LatLng | undefined;
  /** The customer chose this technician: the quote is at their price. */
  technicianName?: string | undefined;
};

/** The price for this place and time, and who is around to do it. */
export function QuotePanel({
  hasPin,
  scheduleMissing,
  quote,
  fetching,
  error,
  onRetry,
  priceUnit,
  durationMinutes,
  markets = [],
  pin,
  technicianName,
}: QuotePanelProps) {
  const { t, formatMoney, formatNumber, formatMinutes, formatDistance } = useI18n();

  if (!hasPin || scheduleMissing) {
    return (
      <section className="card quote quote-empty" aria-labelledby="quote-title" data-testid="quote-pending">
        <h2 id="quote-title">{t('quote.title')}</h2>
        <p className="muted">{hasPin ? t('quote.needTime') : t('quote.needPin')}</p>
      </section>
    );
  }

  if (!quote) {
    return (
      <section
        className="card quote"
        aria-labelledby="quote-title"
        aria-busy={fetching}
        data-testid="quote-pending"
      >
        <h2 id="quote-title">{t('quote.title')}</h2>
        {error && !fetching ? (
          <>
            <p className="form-error" role="alert">
              {t(problemKey(error))}
            </p>
            {toApiProblem(error).code === 'OUT_OF_AREA' ? (
              <WhereWeWork markets={markets} pin={pin} />
            ) : (
              <button type="button" className="button button-secondary" onClick={onRetry}>
                {t('common.retry')}
              </button>
            )}
          </>
        ) : (
          <div className="skeleton-group" role="status">
            <span className="skeleton skeleton-lg" />
            <span className="skeleton" />
            <span className="skeleton" />
            <span className="visually-hidden">{t('quote.loading')}</span>
          </div>
        )}
      </section>
    );
  }

  const { price, availableTechnicians, nearest, priceRange } = quote;
  return (
    <section className="card quote" aria-labelledby="quote-title" aria-busy={fetching} data-testid="quote">
      <div className="card-heading">
        <h2 id="quote-title">{t('quote.title')}</h2>
        {fetching && (
          <span className="muted small inline-status" role="status">
            <Spinner small />
            {t('quote.updating')}
          </span>
        )}
      </div>
      {technicianName && (
        <p className="muted small" data-testid="quote-for">
          {t('quote.theirPrice', { name: technicianName })}
        </p>
      )}
      <p className="quote-total" data-testid="quote-total" data-amount={price.total.amount}>
        {/* Several prices around: the headline is the lowest of them. */}
        {!technicianName && priceRange && priceRange.from.amount !== priceRange.to.amount
          ? t('quote.from', { price: formatMoney(price.total) })
          : formatMoney(price.total)}
      </p>
      {!technicianName && priceRange && priceRange.from.amount !== priceRange.to.amount && (
        <p className="muted small" data-testid="quote-range">
          {t('quote.range', { from: formatMoney(priceRange.from), to: formatMoney(priceRange.to) })}
        </p>
      )}
      {priceUnit === 'hourly' && durationMinutes !== undefined && (
        <p className="muted small">
          {t('quote.hourlyEstimate', { duration: formatMinutes(durationMinutes) })}
        </p>
      )}
      <dl className="breakdown">
        <div>
          <dt>{t('quote.base')}</dt>
          <dd>{formatMoney(price.base)}</dd>
        </div>
        <SurchargeRows price={price} />
        <div className="breakdown-total">
          <dt>{t('quote.total')}</dt>
          <dd>{formatMoney(price.total)}</dd>
        </div>
      </dl>
      <p className={availableTechnicians > 0 ? 'availability' : 'availability availability-none'}>
        {availableTechnicians > 0
          ? nearest
            ? t('quote.nearby', {
                count: formatNumber(availableTechnicians),
                eta: formatMinutes(Math.max(1, Math.ceil(nearest.etaSeconds / 60))),
                distance: formatDistance(nearest.distanceMeters),
              })
            : t('quote.nearbyCount', { count: formatNumber(availableTechnicians) })
          : t('quote.none')}
      </p>
    </section>
  );
}
