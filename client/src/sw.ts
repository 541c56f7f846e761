// Service worker: precaches the built app shell so Fundi opens without a network, and only
// switches to a new version when the page asks for it (the "Update now" prompt).
import { clientsClaim } from 'workbox-core';
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  type PrecacheEntry,
  precacheAndRoute,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

// The project compiles against the DOM lib (not WebWorker), so describe just the worker scope used here.
interface ServiceWorkerScope {
  __WB_MANIFEST: Array<PrecacheEntry | string>;
  skipWaiting(): Promise<void>;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}
declare const self: ServiceWorkerScope;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Client-side routes (/home, /sign-in, …) all render from the precached index.html; the API and the
// health check must always reach the server.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/trpc(?:\/|$)/, /^\/healthz(?:\/|$)/],
  }),
);

// Never skip waiting on our own: a page running the old bundle could otherwise lose its lazy chunks.
self.addEventListener('message', (event) => {
  const data = event.data;
  if (typeof data === 'object' && data !== null && 'type' in data && data.type === 'SKIP_WAITING') {
    void self.skipWaiting();
  }
});

clientsClaim();
