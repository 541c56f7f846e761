import type { ModuleRoutes } from '../../app/moduleRoutes';

/** The notifications module's screens (lazy-loaded); undefined for paths it does not own. */
export const notificationsRoutes: ModuleRoutes = () => undefined;
