import type { ModuleRoutes } from '../../app/moduleRoutes';

/** The developer module's screens (lazy-loaded); undefined for paths it does not own. */
export const developerRoutes: ModuleRoutes = () => undefined;
