// Numbers, money, dates, distances and durations in the user's language: pure functions of the locale
// (no React), so they are tested on their own and shared by the I18nProvider. Everything goes through
// Intl with the regional tag of INTL_LOCALES, so Arabic reads Arabic-Indic digits throughout (١٢٣) and
// English Western ones, whatever builds the text.
import { INTL_LOCALES, type Locale } from '../i18n/locale';

export type DateInput = string | number | Date;

export type Formatters = {
  formatDate: (value: DateInput) => string;
  formatTime: (value: DateInput) => string;
  /** Date and time, e.g. for a scheduled job or a history entry. */
  formatDateTime: (value: DateInput) => string;
  /** Money is integer minor units (kobo, piastres); whole amounts drop the ".00". */
  formatMoney: (money: { amount: number; currency: string }) => string;
  formatNumber: (value: number, options?: Intl.NumberFormatOptions) => string;
  /** "850 m" / "3.2 km" in the user's locale. */
  formatDistance: (meters: number) => string;
  /** A duration: "45 min", "2 hr" (whole hours), "1 hr 30 min". */
  formatMinutes: (minutes: number) => string;
  /** A running clock for timers and countdowns: "4:07", "1:02:33". */
  formatClock: (seconds: number) => string;
  /** The plural category of a count ("one", "few"…), as the message format picks a form by it. */
  pluralOf: (count: number) => Intl.LDMLPluralRule;
};

export function createFormatters(locale: Locale): Formatters {
  const tag = INTL_LOCALES[locale];
  const dateFormat = new Intl.DateTimeFormat(tag, { dateStyle: 'medium' });
  const timeFormat = new Intl.DateTimeFormat(tag, { timeStyle: 'medium' });
  const dateTimeFormat = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' });
  const plain = new Intl.NumberFormat(tag);
  const twoDigits = new Intl.NumberFormat(tag, { minimumIntegerDigits: 2 });
  const plural = new Intl.PluralRules(tag);
  // Arabic's short units are single letters ("٩ د"); the long forms ("٩ دقائق") read far better.
  const unitDisplay = locale === 'ar' ? 'long' : 'short';
  const unit = (name: string, value: number) =>
    new Intl.NumberFormat(tag, { style: 'unit', unit: name, unitDisplay }).format(value);
  return {
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
    formatNumber: (value, options) =>
      options ? new Intl.NumberFormat(tag, options).format(value) : plain.format(value),
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
    pluralOf: (count) => plural.select(count),
  };
}
