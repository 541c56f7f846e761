import type { Money } from '../../../../server/contracts/catalog';

// Arabic-Indic (٠–٩) and Extended Arabic-Indic (۰–۹) digits, as Arabic keyboards type them.
const DIGITS: Record<string, string> = {};
for (let i = 0; i < 10; i++) {
  DIGITS[String.fromCharCode(0x0660 + i)] = String(i);
  DIGITS[String.fromCharCode(0x06f0 + i)] = String(i);
}

/**
 * What someone typed as an amount in major units ("1,500", "1500.5", "١٥٠٠", "١٬٥٠٠٫٥٠") as integer minor
 * units; null when it is not a plain amount with at most two decimals. No floats on the way: the digits
 * before and after the separator are read as integers.
 */
export function parseAmount(text: string): number | null {
  const plain = text
    .trim()
    .replace(/[٠-٩۰-۹]/g, (d) => DIGITS[d] ?? d)
    .replace(/[٫]/g, '.')
    .replace(/[,٬\s\u00a0\u202f]/g, '');
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(plain);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Minor units as the plain text an amount field starts with ("1500" or "1500.50"). */
export function amountInput(minor: number): string {
  return minor % 100 === 0 ? String(minor / 100) : (minor / 100).toFixed(2);
}

/** The currency's symbol alone (₦, ج.م.‏, $) in the user's language, for the amount fields' labels. */
export function currencySymbol(currency: string, locale: string): string {
  const parts = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    currencyDisplay: 'narrowSymbol',
  }).formatToParts(0);
  return parts.find((p) => p.type === 'currency')?.value ?? currency;
}

export const sum = (amounts: Money[], currency: string): Money => ({
  amount: amounts.reduce((a, m) => a + m.amount, 0),
  currency,
});

/** Tip presets: a tenth, 15 % and a fifth of the bill, each rounded to a whole unit of the currency. */
export function tipPresets(due: Money): Money[] {
  const whole = (pct: number) => Math.max(100, Math.round((due.amount * pct) / 100 / 100) * 100);
  const amounts = [...new Set([whole(10), whole(15), whole(20)])];
  return amounts.map((amount) => ({ amount, currency: due.currency }));
}
