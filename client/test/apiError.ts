// Errors shaped as tRPC delivers them to the client (error.data from the server's error formatter).
import { TRPCClientError } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';

export function apiError(data: Record<string, unknown>): TRPCClientError<AnyTRPCRouter> {
  return new TRPCClientError('refused', {
    result: { error: { message: 'refused', code: -32_600, data } },
  } as ConstructorParameters<typeof TRPCClientError>[1]);
}

/** The server shed the call under load and asked us to come back after `seconds`. */
export const overloaded = (seconds: number) =>
  apiError({
    code: 'TOO_MANY_REQUESTS',
    httpStatus: 429,
    appCode: 'OVERLOADED',
    details: { retryAfterSeconds: seconds },
  });

/** No answer at all (offline). */
export const offline = () => new TRPCClientError('Failed to fetch');

export const refused = (code: string, httpStatus: number, appCode?: string) =>
  apiError({ code, httpStatus, ...(appCode ? { appCode } : {}) });
