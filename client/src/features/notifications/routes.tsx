import { lazy } from 'react';
import type { ModuleRoutes } from '../../app/moduleRoutes';

const NotificationsScreen = lazy(() =>
  import('./NotificationsScreen').then((m) => ({ default: m.NotificationsScreen })),
);
const PreferencesScreen = lazy(() =>
  import('./PreferencesScreen').then((m) => ({ default: m.PreferencesScreen })),
);
const VerifyPhoneScreen = lazy(() => import('./VerifyPhone').then((m) => ({ default: m.VerifyPhoneScreen })));

/** Where the phone is verified (the onboarding checklist links here). */
export const VERIFY_PHONE_PATH = '/verify-phone';
export const NOTIFICATIONS_PATH = '/notifications';
export const NOTIFICATION_SETTINGS_PATH = '/notifications/settings';

const is = (path: string, p: string) => path === p || path === `${p}/`;

/** The notifications module's screens (lazy-loaded); undefined for paths it does not own. */
export const notificationsRoutes: ModuleRoutes = ({ path, signedIn }) => {
  if (is(path, NOTIFICATIONS_PATH)) return signedIn(() => <NotificationsScreen />);
  if (is(path, NOTIFICATION_SETTINGS_PATH)) return signedIn(() => <PreferencesScreen />);
  if (is(path, VERIFY_PHONE_PATH)) return signedIn(() => <VerifyPhoneScreen />);
  return undefined;
};
