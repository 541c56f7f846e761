import { lazy } from 'react';
import type { ModuleRoutes } from '../../app/moduleRoutes';

const DeveloperScreen = lazy(() => import('./DeveloperScreen').then((m) => ({ default: m.DeveloperScreen })));

/** The developer module's screens (lazy-loaded); undefined for paths it does not own. */
export const developerRoutes: ModuleRoutes = ({ path, signedIn }) => {
  if (path === '/developer' || path === '/developer/')
    return signedIn((user) => <DeveloperScreen user={user} />, ['customer']);
  return undefined;
};
