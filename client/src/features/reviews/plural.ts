import { useI18n } from '../../i18n/I18nProvider';

/** Counted nouns: messages of the form `{count, plural, …}` (see client/src/lib/messageFormat.ts). */
type Counted = 'count.reviews' | 'count.jobs';

/**
 * "1 review" / "2 reviews"; in Arabic "تقييم واحد", "تقييمان", "٣ تقييمات", "١١ تقييمًا", "١٠٠ تقييم":
 * Intl.PluralRules picks the form, and the number is written in the locale's digits.
 */
export function usePlural(): (noun: Counted, count: number) => string {
  const { t } = useI18n();
  return (noun, count) => t(noun, { count });
}
