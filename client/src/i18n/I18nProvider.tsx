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
    return {
      locale,
      setLocale,
      t: (key, vars) =>
        vars
          ? messages[key].replace(/\{(\w+)\}/g, (match, name: string) => vars[name] ?? match)
          : messages[key],
      formatDate: (value) => dateFormat.format(new Date(value)),
      formatTime: (value) => timeFormat.format(new Date(value)),
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
