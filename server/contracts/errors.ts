// Stable, translatable error codes carried in `error.data.appCode` next to tRPC's own code.
export const appErrorCodes = [
  'INVALID_CREDENTIALS',
  'EMAIL_TAKEN',
  'UNAUTHENTICATED',
  'FORBIDDEN_ROLE',
  'NOT_FOUND',
  'VALIDATION',
  'RATE_LIMITED',
  'CONFLICT',
  'INTERNAL',
] as const;
export type AppErrorCode = (typeof appErrorCodes)[number];
