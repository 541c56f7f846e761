// Stable, translatable error codes carried in `error.data.appCode` next to tRPC's own code.
export const appErrorCodes = [
  'INVALID_CREDENTIALS',
  'EMAIL_TAKEN',
  'UNAUTHENTICATED',
  'FORBIDDEN_ROLE',
  /** Sign-in refused: the account is suspended or banned (`details.kind`, `details.until` when it ends). */
  'ACCOUNT_RESTRICTED',
  'NOT_FOUND',
  'VALIDATION',
  'RATE_LIMITED',
  /** The server is shedding load (a rush past what it can do well): retry after `details.retryAfterSeconds`. */
  'OVERLOADED',
  'CONFLICT',
  /** "Arrived" while the newest fix is far from the job: `details.distanceMeters`; resend with `confirmFar`. */
  'ARRIVAL_FAR',
  /** The job's pin is outside every market (`details.markets`: where Fundi works, comma-separated slugs). */
  'OUT_OF_AREA',
  /** The service is priced for another market than the pin's (`details.market`: the pin's market). */
  'WRONG_MARKET',
  'INTERNAL',
] as const;
export type AppErrorCode = (typeof appErrorCodes)[number];

/** Numbers and words a client needs to phrase an error itself, in `error.data.details` (null when none). */
export type AppErrorDetails = Record<string, string | number | boolean>;

/** The app code of a plain tRPC error (one a middleware or tRPC itself raised, with no domain code). */
export const appCodeForTrpcCode: Readonly<Partial<Record<string, AppErrorCode>>> = {
  BAD_REQUEST: 'VALIDATION',
  PARSE_ERROR: 'VALIDATION',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN_ROLE',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
};
