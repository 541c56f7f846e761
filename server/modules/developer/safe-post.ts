import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

/**
 * POSTs a webhook to an untrusted URL (SSRF defence, issue 17 §2):
 * - the host is resolved here and every address it resolves to is checked against private, loopback,
 *   link-local, CGNAT, unique-local, multicast and reserved ranges, on every delivery;
 * - the socket connects to that checked address (a custom `lookup`), so a second DNS answer (rebinding)
 *   never reaches the connection; TLS still verifies the certificate for the URL's host name;
 * - short timeouts, redirects are not followed (a 3xx is a failure), and only a small prefix of the
 *   answer is read.
 * Node's own http/https and net.BlockList do the work: no library needed for this.
 */

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local (cloud metadata)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (ULA)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) or compatible IPv6. */
function embeddedIpv4(address: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::|::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return m[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const hi = Number.parseInt(hex[1]!, 16);
  const lo = Number.parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True when a webhook may not be sent to `address` (an IP literal). */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const v4 = embeddedIpv4(address.toLowerCase());
  if (v4) return blocked.check(v4, 'ipv4');
  return blocked.check(address, 'ipv6');
}

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;
export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export type SafePostOptions = {
  allowHttp: boolean;
  /** Exact addresses exempt from the check (tests only: a local receiver). */
  allowAddresses: ReadonlySet<string>;
  timeoutMs: number;
  resolve: Resolver;
  maxResponseBytes?: number;
};

export type PostResult = {
  status: number | null;
  bodyPrefix: string | null;
  error: string | null;
  /** Refused before connecting: the target is (or resolves to) a private or reserved address. */
  unsafe?: boolean;
};

export class UnsafeTargetError extends Error {}

/** Resolves and checks the URL's host; the address to connect to, or an UnsafeTargetError. */
export async function checkTarget(
  url: URL,
  opts: Pick<SafePostOptions, 'allowHttp' | 'allowAddresses' | 'resolve'>,
): Promise<{ address: string; family: number }> {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && opts.allowHttp))
    throw new UnsafeTargetError('Only https:// URLs are allowed');
  if (url.username || url.password) throw new UnsafeTargetError('URLs with credentials are not allowed');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await opts.resolve(host);
  if (addresses.length === 0) throw new UnsafeTargetError('The host does not resolve');
  // Every answer must be public: a host with one private address among public ones is refused.
  for (const a of addresses) {
    if (isForbiddenAddress(a.address) && !opts.allowAddresses.has(a.address))
      throw new UnsafeTargetError(`The host resolves to a private or reserved address (${a.address})`);
  }
  return addresses[0]!;
}

export async function safePost(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  opts: SafePostOptions,
): Promise<PostResult> {
  const max = opts.maxResponseBytes ?? 512;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { status: null, bodyPrefix: null, error: 'Invalid URL' };
  }
  let target: { address: string; family: number };
  try {
    target = await checkTarget(url, opts);
  } catch (e) {
    return {
      status: null,
      bodyPrefix: null,
      error: e instanceof Error ? e.message : 'Refused',
      unsafe: e instanceof UnsafeTargetError,
    };
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      resolve(r);
    };
    const req = mod.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        // Connect to the address checked above, whatever DNS says now (rebinding).
        lookup: ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
          if (options?.all) cb(null, [{ address: target.address, family: target.family }]);
          else cb(null, target.address, target.family);
        }) as never,
        agent: false,
        timeout: opts.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          finish({
            status: res.statusCode ?? null,
            bodyPrefix: Buffer.concat(chunks).toString('utf8').slice(0, max),
            error: null,
          });
        res.on('data', (c: Buffer) => {
          if (size < max) chunks.push(c.subarray(0, max - size));
          size += c.length;
          // Enough read: the rest is not ours to store.
          if (size >= max) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', done);
      },
    );
    const overall = setTimeout(() => {
      req.destroy(new Error('Timed out'));
    }, opts.timeoutMs);
    req.on('timeout', () => req.destroy(new Error('Timed out')));
    req.on('error', (e) => finish({ status: null, bodyPrefix: null, error: e.message.slice(0, 200) }));
    req.end(body);
  });
}
