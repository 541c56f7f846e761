// Where to go back to after signing in or up (`?next=` on /sign-in and /sign-up).

const BASE = 'https://fundi.invalid';

/**
 * `raw` as a same-origin path (`/book?technician=…`), or null: only a relative path starting with one
 * `/` is accepted, never `//host`, `/\host`, a scheme (`https:`, `javascript:`) or control characters,
 * so `?next=` cannot send anyone to another site (no open redirect). The sign-in screens are no target.
 */
export function safeReturnPath(raw: string | null | undefined): string | null {
  if (!raw || raw.length > 1000) return null;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  if (url.pathname === '/sign-in' || url.pathname === '/sign-up') return null;
  return url.pathname + url.search + url.hash;
}

/** `/sign-in` or `/sign-up` carrying where to return to (nothing when that is not a safe path). */
export function authPath(screen: '/sign-in' | '/sign-up', returnTo: string | null | undefined): string {
  const next = safeReturnPath(returnTo);
  return next && next !== '/home' ? `${screen}?next=${encodeURIComponent(next)}` : screen;
}
