import { createHmac, timingSafeEqual } from 'node:crypto';
import type { UploadKind } from '../../contracts/upload';
import { uploadKinds } from '../../contracts/upload';
import { keyFileText } from '../../lib/key-file';

/** What an upload URL grants: sending at most `size` bytes of a `kind` for `owner` into slot `id`, until `expires`. */
export type PutGrant = { id: string; kind: UploadKind; owner: string; size: number; expires: number };
/** What a private file URL grants: reading upload `id` until `expires`. */
export type GetGrant = { id: string; expires: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * HMAC-SHA256 signatures for upload slots and private file URLs. With no configured key one is generated
 * on first use and kept in `DATA_DIR/upload-signing.key` (0600), so URLs survive a restart; several nodes
 * must share UPLOAD_SIGNING_KEY (or the DATA_DIR). Read lazily: processes that never sign touch no disk.
 */
export function createSigner(opts: { key: string | undefined; dataDir: string }) {
  let key: Buffer | null = opts.key ? Buffer.from(opts.key, 'utf8') : null;

  function secret(): Buffer {
    if (key) return key;
    const { file, text } = keyFileText(opts.dataDir, 'upload-signing.key');
    if (text.length < 32) throw new Error(`${file} holds no usable key: delete it to generate a new one`);
    key = Buffer.from(text, 'utf8');
    return key;
  }

  const mac = (payload: string) => createHmac('sha256', secret()).update(payload).digest('base64url');
  const same = (a: string, b: string) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };
  const putPayload = (g: PutGrant) =>
    `fundi-upload-put-v1\n${g.id}\n${g.kind}\n${g.owner}\n${g.size}\n${g.expires}`;
  const getPayload = (g: GetGrant) => `fundi-upload-get-v1\n${g.id}\n${g.expires}`;

  return {
    /** Warms the key up (creating the file when needed) so a request never pays for it. */
    ready: () => void secret(),

    putQuery(g: PutGrant): string {
      const q = new URLSearchParams({
        kind: g.kind,
        owner: g.owner,
        size: String(g.size),
        expires: String(g.expires),
        sig: mac(putPayload(g)),
      });
      return q.toString();
    },

    /** The grant of an upload URL, or why not: `invalid` (tampered, malformed) or `expired`. */
    verifyPut(id: string, query: string, now: number): PutGrant | 'invalid' | 'expired' {
      const q = new URLSearchParams(query);
      const kind = q.get('kind') as UploadKind;
      const owner = q.get('owner') ?? '';
      const size = Number(q.get('size'));
      const expires = Number(q.get('expires'));
      const sig = q.get('sig') ?? '';
      if (!UUID.test(id) || !UUID.test(owner) || !uploadKinds.includes(kind)) return 'invalid';
      if (!Number.isSafeInteger(size) || size <= 0 || !Number.isSafeInteger(expires)) return 'invalid';
      const grant = { id, kind, owner, size, expires };
      if (!same(sig, mac(putPayload(grant)))) return 'invalid';
      return expires * 1000 < now ? 'expired' : grant;
    },

    getQuery(g: GetGrant): string {
      return new URLSearchParams({ expires: String(g.expires), sig: mac(getPayload(g)) }).toString();
    },

    verifyGet(id: string, query: string, now: number): GetGrant | 'invalid' | 'expired' {
      const q = new URLSearchParams(query);
      const expires = Number(q.get('expires'));
      const sig = q.get('sig') ?? '';
      if (!UUID.test(id) || !Number.isSafeInteger(expires)) return 'invalid';
      if (!same(sig, mac(getPayload({ id, expires })))) return 'invalid';
      return expires * 1000 < now ? 'expired' : { id, expires };
    },
  };
}

export type Signer = ReturnType<typeof createSigner>;
