import type { ModuleRoutes } from '../../app/moduleRoutes';

/** The analytics module's screens (lazy-loaded); undefined for paths it does not own. */
export const analyticsRoutes: ModuleRoutes = () => undefined;
