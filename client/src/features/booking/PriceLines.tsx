import type { PriceBreakdown, PriceLine } from '../../../../server/contracts/booking';
import { useI18n } from '../../i18n/I18nProvider';
import { trpc } from '../../lib/trpc';

/** One surcharge line's label: the emergency rate, or the zone's (issue 13 §2). */
export function useLineLabel() {
  const { t, localized } = useI18n();
  return (line: PriceLine) =>
    line.kind === 'zone' && line.zone
      ? t('price.line.zone', { zone: localized(line.zone.name), pct: line.pct ?? '' })
      : line.pct !== null
        ? t('price.line.emergency', { pct: line.pct })
        : t('price.line.emergencyNoPct');
}

/** The surcharge rows of a `dl.breakdown`: one per line (emergency, zone), or the total surcharge. */
export function SurchargeRows({ price }: { price: PriceBreakdown }) {
  const { t, formatMoney } = useI18n();
  const label = useLineLabel();
  if (price.surcharge.amount <= 0) return null;
  if (!price.lines?.length) {
    return (
      <div>
        <dt>{t('quote.surcharge')}</dt>
        <dd>{formatMoney(price.surcharge)}</dd>
      </div>
    );
  }
  return (
    <>
      {price.lines.map((line) => (
        <div key={line.kind} data-testid={`price-line-${line.kind}`}>
          <dt>{label(line)}</dt>
          <dd>{formatMoney(line.amount)}</dd>
        </div>
      ))}
    </>
  );
}

/** On the receipt: the surcharges the quoted price included. */
export function SurchargeNote({ bookingId }: { bookingId: string }) {
  const { t, formatMoney } = useI18n();
  const label = useLineLabel();
  const booking = trpc.booking.get.useQuery({ id: bookingId }, { staleTime: 60_000 });
  const lines = booking.data?.price.lines ?? [];
  if (lines.length === 0) return null;
  return (
    <p className="muted small" data-testid="receipt-surcharges">
      {t('price.includes')} {lines.map((l) => `${label(l)} ${formatMoney(l.amount)}`).join(' · ')}
    </p>
  );
}
