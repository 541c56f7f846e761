/**
 * The languages a technician may tick on their profile: the two of the app, then those of the markets
 * (Lagos: Yoruba, Igbo, Hausa, Nigerian Pidgin; Cairo: French), plus any code they already saved.
 */
export const LANGUAGE_CHOICES = ['en', 'ar', 'yo', 'ig', 'ha', 'pcm', 'fr'] as const;

/** The offered codes, with any saved code that is not among them kept (so saving never drops it). */
export function languageChoices(saved: readonly string[]): string[] {
  return [...LANGUAGE_CHOICES, ...saved.filter((c) => !(LANGUAGE_CHOICES as readonly string[]).includes(c))];
}

/** Names some browsers' Intl data lacks (Chromium answers "pcm" for Nigerian Pidgin). */
const FALLBACK_NAMES: Record<string, { en: string; ar: string }> = {
  pcm: { en: 'Nigerian Pidgin', ar: 'البيدجن النيجيرية' },
};

/** A language's name in the user's language (Intl.DisplayNames, else our own few), else its code. */
export function languageName(code: string, locale: string): string {
  let name: string | undefined;
  try {
    name = new Intl.DisplayNames([locale], { type: 'language' }).of(code);
  } catch {
    name = undefined;
  }
  if (name && name !== code) return name;
  return FALLBACK_NAMES[code]?.[locale.startsWith('ar') ? 'ar' : 'en'] ?? code;
}

/** "English, Yoruba and Arabic" in the user's language. */
export function languageList(codes: readonly string[], locale: string): string {
  return new Intl.ListFormat(locale, { type: 'conjunction' }).format(
    codes.map((c) => languageName(c, locale)),
  );
}
