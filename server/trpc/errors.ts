import {
  getStatusCodeFromKey,
  type TRPC_ERROR_CODE_KEY,
  TRPC_ERROR_CODES_BY_KEY,
  type TRPCError,
} from '@trpc/server/unstable-core-do-not-import';
import { z } from 'zod';
import { type AppErrorCode, type AppErrorDetails, appCodeForTrpcCode, appErrorCodes } from '#shared/errors';
import { DomainError } from '../lib/errors';
import { log } from '../lib/log';

/** The one place where domain errors become tRPC codes (and so HTTP statuses). */
const trpcCodeFor: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  INVALID_CREDENTIALS: 'UNAUTHORIZED',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  EMAIL_TAKEN: 'CONFLICT',
  CONFLICT: 'CONFLICT',
  ARRIVAL_FAR: 'CONFLICT',
  OUT_OF_AREA: 'BAD_REQUEST',
  WRONG_MARKET: 'BAD_REQUEST',
  FORBIDDEN_ROLE: 'FORBIDDEN',
  ACCOUNT_RESTRICTED: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  VALIDATION: 'BAD_REQUEST',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  OVERLOADED: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/** Each app code with the tRPC code and HTTP status it travels with (for the reference at /docs). */
export const errorCatalogue = (): Array<{
  appCode: AppErrorCode;
  trpcCode: TRPC_ERROR_CODE_KEY;
  jsonRpcCode: number;
  httpStatus: number;
}> =>
  appErrorCodes.map((appCode) => ({
    appCode,
    trpcCode: trpcCodeFor[appCode],
    jsonRpcCode: TRPC_ERROR_CODES_BY_KEY[trpcCodeFor[appCode]],
    httpStatus: getStatusCodeFromKey(trpcCodeFor[appCode]),
  }));

type Shape = {
  message: string;
  code: number;
  data: { code: string; httpStatus: number; path?: string; stack?: string };
};

export type AppErrorData = Shape['data'] & {
  appCode: AppErrorCode;
  zodError: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
  details: AppErrorDetails | null;
};

export function formatError({ shape, error }: { shape: Shape; error: TRPCError }) {
  const domain = error.cause instanceof DomainError ? error.cause : null;
  const code: TRPC_ERROR_CODE_KEY = domain ? trpcCodeFor[domain.code] : error.code;
  const zodError = error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null;
  // Unexpected failures keep their detail in the server log, not in the response.
  const message =
    domain?.message ??
    (code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : zodError ? 'Invalid input' : shape.message);
  const data: AppErrorData = {
    ...shape.data,
    code,
    httpStatus: getStatusCodeFromKey(code),
    appCode: domain?.code ?? appCodeForTrpcCode[code] ?? 'INTERNAL',
    zodError,
    details: domain?.details ?? null,
  };
  return { message, code: TRPC_ERROR_CODES_BY_KEY[code], data };
}

/** Errors worth a server log line: not the ones a client caused. */
export const isServerFault = (error: TRPCError) =>
  !(error.cause instanceof DomainError) && error.code === 'INTERNAL_SERVER_ERROR';

/** The transports' `onError`: a server fault gets a log line (with its cause); what a client caused does not. */
export function logServerFault({ error, path }: { error: TRPCError; path: string | undefined }) {
  if (isServerFault(error)) log.error('procedure failed', { path, error: String(error.cause ?? error) });
}
