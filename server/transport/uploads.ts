import { log } from '../lib/log';
import { UploadRefused } from '../modules/upload/process';
import type { UploadService } from '../modules/upload/upload.service';
import { type HttpRequest, type HttpResponse, statusLine, type TemplatedApp } from './uws';

const SHA256_NAME = /^([0-9a-f]{64})\.jpg$/;

/** Served files never run as a page of ours: no scripts, no sniffing, no framing. */
const FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

type Reply = (
  status: number,
  body: string | Buffer,
  headers?: Array<[string, string]>,
  close?: boolean,
) => void;

function replier(res: HttpResponse, aborted: () => boolean): Reply {
  let sent = false;
  return (status, body, headers = [], close = false) => {
    if (sent || aborted()) return;
    sent = true;
    res.cork(() => {
      res.writeStatus(statusLine(status));
      res.writeHeader('x-content-type-options', 'nosniff');
      for (const [k, v] of headers) res.writeHeader(k, v);
      // `close`: the rest of the request body is not wanted: send this and hang up instead of reading it.
      res.end(body, close);
    });
  };
}

const json = (status: number, payload: unknown): [number, string, Array<[string, string]>] => [
  status,
  JSON.stringify(payload),
  [
    ['content-type', 'application/json'],
    ['cache-control', 'no-store'],
  ],
];
const refusal = (status: number, code: string, message: string) => json(status, { error: { code, message } });

/**
 * PUT|POST /uploads/:id?…signed… : the bytes of an upload slot, streamed and counted (past the signed size
 * the request is answered 413 at once and the connection closed, without reading the rest).
 * GET /files/public/<sha256>.jpg : public files (profile photos), cacheable forever.
 * GET /files/private/:id?expires&sig : private files behind a short-lived signed URL (403 when expired or tampered).
 */
export function attachUploads(app: TemplatedApp, uploads: UploadService, inflight: { count: number }) {
  const receive = (res: HttpResponse, req: HttpRequest) => {
    // Copied now: uWS request objects are gone after this callback returns.
    const id = req.getParameter(0) ?? '';
    const query = req.getQuery() ?? '';
    const contentLength = req.getHeader('content-length');
    let aborted = false;
    let counted = false;
    const done = () => {
      if (counted) inflight.count--;
      counted = false;
    };
    res.onAborted(() => {
      aborted = true;
      done();
    });
    const reply = replier(res, () => aborted);

    const grant = uploads.signer.verifyPut(id, query, Date.now());
    if (grant === 'invalid' || grant === 'expired') {
      const [s, b, h] = refusal(
        403,
        grant === 'expired' ? 'EXPIRED' : 'BAD_SIGNATURE',
        grant === 'expired' ? 'This upload link has expired: ask for a new one.' : 'Invalid upload link.',
      );
      return reply(s, b, h, true);
    }
    if (contentLength && Number(contentLength) > grant.size) {
      const [s, b, h] = refusal(413, 'TOO_LARGE', `At most ${grant.size} bytes (as declared).`);
      return reply(s, b, h, true);
    }

    inflight.count++;
    counted = true;
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    res.onData((chunk, isLast) => {
      if (refused || aborted) return;
      size += chunk.byteLength;
      if (size > grant.size) {
        refused = true;
        const [s, b, h] = refusal(413, 'TOO_LARGE', `At most ${grant.size} bytes (as declared).`);
        reply(s, b, h, true);
        done();
        return;
      }
      // uWS reuses its buffer after this callback: copy.
      chunks.push(Buffer.from(new Uint8Array(chunk)));
      if (!isLast) return;
      uploads
        .receive(grant, Buffer.concat(chunks, size))
        .then(
          (stored) => reply(...json(201, stored)),
          (e: unknown) => {
            if (e instanceof UploadRefused) return reply(...refusal(e.status, e.code, e.message));
            log.error('upload failed', { id: grant.id, error: e instanceof Error ? e.message : String(e) });
            reply(...refusal(500, 'INTERNAL', 'The upload could not be stored: try again.'));
          },
        )
        .finally(done);
    });
  };
  app.put('/uploads/:id', receive);
  app.post('/uploads/:id', receive);

  app.get('/files/public/:name', (res, req) => {
    const name = req.getParameter(0) ?? '';
    const ifNoneMatch = req.getHeader('if-none-match');
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const reply = replier(res, () => aborted);
    const m = SHA256_NAME.exec(name);
    if (!m) return reply(404, 'Not found', [['content-type', 'text/plain; charset=utf-8']]);
    const etag = `"${m[1]}"`;
    const headers: Array<[string, string]> = [
      ['cache-control', 'public, max-age=31536000, immutable'],
      ['etag', etag],
      ['content-security-policy', `${FILE_CSP}; sandbox`],
      ['cross-origin-resource-policy', 'cross-origin'],
    ];
    // The name is the content's hash: if the client has it, it has exactly this.
    if (ifNoneMatch === etag) return reply(304, '', headers);
    inflight.count++;
    uploads
      .readPublic(m[1]!)
      .then(
        (body) =>
          body
            ? reply(200, body, [['content-type', 'image/jpeg'], ...headers])
            : reply(404, 'Not found', [
                ['content-type', 'text/plain; charset=utf-8'],
                ['cache-control', 'no-store'],
              ]),
        (e: unknown) => {
          log.error('public file read failed', { name, error: String(e) });
          reply(503, 'Try again', [['content-type', 'text/plain; charset=utf-8']]);
        },
      )
      .finally(() => {
        inflight.count--;
      });
  });

  app.get('/files/private/:id', (res, req) => {
    const id = req.getParameter(0) ?? '';
    const query = req.getQuery() ?? '';
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const reply = replier(res, () => aborted);
    const text = (status: number, body: string) =>
      reply(status, body, [
        ['content-type', 'text/plain; charset=utf-8'],
        ['cache-control', 'no-store'],
      ]);
    const grant = uploads.signer.verifyGet(id, query, Date.now());
    if (grant === 'invalid') return text(403, 'Invalid link');
    if (grant === 'expired') return text(403, 'This link has expired');
    inflight.count++;
    uploads
      .readPrivate(grant.id)
      .then(
        (file) => {
          if (!file) return text(404, 'Not found');
          const pdf = file.contentType === 'application/pdf';
          reply(200, file.body, [
            ['content-type', file.contentType],
            // Only the holder of the link, only until it ends; never in a shared cache.
            [
              'cache-control',
              `private, max-age=${Math.max(0, grant.expires - Math.floor(Date.now() / 1000))}`,
            ],
            ['content-security-policy', pdf ? FILE_CSP : `${FILE_CSP}; sandbox`],
            ['content-disposition', `inline; filename="${grant.id}.${pdf ? 'pdf' : 'jpg'}"`],
            ['cross-origin-resource-policy', 'same-origin'],
            ['referrer-policy', 'no-referrer'],
          ]);
        },
        (e: unknown) => {
          log.error('private file read failed', { id, error: String(e) });
          text(503, 'Try again');
        },
      )
      .finally(() => {
        inflight.count--;
      });
  });
}
