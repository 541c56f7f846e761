import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for an S3-compatible store in tests: PUT and GET of objects, path-style
 * (`/<bucket>/<key>`), refusing any request whose Authorization is not SigV4-shaped for the expected
 * access key, region and service, or whose signed payload hash does not match the body.
 */
export async function startS3StandIn(opts: { accessKeyId: string; region: string; bucket: string }) {
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const requests: Array<{ method: string; path: string; authorization: string; status: number }> = [];

  const error = (code: string, message: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;

  function checkAuth(req: IncomingMessage, body: Buffer): string | null {
    const auth = req.headers.authorization ?? '';
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) return 'the Authorization header is not AWS4-HMAC-SHA256';
    const [, keyId, day, region, service, signed] = m;
    if (keyId !== opts.accessKeyId) return 'InvalidAccessKeyId';
    if (region !== opts.region || service !== 's3') return 'wrong credential scope';
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day)
      return 'x-amz-date missing or not the scope day';
    const headers = signed!.split(';');
    for (const h of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
      if (!headers.includes(h)) return `${h} is not signed`;
    }
    const payload = String(req.headers['x-amz-content-sha256'] ?? '');
    if (payload !== 'UNSIGNED-PAYLOAD' && payload !== createHash('sha256').update(body).digest('hex'))
      return 'x-amz-content-sha256 does not match the body';
    return null;
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://standin');
      const send = (status: number, payload: string | Buffer, headers: Record<string, string> = {}) => {
        requests.push({
          method: req.method ?? '',
          path: url.pathname,
          authorization: req.headers.authorization ?? '',
          status,
        });
        res.writeHead(status, { 'content-type': 'application/xml', ...headers });
        res.end(payload);
      };
      const problem = checkAuth(req, body);
      if (problem)
        return send(403, error(problem === 'InvalidAccessKeyId' ? problem : 'AccessDenied', problem));
      const [, bucket, ...rest] = url.pathname.split('/');
      const key = decodeURIComponent(rest.join('/'));
      if (bucket !== opts.bucket) return send(404, error('NoSuchBucket', 'The bucket does not exist'));
      if (req.method === 'PUT') {
        objects.set(key, { body, contentType: String(req.headers['content-type'] ?? 'binary/octet-stream') });
        const etag = `"${createHash('md5').update(body).digest('hex')}"`;
        return send(200, '', { etag });
      }
      if (req.method === 'GET') {
        const o = objects.get(key);
        if (!o) return send(404, error('NoSuchKey', 'The specified key does not exist.'));
        return send(200, o.body, { 'content-type': o.contentType, 'content-length': String(o.body.length) });
      }
      if (req.method === 'DELETE') {
        objects.delete(key);
        return send(204, '');
      }
      send(405, error('MethodNotAllowed', 'Not here'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    objects,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
