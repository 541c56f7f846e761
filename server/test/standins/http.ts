import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * Plumbing shared by the gateway stand-ins: real HTTP servers on 127.0.0.1 that speak each gateway's
 * wire format (no mocks inside the app: Fundi's adapters call them exactly as they call the gateways).
 */

export type Req = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
};
export type Res = { status: number; body: unknown; headers?: Record<string, string> };
export type Handler = (req: Req) => Promise<Res> | Res;

export type StandinServer = { url: string; close(): Promise<void> };

export async function serveStandin(handler: Handler, port = 0): Promise<StandinServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://standin');
      Promise.resolve(
        handler({
          method: req.method ?? 'GET',
          path: u.pathname,
          query: u.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks),
        }),
      )
        .catch((e: unknown): Res => ({ status: 500, body: { message: String(e) } }))
        .then((r) => {
          const isText = typeof r.body === 'string';
          res.writeHead(r.status, {
            'content-type': isText ? 'text/html; charset=utf-8' : 'application/json',
            ...(r.headers ?? {}),
          });
          res.end(isText ? (r.body as string) : JSON.stringify(r.body));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const json = (req: Req): Record<string, unknown> => {
  try {
    return req.body.length ? (JSON.parse(req.body.toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** POSTs a signed webhook the way a gateway does: raw JSON body, its headers; returns the HTTP status. */
export async function deliver(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  await r.text();
  return r.status;
}

/** The "hosted checkout page": a form whose button pays (POST to the same URL). */
export const checkoutPage = (title: string, amount: number, currency: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>
<h1>${title}</h1><p>Pay ${(amount / 100).toFixed(2)} ${currency}</p>
<form method="post"><button type="submit" name="outcome" value="success">Pay</button>
<button type="submit" name="outcome" value="failed">Decline</button></form></body></html>`;

export const randomId = (n = 12) =>
  Array.from(
    { length: n },
    () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 36)],
  ).join('');
