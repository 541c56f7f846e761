import type { Config } from '../config';

/** Headers every response from the static server carries. */
export const securityHeaders: ReadonlyArray<readonly [string, string]> = [
  [
    'content-security-policy',
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob: https:",
      "connect-src 'self' ws: wss: https:",
      "worker-src 'self'",
      "manifest-src 'self'",
      "font-src 'self' data:",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "object-src 'none'",
    ].join('; '),
  ],
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'strict-origin-when-cross-origin'],
  ['x-frame-options', 'DENY'],
  ['permissions-policy', 'geolocation=(self), camera=(), microphone=()'],
];

/**
 * Cookie-authenticated writes and WebSocket upgrades must come from a page we serve: the Origin's
 * host equals the Host we were reached at, or it is listed in ALLOWED_ORIGINS / PUBLIC_URL.
 */
export function createOriginPolicy(config: Config) {
  const allowed = new Set(config.allowedOrigins);
  return (origin: string, host: string): boolean => {
    if (!origin) return false;
    if (allowed.has(origin)) return true;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  };
}

export type OriginPolicy = ReturnType<typeof createOriginPolicy>;
