import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedWebhook = {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
  /** The request's path (a followed redirect would show up as its target's). */
  path: string;
};

/**
 * An integrator's webhook endpoint: a real HTTP server recording what Fundi posts. `respond` decides each
 * answer (status and body), e.g. 500 for the first attempts, or null to never answer (a hanging
 * endpoint: the request is recorded, the connection left open until the sender gives up). Listens on 127.0.0.2 by default: tests let
 * exactly that address through the private-address check (WEBHOOK_ALLOW_ADDRESSES), so 127.0.0.1
 * ("localhost") stays refused.
 */
export async function startWebhookReceiver(host = '127.0.0.2') {
  const received: ReceivedWebhook[] = [];
  let respond: (
    n: number,
    r: ReceivedWebhook,
  ) => { status: number; body?: string; headers?: Record<string, string> } | null = () => ({
    status: 200,
    body: 'ok',
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        path: req.url ?? '',
      };
      received.push(r);
      const out = respond(received.length, r);
      if (!out) return;
      res.writeHead(out.status, { 'content-type': 'text/plain', ...(out.headers ?? {}) });
      res.end(out.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/hooks`,
    port,
    received,
    setResponder(fn: typeof respond) {
      respond = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests would hold the close up.
        server.closeAllConnections();
      }),
  };
}
