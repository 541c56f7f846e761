import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import { log } from '../../../lib/log';

export { PUBLIC_PUSH_SERVICES } from './push-origins';

export type VapidKeys = { publicKey: string; privateKey: string; subject: string };

/**
 * VAPID keys: from the environment, or generated once and kept in DATA_DIR/vapid.json (0600), so
 * browsers' subscriptions survive a restart (they are bound to the public key). Several nodes must share
 * the variables or the DATA_DIR.
 */
export function loadVapidKeys(opts: {
  publicKey: string | undefined;
  privateKey: string | undefined;
  subject: string;
  dataDir: string;
}): VapidKeys {
  if (opts.publicKey && opts.privateKey)
    return { publicKey: opts.publicKey, privateKey: opts.privateKey, subject: opts.subject };
  const file = path.join(path.resolve(opts.dataDir), 'vapid.json');
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${JSON.stringify(webpush.generateVAPIDKeys())}\n`, { flag: 'wx', mode: 0o600 });
    log.info('notification: generated VAPID keys', { file });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const keys = JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
  return { publicKey: keys.publicKey, privateKey: keys.privateKey, subject: opts.subject };
}

/** Is `endpoint` on an allowed origin? Patterns are origins, `*.` allowed as the leftmost label. */
export function endpointAllowed(endpoint: string, allowed: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  return allowed.some((pattern) => {
    const p = new URL(pattern.replace('*.', 'wildcard.'));
    if (p.protocol !== u.protocol || p.port !== u.port) return false;
    if (!pattern.includes('*.')) return p.hostname === u.hostname;
    const suffix = p.hostname.slice('wildcard'.length);
    return u.hostname.endsWith(suffix) && u.hostname.length > suffix.length;
  });
}

export type PushTarget = { endpoint: string; p256dh: string; auth: string };
export type PushResult = 'sent' | 'gone' | 'retry';

/**
 * One push message: web-push builds the request (VAPID JWT, aes128gcm payload, TTL, Urgency, Topic) and
 * fetch sends it. Not web-push's own sender: it always speaks https and follows nothing we can check;
 * fetch with `redirect: 'manual'` never goes anywhere but the checked endpoint.
 */
export async function sendPush(
  keys: VapidKeys,
  target: PushTarget,
  payload: string,
  opts: { ttl: number; urgency: 'high' | 'normal'; topic?: string; timeoutMs?: number },
): Promise<{ result: PushResult; status: number }> {
  const details = webpush.generateRequestDetails(
    { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
    payload,
    {
      vapidDetails: { subject: keys.subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
      TTL: opts.ttl,
      urgency: opts.urgency,
      contentEncoding: 'aes128gcm',
      ...(opts.topic ? { topic: opts.topic } : {}),
    },
  );
  const res = await fetch(details.endpoint, {
    method: details.method,
    headers: details.headers as Record<string, string>,
    body: details.body ? new Uint8Array(details.body) : undefined,
    redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return { result: 'sent', status: res.status };
  if (res.status === 404 || res.status === 410) return { result: 'gone', status: res.status };
  return { result: 'retry', status: res.status };
}
