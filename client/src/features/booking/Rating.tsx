import { useI18n } from '../../i18n/I18nProvider';

/** "★ 4.8 (12 reviews)", or "New" before the first review. */
export function Rating({ value, count }: { value: number | null; count?: number }) {
  const { t, formatNumber } = useI18n();
  if (value === null) return <span className="rating muted">{t('rating.none')}</span>;
  const average = formatNumber(value, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return (
    <span className="rating">
      <span aria-hidden="true" className="rating-star">
        ★{' '}
      </span>
      {count === undefined
        ? t('rating.value', { value: average })
        : t('rating.valueCount', { value: average, count })}
    </span>
  );
}
