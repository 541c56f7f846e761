import { describe, expect, it } from 'vitest';
import { LANGUAGE_CHOICES, languageChoices, languageList, languageName } from './languages';

describe('technician languages', () => {
  it('offers the app and market languages and keeps a saved code that is not among them', () => {
    expect(languageChoices(['en'])).toEqual([...LANGUAGE_CHOICES]);
    expect(languageChoices(['sw', 'yo'])).toEqual([...LANGUAGE_CHOICES, 'sw']);
  });

  it('names them in English and in Arabic', () => {
    expect(languageName('yo', 'en')).toBe('Yoruba');
    expect(languageName('en', 'ar')).toBe('الإنجليزية');
    expect(languageList(['en', 'yo'], 'en')).toBe('English and Yoruba');
    expect(languageList(['en', 'ar'], 'ar')).toBe('الإنجليزية والعربية');
    // Whatever the runtime's Intl data, Nigerian Pidgin has a name, not its code.
    expect(languageName('pcm', 'en')).toBe('Nigerian Pidgin');
    expect(languageName('pcm', 'ar')).toMatch(/^[\u0600-\u06FF ]+$/);
    expect(languageName('zz', 'en')).toBe('zz');
  });
});
