import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { keyFileText } from '../../lib/key-file';

const KEY_FILE = 'field-encryption.key';
const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/**
 * Application-level encryption of sensitive fields (the national ID number, issue 13 §4): AES-256-GCM
 * with a 96-bit random nonce per value and the row's owner as additional data, so a ciphertext copied
 * onto another technician's row does not decrypt. Stored as `v1.<key id>.<nonce>.<tag>.<ciphertext>`
 * (base64url): the key id (first bytes of the key's SHA-256) says which key wrote it, for a rotation.
 *
 * The key is FIELD_ENCRYPTION_KEY (64 hex characters); unset, one is generated on first use and kept in
 * `DATA_DIR/field-encryption.key` (0600), like the upload signing key. Several nodes must share it.
 * Losing the key loses the ID numbers (the documents themselves stay readable).
 */
export function createFieldCipher(opts: { key: string | undefined; dataDir: string }) {
  let key: Buffer | null = opts.key ? Buffer.from(opts.key, 'hex') : null;

  function secret(): Buffer {
    if (key) return key;
    const { file, text } = keyFileText(opts.dataDir, KEY_FILE);
    if (!HEX_KEY.test(text)) throw new Error(`${file} holds no usable key (64 hex characters expected)`);
    key = Buffer.from(text, 'hex');
    return key;
  }

  const keyId = () => createHash('sha256').update(secret()).digest('base64url').slice(0, 8);

  return {
    /** Loads (or creates) the key now, so a request never pays for it. */
    ready: () => void secret(),

    encrypt(plain: string, owner: string): string {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', secret(), nonce);
      cipher.setAAD(Buffer.from(owner, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [nonce, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
      return ['v1', keyId(), ...parts].join('.');
    },

    /** The plain text, or null when it was written by another key or tampered with. */
    decrypt(stored: string, owner: string): string | null {
      const [version, kid, nonce, tag, body] = stored.split('.');
      if (version !== 'v1' || kid !== keyId() || !nonce || !tag || body === undefined) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', secret(), Buffer.from(nonce, 'base64url'));
        decipher.setAAD(Buffer.from(owner, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        // Wrong key, wrong owner or altered bytes: GCM's tag says so. Not an error of the request.
        return null;
      }
    },
  };
}

export type FieldCipher = ReturnType<typeof createFieldCipher>;
