// Fills a UI message's placeholders. Two forms, a subset of ICU MessageFormat:
//   "{name}"                                        the value; a number is written in the locale's digits
//   "{count, plural, =0 {No reviews} one {# review} other {# reviews}}"
//                                                   a form chosen by Intl.PluralRules ("=N" matches N
//                                                   exactly first); "#" is the count in the locale's digits
// Each language lists the categories it has: English one/other, Arabic zero/one/two/few/many/other. The
// dictionaries stay flat Record<string, string>, so adding a plural is editing one string per language.
// Hand-written instead of intl-messageformat because the first screen's budget is 150 kB gzip and only
// `plural` is needed: measured with esbuild --minify + gzip -9, intl-messageformat 12.1.5 with its ICU
// parser is 10.0 kB, this file 0.5 kB.
export type MessageVars = Readonly<Record<string, string | number>>;

export type MessageTools = {
  /** A number in the locale's digits. */
  number: (value: number) => string;
  plural: (count: number) => Intl.LDMLPluralRule;
};

/** The index of the brace closing the one at `open`, or -1. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** A count passed already formatted ("1,204", "١٬٢٠٤"): its value. Prefer passing the number. */
function parseCount(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const western = text
    .replace(/[٠-٩]/g, (digit) => String(digit.charCodeAt(0) - 0x0660))
    .replace(/[,٬\s]/g, '')
    .replace('٫', '.');
  return western === '' ? Number.NaN : Number(western);
}

const PLACEHOLDER = /^\s*(\w+)\s*(?:,\s*plural\s*,([\s\S]*))?$/;

function pluralForms(options: string): Map<string, string> {
  const forms = new Map<string, string>();
  let at = 0;
  for (;;) {
    const open = options.indexOf('{', at);
    if (open < 0) return forms;
    const close = closingBrace(options, open);
    if (close < 0) return forms;
    forms.set(options.slice(at, open).trim(), options.slice(open + 1, close));
    at = close + 1;
  }
}

function fill(body: string, vars: MessageVars, tools: MessageTools): string {
  const match = PLACEHOLDER.exec(body);
  // Not a placeholder (a literal brace in the text): keep it, filling what it holds.
  if (!match) return `{${formatMessage(body, vars, tools)}}`;
  const [, name = '', options] = match;
  const value = vars[name];
  if (options === undefined) {
    if (value === undefined) return `{${body}}`;
    return typeof value === 'number' ? tools.number(value) : value;
  }
  const count = typeof value === 'number' ? value : parseCount(value);
  if (!Number.isFinite(count)) return `{${body}}`;
  const forms = pluralForms(options);
  const form = forms.get(`=${count}`) ?? forms.get(tools.plural(count)) ?? forms.get('other') ?? '';
  return formatMessage(form.replaceAll('#', tools.number(count)), vars, tools);
}

/** The message with its placeholders filled; unknown placeholders are left as written. */
export function formatMessage(template: string, vars: MessageVars, tools: MessageTools): string {
  let out = '';
  let at = 0;
  for (;;) {
    const open = template.indexOf('{', at);
    if (open < 0) return out + template.slice(at);
    const close = closingBrace(template, open);
    if (close < 0) return out + template.slice(at);
    out += template.slice(at, open) + fill(template.slice(open + 1, close), vars, tools);
    at = close + 1;
  }
}
