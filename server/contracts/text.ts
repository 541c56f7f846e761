// Pure zod helpers for text fields (no Node imports: shared with the client).

/**
 * Control characters are never text a person typed: a NUL (U+0000) cannot even be stored by PostgreSQL
 * (22021), and the others hide content from whoever reads it. Multi-line fields (notes, bio, comments,
 * chat) keep tab and line breaks; single-line fields (names, addresses, reasons) keep none.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
export const MULTI_LINE_TEXT = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
export const SINGLE_LINE_TEXT = /^[^\u0000-\u001F\u007F]*$/;
export const CONTROL_CHARACTERS_MESSAGE = 'Control characters are not allowed';

/** True when a string holds a character no text field accepts (NUL and the like; tab and line breaks pass). */
export const hasControlCharacters = (s: string) => !MULTI_LINE_TEXT.test(s);
