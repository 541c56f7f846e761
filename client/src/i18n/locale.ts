import type { Locale } from '../../../server/contracts/auth';
import { readStorage, writeStorage } from '../lib/storage';

export type { Locale };

const STORAGE_KEY = 'fundi.locale';

/** Language names are always written in their own language, whatever the UI language is. */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', ar: 'العربية' };

/** Regional tags for Intl, matching where Fundi operates (day-first dates; Arabic-Indic digits in Egypt). */
export const INTL_LOCALES: Record<Locale, string> = { en: 'en-NG', ar: 'ar-EG' };

export function isLocale(value: unknown): value is Locale {
  return value === 'en' || value === 'ar';
}

export function otherLocale(locale: Locale): Locale {
  return locale === 'en' ? 'ar' : 'en';
}

/** A choice made on this device wins; otherwise follow the browser's preferred language. */
export function initialLocale(): Locale {
  const saved = readStorage(STORAGE_KEY);
  if (isLocale(saved)) return saved;
  const preferred = navigator.languages?.[0] ?? navigator.language ?? 'en';
  return preferred.toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

export function persistLocale(locale: Locale): void {
  writeStorage(STORAGE_KEY, locale);
}
