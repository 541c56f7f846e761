import type { Money, PriceUnit } from '../../../../server/contracts/catalog';
import { useI18n } from '../../i18n/I18nProvider';

/** "₦5,000" or "₦3,000 / hour". */
export function usePriceLabel(): (price: Money, unit: PriceUnit) => string {
  const { t, formatMoney } = useI18n();
  return (price, unit) =>
    unit === 'hourly'
      ? t('price.perHour', { price: formatMoney(price) })
      : t('price.fixed', { price: formatMoney(price) });
}
