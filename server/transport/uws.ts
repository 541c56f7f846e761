import type * as UWS from 'uWebSockets.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The package silently falls back to a slow JavaScript implementation when its native binary does
 * not load (any Node other than 20 here). We load it once and record which one we got.
 */
export const uws: typeof UWS = require('uWebSockets.js');

export const uwsImplementation: 'native' | 'fallback' = /\[native code\]/.test(
  Function.prototype.toString.call(uws.App),
)
  ? 'native'
  : 'fallback';

export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket, WebSocket } from 'uWebSockets.js';

const reasons: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  207: 'Multi-Status',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};
export const statusLine = (code: number) => `${code} ${reasons[code] ?? 'Unknown'}`;

/** Copies the remote address out of uWS (its buffers are only valid during the callback). */
export const remoteIp = (res: UWS.HttpResponse) => Buffer.from(res.getRemoteAddressAsText()).toString();

/**
 * The client's address. Behind `trustProxies` load balancers of ours (TRUST_PROXY), the address the
 * outermost of them appended to X-Forwarded-For (entries before it are whatever the client sent, so
 * never trusted); otherwise the socket's peer. Per-IP rate limits count this.
 */
export function clientIp(res: UWS.HttpResponse, req: UWS.HttpRequest, trustProxies: number): string {
  return clientIpOf(trustProxies > 0 ? req.getHeader('x-forwarded-for') : '', trustProxies, () =>
    remoteIp(res),
  );
}

/**
 * `clientIp` from a copied X-Forwarded-For value; `peer` (the socket's address: uWS asks the kernel each
 * time, a few µs) is asked only when the answer is the peer.
 */
export function clientIpOf(forwardedFor: string, trustProxies: number, peer: () => string): string {
  if (trustProxies <= 0) return peer();
  const hops = forwardedFor
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return hops[hops.length - trustProxies] ?? hops[0] ?? peer();
}
