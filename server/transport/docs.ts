import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { securityHeaders } from './security';
import { type HttpRequest, type HttpResponse, statusLine, type TemplatedApp } from './uws';

/** Documents by URL path, each with its content type: what /docs serves (built by server/docs/pages.ts). */
export type DocsPages = Record<string, { type: string; body: string }>;

type Prepared = { type: string; body: Buffer; gzip: Buffer; br: Buffer; etag: string };

/**
 * GET/HEAD of each page of the API reference. The pages are built on the first request (not at start:
 * a node that is never asked pays nothing) and kept, compressed, with a strong ETag: they change only
 * with the code, so a client revalidates and gets 304.
 */
export function attachDocs(app: TemplatedApp, build: () => DocsPages) {
  let prepared: Map<string, Prepared> | null = null;
  const pages = () => {
    prepared ??= new Map(
      Object.entries(build()).map(([path, page]) => {
        const body = Buffer.from(page.body);
        const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
        return [
          path,
          {
            type: page.type,
            body,
            gzip: gzipSync(body, { level: 9 }),
            br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 10 } }),
            etag,
          },
        ] as const;
      }),
    );
    return prepared;
  };
  const serve = (res: HttpResponse, req: HttpRequest) => {
    const method = req.getMethod();
    // A trailing slash is the same page.
    const path = req.getUrl().replace(/(.)\/$/, '$1');
    if (method !== 'get' && method !== 'head') {
      return void res.cork(() => res.writeStatus(statusLine(405)).writeHeader('allow', 'GET, HEAD').end());
    }
    const page = pages().get(path);
    if (!page) {
      return void res.cork(() =>
        res
          .writeStatus(statusLine(404))
          .writeHeader('content-type', 'text/plain; charset=utf-8')
          .end('Not found'),
      );
    }
    const accept = req.getHeader('accept-encoding');
    const encoding = /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : null;
    const notModified = req.getHeader('if-none-match') === page.etag;
    res.cork(() => {
      res.writeStatus(statusLine(notModified ? 304 : 200));
      for (const [k, v] of securityHeaders) res.writeHeader(k, v);
      res.writeHeader('content-type', page.type);
      res.writeHeader('cache-control', 'public, max-age=300, must-revalidate');
      res.writeHeader('etag', page.etag);
      res.writeHeader('vary', 'accept-encoding');
      // Anyone may read the reference, from any origin (a developer's tooling fetches openapi.json).
      if (page.type === 'application/json') res.writeHeader('access-control-allow-origin', '*');
      if (encoding && !notModified) res.writeHeader('content-encoding', encoding);
      if (notModified || method === 'head') res.end();
      else res.end(encoding === 'br' ? page.br : encoding === 'gzip' ? page.gzip : page.body);
    });
  };
  app.any('/docs', serve);
  app.any('/docs/*', serve);
}
