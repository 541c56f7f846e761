import { type HttpRequest, type HttpResponse, statusLine, type TemplatedApp } from './uws';

/**
 * Protocol edges answered with a status instead of a dropped connection (issue 15 §1). uWS passes us
 * requests up to what its parser holds; anything bigger than these limits is refused here, before a
 * route (and its parsing of the URL, query and headers) runs.
 */
export const MAX_URL_BYTES = 16 * 1024;
export const MAX_HEADER_BYTES = 32 * 1024;

/** Methods some route of ours serves (or answers 405 for); anything else is 501 Not Implemented. */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
]);

const ROUTE_METHODS = [
  'get',
  'post',
  'put',
  'del',
  'patch',
  'options',
  'head',
  'connect',
  'trace',
  'any',
] as const;

type Handler = (res: HttpResponse, req: HttpRequest) => void | Promise<void>;

/** The status a request gets before any route sees it, or null when it may go on. */
export function refusal(req: HttpRequest): 414 | 431 | 501 | null {
  // getCaseSensitiveMethod, not getMethod: in this uWS build getMethod lower-cases the request's own bytes,
  // and the routes after us read the method as sent.
  if (!KNOWN_METHODS.has(req.getCaseSensitiveMethod().toUpperCase())) return 501;
  if (req.getUrl().length + (req.getQuery()?.length ?? 0) > MAX_URL_BYTES) return 414;
  let headerBytes = 0;
  req.forEach((key, value) => {
    headerBytes += key.length + value.length + 4;
  });
  return headerBytes > MAX_HEADER_BYTES ? 431 : null;
}

export function refuse(res: HttpResponse, status: number) {
  res.cork(() => {
    res
      .writeStatus(statusLine(status))
      .writeHeader('content-type', 'text/plain; charset=utf-8')
      .writeHeader('x-content-type-options', 'nosniff')
      .writeHeader('cache-control', 'no-store')
      // The client sent something we will not read: this connection is over.
      .end(statusLine(status), true);
  });
}

/**
 * Puts the edge checks in front of every HTTP route registered on `app` from now on (ours and other
 * modules' alike), by wrapping the route methods of this one app object.
 */
export function guardRoutes(app: TemplatedApp): TemplatedApp {
  const routes = app as unknown as Record<(typeof ROUTE_METHODS)[number], (p: string, h: Handler) => unknown>;
  for (const method of ROUTE_METHODS) {
    const register = routes[method].bind(app);
    routes[method] = (pattern: string, handler: Handler) =>
      register(pattern, (res: HttpResponse, req: HttpRequest) => {
        const status = refusal(req);
        if (status !== null) return refuse(res, status);
        return handler(res, req);
      });
  }
  return app;
}
