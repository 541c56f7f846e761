import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { log } from '../lib/log';
import { securityHeaders } from './security';
import { type HttpRequest, type HttpResponse, statusLine } from './uws';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};
const compressible = /^(text\/|application\/(json|manifest\+json)|image\/svg)/;

type Asset = { body: Buffer; gzip?: Buffer; br?: Buffer; type: string; etag: string; cacheControl: string };

function cacheControlFor(urlPath: string): string {
  // Vite content-hashes everything under /assets/: it can be cached forever.
  if (urlPath.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  // The shell and the service worker must be revalidated, or clients never see a new version.
  if (/\.(html|webmanifest)$/.test(urlPath) || /^\/(sw|registerSW|workbox-[^/]+)\.js$/.test(urlPath)) {
    return 'no-cache';
  }
  return 'public, max-age=86400';
}

function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) {
        walk(file);
        continue;
      }
      const urlPath = `/${path.relative(root, file).split(path.sep).join('/')}`;
      const body = readFileSync(file);
      const type = types[path.extname(file)] ?? 'application/octet-stream';
      const asset: Asset = {
        body,
        type,
        etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`,
        cacheControl: cacheControlFor(urlPath),
      };
      if (compressible.test(type) && body.length > 512) {
        asset.gzip = gzipSync(body, { level: 9 });
        asset.br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 10 } });
      }
      assets.set(urlPath, asset);
    }
  };
  walk(root);
  return assets;
}

/** Serves the built PWA from memory: hashed assets immutable, shell and service worker no-cache, SPA fallback. */
export function createStaticHandler(dir: string) {
  const root = path.resolve(dir);
  const assets = existsSync(path.join(root, 'index.html')) ? loadAssets(root) : new Map<string, Asset>();
  if (assets.size === 0) log.warn('no built client found; run `npm run build`', { dir: root });

  return (res: HttpResponse, req: HttpRequest) => {
    const method = req.getMethod();
    let urlPath = req.getUrl();
    const acceptEncoding = req.getHeader('accept-encoding');
    const ifNoneMatch = req.getHeader('if-none-match');
    if (method !== 'get' && method !== 'head') {
      return void res.cork(() => res.writeStatus(statusLine(405)).writeHeader('allow', 'GET, HEAD').end());
    }
    if (urlPath === '/') urlPath = '/index.html';
    let asset = assets.get(urlPath);
    // Client-side routes (no file extension) get the app shell.
    if (!asset && !path.extname(urlPath)) asset = assets.get('/index.html');
    if (!asset) {
      const body = assets.size === 0 ? 'The client is not built yet: run `npm run build`.' : 'Not found';
      return void res.cork(() => {
        res.writeStatus(statusLine(assets.size === 0 ? 503 : 404));
        for (const [k, v] of securityHeaders) res.writeHeader(k, v);
        res.writeHeader('content-type', 'text/plain; charset=utf-8').end(body);
      });
    }
    const a = asset;
    const encoding =
      a.br && /\bbr\b/.test(acceptEncoding)
        ? 'br'
        : a.gzip && /\bgzip\b/.test(acceptEncoding)
          ? 'gzip'
          : null;
    const body = encoding === 'br' ? a.br! : encoding === 'gzip' ? a.gzip! : a.body;
    res.cork(() => {
      const notModified = ifNoneMatch === a.etag;
      res.writeStatus(statusLine(notModified ? 304 : 200));
      for (const [k, v] of securityHeaders) res.writeHeader(k, v);
      res.writeHeader('content-type', a.type);
      res.writeHeader('cache-control', a.cacheControl);
      res.writeHeader('etag', a.etag);
      if (a.gzip) res.writeHeader('vary', 'accept-encoding');
      if (encoding) res.writeHeader('content-encoding', encoding);
      // endWithoutBody() in this uWS build leaves the request unanswered and aborts the process; end() is safe.
      if (notModified || method === 'head') res.end();
      else res.end(body);
    });
  };
}
