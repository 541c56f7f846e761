import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import { type Req, type Res, serveStandin } from './http';

/**
 * A Web Push service stand-in (RFC 8030 + 8291 + 8292), playing the browser's push service: it hands out
 * subscriptions (a P-256 key pair and an auth secret per "browser", as PushManager.subscribe does), and on
 * each POST checks the VAPID JWT (ES256, `aud` = this origin, `exp` within 24 h, a `sub`) and decrypts the
 * `aes128gcm` payload with the subscription's private key. Decryption is written here from the RFCs, not
 * with the library that encrypts, so the test checks the wire format rather than the library against itself.
 */
export type PushMessage = {
  subscription: string;
  payload: Record<string, unknown>;
  ttl: number;
  urgency: string | undefined;
  topic: string | undefined;
  jwt: { aud: string; exp: number; sub: string };
};

const b64u = (b: Buffer) => b.toString('base64url');

/**
 * `port`: a fixed one (browser tests, e2e/server.ts), where `GET /subscribe` also hands out a subscription
 * (as the test's "device") and `GET /inbox` lists the decrypted messages received.
 */
export async function startPushServiceStandin(port = 0) {
  const subs = new Map<string, { ecdh: ReturnType<typeof createECDH>; auth: Buffer; status: number }>();
  const received: PushMessage[] = [];
  const rejected: Array<{ subscription: string; reason: string }> = [];
  let origin = '';

  function checkVapid(req: Req): PushMessage['jwt'] {
    const header = String(req.headers.authorization ?? '');
    const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
    if (!m) throw new Error('no VAPID authorization');
    const [h, p, s] = m[1]!.split('.');
    const key = Buffer.from(m[2]!, 'base64url');
    if (key.length !== 65 || key[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
    const publicKey = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64u(key.subarray(1, 33)), y: b64u(key.subarray(33)) },
      format: 'jwk',
    });
    const ok = verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(s!, 'base64url'),
    );
    if (!ok) throw new Error('bad JWT signature');
    const head = JSON.parse(Buffer.from(h!, 'base64url').toString()) as { alg: string };
    if (head.alg !== 'ES256') throw new Error('JWT alg is not ES256');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as PushMessage['jwt'];
    if (claims.aud !== origin) throw new Error(`aud ${claims.aud} is not ${origin}`);
    const now = Date.now() / 1000;
    if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error('exp out of range');
    if (!/^(mailto:|https:)/.test(claims.sub ?? '')) throw new Error('sub is not mailto: or https:');
    return claims;
  }

  function decrypt(body: Buffer, ecdh: ReturnType<typeof createECDH>, auth: Buffer): Buffer {
    const salt = body.subarray(0, 16);
    const rs = body.readUInt32BE(16);
    const idlen = body[20]!;
    const asPublic = body.subarray(21, 21 + idlen);
    const records = body.subarray(21 + idlen);
    if (records.length > rs) throw new Error('more than one record');
    const uaPublic = ecdh.getPublicKey();
    const secret = ecdh.computeSecret(asPublic);
    const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
    const ikm = Buffer.from(hkdfSync('sha256', secret, auth, keyInfo, 32));
    const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(records.subarray(records.length - 16));
    const padded = Buffer.concat([
      decipher.update(records.subarray(0, records.length - 16)),
      decipher.final(),
    ]);
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    if (padded[end] !== 2) throw new Error('no last-record delimiter');
    return padded.subarray(0, end);
  }

  const server = await serveStandin((req): Res => {
    if (req.method === 'GET' && req.path === '/subscribe') return { status: 200, body: subscribe() };
    if (req.method === 'GET' && req.path === '/inbox') return { status: 200, body: received };
    const id = /^\/push\/([A-Za-z0-9_-]+)$/.exec(req.path)?.[1];
    const sub = id ? subs.get(id) : undefined;
    if (req.method !== 'POST' || !id || !sub) return { status: 404, body: { error: 'no such subscription' } };
    try {
      const jwt = checkVapid(req);
      if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
      const ttl = Number(req.headers.ttl);
      if (!Number.isInteger(ttl) || ttl < 0) throw new Error('no TTL');
      if (sub.status !== 201) return { status: sub.status, body: { error: 'as told' } };
      const payload = JSON.parse(decrypt(req.body, sub.ecdh, sub.auth).toString('utf8')) as Record<
        string,
        unknown
      >;
      received.push({
        subscription: id,
        payload,
        ttl,
        urgency: req.headers.urgency as string | undefined,
        topic: req.headers.topic as string | undefined,
        jwt,
      });
      return { status: 201, body: {} };
    } catch (e) {
      rejected.push({ subscription: id, reason: (e as Error).message });
      return { status: 400, body: { error: (e as Error).message } };
    }
  }, port);
  origin = server.url;

  /** A new browser subscription, as PushSubscription.toJSON() gives it. */
  function subscribe() {
    const id = randomBytes(9).toString('base64url');
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    subs.set(id, { ecdh, auth, status: 201 });
    return {
      id,
      endpoint: `${server.url}/push/${id}`,
      keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) },
    };
  }

  return {
    url: server.url,
    received,
    rejected,
    subscribe,
    /** From now on this subscription answers `status` (410: the browser unsubscribed). */
    answer(id: string, status: number) {
      const s = subs.get(id);
      if (s) s.status = status;
    },
    close: () => server.close(),
  };
}
