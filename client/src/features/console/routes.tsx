import { lazy } from 'react';
import type { ModuleRoutes } from '../../app/moduleRoutes';

const UsersScreen = lazy(() => import('./UsersScreen').then((m) => ({ default: m.UsersScreen })));
const UserScreen = lazy(() => import('./UserScreen').then((m) => ({ default: m.UserScreen })));
const CatalogScreen = lazy(() => import('./CatalogScreen').then((m) => ({ default: m.CatalogScreen })));
const AuditScreen = lazy(() => import('./AuditScreen').then((m) => ({ default: m.AuditScreen })));
const ReviewsScreen = lazy(() => import('./ReviewsScreen').then((m) => ({ default: m.ReviewsScreen })));

const USER_PATH = /^\/admin\/users\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/** The console module's screens (lazy-loaded); undefined for paths it does not own. */
export const consoleRoutes: ModuleRoutes = ({ path, signedIn }) => {
  if (path === '/admin/users') return signedIn(() => <UsersScreen />, ['admin']);
  if (path === '/admin/catalog') return signedIn(() => <CatalogScreen />, ['admin']);
  if (path === '/admin/audit') return signedIn(() => <AuditScreen />, ['admin']);
  if (path === '/admin/reviews') return signedIn(() => <ReviewsScreen />, ['admin']);
  const user = USER_PATH.exec(path);
  if (user?.[1]) {
    const id = user[1].toLowerCase();
    return signedIn(() => <UserScreen key={id} id={id} />, ['admin']);
  }
  return undefined;
};
