import { lazy } from 'react';
import type { ModuleRoutes } from '../../app/moduleRoutes';

// The charts (uPlot) and the heatmap load with this screen only: never in a customer's first screen.
const AnalyticsScreen = lazy(() => import('./AnalyticsScreen').then((m) => ({ default: m.AnalyticsScreen })));

/** The analytics module's screens (lazy-loaded); undefined for paths it does not own. */
export const analyticsRoutes: ModuleRoutes = ({ path, signedIn }) => {
  if (path === '/admin/analytics' || path === '/admin/analytics/')
    return signedIn((user) => <AnalyticsScreen user={user} />, ['admin']);
  return undefined;
};
