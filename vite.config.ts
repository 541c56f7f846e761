import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const BRAND = '#0E7C66';
const BACKGROUND = '#F6F7F6';
// The manifest spec's default, right for a bilingual (LTR English / RTL Arabic) app; vite-plugin-pwa's
// types only list 'ltr' | 'rtl', hence the cast.
const MANIFEST_DIR = 'auto' as 'ltr';

export default defineConfig({
  root: 'client',
  publicDir: 'public',
  resolve: {
    // One query-core for the app and @tanstack/react-query-persist-client (which pins 5.104.5; package.json's
    // "overrides" installs the app's 5.108.0 for both), so its hydrate() fills the app's own QueryClient.
    dedupe: ['@tanstack/query-core'],
  },
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    // scripts/check-budget.ts reads .vite/manifest.json to find what index.html loads eagerly.
    manifest: true,
  },
  server: {
    port: 5173,
    strictPort: true,
    // Same-origin API in dev as in production: HTTP batches and the subscription WebSocket both live on /trpc.
    proxy: {
      '/trpc': { target: 'http://localhost:3000', ws: true },
      // The API reference is served by the API server (server/docs).
      '/docs': { target: 'http://localhost:3000' },
    },
  },
  plugins: [
    react(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      // 'prompt': a new worker waits until the user accepts the update (see features/pwa/UpdatePrompt.tsx).
      registerType: 'prompt',
      // The CSP forbids inline scripts, so the app registers the worker itself via virtual:pwa-register/react.
      injectRegister: false,
      // Everything the shell needs offline: all chunks (lazy screens too), styles and icons. The plugin adds
      // the web manifest itself.
      includeManifestIcons: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,png,svg}'],
        // Only the install dialog shows these: not worth a cheap phone's data and storage offline.
        globIgnores: ['screenshots/**'],
      },
      manifest: {
        id: '/',
        name: 'Fundi',
        short_name: 'Fundi',
        description:
          'Book trusted, verified technicians near you — plumbers, electricians, AC repair and more.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: BRAND,
        background_color: BACKGROUND,
        lang: 'en',
        dir: MANIFEST_DIR,
        categories: ['lifestyle', 'utilities'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        shortcuts: [
          {
            name: 'Book a service',
            short_name: 'Book',
            url: '/book',
            icons: [{ src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' }],
          },
          {
            name: 'Go online',
            short_name: 'Go online',
            url: '/home',
            icons: [{ src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' }],
          },
        ],
        screenshots: [
          {
            src: '/screenshots/narrow.png',
            sizes: '720x1280',
            type: 'image/png',
            form_factor: 'narrow',
            label: 'Book a verified technician near you',
          },
          {
            src: '/screenshots/wide.png',
            sizes: '1280x720',
            type: 'image/png',
            form_factor: 'wide',
            label: 'Fundi on a larger screen',
          },
        ],
      },
    }),
  ],
});
