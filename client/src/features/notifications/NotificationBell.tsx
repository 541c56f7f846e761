import { useT } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import { NOTIFICATIONS_PATH } from './routes';
import { useNotifications } from './useNotifications';
import './notifications.css';

/** The header's bell: the unread count, live; opens the notifications list. */
export function NotificationBell() {
  const t = useT();
  const { signedIn, unread } = useNotifications();
  if (!signedIn) return null;
  const label = unread > 0 ? t('notifications.bellUnread', { count: unread }) : t('notifications.bell');
  return (
    <Link href={NOTIFICATIONS_PATH} className="notif-bell" aria-label={label} data-testid="notification-bell">
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
        <path d="M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
        <path d="M13.7 21a2 2 0 0 1-3.4 0" />
      </svg>
      {unread > 0 && (
        <span className="notif-badge" data-testid="notification-badge" data-count={unread}>
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </Link>
  );
}
