import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { log } from '../lib/log';
import { securityHeaders } from './security';
import { type HttpRequest, type HttpResponse, statusLine, type TemplatedApp } from './uws';

/** Documents by URL path, each with its content type: what /docs serves (built by server/docs/pages.ts). */
export type DocsPages = Record<string, { type: string; body: string }>;

type Prepared = { type: string; body: Buffer; gzip: Buffer; br: Buffer; etag: string };

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

async function prepare(pages: DocsPages): Promise<Map<string, Prepared>> {
  const entries = await Promise.all(
    Object.entries(pages).map(async ([path, page]) => {
      const body = Buffer.from(page.body);
      // Compressed on libuv's threads: the event loop (and every socket on it) does not wait.
      const [gz, br] = await Promise.all([
        gzipAsync(body, { level: 9 }),
        brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 10 } }),
      ]);
      const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
      return [path, { type: page.type, body, gzip: gz, br, etag }] as const;
    }),
  );
  return new Map(entries);
}

/**
 * GET/HEAD /docs and /docs/* (the API reference). The pages are built on the first request, not at start
 * (a node nobody asks pays nothing), and kept, compressed, with a strong ETag: they change only with the
 * code, so a client revalidates and gets 304. The transport knows nothing of tRPC: `build` comes from
 * server/app.ts.
 */
export function attachDocs(app: TemplatedApp, build: () => DocsPages) {
  let prepared: Promise<Map<string, Prepared>> | null = null;
  const pages = () => {
    prepared ??= Promise.resolve()
      .then(() => prepare(build()))
      .catch((error: unknown) => {
        prepared = null;
        throw error;
      });
    return prepared;
  };

  const serve = (res: HttpResponse, req: HttpRequest) => {
    // Copied now: uWS request objects are gone after this callback returns.
    const method = req.getMethod();
    // A trailing slash is the same page.
    const path = req.getUrl().replace(/(.)\/$/, '$1');
    const accept = req.getHeader('accept-encoding');
    const ifNoneMatch = req.getHeader('if-none-match');
    if (method !== 'get' && method !== 'head') {
      return void res.cork(() => res.writeStatus(statusLine(405)).writeHeader('allow', 'GET, HEAD').end());
    }
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    pages().then(
      (all) => {
        if (aborted) return;
        const page = all.get(path);
        if (!page) {
          return void res.cork(() =>
            res
              .writeStatus(statusLine(404))
              .writeHeader('content-type', 'text/plain; charset=utf-8')
              .end('Not found'),
          );
        }
        const encoding = /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : null;
        const notModified = ifNoneMatch === page.etag;
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
      },
      (error: unknown) => {
        log.error('building the API reference failed', { error: String(error) });
        if (aborted) return;
        res.cork(() =>
          res
            .writeStatus(statusLine(500))
            .writeHeader('content-type', 'text/plain; charset=utf-8')
            .end('The reference could not be built.'),
        );
      },
    );
  };
  app.any('/docs', serve);
  app.any('/docs/*', serve);
}
