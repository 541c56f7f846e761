import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { PushToggle } from './PushToggle';
import { NOTIFICATION_SETTINGS_PATH } from './routes';
import { useNotifications } from './useNotifications';
import './notifications.css';

/** The in-app feed: newest first, live; tapping one opens its screen and marks it read. */
export function NotificationsScreen() {
  const { t, formatDateTime } = useI18n();
  const { list } = useNotifications();
  const utils = trpc.useUtils();
  const older = trpc.notification.list.useInfiniteQuery(
    { limit: 30 },
    { enabled: false, getNextPageParam: (p) => p.nextCursor, initialCursor: list.data?.nextCursor ?? null },
  );
  const markRead = trpc.notification.markRead.useMutation({
    onSuccess: () => void utils.notification.list.invalidate(),
  });
  const items = [...(list.data?.items ?? []), ...(older.data?.pages.flatMap((p) => p.items) ?? [])];
  const unreadIds = items.filter((n) => !n.read).map((n) => n.id);
  const hasMore = older.data ? older.hasNextPage : Boolean(list.data?.nextCursor);

  return (
    <main className="screen" data-testid="notifications-screen">
      <h1>{t('notifications.title')}</h1>
      <div className="notif-actions">
        {unreadIds.length > 0 && (
          <button
            type="button"
            className="button button-ghost"
            onClick={() => markRead.mutate({ ids: unreadIds.slice(0, 200) })}
            data-testid="mark-all-read"
          >
            {t('notifications.markAll')}
          </button>
        )}
        <Link href={NOTIFICATION_SETTINGS_PATH} className="button button-ghost">
          {t('notifications.settings')}
        </Link>
      </div>
      <section className="card">
        <PushToggle />
      </section>
      {list.data && items.length === 0 && <p className="muted">{t('notifications.empty')}</p>}
      <ul className="notif-list">
        {items.map((n) => (
          <li key={n.id}>
            <Link
              href={n.url}
              className="notif-item"
              data-read={String(n.read)}
              data-kind={n.kind}
              data-testid="notification-item"
              onClick={() => {
                if (!n.read) markRead.mutate({ ids: [n.id] });
              }}
            >
              <div className="notif-title" dir="auto">
                {!n.read && <span className="visually-hidden">{t('notifications.unreadDot')}: </span>}
                {n.title}
              </div>
              <p className="notif-body" dir="auto">
                {n.body}
              </p>
              <time className="notif-time" dateTime={n.createdAt}>
                {formatDateTime(n.createdAt)}
              </time>
            </Link>
          </li>
        ))}
      </ul>
      {hasMore && (
        <button
          type="button"
          className="button button-ghost"
          onClick={() => void (older.data ? older.fetchNextPage() : older.refetch())}
        >
          {t('notifications.more')}
        </button>
      )}
    </main>
  );
}
