import { log } from '../lib/log';
import type { WebhookRequest } from '../modules/payments/providers/types';
import { readBody } from './http';
import { type HttpRequest, type HttpResponse, statusLine, type TemplatedApp } from './uws';

/** Gateways POST small JSON events; anything bigger is not one of theirs. */
const MAX_WEBHOOK_BYTES = 256 * 1024;
const PROVIDERS = new Set(['paystack', 'stripe', 'paymob']);

export type WebhookHandler = (
  provider: string,
  req: WebhookRequest,
) => Promise<{ status: number; body: string }>;

/**
 * POST /webhooks/:provider. The raw bytes reach the handler untouched (signatures are over them); the
 * handler verifies before anything is parsed into state. A 5xx asks the gateway to deliver again later.
 */
export function attachWebhooks(app: TemplatedApp, handle: WebhookHandler, inflight: { count: number }) {
  app.post('/webhooks/:provider', (res: HttpResponse, req: HttpRequest) => {
    const provider = req.getParameter(0) ?? '';
    // Copied now: uWS request objects are gone after the first callback returns.
    const headers: Record<string, string> = {};
    req.forEach((k, v) => {
      headers[k.toLowerCase()] = v;
    });
    const query = req.getQuery() ?? '';
    const abort = new AbortController();
    res.onAborted(() => abort.abort());
    const reply = (status: number, body: string) => {
      if (abort.signal.aborted) return;
      res.cork(() => {
        res.writeStatus(statusLine(status)).writeHeader('content-type', 'text/plain').end(body);
      });
    };
    if (!PROVIDERS.has(provider)) {
      reply(404, 'unknown provider');
      return;
    }
    inflight.count++;
    let size = 0;
    readBody(res, abort.signal, (body) => {
      size = body?.byteLength ?? MAX_WEBHOOK_BYTES + 1;
      if (!body || size > MAX_WEBHOOK_BYTES) {
        inflight.count--;
        reply(413, 'too large');
        return;
      }
      handle(provider, { rawBody: body, headers, query })
        .then(
          (r) => reply(r.status, r.body),
          (e: unknown) => {
            log.error('webhook failed', { provider, error: e instanceof Error ? e.message : String(e) });
            reply(500, 'try again');
          },
        )
        .finally(() => {
          inflight.count--;
        });
    });
  });
}
