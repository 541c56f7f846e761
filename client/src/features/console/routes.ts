import type { ModuleRoutes } from '../../app/moduleRoutes';

/** The console module's screens (lazy-loaded); undefined for paths it does not own. */
export const consoleRoutes: ModuleRoutes = () => undefined;
