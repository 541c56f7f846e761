import type { ModuleRoutes } from '../../app/moduleRoutes';

/** The schedule module's screens (lazy-loaded); undefined for paths it does not own. */
export const scheduleRoutes: ModuleRoutes = () => undefined;
