import type { ModuleRoutes } from '../../app/moduleRoutes';

/** The onboarding module's screens (lazy-loaded); undefined for paths it does not own. */
export const onboardingRoutes: ModuleRoutes = () => undefined;
