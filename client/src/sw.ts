// Service worker: precaches the built app shell so Fundi opens without a network, and only
// switches to a new version when the page asks for it (the "Update now" prompt).
import { createTRPCClient, httpLink } from '@trpc/client';
import { clientsClaim } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import type { AppRouter } from '../../server/trpc/root';
import {
  OUTBOX_SYNC_TAG,
  type OutboxAction,
  readActions,
  replayActions,
  writeAction,
} from './features/booking/outboxStore';

// This file has its own project (client/tsconfig.sw.json, WebWorker lib): `self` is the worker's scope.
// workbox-precaching adds `__WB_MANIFEST` to ServiceWorkerGlobalScope.
declare const self: ServiceWorkerGlobalScope;
declare global {
  // Background Sync is not in TypeScript's WebWorker lib yet (a WICG draft): its one event.
  interface ServiceWorkerGlobalScopeEventMap {
    sync: ExtendableEvent & { readonly tag: string };
  }
}

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Client-side routes (/home, /sign-in, …) all render from the precached index.html; the API, its
// reference (/docs) and the health check must always reach the server.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [
      /^\/trpc(?:\/|$)/,
      /^\/docs(?:\/|$)/,
      /^\/healthz(?:\/|$)/,
      /^\/files\//,
      /^\/uploads\//,
      /^\/webhooks\//,
    ],
  }),
);

// ---- Map tiles: the ones already seen stay on the phone (cache first), so a map opens on flaky data ----

/** v2: kept by workbox-expiration (its IndexedDB of timestamps); v1 was trimmed by hand and is dropped. */
const TILE_CACHE = 'fundi-tiles-v2';
const OLD_TILE_CACHES = ['fundi-tiles-v1'];
/** ~300 tiles × ~15 kB: a few MB, enough for the streets around home and a handful of jobs. */
const MAX_TILES = 300;
const MAX_TILE_AGE_S = 30 * 24 * 3600;
/** z/x/y tile paths, as every common tile server names them. */
const TILE_PATH = /\/\d+\/\d+\/\d+(@2x)?\.png$/;
const TILE_TEMPLATE = import.meta.env.VITE_TILE_URL || 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';

/** The configured tile server's host (a `{s}` subdomain placeholder matches any subdomain). */
function tileHost(template: string): RegExp | null {
  try {
    const sample = template.replace(/\{s\}/g, 'subdomain').replace(/\{[a-z0-9]+\}/gi, '0');
    const host = new URL(sample, self.location.href).host;
    const pattern = host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('subdomain', '[a-z0-9-]+');
    return new RegExp(`^${pattern}$`, 'i');
  } catch {
    return null;
  }
}
const TILE_HOST = tileHost(TILE_TEMPLATE);

function isTile(url: URL, request: Request): boolean {
  if (request.method !== 'GET') return false;
  if (url.origin === self.location.origin) {
    // Self-hosted tiles on our own origin: only z/x/y paths, never the API or the app.
    return TILE_HOST?.test(url.host) === true && TILE_PATH.test(url.pathname);
  }
  return TILE_PATH.test(url.pathname) || TILE_HOST?.test(url.host) === true;
}

registerRoute(
  ({ url, request }) => isTile(url, request),
  new CacheFirst({
    cacheName: TILE_CACHE,
    matchOptions: { ignoreVary: true },
    plugins: [
      // Least recently used tiles go first beyond MAX_TILES; one older than MAX_TILE_AGE is fetched again;
      // a full quota empties this cache rather than fail the app's other storage.
      new ExpirationPlugin({
        maxEntries: MAX_TILES,
        maxAgeSeconds: MAX_TILE_AGE_S,
        purgeOnQuotaError: true,
      }),
      // Only readable (CORS) 200s are stored (CacheFirst's default): opaque ones count megabytes each.
      {
        // Offline with only a tile past its age: an old tile beats a blank square.
        handlerDidError: async ({ request }) =>
          (await caches.open(TILE_CACHE)).match(request, { ignoreVary: true }),
      },
    ],
  }),
);

self.addEventListener('activate', (event) => {
  event.waitUntil(Promise.all(OLD_TILE_CACHES.map((name) => caches.delete(name))));
});

// Never skip waiting on our own: a page running the old bundle could otherwise lose its lazy chunks.
self.addEventListener('message', (event) => {
  const data = event.data;
  if (typeof data === 'object' && data !== null && 'type' in data && data.type === 'SKIP_WAITING') {
    void self.skipWaiting();
  }
});

// Background Sync: when the browser sees the connection return, the outbox (queued bookings and
// cancellations) is replayed. An open page does it (it also updates its screen): we wake it. With no
// page open, the worker replays it itself, as whoever is signed in now (the session cookie goes with
// its same-origin requests), and only that user's actions. If the connection is still not good enough,
// the sync fails and the browser tries again later.
async function onOutboxSync(): Promise<void> {
  const pages = await self.clients.matchAll({ type: 'window' });
  if (pages.length > 0) {
    for (const page of pages) page.postMessage({ type: 'REPLAY_OUTBOX' });
    return;
  }
  const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: '/trpc' })] });
  const me = await api.auth.me.query();
  if (!me) return; // Signed out: the actions wait for their user.
  const mine = ((await readActions()) ?? []).filter((action) => action.userId === me.id);
  const done = await replayActions(mine, api, (action, patch) =>
    writeAction({ ...action, ...patch } as OutboxAction),
  );
  if (!done) throw new Error('outbox: not sent yet');
}

self.addEventListener('sync', (event) => {
  if (event.tag === OUTBOX_SYNC_TAG) event.waitUntil(onOutboxSync());
});

clientsClaim();

// ---- Web Push (issue 11 §2): the server's payload is already in the user's language ----

type PushPayload = {
  title: string;
  body: string;
  url: string;
  tag?: string;
  kind?: string;
  urgent?: boolean;
};

self.addEventListener('push', (event) => {
  let p: PushPayload;
  try {
    p = event.data?.json() as PushPayload;
  } catch {
    return;
  }
  if (!p?.title) return;
  // `renotify` and `vibrate` are honoured by Chrome on Android but left out of TypeScript's lib.
  const options: NotificationOptions & { renotify?: boolean; vibrate?: number[] } = {
    body: p.body,
    tag: p.tag,
    data: { url: p.url, kind: p.kind },
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    // An offer waits for an answer: it stays until tapped or dismissed, and buzzes.
    requireInteraction: p.urgent === true,
    renotify: Boolean(p.tag),
    vibrate: p.kind === 'offer' ? [300, 100, 300, 100, 300] : [100],
  };
  event.waitUntil(self.registration.showNotification(p.title, options));
});

// A tap opens the right screen: an open Fundi window goes there, or a new one opens.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url ?? '/home', self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
      const open = windows.find((w) => new URL(w.url).origin === target.origin);
      if (open) {
        await open.navigate(target.href).catch(() => undefined);
        await open.focus();
        return;
      }
      await self.clients.openWindow(target.href);
    }),
  );
});
