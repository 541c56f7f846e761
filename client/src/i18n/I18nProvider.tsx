import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ar } from './ar';
import { en, type MessageKey, type Messages } from './en';
import { INTL_LOCALES, initialLocale, type Locale, persistLocale } from './locale';

const dictionaries: Record<Locale, Messages> = { en, ar };

export type Translate = (key: MessageKey, vars?: Record<string, string>) => string;

type I18n = {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: Translate;
  formatDate: (value: string | number | Date) => string;
  formatTime: (value: string | number | Date) => string;
  /** Date and time, e.g. for a scheduled job or a history entry. */
  formatDateTime: (value: string | number | Date) => string;
  /** Money is integer minor units (kobo, piastres); whole amounts drop the ".00". */
  formatMoney: (money: { amount: number; currency: string }) => string;
  formatNumber: (value: number, options?: Intl.NumberFormatOptions) => string;
  /** "850 m" / "3.2 km" in the user's locale. */
  formatDistance: (meters: number) => string;
  /** A duration: "45 min", "2 hr" (whole hours), "1 hr 30 min". */
  formatMinutes: (minutes: number) => string;
  /** A running clock for timers and countdowns: "4:07", "1:02:33". */
  formatClock: (seconds: number) => string;
  /** Picks the user's language from a `{ en, ar }` pair (catalog names), falling back to English. */
  localized: (text: { en: string; ar: string }) => string;
};

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);

  const setLocale = useCallback((next: Locale) => {
    persistLocale(next);
    setLocaleState(next);
  }, []);

  // The document's language and direction drive screen readers, fonts and the mirrored (RTL) layout.
  useEffect(() => {
    const root = document.documentElement;
    root.lang = locale;
    root.dir = locale === 'ar' ? 'rtl' : 'ltr';
  }, [locale]);

  const value = useMemo<I18n>(() => {
    const messages = dictionaries[locale];
    const dateFormat = new Intl.DateTimeFormat(INTL_LOCALES[locale], { dateStyle: 'medium' });
    const timeFormat = new Intl.DateTimeFormat(INTL_LOCALES[locale], { timeStyle: 'medium' });
    const tag = INTL_LOCALES[locale];
    const dateTimeFormat = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' });
    const plain = new Intl.NumberFormat(tag);
    const twoDigits = new Intl.NumberFormat(tag, { minimumIntegerDigits: 2 });
    // Arabic's short units are single letters ("٩ د"); the long forms ("٩ دقائق") read far better.
    const unitDisplay = locale === 'ar' ? 'long' : 'short';
    const unit = (name: string, value: number) =>
      new Intl.NumberFormat(tag, { style: 'unit', unit: name, unitDisplay }).format(value);
    return {
      locale,
      setLocale,
      t: (key, vars) =>
        vars
          ? messages[key].replace(/\{(\w+)\}/g, (match, name: string) => vars[name] ?? match)
          : messages[key],
      formatDate: (value) => dateFormat.format(new Date(value)),
      formatTime: (value) => timeFormat.format(new Date(value)),
      formatDateTime: (value) => dateTimeFormat.format(new Date(value)),
      formatMoney: ({ amount, currency }) => {
        const whole = amount % 100 === 0;
        const options: Intl.NumberFormatOptions = {
          style: 'currency',
          currency,
          minimumFractionDigits: whole ? 0 : undefined,
          maximumFractionDigits: whole ? 0 : undefined,
        };
        const text = new Intl.NumberFormat(tag, options).format(amount / 100);
        // Where the locale has no symbol of its own for a currency it falls back to the ISO code
        // ("NGN ١٬٥٠٠" in Arabic): the plain symbol (₦) reads better.
        return text.includes(currency)
          ? new Intl.NumberFormat(tag, { ...options, currencyDisplay: 'narrowSymbol' }).format(amount / 100)
          : text;
      },
      formatNumber: (value, options) => new Intl.NumberFormat(tag, options).format(value),
      formatDistance: (meters) =>
        meters < 1000
          ? unit('meter', Math.max(10, Math.round(meters / 10) * 10))
          : unit('kilometer', Math.round(meters / 100) / 10),
      formatMinutes: (minutes) => {
        const hours = Math.floor(minutes / 60);
        const rest = Math.round(minutes % 60);
        if (hours === 0) return unit('minute', Math.max(1, rest));
        return rest === 0 ? unit('hour', hours) : `${unit('hour', hours)} ${unit('minute', rest)}`;
      },
      formatClock: (seconds) => {
        const total = Math.max(0, Math.floor(seconds));
        const h = Math.floor(total / 3600);
        const m = Math.floor((total % 3600) / 60);
        const s = total % 60;
        const parts = h > 0 ? [h, m, s] : [m, s];
        return parts.map((part, i) => (i === 0 ? plain.format(part) : twoDigits.format(part))).join(':');
      },
      localized: (text) => text[locale] || text.en,
    };
  }, [locale, setLocale]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n must be used inside <I18nProvider>');
  return i18n;
}

export function useT(): Translate {
  return useI18n().t;
}
