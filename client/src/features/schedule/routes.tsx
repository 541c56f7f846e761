import { lazy } from 'react';
import type { ModuleRoutes } from '../../app/moduleRoutes';

const HoursScreen = lazy(() => import('./HoursScreen').then((m) => ({ default: m.HoursScreen })));

/** The path of the technician's hours and time-off editor. */
export const HOURS_PATH = '/technician/hours';

/** The schedule module's screens (lazy-loaded); undefined for paths it does not own. */
export const scheduleRoutes: ModuleRoutes = ({ path, signedIn }) => {
  if (path === HOURS_PATH || path === `${HOURS_PATH}/`)
    return signedIn((user) => <HoursScreen user={user} />, ['technician']);
  return undefined;
};
