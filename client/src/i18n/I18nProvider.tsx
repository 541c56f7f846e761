import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useState,
} from 'react';
import { createFormatters, type Formatters } from '../lib/format';
import { formatMessage, type MessageVars } from '../lib/messageFormat';
import type { MessageKey, Messages } from './en';
import { initialLocale, type Locale, persistLocale } from './locale';

/**
 * `t(key, vars)`: numbers in `vars` are written in the locale's digits, and a message may choose its
 * form by a count (`{count, plural, one {# review} other {# reviews}}`: see lib/messageFormat.ts).
 */
export type Translate = (key: MessageKey, vars?: MessageVars) => string;

type I18n = Omit<Formatters, 'pluralOf'> & {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: Translate;
  /** Picks the user's language from a `{ en, ar }` pair (catalog names), falling back to English. */
  localized: (text: { en: string; ar: string }) => string;
};

// Only the active language's dictionary is loaded (each is its own chunk): the first screen does not pay
// for the other one, which is fetched when the user switches.
const loaders: Record<Locale, () => Promise<Messages>> = {
  en: () => import('./en').then((module) => module.en),
  ar: () => import('./ar').then((module) => module.ar),
};
const loading = new Map<Locale, Promise<Messages>>();

/** The dictionary of `locale`, loaded once. */
export function loadMessages(locale: Locale): Promise<Messages> {
  let promise = loading.get(locale);
  if (!promise) {
    promise = loaders[locale]();
    // A failed chunk load (offline before the app was cached) may be retried on the next switch.
    promise.catch(() => loading.delete(locale));
    loading.set(locale, promise);
  }
  return promise;
}

/** The document's language and direction drive screen readers, fonts and the mirrored (RTL) layout. */
function applyToDocument(locale: Locale): void {
  const root = document.documentElement;
  root.lang = locale;
  root.dir = locale === 'ar' ? 'rtl' : 'ltr';
}

// Start fetching the first screen's dictionary as soon as this module runs, before React renders, and
// put the page in that language's direction at once: the first paint is already in the user's language.
const startLocale = initialLocale();
applyToDocument(startLocale);
void loadMessages(startLocale).catch(() => {});

/** The filled-in translate function and formatters of one language. */
export function createI18n(locale: Locale, messages: Messages): Omit<I18n, 'setLocale'> {
  const formatters = createFormatters(locale);
  const { pluralOf, ...formats } = formatters;
  const tools = { number: (value: number) => formatters.formatNumber(value), plural: pluralOf };
  return {
    ...formats,
    locale,
    t: (key, vars) => (vars ? formatMessage(messages[key], vars, tools) : messages[key]),
    localized: (text) => text[locale] || text.en,
  };
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [active, setActive] = useState<{ locale: Locale; messages: Messages } | null>(null);

  useEffect(() => {
    let current = true;
    loadMessages(startLocale).then(
      (messages) => {
        if (current) setActive((shown) => shown ?? { locale: startLocale, messages });
      },
      () => {
        // The start language's chunk could not load: fall back to the other one rather than a blank app.
        const other: Locale = startLocale === 'en' ? 'ar' : 'en';
        void loadMessages(other).then((messages) => {
          if (current) setActive((shown) => shown ?? { locale: other, messages });
        });
      },
    );
    return () => {
      current = false;
    };
  }, []);

  const setLocale = useCallback((next: Locale) => {
    persistLocale(next);
    // The current language stays on screen until the next one's dictionary has arrived.
    void loadMessages(next).then(
      (messages) => setActive({ locale: next, messages }),
      () => {},
    );
  }, []);

  const locale = active?.locale;
  // Before the browser paints the new language's text (a layout effect), never a frame in the old direction.
  useLayoutEffect(() => {
    if (locale) applyToDocument(locale);
  }, [locale]);

  const value = useMemo<I18n | null>(
    () => (active ? { ...createI18n(active.locale, active.messages), setLocale } : null),
    [active, setLocale],
  );

  // Nothing to show in no language: the dictionary is one small chunk, usually already cached.
  if (!value) return null;
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
