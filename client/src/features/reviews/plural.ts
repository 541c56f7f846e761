import { useMemo } from 'react';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/I18nProvider';
import { INTL_LOCALES } from '../../i18n/locale';

/** Counted nouns: each has a key per plural category (English uses one/other, Arabic all six). */
type Counted = 'count.reviews' | 'count.jobs';
type Category = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';

/**
 * "1 review" / "2 reviews"; in Arabic "تقييم واحد", "تقييمان", "٣ تقييمات", "١١ تقييمًا", "١٠٠ تقييم":
 * Intl.PluralRules picks the form, and the number is written in the locale's digits.
 */
export function usePlural(): (noun: Counted, count: number) => string {
  const { t, locale, formatNumber } = useI18n();
  const rules = useMemo(() => new Intl.PluralRules(INTL_LOCALES[locale]), [locale]);
  return (noun, count) => {
    // Arabic says "no reviews" with its own wording; PluralRules only answers `zero` for Arabic.
    const category = (count === 0 ? 'zero' : rules.select(count)) as Category;
    return t(`${noun}.${category}` as MessageKey, { count: formatNumber(count) });
  };
}
