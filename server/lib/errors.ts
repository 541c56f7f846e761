import type { AppErrorCode, AppErrorDetails } from '#shared/errors';

/**
 * The one error type services throw. It knows nothing of the transport: the tRPC error formatter
 * (server/trpc/init.ts) maps `code` to a tRPC code and HTTP status in one place.
 */
export class DomainError extends Error {
  constructor(
    public readonly code: AppErrorCode,
    message: string,
    /** Facts the client words its own message from (sent as `error.data.details`). */
    public readonly details: AppErrorDetails | null = null,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** The SQLSTATE of a database error, whichever driver raised it (Drizzle wraps them in `cause`). */
export function pgErrorCode(e: unknown): { code?: string; constraint?: string } {
  for (let cur: unknown = e, depth = 0; cur && typeof cur === 'object' && depth < 4; depth++) {
    const c = cur as { code?: unknown; constraint?: unknown; constraint_name?: unknown; cause?: unknown };
    if (typeof c.code === 'string' && /^[0-9A-Z]{5}$/.test(c.code)) {
      const constraint = c.constraint ?? c.constraint_name;
      return { code: c.code, constraint: typeof constraint === 'string' ? constraint : undefined };
    }
    cur = c.cause;
  }
  return {};
}

export const isUniqueViolation = (e: unknown, constraint?: string) => {
  const pg = pgErrorCode(e);
  return pg.code === '23505' && (!constraint || pg.constraint === constraint);
};
