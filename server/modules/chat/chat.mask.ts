import { CHAT_MASK } from '../../contracts/chat';

// Western, Arabic-Indic (٠–٩) and Eastern Arabic-Indic (۰–۹) digits: Cairo keyboards type the latter two.
const DIGIT = '[0-9\\u0660-\\u0669\\u06F0-\\u06F9]';
// What people put between digit groups of a phone number. Not "/" (dates, fractions) nor "," (amounts).
const SEP = '[ \\t.\\-()\\u00A0]';

/**
 * A phone number: seven or more digits, optionally after "+", with at most two separators between any
 * two digits ("+234 803 123 4567", "0803-123-4567", "(010) 1234 5678", "٠١٠١٢٣٤٥٦٧٨"). Shorter runs stay
 * (prices, gate codes, house numbers, times). Dashed dates ("2026-05-01") have eight digits and are
 * masked too: a small price for not letting numbers through.
 */
const PHONE = new RegExp(`\\+?${DIGIT}(?:${SEP}{0,2}${DIGIT}){6,}`, 'g');

/** An e-mail address, Unicode letters included. */
const EMAIL = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

/**
 * Hides phone numbers and e-mail addresses written in a message. Obfuscations ("zero eight zero …",
 * "ada at gmail dot com") are not caught: masking keeps honest people's details private when the job is
 * not running; it is not a filter against someone determined to leak their own.
 */
export function maskContacts(text: string): { text: string; masked: boolean } {
  let masked = false;
  const out = text
    .replace(EMAIL, () => {
      masked = true;
      return CHAT_MASK;
    })
    .replace(PHONE, () => {
      masked = true;
      return CHAT_MASK;
    });
  return { text: out, masked };
}
