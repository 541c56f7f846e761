// The last signed-in user, kept on the device so the app can still show who is signed in when it is
// opened without a network (the shell itself comes from the service worker cache).
import type { PublicUser } from '../../../../server/contracts/auth';
import { readStorage, removeStorage, writeStorage } from '../../lib/storage';

const STORAGE_KEY = 'fundi.user';

function isPublicUser(value: unknown): value is PublicUser {
  if (typeof value !== 'object' || value === null) return false;
  const user = value as Record<string, unknown>;
  return (
    typeof user.id === 'string' &&
    typeof user.name === 'string' &&
    typeof user.email === 'string' &&
    typeof user.createdAt === 'string' &&
    (user.role === 'customer' || user.role === 'technician' || user.role === 'admin') &&
    (user.locale === 'en' || user.locale === 'ar')
  );
}

export function loadCachedUser(): PublicUser | null {
  const raw = readStorage(STORAGE_KEY);
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isPublicUser(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function saveCachedUser(user: PublicUser | null): void {
  if (user) writeStorage(STORAGE_KEY, JSON.stringify(user));
  else removeStorage(STORAGE_KEY);
}
