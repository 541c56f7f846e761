import type { ModuleRoutes } from '../../app/moduleRoutes';

/** The cases module's screens (lazy-loaded); undefined for paths it does not own. */
export const casesRoutes: ModuleRoutes = () => undefined;
