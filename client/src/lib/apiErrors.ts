// Turns whatever a tRPC call threw into something the UI can translate. Error data crosses the network,
// so it is read defensively rather than trusted to match the server's types.
import { TRPCClientError } from '@trpc/client';
import { type AppErrorCode, appCodeForTrpcCode, appErrorCodes } from '#shared/errors';

/** NETWORK: no usable answer from the server at all (offline, DNS, proxy error page…). */
export type ProblemCode = AppErrorCode | 'NETWORK';

export type ApiProblem = {
  code: ProblemCode;
  /** Input fields the server's validation rejected (the UI words its own, translated, message for each). */
  invalidFields: string[];
  /** Facts the server sent for the UI to word its own message (e.g. ARRIVAL_FAR's `distanceMeters`). */
  details?: Record<string, unknown>;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isAppErrorCode(value: unknown): value is AppErrorCode {
  return appErrorCodes.some((code) => code === value);
}

function readInvalidFields(zodError: unknown): string[] {
  if (!isRecord(zodError) || !isRecord(zodError.fieldErrors)) return [];
  return Object.entries(zodError.fieldErrors)
    .filter(([, messages]) => Array.isArray(messages) && messages.length > 0)
    .map(([field]) => field);
}

export function toApiProblem(error: unknown): ApiProblem {
  const data: unknown = error instanceof TRPCClientError ? error.data : undefined;
  if (!isRecord(data)) return { code: 'NETWORK', invalidFields: [], details: {} };
  const code = isAppErrorCode(data.appCode)
    ? data.appCode
    : (appCodeForTrpcCode[String(data.code)] ?? 'INTERNAL');
  return {
    code,
    invalidFields: readInvalidFields(data.zodError),
    details: isRecord(data.details) ? data.details : {},
  };
}

/** 4xx answers won't change on retry, except the server's "busy, come back shortly"; network failures and 5xx might. */
export function isRetryable(error: unknown): boolean {
  const data: unknown = error instanceof TRPCClientError ? error.data : undefined;
  const status = isRecord(data) ? data.httpStatus : undefined;
  return typeof status !== 'number' || status >= 500 || retryAfterMs(error) !== null;
}

/** The server shed this call under load (OVERLOADED): how long it asked us to wait before trying again. */
export function retryAfterMs(error: unknown): number | null {
  const data: unknown = error instanceof TRPCClientError ? error.data : undefined;
  if (!isRecord(data) || data.appCode !== 'OVERLOADED') return null;
  const seconds = isRecord(data.details) ? Number(data.details.retryAfterSeconds) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 2000;
}

/** The translation key for a failed call, with per-screen wording for some codes (e.g. what CONFLICT means here). */
export function problemKey<K extends string>(
  error: unknown,
  overrides: Partial<Record<ProblemCode, K>> = {},
): K | `errors.${ProblemCode}` {
  const { code } = toApiProblem(error);
  return overrides[code] ?? `errors.${code}`;
}
