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

/**
 * Where in a call's raw input (parsed JSON: strings, numbers, arrays, objects) a string or key holds a
 * character no text field accepts, as a path (`['areas', 0, 'name']`, `[]` for the input itself); null
 * when there is none. Every procedure's input goes through it before its own schema
 * (server/trpc/procedures.ts, fast.ts), so a field whose schema forgot its rule still cannot carry a NUL
 * to PostgreSQL. Iterative: deep nesting cannot overflow the stack.
 */
export function controlCharacterPath(input: unknown): Array<string | number> | null {
  const stack: Array<[unknown, Array<string | number>]> = [[input, []]];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (hasControlCharacters(value)) return path;
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push([value[i], [...path, i]]);
    } else if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        if (hasControlCharacters(key)) return [...path, key];
        stack.push([(value as Record<string, unknown>)[key], [...path, key]]);
      }
    }
  }
  return null;
}
