// A deliberately tiny History API router: a handful of flat routes doesn't justify a router dependency.
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useMemo, useSyncExternalStore } from 'react';

const NAVIGATE_EVENT = 'fundi:navigate';

// Set once the user has moved between screens in-app, so screens only steal focus after a navigation
// (moving focus on the very first page load would skip the header for keyboard and screen-reader users).
let navigatedInApp = false;

export function hasNavigatedInApp(): boolean {
  return navigatedInApp;
}

export function navigate(
  to: string,
  { replace = false, keepScroll = false }: { replace?: boolean; keepScroll?: boolean } = {},
): void {
  if (to === window.location.pathname + window.location.search) return;
  navigatedInApp = true;
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  // A screen rewriting its own query (filters) keeps its place; a move to another screen starts at the top.
  if (!keepScroll) window.scrollTo(0, 0);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

function subscribe(onChange: () => void): () => void {
  const onPopState = () => {
    navigatedInApp = true;
    onChange();
  };
  window.addEventListener('popstate', onPopState);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onPopState);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** The query string (e.g. `?category=plumbing`): lets a multi-step screen keep its step in the URL. */
export function useSearchParams(): URLSearchParams {
  const search = useSyncExternalStore(subscribe, () => window.location.search);
  return useMemo(() => new URLSearchParams(search), [search]);
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** A real <a href> (works without JS, opens in new tabs) that navigates in-app on a plain click. */
export function Link({ href, onClick, ...rest }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
    if (event.defaultPrevented || event.button !== 0 || modified) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handleClick} {...rest} />;
}

/** Replaces the current entry, so "back" doesn't bounce the user into the redirect again. */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
