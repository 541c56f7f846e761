type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
let threshold = order.info;

export function setLogLevel(level: Level) {
  threshold = order[level];
}

/**
 * Redaction by default (issue 15 §3): logs leave the machine (aggregators, support tickets), so nothing
 * that identifies or authenticates a person goes in. Fields with these names are replaced whole, and
 * query parameters (Drizzle puts `params: …` after the SQL of a failed query: hashes, e-mails, phones,
 * tokens, document keys) are cut from every string, whatever the query was.
 */
const SECRET_KEYS =
  /pass(word)?|token|secret|hash|authori[sz]ation|cookie|signature|e-?mail|phone|params|otp|card|iban|address|national|id_?number|cipher/i;
const QUERY_PARAMS = /(\bparams:)[\s\S]*$/;
export const REDACTED = '[redacted]';

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.replace(QUERY_PARAMS, `$1 ${REDACTED}`);
  if (value === null || typeof value !== 'object' || depth > 4) return value;
  if (value instanceof Error) return scrub(describeError(value), depth + 1);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? REDACTED : scrub(v, depth + 1);
  return out;
}

/** Redacts a log record's fields (exported for tests and for anything that writes records elsewhere). */
export const redact = (fields: Record<string, unknown>) => scrub(fields, 0) as Record<string, unknown>;

/**
 * What a log line should say about an error: its message (query parameters cut) and, for database errors,
 * the SQLSTATE and constraint — enough to act on, nothing of the data.
 */
export function describeError(e: unknown): { message: string; code?: string; constraint?: string } {
  let code: string | undefined;
  let constraint: string | undefined;
  for (let cur: unknown = e, depth = 0; cur && typeof cur === 'object' && depth < 4; depth++) {
    const c = cur as { code?: unknown; constraint?: unknown; constraint_name?: unknown; cause?: unknown };
    if (!code && typeof c.code === 'string') code = c.code;
    const named = c.constraint ?? c.constraint_name;
    if (!constraint && typeof named === 'string') constraint = named;
    cur = c.cause;
  }
  const message = (e instanceof Error ? e.message : String(e)).replace(QUERY_PARAMS, `$1 ${REDACTED}`);
  return { message, ...(code ? { code } : {}), ...(constraint ? { constraint } : {}) };
}

function write(level: Exclude<Level, 'silent'>, msg: string, fields?: Record<string, unknown>) {
  if (order[level] < threshold) return;
  const line = JSON.stringify({
    t: new Date().toISOString(),
    level,
    msg: scrub(msg, 0),
    ...(fields ? redact(fields) : {}),
  });
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
}

/** Structured one-line JSON logs, redacted; one module so the format is decided once. */
export const log = {
  debug: (msg: string, f?: Record<string, unknown>) => write('debug', msg, f),
  info: (msg: string, f?: Record<string, unknown>) => write('info', msg, f),
  warn: (msg: string, f?: Record<string, unknown>) => write('warn', msg, f),
  error: (msg: string, f?: Record<string, unknown>) => write('error', msg, f),
};
